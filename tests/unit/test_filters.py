"""Naming filters and answer checks of extensions/filters.py, and the resource names of
extensions/resource_checks.py, as plain functions."""

import pytest

from extensions import filters, prompts, resource_checks


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("Order Desk", "order_desk"),
        ("order-desk", "order_desk"),
        ("OrderDesk", "order_desk"),
        ("  P2P  lending!! ", "p2p_lending"),
    ],
)
def test_snake(given: str, expected: str) -> None:
    assert filters.snake(given) == expected


def test_kebab() -> None:
    assert filters.kebab("order_desk") == "order-desk"
    assert filters.kebab("Order Desk") == "order-desk"


def test_pascal_names_a_resource_class() -> None:
    assert resource_checks.pascal("purchase_order") == "PurchaseOrder"


@pytest.mark.parametrize(
    ("singular", "plural"),
    [("item", "items"), ("category", "categories"), ("box", "boxes"), ("day", "days"),
     ("match", "matches"), ("loan_offer", "loan_offers")],
)  # fmt: skip
def test_plural_of_a_resource_name(singular: str, plural: str) -> None:
    assert resource_checks.plural(singular) == plural


def test_slug_is_an_identifier_even_for_odd_names() -> None:
    assert filters.slug("2024 Platform") == "project_2024_platform"
    assert filters.slug("!!!") == "project"


@pytest.mark.parametrize("good", ["order_desk", "p2p_lending", "a1"])
def test_good_slugs_pass(good: str) -> None:
    assert filters.slug_error(good) == ""


@pytest.mark.parametrize(
    ("bad", "fragment"),
    [
        ("Order", "lowercase letters"),
        ("order-desk", "lowercase letters"),
        ("_x", "lowercase letters"),
        ("class", "Python keyword"),
        ("match", "Python keyword"),
        ("json", "standard library"),
        ("asyncio", "standard library"),
        ("fastapi", "name taken by a package"),
        ("api_service", "name of a service"),
        ("x" * 41, "41 characters, over 40"),
        (None, "must start with a-z"),
    ],
)
def test_bad_slugs_say_why(bad: object, fragment: str) -> None:
    assert fragment in filters.slug_error(bad)


def test_email() -> None:
    assert filters.email_error("team@example.com") == ""
    assert filters.email_error("a.b+c@sub.example.org") == ""
    for bad in ["team", "team@", "@example.com", "te am@example.com", "team@example"]:
        assert "use the form name@example.com" in filters.email_error(bad)
    assert filters.email_error("team@localhost").startswith('"team@localhost": the domain has no')
    assert filters.email_error("team.example.com").startswith('"team.example.com": no @ in it')


def test_ports() -> None:
    assert filters.port_error(8000) == ""
    assert filters.port_error(8001, api_port=8000) == ""
    assert filters.port_error("8001", api_port="8000", data_service_port="8001") == (
        "8001 is data_service_port too; every port must differ."
    )
    assert "is not in 1024-65535" in filters.port_error(80)
    assert "is not in 1024-65535" in filters.port_error(70000)
    assert "not a whole number" in filters.port_error("http")
    assert filters.port_error("18710 ") == '"18710 " has spaces; write 18710.'
    assert "not a whole number" in filters.port_error("8 000")
    assert filters.port_error("8000") == ""
    assert "8001 is api_port too" in filters.port_error("8001", api_port="8001")
    assert "8000 is api_port too" in filters.port_error(8000, api_port=8000)
    assert "5432 is data_service_port too" in filters.port_error(
        5432, api_port=8000, data_service_port=5432
    )


def test_database_names() -> None:
    assert filters.database_error("shop") == ""
    assert "lowercase letters" in filters.database_error("1shop")
    assert "63" in filters.database_error("d" * 64)


def test_refusals_are_wrapped_for_an_80_column_prompt() -> None:
    message = prompts.for_prompt("word " * 40 + "end.", "data_service_port")
    first, *rest = message.splitlines()
    assert len("Validation error for question 'data_service_port': " + first) <= 80
    assert rest
    assert all(len(line) <= 80 for line in rest)
    assert " ".join(message.split()) == " ".join(("word " * 40 + "end.").split())
    assert prompts.for_prompt("", "api_port") == ""


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("project_slug", filters.slug_error("Shop-Platform")),
        ("project_slug", filters.slug_error("api_service")),
        ("project_slug", filters.slug_error("json")),
        ("project_slug", filters.slug_error("s" * 51)),
        ("project_slug", filters.slug_error("9lives")),
        ("project_slug", filters.slug_error("")),
        ("project_slug", filters.slug_error("fastapi")),
        ("author_email", filters.email_error("team@@example.com")),
        ("author_email", filters.email_error("team@example")),
        ("availability_target", filters.percentage_error("0%")),
        ("availability_target", filters.percentage_error("101%")),
        ("availability_target", filters.percentage_error("ninety")),
        ("data_service_port", filters.port_error("8000", api_port="8000")),
        ("latency_target_ms", filters.number_error("fast", 1, 60000, "ms")),
    ],
)
def test_the_line_the_prompt_shows_is_a_whole_statement(question: str, message: str) -> None:
    """The questionnaire shows one line after "Validation error for question 'NAME': "."""
    first = prompts.for_prompt(message, question).splitlines()[0]

    assert len(f"Validation error for question '{question}': {first}") <= 80
    assert first.endswith((";", ".")), first
    assert not first.startswith(("is ", "would ")), first
