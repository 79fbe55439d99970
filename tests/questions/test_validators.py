"""Every question refuses bad answers with a sentence that says what is allowed, readable in
an 80-column terminal; answers to questions that do not exist are refused too."""

from pathlib import Path
from typing import Any

import copier
import pytest
import yaml

from tests.support.project import TEMPLATE

WIDTH = 80

BAD_ANSWERS: list[tuple[dict[str, Any], str]] = [
    ({"project_name": "   "}, "cannot be empty"),
    ({"project_slug": "Demo_Shop"}, "lowercase letters"),
    ({"project_slug": "demo-shop"}, "lowercase letters"),
    ({"project_slug": "class"}, "Python keyword"),
    ({"project_slug": "json"}, "standard library"),
    ({"project_slug": "sqlalchemy"}, "name taken by a package"),
    ({"project_slug": "redis"}, "name taken by a package"),
    ({"project_slug": "worker_service"}, "name of a service"),
    ({"project_slug": "s" * 41}, "41 characters, over 40"),
    ({"author_name": " "}, "cannot be empty"),
    ({"author_email": "team.example.com"}, "use the form name@example.com"),
    ({"author_email": "team@localhost"}, "the domain has no dot"),
    ({"maturity_level": 0}, "0 is not in [1, 2, 3, 4]"),
    ({"project_slug": "bot_service"}, "name of a service"),
    ({"project_slug": "aiogram"}, "name taken by a package"),
    ({"project_slug": "boto3"}, "name taken by a package"),
    ({"resources": [{"name": "attachment", "fields": [{"name": "a", "type": "str"}]}]}, "taken"),
    ({"modules": ["kafka"]}, "'kafka' is not in"),
    (
        {"maturity_level": 4, "modules": ["s3"], "deployment": "kubernetes"},
        "do not cover the module(s) s3 yet",
    ),
    ({"maturity_level": 4, "deployment": "swarm"}, "'swarm' is not in"),
    ({"resources": []}, "non-empty list"),
    ({"resources": [{"name": "Item", "fields": [{"name": "a", "type": "str"}]}]}, "lowercase"),
    ({"resources": [{"name": "item", "fields": [{"name": "a", "type": "geo"}]}]}, "unknown type"),
    (
        {"resources": [{"name": "item", "fields": [{"name": "b_id", "type": "ref", "to": "x"}]}]},
        'no resource "x"',
    ),
    ({"resources": [{"name": "item", "fields": [{"name": "id", "type": "str"}]}]}, "reserved"),
    (
        {"resources": [{"name": "item", "fields": [{"name": "state", "type": "enum"}]}]},
        "an enum needs values",
    ),
    (
        {
            "resources": [
                {"name": "item", "fields": [{"name": "size", "type": "int", "min": 5, "max": 1}]}
            ]
        },
        "min must be below max",
    ),
    (
        {
            "resources": [
                {"name": "item", "fields": [{"name": "is_ok", "type": "bool", "unique": True}]}
            ]
        },
        "can't be unique",
    ),
    ({"resources": ["item"]}, "is not a mapping; it has name and fields"),
    ({"postgres_db": "1shop"}, "lowercase letters"),
    ({"postgres_db": "d" * 64}, "PostgreSQL allows 63"),
    ({"data_service_port": 70000}, "is not in 1024-65535"),
    ({"api_port": "80x"}, '"80x": not a whole number'),
    ({"latency_target_ms": "fast"}, "not a whole number"),
    ({"api_port": 80}, "is not in 1024-65535"),
    ({"api_port": 70000}, "is not in 1024-65535"),
    ({"data_service_port": 8000}, "8000 is api_port too"),
    ({"postgres_port": 8001}, "8001 is data_service_port too"),
    ({"latency_target_ms": 0}, "0 is not in 1-60000 ms"),
    ({"availability_target": "high"}, "percentage"),
    ({"availability_target": "101%"}, "101% is above 100%"),
    ({"api_port": "08000"}, '"08000" starts with a zero; write 8000.'),
]


@pytest.mark.parametrize(
    ("answers", "message"),
    BAD_ANSWERS,
    ids=[f"{next(iter(a))}={next(iter(a.values()))!s:.20}" for a, _ in BAD_ANSWERS],
)
def test_bad_answers_are_refused_with_a_reason(
    copie: Any, answers: dict[str, Any], message: str
) -> None:
    result = copie.copy(extra_answers=answers)

    assert result.exit_code == -1
    assert isinstance(result.exception, ValueError)
    assert message in " ".join(str(result.exception).split())
    assert_fits_the_prompt(str(result.exception))


def assert_fits_the_prompt(message: str) -> None:
    if not message.startswith("Validation error for question"):
        return  # Copier's own refusals (a choice that does not exist) are not the template's
    first, *rest = message.splitlines()
    # The questionnaire shows only the first line: it must hold what is wrong.
    assert len(first) <= WIDTH, first
    assert all(len(line) <= WIDTH for line in rest), rest


@pytest.mark.parametrize(
    ("data", "hint"),
    [
        ({"maturity": 3}, '"maturity" is not a question (did you mean maturity_level?)'),
        ({"modules": ["redis"], "module": ["s3"]}, '"module" is not a question (did you mean'),
        ({"colour": "blue"}, '"colour" is not a question.'),
    ],
)
def test_answers_to_questions_that_do_not_exist_are_refused(
    tmp_path: Path, data: dict[str, Any], hint: str
) -> None:
    with pytest.raises(ValueError, match="is not a question") as refused:
        copier.run_copy(
            str(TEMPLATE), tmp_path, data=data, defaults=True, unsafe=True,
            vcs_ref="HEAD", quiet=True,
        )  # fmt: skip
    assert hint in " ".join(str(refused.value).split())
    assert_fits_the_prompt(str(refused.value))


def test_a_level_that_does_not_exist_is_refused(copie: Any) -> None:
    result = copie.copy(extra_answers={"maturity_level": 7})

    assert result.exit_code == -1
    assert "7" in str(result.exception)


@pytest.mark.parametrize(
    "answers",
    [
        {"project_name": "P2P Lending", "project_slug": "p2p_lending"},
        {"author_email": "ops+platform@lending.example.org"},
        {"resources": [{"name": "loan_offer", "fields": [{"name": "amount", "type": "decimal"}]}]},
        {
            "resources": [
                {
                    "name": "person",
                    "plural": "people",
                    "fields": [{"name": "nickname", "type": "str", "required": False}],
                }
            ]
        },
        {"api_port": 9000, "data_service_port": 9001, "postgres_port": 6543},
        {"python_version": "3.13", "latency_target_ms": 150, "availability_target": "99.95%"},
    ],
)
def test_good_answers_are_accepted(copie: Any, answers: dict[str, Any]) -> None:  # fmt: skip
    result = copie.copy(extra_answers=answers)

    assert result.exit_code == 0, result.exception
    for question, answer in answers.items():
        # Numbers are text questions checked as numbers: the answers file stores "9000".
        expected = str(answer) if isinstance(answer, int) else answer
        assert result.answers[question] == expected


def test_every_help_and_choice_fits_80_columns() -> None:
    questions = yaml.safe_load((TEMPLATE / "copier.yml").read_text())
    for name, question in questions.items():
        if name.startswith("_"):
            continue
        # "🎤 " before the help takes three columns; "» ○ " before a choice four.
        for line in str(question.get("help", "")).splitlines():
            assert len(line) <= WIDTH - 3, (name, line)
        for title in question.get("choices") or {}:
            assert len(str(title)) <= WIDTH - 4, (name, title)


def test_resources_are_edited_as_multiline_yaml() -> None:
    questions = yaml.safe_load((TEMPLATE / "copier.yml").read_text())
    assert questions["resources"]["type"] == "yaml"
    assert questions["resources"]["multiline"] is True


@pytest.mark.parametrize(
    ("answers", "first_line"),
    [
        ({"project_slug": "demo-shop"}, '"demo-shop": use a-z, 0-9 and _'),
        ({"project_slug": "1shop"}, '"1shop" must start with a-z;'),
        ({"api_port": 80}, "80 is not in 1024-65535"),
        ({"data_service_port": "8000"}, "8000 is api_port too;"),
        ({"api_port": "eighty"}, '"eighty": not a whole number;'),
        ({"latency_target_ms": "-5"}, "-5 is not in 1-60000 ms;"),
        ({"availability_target": "99.9"}, '"99.9" needs a % sign;'),
        ({"availability_target": "101%"}, "101% is above 100%"),
        ({"author_email": "team.example.com"}, "no @ in it;"),
        ({"resources": [{"name": "item", "fields": [{"name": "a", "type": "geo"}]}]},
         'item.a: unknown type "geo"'),
        ({"resources": [{"name": "item", "fields": [{"name": "x_id", "type": "ref"}]}]},
         'item.x_id: a ref needs "to";'),
    ],
)  # fmt: skip
def test_the_first_line_of_a_refusal_says_what_is_wrong(
    copie: Any, answers: dict[str, Any], first_line: str
) -> None:
    """The questionnaire shows only the first line, cut at 80 columns."""
    result = copie.copy(extra_answers=answers)

    first = str(result.exception).splitlines()[0]
    assert len(first) <= WIDTH
    assert first_line in first
