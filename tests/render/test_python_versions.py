"""The same answers give the same bytes whichever supported Python runs Copier."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import CATALOG, EVERY_MODULE
from tests.support.project import TEMPLATE, rendered_files, require_python, uv_env

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
