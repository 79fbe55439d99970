"""The resources answer: its checks (extensions/resource_checks.py), and the entity view the
templates write the code from (extensions/entities.py)."""

from typing import Any

import pytest

from extensions import entities, prompts, resource_checks
from tests.conftest import CATALOG

ITEM = {"name": "item", "fields": [{"name": "name", "type": "str"}]}


def with_fields(*fields: dict[str, Any], name: str = "thing") -> list[dict[str, Any]]:
    return [{"name": name, "fields": list(fields)}]


BAD_RESOURCES: list[tuple[Any, str]] = [
    ([], "non-empty list"),
    ("item", "non-empty list"),
    ([{"name": "item"}], "fields is a non-empty list"),
    ([{"name": "item", "fields": []}], "fields is a non-empty list"),
    (["item"], "not a mapping"),
    ([{"name": "Item", "fields": [{"name": "a", "type": "str"}]}], "lowercase letters"),
    ([{"name": "class", "fields": [{"name": "a", "type": "str"}]}], "Python keyword"),
    ([{"name": "health", "fields": [{"name": "a", "type": "str"}]}],
     'Resource 1: "health" is taken'),
    ([{"name": "base", "fields": [{"name": "a", "type": "str"}]}], "a route or module of"),
    ([{"name": "x" * 25, "fields": [{"name": "a", "type": "str"}]}], "at most 24"),
    ([{"name": "item", "plural": "order", "fields": [{"name": "a", "type": "str"}]}],
     "reserved in PostgreSQL"),
    ([{"name": "sheep", "plural": "sheep", "fields": [{"name": "a", "type": "str"}]}],
     "must differ"),
    ([ITEM, ITEM], '"item" is used twice'),
    ([{"name": "item", "colour": "red", "fields": [{"name": "a", "type": "str"}]}],
     "unknown key(s) colour"),
    (with_fields({"name": "a", "type": "str"}, {"name": "a", "type": "int"}),
     "thing.a: the field is given twice."),
    ([{"name": "item", "field": [{"name": "a", "type": "str"}]}],
     "Resource 1: field? use fields;"),
    (with_fields({"name": "id", "type": "uuid"}), "reserved"),
    (with_fields({"name": "created_at", "type": "datetime"}), "reserved"),
    (with_fields({"name": "sort", "type": "str"}), "reserved"),
    (with_fields({"name": "date", "type": "date"}), "reserved"),
    (with_fields({"name": "n", "type": "int"}), "n is the row number in the generated tests'"),
    (with_fields({"name": "metadata", "type": "str"}), "an attribute of every SQLAlchemy"),
    (with_fields({"name": "sort", "type": "str"}), "sort is a parameter of every list"),
    (with_fields({"name": "select", "type": "str"}), "reserved in PostgreSQL"),
    (with_fields({"name": "import", "type": "str"}), "Python keyword"),
    (with_fields({"name": "a", "type": "string"}), 'type string? use str;'),
    (with_fields({"name": "a", "type": "geo"}), 'unknown type "geo"; the types are str,'),
    (with_fields({"name": "a", "type": "str", "nullable": True}), "nullable? use required;"),
    (with_fields({"name": "a"}), 'unknown type "None"'),
    (with_fields({"name": "a", "type": "enum"}), "an enum needs values"),
    (with_fields({"name": "a", "type": "enum", "values": []}), "an enum needs values"),
    (with_fields({"name": "a", "type": "enum", "values": ["Red"]}), '"Red": use a-z, 0-9 and _'),
    (with_fields({"name": "a", "type": "enum", "values": ["1st"]}), '"1st" must start with a-z'),
    (with_fields({"name": "a", "type": "enum", "values": ["v" * 41]}), "over 40 characters"),
    (with_fields({"name": "a", "type": "enum", "values": [3]}), "3 is not a word"),
    (with_fields({"name": "a", "type": "enum", "values": ["x", "y", "x"]}),
     'thing.a: "x" is in values twice'),
    (with_fields({"name": "a", "type": "str", "max_length": 0}), "max_length"),
    (with_fields({"name": "a", "type": "str", "values": ["x"]}), "str has no option values;"),
    (with_fields({"name": "a", "type": "int", "min": 5, "max": 1}), "min must be below max"),
    (with_fields({"name": "a", "type": "int", "min": 0.5}), "whole number"),
    (with_fields({"name": "a", "type": "int", "min": 0, "max": 1, "unique": True}),
     "thing.a: too narrow for unique; 0 to 1 holds 2 values"),
    (with_fields({"name": "a", "type": "decimal", "precision": 40}), "precision"),
    (with_fields({"name": "a", "type": "decimal", "precision": 4, "scale": 4}), "scale"),
    (with_fields({"name": "a", "type": "bool", "unique": True}), "can't be unique"),
    (with_fields({"name": "a", "type": "str", "required": "yes"}), "true or false"),
    (with_fields({"name": "owner", "type": "ref", "to": "thing"}), "ends in _id"),
    (with_fields({"name": "owner_id", "type": "ref", "to": "ghost"}), 'no resource "ghost"'),
    (with_fields({"name": "parent_id", "type": "ref", "to": "thing"}), "required: false"),
    ([{"name": "alpha", "fields": [{"name": "beta_id", "type": "ref", "to": "beta"}]},
      {"name": "beta", "fields": [{"name": "x", "type": "str"}]}], 'list "beta" first'),
]  # fmt: skip


@pytest.mark.parametrize(("answer", "message"), BAD_RESOURCES)
def test_bad_resources_are_refused_with_a_reason(answer: Any, message: str) -> None:
    assert message in resource_checks.resources_error(answer)


@pytest.mark.parametrize(("answer", "message"), BAD_RESOURCES)
def test_the_line_the_prompt_shows_is_a_whole_statement(answer: Any, message: str) -> None:
    """The questionnaire shows one line after "Validation error for question 'resources': "."""
    first = prompts.for_prompt(resource_checks.resources_error(answer), "resources").splitlines()[0]

    assert len("Validation error for question 'resources': " + first) <= 80
    assert first.endswith((";", ".")), first


REALISTIC = [
    ([{"name": "order", "fields": [{"name": "customer_id", "type": "ref", "to": "client"}]}],
     'customer_id: no resource "client";'),
    ([{"name": "book", "fields": [{"name": "title", "type": "str"}]},
      {"name": "review", "fields": [{"name": "book_id", "type": "ref", "to": "books"}]}],
     "review.book_id: to: books? use book;"),
    ([{"name": "purchase_order", "fields": [{"name": "notes", "type": "text", "unique": True}]}],
     "notes: text can't be unique;"),
    ([{"name": "purchase_order", "fields": [{"name": "customer_notes", "type": "money"}]}],
     'type money? use decimal;'),
    ([{"name": "order", "fields": [{"name": "total", "type": "decimal", "decimal_places": 2}]}],
     "total: decimal_places? use scale;"),
    ([{"name": "purchase_order", "fields": [{"name": "state", "type": "enum", "values": ["A"]}]}],
     'state: "A": use a-z, 0-9 and _;'),
    # The value is what the clause is about: it stays, the place goes.
    ([{"name": "patient", "fields": [{"name": "blood_group", "type": "enum", "values": ["0neg"]}]}],
     '"0neg" must start with a-z;'),
    ([{"name": "patient", "fields": [{"name": "full_name", "type": "str", "maxlength": 9}]}],
     "full_name: maxlength? use max_length;"),
    ([{"name": "warehouse", "fields": [{"name": "code", "type": "str", "uniq": True}]}],
     "warehouse.code: uniq? use unique;"),
]  # fmt: skip


@pytest.mark.parametrize(("answer", "line"), REALISTIC)
def test_the_prompt_line_keeps_the_field_and_the_value(answer: Any, line: str) -> None:
    """Resource and field names as users write them leave 37 columns: the field stays."""
    message = resource_checks.resources_error(answer)

    assert prompts.for_prompt(message, "resources").splitlines()[0] == line


def test_the_catalog_and_the_default_are_accepted() -> None:
    assert resource_checks.resources_error(CATALOG["resources"]) == ""
    assert resource_checks.resources_error(resource_checks.DEFAULT_RESOURCES) == ""


def test_defaults_are_filled_in() -> None:
    (checked,) = resource_checks.check_resources(with_fields({"name": "title", "type": "str"}))
    assert checked["plural"] == "things"
    assert checked["fields"] == [
        {"name": "title", "type": "str", "required": True, "unique": False, "max_length": 255}
    ]


def test_each_resource_migrates_on_a_branch_named_after_its_table() -> None:
    built = entities.build_entities(CATALOG["resources"])

    assert [e["revision"] for e in built] == [
        "add_customers", "add_products", "add_categories", "add_purchase_orders",
        "add_order_lines",
    ]  # fmt: skip
    assert [e["depends_on"] for e in built] == [
        [],
        [],
        [],
        ["add_categories", "add_customers"],
        ["add_products", "add_purchase_orders"],
    ]
    longest = entities.migration_ids("x" * resource_checks.PLURAL_MAX)
    assert all(len(revision) <= 32 for revision in longest)


def test_reordering_or_removing_resources_never_renames_a_migration() -> None:
    catalog = CATALOG["resources"]
    released = entities.migration_history(catalog, None)["record"]
    reordered = [catalog[2], catalog[0], catalog[1], catalog[3], catalog[4]]
    before = {e["name"]: e["revision"] for e in entities.build_entities(catalog)}
    after = {e["name"]: e["revision"] for e in entities.build_entities(reordered)}
    assert before == after

    # The first resource and the last two go: their create migrations stay, drops are added.
    kept = [catalog[2], catalog[1]]
    history = entities.migration_history(kept, released)
    assert [e["revision"] for e in history["migration_entities"]] == [
        "add_categories", "add_products", "add_customers", "add_purchase_orders",
        "add_order_lines",
    ]  # fmt: skip
    drops = {e["drop_revision"]: e["drop_depends_on"] for e in history["dropped_entities"]}
    assert drops == {
        "drop_customers": ["drop_purchase_orders"],
        "drop_purchase_orders": ["drop_order_lines"],
        "drop_order_lines": [],
    }
    record = history["record"]
    assert [(r["name"], r.get("dropped", False)) for r in record] == [
        ("category", False), ("product", False),
        ("customer", True), ("purchase_order", True), ("order_line", True),
    ]  # fmt: skip
    # The next render remembers what was dropped, and drops nothing more.
    again = entities.migration_history(kept, record)
    assert again["record"] == record
    assert [e["drop_revision"] for e in again["dropped_entities"]] == list(drops)


def test_a_dropped_table_cannot_come_back_under_a_current_resource() -> None:
    catalog = CATALOG["resources"]
    released = entities.migration_history(catalog, None)["record"]
    renamed_table = [catalog[0] | {"plural": "clients"}]
    assert "customers would be dropped" in entities.released_error(renamed_table, released)
    dropped = entities.migration_history([catalog[1]], released)["record"]
    back = [catalog[1], catalog[0]]
    assert "was dropped by an earlier update" in entities.released_error(back, dropped)
    assert entities.released_error(catalog, released) == ""
    assert entities.released_error(catalog, None) == ""


def test_a_removal_the_database_cannot_follow_is_refused() -> None:
    product = {"name": "product", "fields": [{"name": "sku", "type": "str"}]}
    order = {"name": "order", "plural": "orders",
             "fields": [{"name": "product_id", "type": "ref", "to": "product"}]}  # fmt: skip
    released = entities.migration_history([product, order], None)["record"]
    # The reference and its target go in one update: the table cannot be dropped under it.
    order_alone = [{"name": "order", "plural": "orders",
                    "fields": [{"name": "number", "type": "int"}]}]  # fmt: skip
    assert "in an update of its own" in entities.released_error(order_alone, released)
    # A removed table's migrations refer to a name the answer gives away.
    only_products = entities.migration_history([product], released)["record"]
    renamed = [{"name": "item", "plural": "products", "fields": [{"name": "sku", "type": "str"}]}]
    assert "keep the names" in entities.released_error(renamed, only_products)


def test_references_know_their_targets_and_back_references() -> None:
    by_name = {e["name"]: e for e in entities.build_entities(CATALOG["resources"])}

    order_line = by_name["order_line"]
    assert order_line["ref_targets"] == ["product", "purchase_order"]
    assert [f["target_plural"] for f in order_line["refs"]] == ["purchase_orders", "products"]
    assert by_name["category"]["refs"][0]["self_reference"] is True
    assert by_name["category"]["ref_targets"] == []
    referring = [(r["plural"], r["field"]) for r in by_name["customer"]["referenced_by"]]
    assert referring == [("purchase_orders", "customer_id")]
    # A refused delete names the resource's own references too.
    category = by_name["category"]
    referring = [(r["plural"], r["field"]) for r in category["referenced_by"]]
    assert referring == [("categories", "parent_id"), ("purchase_orders", "category_id")]
    assert category["referrers"] == ["purchase_order"]


def test_constraint_names_fit_postgresql() -> None:
    long = [
        {"name": "a" * 24, "plural": "b" * 27, "fields": [
            {"name": "c" * 30, "type": "int", "min": 0, "max": 9, "unique": True},
            {"name": "d" * 27 + "_id", "type": "ref", "to": "a" * 24, "required": False},
        ]}
    ]  # fmt: skip
    (entity,) = entities.build_entities(long)
    names = [check["full_name"] for field in entity["fields"] for check in field["checks"]]
    names += [f["unique_name"] for f in entity["fields"]] + [f["fk_name"] for f in entity["refs"]]
    assert names
    assert all(len(name) <= 63 for name in names), names


def test_fit_leaves_a_line_that_fits_and_explodes_its_last_call_otherwise() -> None:
    assert entities.fit("    f(a, b)") == "    f(a, b)"
    long = "    name: Mapped[str] = mapped_column(" + "x" * 60 + ", " + "y" * 40 + ")"
    assert entities.fit(long) == (
        "    name: Mapped[str] = mapped_column(\n        "
        + "x" * 60
        + ",\n        "
        + "y" * 40
        + ",\n    )"
    )


def test_fit_keeps_commas_inside_strings_and_brackets_and_the_tail() -> None:
    pattern = 'pattern="^[a,b](c)$"'
    line = f'        sa.Column("{"c" * 50}", sa.Numeric(precision=18, scale=6), {pattern}),'
    assert entities.fit(line) == (
        "        sa.Column(\n"
        f'            "{"c" * 50}",\n'
        "            sa.Numeric(precision=18, scale=6),\n"
        f"            {pattern},\n"
        "        ),"
    )


def test_fit_gives_a_tuple_of_one_item_its_trailing_comma_once() -> None:
    line = "    unique_fields = (" + '"' + "u" * 90 + '",)'
    assert entities.fit(line) == '    unique_fields = (\n        "' + "u" * 90 + '",\n    )'


def test_fit_explodes_only_what_does_not_fit_and_keeps_every_argument() -> None:
    for width in range(1, 120, 7):
        args = ["a" * width, "b=" + "c" * (width // 2), '"d, e"']
        for tail in ("", ","):
            one_line = f"        head({', '.join(args)}){tail}"
            fitted = entities.fit(one_line)
            if len(one_line) <= 100:
                assert fitted == one_line
                continue
            lines = fitted.split("\n")
            assert lines[0] == "        head("
            assert lines[1:-1] == [f"            {arg}," for arg in args]
            assert lines[-1] == f"        ){tail}"


def test_fit_leaves_what_it_cannot_explode_without_changing_its_meaning() -> None:
    long = "x" * 95
    for line in (
        f"    value = ({long})",  # parentheses around one expression: no tuple
        f"    kind: Annotated[{long}]",  # a subscript of one item
        f"    f({long})  # a comment",
        f"    f({long}) + 1",
    ):
        assert entities.fit(line) == line


def test_fit_keeps_the_kind_of_bracket() -> None:
    line = "    KINDS = [" + ", ".join(f'"{letter * 30}"' for letter in "abc") + "]"
    assert entities.fit(line) == (
        '    KINDS = [\n        "' + "a" * 30 + '",\n        "' + "b" * 30 + '",\n        "'
        + "c" * 30 + '",\n    ]'
    )  # fmt: skip


def test_enum_classes_of_one_resource_never_share_a_name() -> None:
    resource = {
        "name": "stock_move",
        "fields": [
            {"name": "stock_move", "type": "enum", "values": ["x", "y"]},
            {"name": "stock_move_kind", "type": "enum", "values": ["a", "b"]},
        ],
    }
    (built,) = entities.build_entities([resource])

    classes = [field["enum_class"] for field in built["fields"]]
    assert classes == ["StockMoveKind", "StockMoveKindKind"]


def test_exploded_literals_keep_one_item_per_line() -> None:
    assert entities.exploded([]) == "[]"
    assert entities.exploded({}) == "{}"
    assert entities.exploded(["a"]) == '[\n    "a",\n]'
    assert entities.exploded({"a": 1}, 4) == '{\n        "a": 1,\n    }'


def test_a_literal_type_of_one_value_is_not_a_tuple_subscript() -> None:
    assert entities.literal_type(["draft"]) == 'Literal["draft"]'
    assert entities.literal_type(["a", "b"]) == 'Literal[\n    "a",\n    "b",\n]'


def test_fit_explodes_a_tuple_as_the_formatter_does() -> None:
    assert entities.fit('    x = ("a",)') == '    x = ("a",)'
    long = entities.fit('x = ("' + "a" * 60 + '", "' + "b" * 60 + '")')
    assert long == 'x = (\n    "' + "a" * 60 + '",\n    "' + "b" * 60 + '",\n)'


def test_example_bodies_are_valid_json_for_the_docs() -> None:
    (entity,) = entities.build_entities(None)
    assert (
        entity["example_json"]
        == '{"name": "name1", "description": "description text 1", "quantity": 1}'
    )


def test_the_patched_field_can_take_another_value() -> None:
    one_value = {"name": "state", "type": "enum", "values": ["open"]}
    flag = {"name": "done", "type": "bool"}
    (entity,) = entities.build_entities([{"name": "task", "fields": [one_value, flag]}])
    assert entity["patch_field"]["name"] == "done"

    (entity,) = entities.build_entities([{"name": "task", "fields": [one_value]}])
    assert entity["patch_field"] is None
