"""`make update`, the one update command of a rendered project: Copier at the template's pinned
versions through uvx, then `make env`, so that `.env` gains what the new level needs and keeps
what the user set; the project then runs in local mode, and every compose stack finds each
variable it uses.

Marked `rendered`; needs the template committed (Copier updates from a git revision) and uv.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from extensions.context import COPIER_COMMAND
from tests.support.project import (
    COMPOSE_OUTSIDE_VALUES,
    COMPOSE_STACKS,
    TEMPLATE,
    docker_compose,
    run,
)
from tests.support.services import LocalMode
from tests.update.test_level_updates import start
from tests.update.test_resource_updates import git, leftovers_of_a_merge, project_env

pytestmark = pytest.mark.rendered

USER_VALUE = "API_PORT=8100"


@pytest.fixture(scope="module", autouse=True)
def committed_template() -> None:
    if git(TEMPLATE, "status", "--porcelain", "--untracked-files=no").strip():
        pytest.skip("update tests need a committed template: commit your changes first")


def assignments(env_file: Path) -> dict[str, str]:
    found = re.findall(r"(?m)^(\w+)=(.*)$", env_file.read_text())
    return dict(found)


def compose_warnings(root: Path, files: tuple[str, ...]) -> str:
    """What Docker Compose says of the stack with the project's own .env: a variable it uses
    and .env does not set is a warning (or an error, for `${X:?}`)."""
    command = [docker_compose(), "--project-directory", str(root), "--env-file", str(root / ".env")]
    for name in files:
        command += ["-f", str(root / name)]
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"),
           **COMPOSE_OUTSIDE_VALUES}  # fmt: skip
    result = subprocess.run(
        [*command, "config", "--quiet"], env=env, capture_output=True, text=True
    )
    return result.stderr if result.returncode == 0 else f"exit {result.returncode}: {result.stderr}"


def test_make_update_raises_the_level_and_env_follows(tmp_path: Path) -> None:
    env = project_env()
    root = start(tmp_path / "project")
    run(["make", "--no-print-directory", "env"], root, env)
    env_file = root / ".env"
    env_file.write_text(env_file.read_text().replace("API_PORT=8000", USER_VALUE))
    before = assignments(env_file)

    makefile = (root / "Makefile").read_text()
    assert f"COPIER := {COPIER_COMMAND}\n" in makefile
    update = ["make", "--no-print-directory", "update",
              "ARGS=--defaults --vcs-ref HEAD -d maturity_level=4"]  # fmt: skip
    result = run(update, root, env)

    assert "variable(s) added" in result.stdout
    assert leftovers_of_a_merge(root) == []
    assert "maturity_level: 4" in (root / ".copier-answers.yml").read_text()
    after = assignments(env_file)
    assert {name: after[name] for name in before} == before, "a value the user set changed"
    assert USER_VALUE in env_file.read_text()
    assert {"JWT_SECRET_KEY", "REDIS_PASSWORD"} <= set(after)
    assert "change-me" not in after.values()
    for stack, files in COMPOSE_STACKS.items():
        assert compose_warnings(root, files) == "", stack
    # Entered once /ready answers 200: the API and the data service it asks both serve.
    with LocalMode(root, env, "/ready", seconds=90):
        pass


def refused_update(root: Path) -> subprocess.CompletedProcess[str]:
    refused = subprocess.run(
        ["make", "--no-print-directory", "update", "ARGS=--defaults"],
        cwd=root, env=project_env(), capture_output=True, text=True,
    )  # fmt: skip
    assert refused.returncode != 0
    return refused


def test_make_update_names_what_is_not_committed(tmp_path: Path) -> None:
    root = start(tmp_path / "project")
    lock = root / "services" / "api_service" / "uv.lock"
    lock.write_text("version = 1\n")

    refused = refused_update(root)

    assert "needs every change committed first" in refused.stdout
    assert "?? services/api_service/uv.lock" in refused.stdout
    assert "copier update" not in refused.stdout


def test_make_update_says_when_the_recorded_template_commit_is_gone(tmp_path: Path) -> None:
    # A template checkout with an uncommitted change: Copier renders it from a temporary commit.
    checkout = tmp_path / "template"
    subprocess.run(["git", "clone", "-q", str(TEMPLATE), str(checkout)], check=True)
    readme = checkout / "README.md"
    readme.write_text(readme.read_text() + "\nA local change.\n")
    root = start(tmp_path / "project", template=checkout)

    refused = refused_update(root)

    assert "which the template at" in refused.stderr
    assert "Set _commit in .copier-answers.yml" in refused.stderr
    assert "Traceback" not in refused.stderr + refused.stdout
