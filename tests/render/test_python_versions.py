"""The same answers give the same bytes whichever supported Python runs Copier."""

from __future__ import annotations

import json
import re
import subprocess
import tomllib
from pathlib import Path

import pytest
from uv import find_uv_bin

from tests.conftest import CATALOG, EVERY_MODULE
from tests.render.test_level3 import tool
from tests.support.project import TEMPLATE, render, rendered_files, require_python, ruff, uv_env

pytestmark = pytest.mark.rendered

RENDER = """
import json, sys, copier
copier.run_copy(sys.argv[1], sys.argv[2], data=json.loads(sys.argv[3]), defaults=True,
                unsafe=True, quiet=True, vcs_ref="HEAD")
"""
ANSWERS = CATALOG | {"maturity_level": 4, "modules": EVERY_MODULE}


def render_with(version: str, destination: Path) -> Path:
    python = require_python(version)
    command = [
        "uv", "run", "--no-project", "--quiet",
        "--with", "copier==9.19.1", "--with", "copier-template-extensions==0.3.4",
        "python", "-c", RENDER, str(TEMPLATE), str(destination), json.dumps(ANSWERS),
    ]  # fmt: skip
    subprocess.run(command, env=uv_env(python), check=True, capture_output=True, text=True)
    return destination


def test_python_3_12_and_3_13_render_the_same_bytes(tmp_path: Path) -> None:
    first = render_with("3.12", tmp_path / "py312")
    second = render_with("3.13", tmp_path / "py313")

    assert rendered_files(first) == rendered_files(second)
    differing = [
        name
        for name in sorted(rendered_files(first))
        if content(first / name) != content(second / name)
    ]
    assert differing == []


def content(path: Path) -> bytes:
    """The file's bytes; in the answers file, without the template commit (a dirty checkout
    is rendered from a temporary commit of its own each time)."""
    data = path.read_bytes()
    return re.sub(rb"(?m)^_commit: .*$", b"", data) if path.name == ".copier-answers.yml" else data


@pytest.fixture(scope="module")
def on_3_13(tmp_path_factory: pytest.TempPathFactory) -> Path:
    answers = {"python_version": "3.13", "maturity_level": 4, "modules": EVERY_MODULE}
    return render(tmp_path_factory.mktemp("py313") / "project", answers)


def test_the_answered_python_is_every_services_python(on_3_13: Path) -> None:
    services = sorted((on_3_13 / "services").iterdir())
    assert len(services) == 5
    for service in services:
        assert (service / ".python-version").read_text() == "3.13\n"
        pyproject = tomllib.loads((service / "pyproject.toml").read_text())
        assert pyproject["project"]["requires-python"] == ">=3.13,<3.14"
        assert pyproject["tool"]["mypy"]["python_version"] == "3.13"
        dockerfile = (service / "Dockerfile").read_text()
        assert re.findall(r"^FROM python:([\d.]+)-slim", dockerfile, re.M) == ["3.13", "3.13"]
    ci = (on_3_13 / ".github/workflows/ci.yml").read_text()
    assert 'python-version: "3.13"' in ci


def test_every_service_passes_ruff_for_3_13(on_3_13: Path) -> None:
    """Ruff's rules follow the target version (3.13 drops `Generator[..., None]`'s default
    arguments); the services pin the ruff the template's tests use."""
    for service in sorted((on_3_13 / "services").iterdir()):
        result = ruff(service, "check")
        assert result.returncode == 0, f"{service.name}: {result.stdout}"


def test_make_install_names_the_python_it_misses(on_3_13: Path, tmp_path: Path) -> None:
    """Where uv may not download and 3.13 is missing, one sentence says how to get it; with
    3.13 on PATH the same check passes."""
    tools = tmp_path / "bin"
    tools.mkdir()
    # uv itself, not a version manager's shim that would look for Pythons of its own.
    (tools / "uv").symlink_to(find_uv_bin())
    (tools / "make").symlink_to(tool("make", "make"))
    env = {
        "HOME": str(tmp_path),
        "PATH": str(tools),
        "UV_PYTHON_DOWNLOADS": "never",
        "UV_PYTHON_INSTALL_DIR": str(tmp_path / "pythons"),
    }
    missing = subprocess.run(
        ["make", "install"], cwd=on_3_13, env=env, capture_output=True, text=True
    )
    assert missing.returncode != 0
    assert missing.stdout == ""
    first_line = missing.stderr.splitlines()[0]
    assert first_line.startswith("Python 3.13 is not on this machine and uv may not download it")
    assert "uv python install 3.13" in first_line

    # An interpreter named by UV_PYTHON is found as uv itself would find it, or one on PATH.
    python = require_python("3.13")
    for named in ({"UV_PYTHON": python}, {"PATH": f"{tools}:{Path(python).parent}"}):
        found = subprocess.run(
            ["make", "python"], cwd=on_3_13, env=env | named, capture_output=True, text=True
        )
        assert found.returncode == 0, found.stderr
