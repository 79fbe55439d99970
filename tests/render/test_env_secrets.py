"""`make env` gives every project its own secrets before the first `docker compose up`."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from tests.support.project import render

PLACEHOLDER = re.compile(r"^\w+=change-me$", re.M)


@pytest.fixture(scope="module")
def level_4_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    answers = {"maturity_level": 4, "modules": ["bot", "mongodb", "rabbitmq", "redis", "s3"]}
    return render(tmp_path_factory.mktemp("secrets") / "project", answers)


def make_env(project: Path) -> subprocess.CompletedProcess[str]:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    return subprocess.run(
        ["make", "env"], cwd=project, capture_output=True, text=True, check=True
    )  # fmt: skip


def secrets_of(env_file: Path) -> dict[str, str]:
    example = (env_file.parent / ".env.example").read_text()
    names = [line.split("=", 1)[0] for line in PLACEHOLDER.findall(example)]
    values = dict(line.split("=", 1) for line in env_file.read_text().splitlines() if "=" in line)
    return {name: values[name] for name in names}


def test_every_placeholder_becomes_its_own_random_secret(
    level_4_project: Path, tmp_path: Path
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    for project in (first, second):
        shutil.copytree(level_4_project, project)
        make_env(project)

    secrets = secrets_of(first / ".env")

    assert {"JWT_SECRET_KEY", "POSTGRES_PASSWORD", "REDIS_PASSWORD"} <= secrets.keys()
    assert not PLACEHOLDER.search((first / ".env").read_text())
    assert all(len(value) >= 32 for value in secrets.values())
    assert len(set(secrets.values())) == len(secrets)
    assert set(secrets.values()).isdisjoint(secrets_of(second / ".env").values())
    assert stat.S_IMODE(os.stat(first / ".env").st_mode) == 0o600


def test_values_already_changed_are_kept(level_4_project: Path, tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(level_4_project, project)
    (project / ".env").write_text("JWT_SECRET_KEY=mine\nREDIS_PASSWORD=change-me\n")

    first = make_env(project)
    lines = (project / ".env").read_text().splitlines()
    again = make_env(project)

    assert lines[0] == "JWT_SECRET_KEY=mine"
    assert lines[1].startswith("REDIS_PASSWORD=")
    assert lines[1] != "REDIS_PASSWORD=change-me"
    assert (project / ".env").read_text().splitlines() == lines
    assert "change-me value(s) replaced" in first.stdout
    assert "0 variable(s) added, 0 change-me" in again.stdout


def test_a_missing_env_is_made_from_the_example(level_4_project: Path, tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(level_4_project, project)
    (project / ".env").unlink()

    make_env(project)

    assert not PLACEHOLDER.search((project / ".env").read_text())
    assert PLACEHOLDER.search((project / ".env.example").read_text())


def test_variables_a_template_update_added_are_appended_with_their_own_secrets(
    level_4_project: Path, tmp_path: Path
) -> None:
    project = tmp_path / "project"
    shutil.copytree(level_4_project, project)
    # A .env of an older release: no POSTGRES_APP_PASSWORD, quotes and Windows line ends.
    (project / ".env").write_text('POSTGRES_PASSWORD=mine\r\nJWT_SECRET_KEY="change-me"\r\n')

    added = make_env(project)
    values = dict(
        line.split("=", 1) for line in (project / ".env").read_text().splitlines() if "=" in line
    )

    assert values["POSTGRES_PASSWORD"] == "mine"
    assert values["JWT_SECRET_KEY"].startswith('"')
    assert len(values["JWT_SECRET_KEY"]) > 40
    assert len(values["POSTGRES_APP_PASSWORD"]) >= 32
    assert len(values["REDIS_API_PASSWORD"]) >= 32
    assert re.search("=[\"']?change-me", (project / ".env").read_text()) is None
    assert "variable(s) added" in added.stdout
    # Each added variable comes after the comment above it in .env.example.
    example = (project / ".env.example").read_text().splitlines()
    appended = (project / ".env").read_text().split("# added by `make env` from .env.example\n")[1]
    names = {line.split("=", 1)[0] for line in example if "=" in line and line[0] != "#"}
    for line in appended.splitlines():
        assert line in ("", *example) or line.split("=", 1)[0] in names, line
    at = next(i for i, line in enumerate(example) if line.startswith("REDIS_API_PASSWORD="))
    lines = appended.splitlines()
    assert example[at - 1].startswith("# ")
    assert lines[lines.index(example[at - 1]) + 1].startswith("REDIS_API_PASSWORD=")
