"""Files assembled from parts (extensions/parts/<key>/<part>.jinja, included through PARTS in
extensions/context.py) read as if they were written whole: each part is one block of text, the
file that includes them puts the blank lines between, and nothing doubles or drops one."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from extensions.context import PARTS
from tests.support.project import TEMPLATE

PARTS_FOLDER = TEMPLATE / "extensions" / "parts"
BUILT_FROM_PARTS = (
    ".env.example",
    "Makefile",
    "README.md",
    "docs/runbooks/rotate-secrets.md",
    "docs/modules/websockets.md",
)
FENCED = re.compile(r"^```.*?^```", re.M | re.S)


def test_every_part_has_an_entry_and_every_entry_its_part() -> None:
    on_disk = {str(path.relative_to(PARTS_FOLDER)) for path in PARTS_FOLDER.rglob("*.jinja")}
    listed = {f"{key}/{name}.jinja" for key, entries in PARTS.items() for name, *_ in entries}

    assert on_disk == listed


def test_a_part_starts_with_its_text_and_ends_with_one_newline() -> None:
    for path in PARTS_FOLDER.rglob("*.jinja"):
        text = path.read_text()
        assert text.strip(), path
        assert not text.startswith("\n"), f"{path} starts with a blank line"
        assert text.endswith("\n"), f"{path} must end with a newline"
        assert not text.endswith("\n\n"), f"{path} ends with a blank line"


@pytest.mark.rendered
@pytest.mark.parametrize(
    "preset", ["defaults", "redis", "modules", "level3", "modules_level4", "websockets_level4"]
)
def test_files_built_from_parts_have_single_blank_lines(
    rendered_preset: Callable[[str], Path], preset: str
) -> None:
    project = rendered_preset(preset)
    for name in BUILT_FROM_PARTS:
        path = project / name
        if not path.is_file():
            continue
        text = path.read_text()
        assert "\n\n\n" not in FENCED.sub("```", text), f"{name} of {preset}: a doubled blank line"
        assert text.endswith("\n"), f"{name} of {preset}: no final newline"
        assert not text.endswith("\n\n"), f"{name} of {preset}: a blank line at its end"
