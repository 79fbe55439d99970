"""The answer-set generator of `nox -s explore` draws only answers the validators accept."""

from collections import Counter

import pytest

from extensions.context import modules_error
from extensions.entities import released_error
from extensions.filters import port_error, slug, slug_error
from extensions.resource_checks import resources_error
from tests.support.answers import answer_sets

SETS = answer_sets(seed=1, count=400)


@pytest.mark.parametrize("number", range(len(SETS)))
def test_every_generated_set_passes_the_validators(number: int) -> None:
    answers = SETS[number]
    assert resources_error(answers["resources"]) == "", answers["resources"]
    assert released_error(answers["resources"], None) == ""
    assert modules_error(answers["modules"]) == ""
    assert slug_error(slug(answers["project_name"])) == ""
    ports = {key: answers[key] for key in ("api_port", "data_service_port", "postgres_port")}
    for key, port in ports.items():
        assert port_error(port, **{other: p for other, p in ports.items() if other != key}) == ""


def test_the_sets_cover_every_level_type_option_and_limit() -> None:
    fields = [f for answers in SETS for r in answers["resources"] for f in r["fields"]]
    names = [r["name"] for answers in SETS for r in answers["resources"]]
    assert {answers["maturity_level"] for answers in SETS} == {1, 2, 3, 4}
    assert Counter(field["type"] for field in fields).keys() == {
        "str", "text", "int", "float", "decimal", "bool", "date", "datetime", "uuid", "enum", "ref",
    }  # fmt: skip
    assert any(f.get("unique") for f in fields)
    assert any(f.get("required") is False for f in fields)
    assert any(f["type"] == "ref" and f["to"] == f["name"][:-3] for f in fields)
    assert max(len(name) for name in names) == 24
    assert max(len(f["name"]) for f in fields) == 30
    assert any(all(r["name"] != "item" for r in answers["resources"]) for answers in SETS)
    assert {len(answers["resources"]) for answers in SETS} >= {1, 8}
    assert any(len(answers["modules"]) == 7 for answers in SETS)


def test_a_seed_gives_the_same_sets() -> None:
    assert answer_sets(seed=1, count=5) == SETS[:5]
    assert answer_sets(seed=2, count=5) != SETS[:5]
