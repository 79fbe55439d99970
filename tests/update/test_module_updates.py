"""Turning modules on and off with `copier update`: the same files as a fresh render on an
unmodified project; user edits kept, and the checks still passing, on a modified one.

Marked `rendered`; they need the template committed (Copier updates from a git revision).
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from tests.support.project import render, rendered_files
from tests.update.test_level_updates import (
    assert_user_work_survived,
    commit_all,
    make_the_usual_edits,
    passes_its_gates,
    same_tree,
    start,
)
from tests.update.test_resource_updates import git, leftovers_of_a_merge, update

pytestmark = pytest.mark.rendered

EVERY_MODULE = ["mongodb", "rabbitmq", "redis", "workers"]


def test_modules_on_then_off_equal_fresh_renders(tmp_path: Path) -> None:
    root = start(tmp_path / "project")
    level_1 = rendered_files(root)

    started = time.perf_counter()
    update(root, {"modules": EVERY_MODULE})
    print(f"modules on: {time.perf_counter() - started:.1f} s")
    assert leftovers_of_a_merge(root) == []
    assert same_tree(root, render(tmp_path / "fresh", {"modules": EVERY_MODULE})) == []
    commit_all(root, "Every module")

    update(root, {"modules": []})

    assert leftovers_of_a_merge(root) == []
    assert same_tree(root, render(tmp_path / "plain", {})) == []
    assert rendered_files(root) == level_1
    assert not (root / "services/worker_service").exists()


def test_a_modified_project_keeps_its_work_when_modules_come_and_go(tmp_path: Path) -> None:
    root = start(tmp_path / "project")
    make_the_usual_edits(root, tmp_path / "scratch")
    commit_all(root, "Team work")

    update(root, {"modules": ["workers", "redis"]})

    assert leftovers_of_a_merge(root) == []
    assert_user_work_survived(root)
    assert (root / "services/worker_service/src/worker_service/consumer.py").exists()
    passes_its_gates(root)
    for venv in root.glob("services/*/.venv"):
        shutil.rmtree(venv)
    commit_all(root, "Workers and Redis")

    update(root, {"modules": ["redis"]})

    assert leftovers_of_a_merge(root) == []
    assert_user_work_survived(root)
    # What is left of the worker is what the team made there: the lock file `uv sync` wrote
    # (and git-ignored caches).
    listed = git(root, "ls-files", "--cached", "--others", "--exclude-standard").splitlines()
    left = [n for n in listed if n.startswith("services/worker_service/") and (root / n).exists()]
    assert left == ["services/worker_service/uv.lock"]
    assert (root / "services/api_service/src/api_service/infrastructure/cache.py").exists()
