"""Locked dependencies: a rendered service's first uv.lock takes only releases uploaded before
the template's cutoff, so the same answers lock the same versions on any day; the lock installs
on the answered Python; make, CI, pre-commit and the images install exactly what it pins."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from extensions.context import LOCK_CUTOFF
from tests.conftest import EVERY_MODULE
from tests.support.project import (
    install,
    lock,
    render,
    require_python,
    run,
    services_of,
    uv_env,
)

pytestmark = pytest.mark.rendered

EVERYTHING = {"maturity_level": 4, "modules": EVERY_MODULE}


def locks(root: Path) -> dict[str, str]:
    return {
        service: (root / "services" / service / "uv.lock").read_text()
        for service in services_of(root)
    }


def locked_versions(lock_text: str) -> dict[str, str]:
    return {package["name"]: package["version"] for package in tomllib.loads(lock_text)["package"]}


@pytest.fixture(scope="module")
def everything_locked(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """Level 4 with every module on Python 3.12, locked as `make lock` locks it."""
    root = render(tmp_path_factory.mktemp("locked") / "project", EVERYTHING)
    env = uv_env(require_python("3.12"))
    lock(root, env)
    return root, env


@pytest.mark.parametrize("version", ["3.12", "3.13"])
def test_the_same_answers_lock_the_same_versions_released_before_the_cutoff(
    version: str, tmp_path: Path
) -> None:
    env = uv_env(require_python(version))
    answers = {**EVERYTHING, "python_version": version}
    first, second = (render(tmp_path / name, answers) for name in ("first", "second"))
    made = run([sys.executable, "tools/lock.py"], first, env)
    lock(second, env)
    again = run([sys.executable, "tools/lock.py"], first, env)

    assert locks(first) == locks(second)
    # Said when made; a lock already up to date is passed over without a word.
    assert "services/api_service/uv.lock: made" in made.stdout.splitlines()
    assert again.stdout == ""
    for service, text in locks(first).items():
        assert tomllib.loads(text)["requires-python"] == f"=={version}.*", service
        # The cutoff chose the versions and is not kept: later upgrades are the team's.
        assert "exclude-newer" not in text, service
        uploaded = re.findall(r'upload-time = "([^"]+)"', text)
        assert uploaded, service
        assert max(uploaded) < LOCK_CUTOFF, service
        assert len(locked_versions(text)) > 20, service
    run([sys.executable, "tools/lock.py", "--check"], first, env)


def test_every_service_installs_its_lock_on_python_3_13(tmp_path: Path) -> None:
    """Every module's closure installs on the other Python too (the presets install 3.12's)."""
    root = render(tmp_path / "project", {**EVERYTHING, "python_version": "3.13"})
    env = uv_env(require_python("3.13"))
    install(root, env)
    for service in services_of(root):
        imported = run(
            [
                "uv",
                "run",
                "--locked",
                "python",
                "-c",
                f"import {service}.main; import sys; print(sys.version)",
            ],
            root / "services" / service,
            env,
        )
        assert imported.stdout.startswith("3.13."), service


def test_a_stale_lock_stops_ci_and_pre_commit_until_make_lock_moves_only_what_changed(
    everything_locked: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    source, env = everything_locked
    root = tmp_path / "project"
    shutil.copytree(source, root, ignore=shutil.ignore_patterns(".venv"))
    data = root / "services/db_postgres_service"
    before = {service: locked_versions(text) for service, text in locks(root).items()}
    pyproject = data / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace("dependencies = [", 'dependencies = ["six",', 1)
    )

    # The rendered CI's install, and pre-commit's hook.
    synced = run(["uv", "sync", "--locked"], data, env, check=False)
    assert synced.returncode != 0
    assert "needs to be updated" in synced.stderr
    checked = run([sys.executable, "tools/lock.py", "--check"], root, env, check=False)
    assert checked.returncode == 1
    assert checked.stderr.splitlines() == [
        f"{service}: uv.lock does not match pyproject.toml: run make lock and commit it"
        # The API's and the worker's tests run the data service: their locks hold it too.
        for service in ("api_service", "db_postgres_service", "worker_service")
    ]

    lock(root, env)
    after = {service: locked_versions(text) for service, text in locks(root).items()}
    assert set(after["db_postgres_service"]) - set(before["db_postgres_service"]) == {"six"}
    for service, versions in before.items():
        kept = {name: after[service][name] for name in versions}
        assert kept == versions, service
    run([sys.executable, "tools/lock.py", "--check"], root, env)


# A service of this test's own, locked with the project's tools/lock.py at a cutoff in the past:
# the releases since then are what the tool must keep out, or let in once the team asks.
TOY = """
[project]
name = "toy"
version = "0.1.0"
requires-python = ">=3.12,<3.13"
dependencies = [{dependencies}]
"""
PAST_CUTOFF = "2025-01-01T00:00:00Z"


@pytest.fixture
def toy_project(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    rendered = render(tmp_path / "rendered", {})
    root = tmp_path / "toy-project"
    (root / "tools").mkdir(parents=True)
    tool = (rendered / "tools/lock.py").read_text()
    (root / "tools/lock.py").write_text(tool.replace(f'"{LOCK_CUTOFF}"', f'"{PAST_CUTOFF}"'))
    (root / "services/toy").mkdir(parents=True)
    return root, uv_env(require_python("3.12"))


def with_dependencies(root: Path, *dependencies: str) -> None:
    listed = ", ".join(f'"{name}"' for name in dependencies)
    (root / "services/toy/pyproject.toml").write_text(TOY.format(dependencies=listed))


def toy_versions(root: Path) -> dict[str, str]:
    return locked_versions((root / "services/toy/uv.lock").read_text())


def test_a_lock_brought_up_to_date_matches_a_fresh_one_until_the_team_takes_a_newer_release(
    toy_project: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    root, env = toy_project
    with_dependencies(root, "httpx==0.28.1")
    lock(root, env)
    assert toy_versions(root)["certifi"] == "2024.12.14"  # the newest before the cutoff

    # A new dependency (or a level raised by copier update): resolved at the cutoff as well, the
    # same lock as a first one of the same pyproject.toml.
    with_dependencies(root, "httpx==0.28.1", "packaging")
    lock(root, env)
    updated = (root / "services/toy/uv.lock").read_text()
    assert locked_versions(updated)["packaging"] == "24.2"
    (root / "services/toy/uv.lock").unlink()
    lock(root, env)
    assert (root / "services/toy/uv.lock").read_text() == updated

    # The team takes a newer release: from then on the lock is theirs, new packages the newest.
    run(["uv", "lock", "--quiet", "--upgrade-package", "certifi"], root / "services/toy", env)
    upgraded = toy_versions(root)["certifi"]
    assert upgraded > "2025"
    with_dependencies(root, "httpx==0.28.1", "packaging", "pyyaml")
    lock(root, env)
    versions = toy_versions(root)
    assert versions["certifi"] == upgraded
    assert versions["packaging"] == "24.2"
    assert versions["pyyaml"] > "6.0.2"  # 6.0.2 was the newest before the cutoff
    assert "exclude-newer" not in (root / "services/toy/uv.lock").read_text()


def test_a_pin_newer_than_the_cutoff_locks_at_the_newest_releases(
    toy_project: tuple[Path, dict[str, str]],
) -> None:
    root, env = toy_project
    with_dependencies(root, "certifi==2025.1.31")
    lock(root, env)
    assert toy_versions(root)["certifi"] == "2025.1.31"


def test_a_service_without_its_lock_is_named(tmp_path: Path) -> None:
    root = render(tmp_path / "project", {})
    checked = run(
        [sys.executable, "tools/lock.py", "--check"], root, uv_env(sys.executable), check=False
    )
    assert checked.returncode == 1
    assert checked.stderr.splitlines() == [
        f"{service}: no uv.lock: run make lock and commit it"
        for service in sorted(services_of(root))
    ]


def test_the_image_build_installs_the_lock_from_the_service_folder_alone(
    everything_locked: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    """The build stage's COPY and RUN lines, replayed in a folder that holds only what the
    build context sends (no other service, no .venv): the runtime packages, none of the
    development tools, and the service importable from the environment the image copies."""
    root, env = everything_locked
    for service in services_of(root):
        folder = root / "services" / service
        dockerfile = (folder / "Dockerfile").read_text()
        build_stage = dockerfile.split("\nFROM ")[1].replace("\\\n", " ")
        context = tmp_path / service / "build"
        context.mkdir(parents=True)
        venv = tmp_path / service / "venv"
        build_env = dict(env)
        for line in re.findall(r"^ENV (.+)$", build_stage, re.MULTILINE):
            for pair in shlex.split(line):
                key, _, value = pair.partition("=")
                build_env[key] = value
        assert build_env["UV_PROJECT_ENVIRONMENT"] == "/opt/venv"
        build_env["UV_PROJECT_ENVIRONMENT"] = str(venv)
        for instruction, argument in re.findall(r"^(COPY|RUN) (.+)$", build_stage, re.MULTILINE):
            words = shlex.split(argument)
            if instruction == "COPY" and not words[0].startswith("--from"):
                for name in words[:-1]:
                    copy = shutil.copytree if (folder / name).is_dir() else shutil.copy
                    copy(folder / name, context / name)
            elif instruction == "RUN":
                run(words, context, build_env)
        assert re.findall(r"^RUN (.+)$", build_stage, re.MULTILINE) == [
            "uv sync --frozen --no-dev --no-install-project",
            "uv sync --frozen --no-dev --no-editable",
        ]
        python = venv / "bin/python"
        installed = subprocess.run(
            [str(python), "-c", f"import {service}.main, pytest"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert "No module named 'pytest'" in installed.stderr, service
        imported = subprocess.run(
            [str(python), "-c", f"import {service}.main as main; print(main.__file__)"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert imported.returncode == 0, imported.stderr
        assert str(venv) in imported.stdout, service
