"""Resources change later through `copier update`: added resources bring their own files and
migration, user edits survive, released migrations are never rewritten.

These tests need the template committed (Copier updates from a git revision) and render
projects whose own tools they run, so they are marked `rendered`.
"""

from __future__ import annotations

import copy
import re
import subprocess
from pathlib import Path
from typing import Any

import copier
import pytest

from extensions.resource_checks import DEFAULT_RESOURCES
from tests.support.project import (
    TEMPLATE,
    find_python,
    install,
    render,
    rendered_files,
    run,
    run_gates,
    uv_env,
)

pytestmark = pytest.mark.rendered

INVOICE = {
    "name": "invoice",
    "fields": [
        {"name": "item_id", "type": "ref", "to": "item"},
        {"name": "amount", "type": "decimal", "precision": 10, "scale": 2},
        {"name": "status", "type": "enum", "values": ["open", "paid"]},
    ],
}
USER_RULE = '''

def is_restock_needed(quantity: int | None) -> bool:
    """Added by the team after the first render."""
    return quantity is not None and quantity < 5
'''


def git(root: Path, *args: str) -> str:
    command = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", *args]
    return subprocess.run(command, cwd=root, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module", autouse=True)
def committed_template() -> None:
    if git(TEMPLATE, "status", "--porcelain", "--untracked-files=no").strip():
        pytest.skip("update tests need a committed template: commit your changes first")


def start_project(root: Path) -> Path:
    render(root)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Rendered by copier")
    return root


def update(root: Path, answers: dict[str, Any]) -> None:
    copier.run_update(
        str(root), data=answers, defaults=True, overwrite=True, unsafe=True,
        vcs_ref="HEAD", quiet=True,
    )  # fmt: skip


def leftovers_of_a_merge(root: Path) -> list[str]:
    """Rejected hunks and conflict markers among the project's files (git-ignored ones aside)."""
    listed = git(root, "ls-files", "--cached", "--others", "--exclude-standard").splitlines()
    found = [name for name in listed if name.endswith(".rej")]
    for name in listed:
        path = root / name
        if path.is_file() and re.search(rb"(?m)^(<<<<<<<|>>>>>>>) ", path.read_bytes()):
            found.append(name)
    return found


def project_env() -> dict[str, str]:
    python = find_python("3.12")
    if python is None:
        pytest.skip("no Python 3.12 interpreter here to run the rendered project")
    return uv_env(python)


def test_adding_a_resource_adds_its_files_and_keeps_user_edits(tmp_path: Path) -> None:
    root = start_project(tmp_path / "project")
    domain = root / "services/api_service/src/api_service/domain/item.py"
    domain.write_text(domain.read_text() + USER_RULE)
    readme = root / "README.md"
    readme.write_text(readme.read_text() + "\nOur team notes.\n")
    git(root, "commit", "-qam", "Team edits")
    migration = root / "services/db_postgres_service/migrations/versions/add_items.py"
    released = migration.read_bytes()
    # A database migrated before the update takes the new resource's migration after it.
    service = root / "services/db_postgres_service"
    env = project_env() | {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/dev.db"}
    install(root, env, service.name)
    run(["uv", "run", "alembic", "upgrade", "heads"], service, env)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Migrated")
    before = rendered_files(root)

    update(root, {"resources": [*DEFAULT_RESOURCES, INVOICE]})

    assert leftovers_of_a_merge(root) == []
    added = rendered_files(root) - before
    assert "services/db_postgres_service/migrations/versions/add_invoices.py" in added
    assert "services/api_service/src/api_service/domain/invoice.py" in added
    assert all("invoice" in name for name in added), sorted(added)
    assert before <= rendered_files(root)
    assert "def is_restock_needed" in domain.read_text()
    assert "Our team notes." in readme.read_text()
    assert migration.read_bytes() == released
    routes = (root / "services/api_service/src/api_service/api/routes/__init__.py").read_text()
    assert "item.router" in routes
    assert "invoice.router" in routes
    run(["uv", "run", "alembic", "upgrade", "heads"], service, env)
    run(["uv", "run", "alembic", "check"], service, env)

    run_gates(root, project_env())


def test_removing_a_resource_removes_its_files_but_its_migrations(tmp_path: Path) -> None:
    root = tmp_path / "project"
    render(root, {"resources": [*DEFAULT_RESOURCES, INVOICE]})
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Rendered by copier")

    update(root, {"resources": DEFAULT_RESOURCES})

    assert leftovers_of_a_merge(root) == []
    versions = "services/db_postgres_service/migrations/versions"
    assert [name for name in sorted(rendered_files(root)) if "invoice" in name] == [
        f"{versions}/add_invoices.py",
        f"{versions}/drop_invoices.py",
    ]
    assert (
        "invoice"
        not in (root / "services/api_service/src/api_service/api/routes/__init__.py").read_text()
    )


def test_a_changed_field_leaves_the_released_migration_and_autogenerate_writes_the_next(
    tmp_path: Path,
) -> None:
    root = start_project(tmp_path / "project")
    versions = root / "services/db_postgres_service/migrations/versions"
    released = (versions / "add_items.py").read_bytes()
    resources = copy.deepcopy(DEFAULT_RESOURCES)
    resources[0]["fields"].append({"name": "barcode", "type": "str", "max_length": 32,
                                   "required": False})  # fmt: skip

    update(root, {"resources": resources})

    assert leftovers_of_a_merge(root) == []
    assert (versions / "add_items.py").read_bytes() == released
    model = root / "services/db_postgres_service/src/db_postgres_service/models/item.py"
    assert "barcode" in model.read_text()

    service = root / "services/db_postgres_service"
    env = project_env() | {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/dev.db"}
    install(root, env, service.name)
    run(["uv", "run", "alembic", "upgrade", "heads"], service, env)
    pending = run(["uv", "run", "alembic", "check"], service, env, check=False)
    assert pending.returncode != 0
    assert "barcode" in pending.stdout + pending.stderr
    run(["uv", "run", "alembic", "revision", "--autogenerate", "-m", "add barcode"], service, env)
    run(["uv", "run", "alembic", "upgrade", "heads"], service, env)
    run(["uv", "run", "alembic", "check"], service, env)
