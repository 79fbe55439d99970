"""A project rendered when each stack was one whole compose file updates to the pieces
(compose/) without a conflict, keeps its edits, and Docker Compose sees the same stacks."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import EVERY_MODULE
from tests.render.test_compose_pieces import WHOLE_FILES, comparable, with_the_mends
from tests.support.project import COMPOSE_STACKS, compose_config, render
from tests.update.test_level_updates import commit_all
from tests.update.test_resource_updates import (  # the fixture skips an uncommitted template
    committed_template,  # noqa: F401
    git,
    leftovers_of_a_merge,
    update,
)

pytestmark = pytest.mark.rendered

TEAM_NOTE = "\n## Team notes\n\nOn call: the platform team.\n"


def stacks(root: Path) -> dict[str, object]:
    return {
        stack: comparable(compose_config(root, files), root)
        for stack, files in COMPOSE_STACKS.items()
        if all((root / name).is_file() for name in files)
    }


def test_whole_compose_files_update_to_the_pieces_with_the_same_stacks(tmp_path: Path) -> None:
    root = render(
        tmp_path / "project", {"maturity_level": 4, "modules": EVERY_MODULE},
        vcs_ref=WHOLE_FILES,
    )  # fmt: skip
    git(root, "init", "-q")
    commit_all(root, "Rendered by copier")
    readme = root / "README.md"
    readme.write_text(readme.read_text() + TEAM_NOTE)
    commit_all(root, "Team work")
    before = {stack: with_the_mends(config) for stack, config in stacks(root).items()}
    assert not (root / "compose").exists()

    update(root, {})

    assert leftovers_of_a_merge(root) == []
    assert readme.read_text().endswith(TEAM_NOTE)
    assert (root / "compose/production/api_service.compose.yml").is_file()
    assert set(before) == set(COMPOSE_STACKS)
    assert stacks(root) == before
