"""Fixtures of the render tests: presets rendered once per session, shared by every module."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import PRESETS
from tests.support.project import render


@pytest.fixture(scope="session")
def rendered_preset(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """The project a preset renders, made on first use; the tests only read it."""
    projects: dict[str, Path] = {}

    def project(name: str) -> Path:
        if name not in projects:
            projects[name] = render(tmp_path_factory.mktemp(name) / "project", PRESETS[name])
        return projects[name]

    return project
