"""Resources removed or reordered by `copier update` on a database that was migrated and holds
rows: the released migrations stay as they were, a removed resource's table is dropped by a new
migration, the other rows survive and `alembic check` finds nothing left to do.

Run on SQLite and, where it is installed, on a PostgreSQL started on 127.0.0.1 (CI requires it).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.conftest import EVERY_MODULE, STOREFRONT_RESOURCES
from tests.support.postgres import postgres_bin_dir, running_postgres
from tests.support.project import TEMPLATE, install, render, run
from tests.update.test_resource_updates import (
    committed_template,  # noqa: F401 (an autouse fixture: updates need a committed template)
    git,
    leftovers_of_a_merge,
    project_env,
    update,
)

pytestmark = pytest.mark.rendered

SERVICE = "services/db_postgres_service"
VERSIONS = f"{SERVICE}/migrations/versions"
# A commit of this repository whose projects numbered their migrations (0001_create_items).
NUMBERED_RELEASE = "453ffb07a5294aac14b71d907828fa3d03303800"

# Two rows per table through the service's own models, then the row count of every table.
ROWS = """
import asyncio, datetime, decimal, sys, uuid
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncSession
from db_postgres_service import models
from db_postgres_service.database import create_engine
from db_postgres_service.settings import Settings

VALUES = {
    "Customer": lambda n: {"email": f"c{n}@example.com", "signup_date": datetime.date(2024, 1, n),
                           "vip": n == 1},
    "Category": lambda n: {"label": f"label {n}"},
    "Coupon": lambda n: {"code": f"SAVE{n}", "percent": 10.0 * n,
                         "expires_on": datetime.date(2025, 1, n)},
    "Product": lambda n: {"price": decimal.Decimal(f"{n}.50"), "status": "draft",
                          "launch_date": datetime.date(2024, 2, n), "sku": uuid.uuid4()},
    "Item": lambda n: {"name": f"item {n}"},
}


async def main(mode: str) -> None:
    engine = create_engine(Settings())
    async with AsyncSession(engine) as session:
        if mode == "insert":
            category = None
            for name in sys.argv[2:]:
                for n in (1, 2):
                    row = getattr(models, name)(**VALUES[name](n))
                    if name == "Product":
                        row.category_id = category.id
                    session.add(row)
                    await session.flush()
                    if name == "Category":
                        category = row
            await session.commit()
        else:
            async with engine.connect() as connection:
                tables = await connection.run_sync(lambda c: inspect(c).get_table_names())
                for table in sorted(set(tables) - {"alembic_version"}):
                    count = await connection.execute(text(f"SELECT count(*) FROM {table}"))
                    print(table, count.scalar())
    await engine.dispose()


asyncio.run(main(sys.argv[1]))
"""


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def database_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def database_urls(
    database_kind: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[list[str]]:
    """Fresh database URLs of one kind, one per test that asks."""
    folder = tmp_path_factory.mktemp("databases")
    if database_kind == "sqlite":
        yield [f"sqlite+aiosqlite:///{folder}/db{n}.sqlite" for n in range(10)]
        return
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed: CI runs the migration updates on it")
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    with running_postgres(bin_dir) as server:
        yield [server.create_database(f"history_{n}") for n in range(10)]


class Project:
    """A rendered, committed project whose data service migrates one database."""

    def __init__(self, root: Path, database_url: str) -> None:
        self.root = root
        self.service = root / SERVICE
        self.env = project_env() | {"DATABASE_URL": database_url}

    def tool(self, *command: str) -> str:
        install(self.root, self.env, self.service.name)
        return run(["uv", "run", *command], self.service, self.env).stdout

    def rows(self, mode: str, *models: str) -> dict[str, int]:
        script = self.root / "rows.py"
        script.write_text(ROWS)
        output = self.tool("python", str(script), mode, *models)
        script.unlink()
        return {
            table: int(count) for table, count in (line.split() for line in output.splitlines())
        }

    def commit(self, message: str) -> None:
        git(self.root, "add", "-A")
        git(self.root, "commit", "-qm", message, "--allow-empty")

    def update(self, answers: dict[str, object]) -> None:
        """Commit what running the tools left (uv.lock), then `copier update`."""
        self.commit("Before the update")
        update(self.root, answers)

    def migrations(self) -> dict[str, bytes]:
        return {path.name: path.read_bytes() for path in (self.root / VERSIONS).glob("*.py")}


def start(
    root: Path,
    database_url: str,
    resources: list[dict[str, object]],
    answers: dict[str, object] | None = None,
    **options: str,
) -> Project:
    render(root, {"resources": resources, **(answers or {})}, **options)
    git(root, "init", "-q")
    project = Project(root, database_url)
    project.commit("Rendered by copier")
    project.tool("alembic", "upgrade", "heads")
    return project


STOREFRONT_MODELS = ("Customer", "Category", "Coupon", "Product")


@pytest.mark.parametrize(
    ("removed", "order"),
    [
        ("customer", ["category", "coupon", "product"]),
        ("coupon", ["customer", "category", "product"]),
        ("product", ["coupon", "category", "customer"]),
    ],
    ids=["first", "middle", "last-and-reordered"],
)
def test_removing_a_resource_drops_its_table_and_keeps_every_other_row(
    tmp_path: Path, database_urls: list[str], removed: str, order: list[str]
) -> None:
    url = database_urls[["customer", "coupon", "product"].index(removed)]
    project = start(tmp_path / "project", url, STOREFRONT_RESOURCES)
    project.rows("insert", *STOREFRONT_MODELS)
    released = project.migrations()
    by_name = {resource["name"]: resource for resource in STOREFRONT_RESOURCES}

    project.update({"resources": [by_name[name] for name in order]})

    assert leftovers_of_a_merge(project.root) == []
    plural = str(by_name[removed].get("plural", f"{removed}s"))
    after = project.migrations()
    assert {name: after[name] for name in released} == released
    assert set(after) - set(released) == {f"drop_{plural}.py"}
    project.tool("alembic", "upgrade", "heads")
    project.tool("alembic", "check")
    counts = project.rows("count")
    assert plural not in counts
    assert counts == {str(by_name[n].get("plural", f"{n}s")): 2 for n in order}

    # A later update (any change) keeps the drop and drops nothing more.
    project.update({"project_name": "Renamed Shop"})
    assert project.migrations() == after
    project.tool("alembic", "upgrade", "heads")
    project.tool("alembic", "check")


def test_level_4_with_every_module_drops_the_third_resource_and_keeps_the_rest(
    tmp_path: Path, database_urls: list[str]
) -> None:
    """Accounts and ownerships migrate on a branch of their own beside the resources'."""
    level_4 = {"maturity_level": 4, "modules": EVERY_MODULE}
    project = start(tmp_path / "project", database_urls[6], STOREFRONT_RESOURCES, level_4)
    project.rows("insert", *STOREFRONT_MODELS)
    released = project.migrations()

    project.update({"resources": STOREFRONT_RESOURCES[:2] + STOREFRONT_RESOURCES[3:]})

    after = project.migrations()
    assert {name: after[name] for name in released} == released
    assert set(after) - set(released) == {"drop_coupons.py"}
    project.tool("alembic", "upgrade", "heads")
    project.tool("alembic", "check")
    counts = project.rows("count")
    assert {table: counts[table] for table in ("customers", "categories", "products")} == {
        "customers": 2, "categories": 2, "products": 2,
    }  # fmt: skip
    assert "coupons" not in counts


def test_the_drop_migration_downgrades_to_an_empty_table(
    tmp_path: Path, database_urls: list[str]
) -> None:
    project = start(tmp_path / "project", database_urls[3], STOREFRONT_RESOURCES)
    project.update({"resources": STOREFRONT_RESOURCES[:2] + STOREFRONT_RESOURCES[3:]})
    project.tool("alembic", "upgrade", "heads")

    project.tool("alembic", "downgrade", "drop_coupons-1")

    assert project.rows("count")["coupons"] == 0
    project.tool("alembic", "upgrade", "heads")
    assert "coupons" not in project.rows("count")


def test_a_removed_table_cannot_come_back_under_its_old_name(
    tmp_path: Path, database_urls: list[str]
) -> None:
    project = start(tmp_path / "project", database_urls[4], STOREFRONT_RESOURCES)
    project.update({"resources": STOREFRONT_RESOURCES[:2]})

    with pytest.raises(ValueError, match=r"dropped\s+by\s+an\s+earlier\s+update"):
        project.update({"resources": STOREFRONT_RESOURCES})


def test_a_project_with_numbered_migrations_adopts_the_named_ones(
    tmp_path: Path, database_urls: list[str]
) -> None:
    """The one-time step docs/updating.md gives projects rendered before migrations were named
    after their tables: update without changing resources, then `alembic stamp --purge heads`."""
    try:
        git(TEMPLATE, "cat-file", "-e", f"{NUMBERED_RELEASE}^{{commit}}")
    except Exception:
        pytest.skip("this clone lacks the history of the numbered migrations")
    resources = STOREFRONT_RESOURCES[:2]
    project = start(tmp_path / "project", database_urls[5], resources, vcs_ref=NUMBERED_RELEASE)
    assert "0001_create_customers.py" in project.migrations()
    project.rows("insert", "Customer", "Category")

    project.update({})
    assert set(project.migrations()) == {"add_customers.py", "add_categories.py"}
    project.tool("alembic", "stamp", "--purge", "heads")
    project.tool("alembic", "upgrade", "heads")
    project.tool("alembic", "check")
    assert project.rows("count") == {"customers": 2, "categories": 2}

    # From there on, removing a resource drops its table as in any newer project.
    project.update({"resources": resources[1:]})
    project.tool("alembic", "upgrade", "heads")
    project.tool("alembic", "check")
    assert project.rows("count") == {"categories": 2}


def test_the_answers_file_remembers_removed_resources(tmp_path: Path) -> None:
    root = tmp_path / "project"
    render(root, {"resources": STOREFRONT_RESOURCES})
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Rendered")

    update(root, {"resources": STOREFRONT_RESOURCES[1:]})

    released = yaml.safe_load((root / ".copier-answers.yml").read_text())["released_resources"]
    assert [(entry["name"], entry.get("dropped", False)) for entry in released] == [
        ("category", False), ("coupon", False), ("product", False), ("customer", True),
    ]  # fmt: skip
