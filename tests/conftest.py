"""Answer presets and shared fixtures of the template's own tests."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from _pytest.nodeid import coerce_node_id

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.support.answers import answer_sets  # noqa: E402
from tests.support.postgres import PostgresServer, postgres_bin_dir, running_postgres  # noqa: E402

DEFAULTS: dict[str, object] = {}
# One resource whose fields are all required.
MINIMAL: dict[str, object] = {
    "resources": [
        {
            "name": "note",
            "fields": [
                {"name": "title", "type": "str", "max_length": 80},
                {"name": "body", "type": "text"},
            ],
        }
    ]
}
# Five resources at level 3: every field type, references (one to its own resource), uniques.
CATALOG: dict[str, object] = {
    "project_name": "Shop Catalog",
    "maturity_level": 3,
    "resources": [
        {
            "name": "customer",
            "fields": [
                {"name": "email", "type": "str", "max_length": 254, "unique": True},
                {"name": "full_name", "type": "str", "max_length": 120},
                {"name": "birthday", "type": "date", "required": False},
                {"name": "is_active", "type": "bool"},
            ],
        },
        {
            "name": "product",
            "fields": [
                {"name": "sku", "type": "uuid", "unique": True},
                {"name": "title", "type": "str"},
                {"name": "price", "type": "decimal", "precision": 10, "scale": 2},
                {"name": "weight_kg", "type": "float", "min": 0, "required": False},
                {"name": "notes", "type": "text", "required": False},
            ],
        },
        {
            "name": "category",
            "plural": "categories",
            "fields": [
                {"name": "label", "type": "str", "max_length": 60, "unique": True},
                {"name": "parent_id", "type": "ref", "to": "category", "required": False},
            ],
        },
        {
            "name": "purchase_order",
            "fields": [
                {"name": "customer_id", "type": "ref", "to": "customer"},
                {"name": "status", "type": "enum", "values": ["draft", "placed", "shipped"]},
                {"name": "placed_at", "type": "datetime", "required": False},
                {"name": "category_id", "type": "ref", "to": "category", "required": False},
                {"name": "total_items", "type": "int", "min": 0, "max": 10000},
            ],
        },
        {
            "name": "order_line",
            "fields": [
                {"name": "order_id", "type": "ref", "to": "purchase_order"},
                {"name": "product_id", "type": "ref", "to": "product"},
                {"name": "quantity", "type": "int", "min": 1},
                {"name": "unit_price", "type": "decimal", "precision": 12, "scale": 4},
            ],
        },
    ],
}
# Every name at its longest and every port moved: rendered code must stay formatted and typed.
LONG_NAMES: dict[str, object] = {
    "project_name": "Purchase Order Hub",
    "maturity_level": 2,
    "project_slug": "purchase_order_hub_platform_for_regions",
    "python_version": "3.13",
    "api_port": 18080,
    "data_service_port": 18081,
    "postgres_port": 15432,
    "resources": [
        {
            "name": "warehouse_receiving_dock",
            "plural": "warehouse_receiving_docks",
            "fields": [
                {"name": "dock_code_used_by_the_carriers", "type": "str", "max_length": 10000,
                 "unique": True},
                {"name": "fulfilment_status_of_this_dock", "type": "enum",
                 "values": ["awaiting_confirmation_from_the_supplier", "open_for_deliveries",
                            "closed_for_maintenance_until_further"]},
                {"name": "largest_accepted_pallet_weight", "type": "decimal", "precision": 38,
                 "scale": 10, "required": False},
            ],
        },
        {
            "name": "purchase_order_line_item",
            "plural": "purchase_order_line_itemses",
            "fields": [
                {"name": "receiving_dock_for_delivery_id", "type": "ref",
                 "to": "warehouse_receiving_dock"},
                {"name": "replaces_the_earlier_line_id", "type": "ref",
                 "to": "purchase_order_line_item", "required": False},
                {"name": "quantity_ordered_by_the_buyer", "type": "int", "min": -2147483647,
                 "max": 2147483647},
                {"name": "expected_delivery_moment_utc", "type": "datetime", "unique": True},
            ],
        },
    ],
}  # fmt: skip
# A shop without `item`: a unique str, dates, a bool, a float range, an optional
# self-reference, a decimal, an enum and a uuid; removing "coupon" (third) is the update test.
STOREFRONT_RESOURCES: list[dict[str, object]] = [
    {
        "name": "customer",
        "fields": [
            {"name": "email", "type": "str", "max_length": 200, "unique": True},
            {"name": "signup_date", "type": "date"},
            {"name": "vip", "type": "bool"},
        ],
    },
    {
        "name": "category",
        "plural": "categories",
        "fields": [
            {"name": "label", "type": "str", "unique": True},
            {"name": "parent_id", "type": "ref", "to": "category", "required": False},
        ],
    },
    {
        "name": "coupon",
        "fields": [
            {"name": "code", "type": "str", "max_length": 40, "unique": True},
            {"name": "percent", "type": "float", "min": 0, "max": 100},
            {"name": "expires_on", "type": "date"},
        ],
    },
    {
        "name": "product",
        "fields": [
            {"name": "category_id", "type": "ref", "to": "category"},
            {"name": "price", "type": "decimal", "precision": 10, "scale": 2},
            {"name": "status", "type": "enum", "values": ["draft", "active", "retired"]},
            {"name": "launch_date", "type": "date"},
            {"name": "sku", "type": "uuid"},
        ],
    },
]
LEVEL_2: dict[str, object] = {"maturity_level": 2}
LEVEL_3: dict[str, object] = {"maturity_level": 3}
EVERY_MODULE = ["bot", "mongodb", "rabbitmq", "redis", "s3", "websockets", "workers"]
# Each module alone at levels 1 and 4 (mongodb, rabbitmq, redis and workers at level 1: the bot,
# s3 and websockets presets bring rabbitmq, redis and workers to level 4 too); every module
# together at levels 1 and 4.
PRESETS = {
    "defaults": DEFAULTS,
    "redis": {"modules": ["redis"]},
    "rabbitmq": {"modules": ["rabbitmq"]},
    "workers": {"modules": ["workers"]},
    "mongodb": {"modules": ["mongodb"]},
    "modules": {"modules": EVERY_MODULE},
    "minimal": MINIMAL,
    "level2": LEVEL_2,
    "long_names": LONG_NAMES,
    "level3": LEVEL_3,
    "catalog": CATALOG,
    "level4": {"maturity_level": 4},
    "modules_level4": {"maturity_level": 4, "modules": EVERY_MODULE},
    "bot": {"modules": ["bot"]},
    "bot_level4": {"maturity_level": 4, "modules": ["bot"]},
    "websockets": {"modules": ["websockets"]},
    "websockets_level4": {"maturity_level": 4, "modules": ["websockets"]},
    "s3": {"modules": ["s3"]},
    "s3_level4": {"maturity_level": 4, "modules": ["s3"]},
    "kubernetes_level4": {**CATALOG, "maturity_level": 4, "deployment": "kubernetes"},
    "storefront_level4": {
        "maturity_level": 4,
        "modules": EVERY_MODULE,
        "resources": STOREFRONT_RESOURCES,
    },
}


def heaviness(name: str) -> tuple[int, int]:
    """The level, then how much the answers ask for (their size: modules, resources, fields)."""
    answers = PRESETS[name]
    return int(str(answers.get("maturity_level", 1))), len(str(answers))


# pytest-xdist hands presets to the workers in this order: the longest start first, so no worker
# is left alone with one at the end.
HEAVIEST_FIRST = sorted(PRESETS, key=heaviness, reverse=True)

# Generated answer sets (`nox -s explore`): none unless EXPLORE_COUNT says how many.
EXPLORE_SEED = int(os.environ.get("EXPLORE_SEED", "20261205"))
EXPLORED = {
    f"explore_{EXPLORE_SEED}_{number:02d}": answers
    for number, answers in enumerate(
        answer_sets(EXPLORE_SEED, int(os.environ.get("EXPLORE_COUNT", "0")))
    )
}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist (`-n auto --dist loadgroup`) a preset's tests, or a module's, stay
    on one worker, which renders and syncs that project once."""
    grouping = bool(os.environ.get("PYTEST_XDIST_WORKER")) and config.getvalue("loadgroup")
    for item in items:
        callspec = getattr(item, "callspec", None)
        preset = callspec.params.get("project") if callspec is not None else None
        group = preset if isinstance(preset, str) else item.nodeid.split("::")[0]
        item.add_marker(pytest.mark.xdist_group(group))
        if grouping:
            # xdist 3.8 names the group in `item._nodeid`, which pytest 9 no longer reads
            # (nodes keep a NodeId): without this every worker would render every preset.
            item._id = coerce_node_id(f"{item.nodeid}@{group}")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--postgres",
        action="store_true",
        help="run the rendered projects' tests against a PostgreSQL started on 127.0.0.1",
    )


@pytest.fixture(scope="session")
def postgres(request: pytest.FixtureRequest) -> Iterator[PostgresServer | None]:
    """A PostgreSQL server when --postgres was given and one is installed, else None (the
    rendered tests then use SQLite). Under CI a missing PostgreSQL is a failure."""
    if not request.config.getoption("--postgres"):
        yield None
        return
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        missing = "PostgreSQL is not installed (apt-get install postgresql)"
        if os.environ.get("CI"):
            pytest.fail(f"{missing}: CI must run the integration tests on it")
        print(f"\n{missing}: the rendered tests run on SQLite")
        yield None
        return
    with running_postgres(bin_dir) as server:
        yield server
