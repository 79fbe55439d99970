"""Raising the maturity level with `copier update`: clean on an unmodified project (and equal
to a fresh render), and keeping every user edit on a modified one.

Marked `rendered`; they need the template committed (Copier updates from a git revision).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from extensions.resource_checks import DEFAULT_RESOURCES
from tests.support.project import TEMPLATE, render, rendered_files, run_gates
from tests.update.test_resource_updates import git, leftovers_of_a_merge, project_env, update

pytestmark = pytest.mark.rendered

USER_DEPENDENCY = '    "tenacity==9.2.1",\n'
USER_RULE = "    # Team rule: nothing is created on the first of April.\n"


@pytest.fixture(scope="module", autouse=True)
def committed_template() -> None:
    if git(TEMPLATE, "status", "--porcelain", "--untracked-files=no").strip():
        pytest.skip("update tests need a committed template: commit your changes first")


def commit_all(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-qm", message)


def start(root: Path, **options: object) -> Path:
    render(root, {"maturity_level": 1}, **options)
    git(root, "init", "-q")
    commit_all(root, "Rendered by copier")
    return root


def same_tree(left: Path, right: Path) -> list[str]:
    """Files that differ between two projects: all but `.env`, which the user owns (an update
    never rewrites it), and the answers file's template commit."""

    def content(root: Path, name: str) -> bytes:
        data = (root / name).read_bytes()
        return re.sub(rb"(?m)^_commit: .*$", b"", data) if name == ".copier-answers.yml" else data

    names = (rendered_files(left) | rendered_files(right)) - {".env"}
    return sorted(
        name
        for name in names
        if not (left / name).exists()
        or not (right / name).exists()
        or content(left, name) != content(right, name)
    )


def test_level_by_level_and_in_one_step_equal_a_fresh_render(tmp_path: Path) -> None:
    stepwise = start(tmp_path / "stepwise")
    for level in (2, 3, 4):
        before = rendered_files(stepwise)
        started = time.perf_counter()
        update(stepwise, {"maturity_level": level})
        elapsed = time.perf_counter() - started
        assert leftovers_of_a_merge(stepwise) == []
        status = git(stepwise, "status", "--porcelain").splitlines()
        changed = [line[3:] for line in status if line.startswith(" M")]
        added = sorted(rendered_files(stepwise) - before)
        numstat = git(stepwise, "diff", "--numstat").splitlines()
        lines = sum(int(n) for row in numstat for n in row.split("\t")[:2] if n.isdigit())
        step = f"{level - 1}->{level}"
        print(
            f"{step}: {len(added)} files added, {len(changed)} changed "
            f"({lines} lines added or removed in them), {elapsed:.1f} s"
        )
        commit_all(stepwise, f"Level {level}")

    at_once = start(tmp_path / "at_once")
    update(at_once, {"maturity_level": 4})
    fresh = render(tmp_path / "fresh", {"maturity_level": 4})

    assert leftovers_of_a_merge(at_once) == []
    assert (stepwise / ".env").read_text() == (tmp_path / "at_once" / ".env").read_text()
    assert "GRAFANA_ADMIN_PASSWORD" not in (stepwise / ".env").read_text()
    assert same_tree(stepwise, fresh) == []
    assert same_tree(at_once, fresh) == []


NOTE = {
    "name": "note",
    "fields": [
        {"name": "title", "type": "str", "max_length": 80},
        {"name": "item_id", "type": "ref", "to": "item"},
    ],
}
RESOURCE_HUBS = (
    "services/api_service/src/api_service/api/routes/__init__.py",
    "services/db_postgres_service/src/db_postgres_service/routes/__init__.py",
    "services/db_postgres_service/src/db_postgres_service/models/__init__.py",
)


def write_a_resource_by_hand(root: Path, scratch: Path, vcs_ref: str) -> None:
    """What a team does on its own: a second resource in every layer and its registrations
    (taken from a scratch render, so the code is what a careful person would write)."""
    answers = {"maturity_level": 1, "resources": [*DEFAULT_RESOURCES, NOTE]}
    render(scratch, answers, vcs_ref=vcs_ref)
    for name in sorted(rendered_files(scratch) - rendered_files(root)):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(scratch / name, root / name)
    for name in RESOURCE_HUBS:
        shutil.copyfile(scratch / name, root / name)


def make_the_usual_edits(root: Path, scratch: Path, vcs_ref: str = "HEAD") -> None:
    write_a_resource_by_hand(root, scratch, vcs_ref)
    readme = root / "README.md"
    readme.write_text(readme.read_text() + "\n## Team notes\n\nOn call: the platform team.\n")
    pyproject = root / "services/api_service/pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            "dependencies = [\n", "dependencies = [\n" + USER_DEPENDENCY, 1
        )
    )
    use_case = root / "services/api_service/src/api_service/application/use_cases/item.py"
    use_case.write_text(
        use_case.read_text().replace(
            "    details = domain.ItemDetails.of(**values)\n",
            USER_RULE + "    details = domain.ItemDetails.of(**values)\n",
        )
    )


def assert_user_work_survived(root: Path) -> None:
    assert "On call: the platform team." in (root / "README.md").read_text()
    assert USER_DEPENDENCY in (root / "services/api_service/pyproject.toml").read_text()
    use_case = root / "services/api_service/src/api_service/application/use_cases/item.py"
    assert USER_RULE in use_case.read_text()
    assert (root / "services/api_service/src/api_service/domain/note.py").exists()
    assert (root / "services/db_postgres_service/migrations/versions/add_notes.py").exists()
    routes = (root / "services/api_service/src/api_service/api/routes/__init__.py").read_text()
    assert "note.router" in routes


def passes_its_gates(root: Path) -> None:
    run_gates(root, project_env())


def test_a_modified_project_keeps_its_work_from_level_1_to_4(tmp_path: Path) -> None:
    root = start(tmp_path / "project")
    make_the_usual_edits(root, tmp_path / "scratch")
    passes_its_gates(root)
    for venv in root.glob("services/*/.venv"):
        shutil.rmtree(venv)
    commit_all(root, "Team work")

    update(root, {"maturity_level": 4})

    assert leftovers_of_a_merge(root) == []
    assert_user_work_survived(root)
    assert (root / "services/api_service/src/api_service/api/rate_limit.py").exists()
    assert (root / "services/api_service/src/api_service/api/routes/auth.py").exists()
    passes_its_gates(root)


def previous_release() -> str:
    tags = git(TEMPLATE, "tag", "--list", "v*", "--sort=-version:refname").split()
    head = git(TEMPLATE, "rev-parse", "HEAD").strip()
    older = [t for t in tags if git(TEMPLATE, "rev-list", "-n1", t).strip() != head]
    if not older:
        pytest.skip("no earlier release tag in this clone (git fetch --tags)")
    return older[0]


def test_a_modified_project_moves_from_the_previous_release_to_this_one(tmp_path: Path) -> None:
    release = previous_release()
    root = start(tmp_path / "project", vcs_ref=release)
    make_the_usual_edits(root, tmp_path / "scratch", release)
    commit_all(root, "Team work")

    subprocess.run(
        ["git", "-C", str(root), "status", "--porcelain"], check=True, capture_output=True
    )
    update(root, {})

    assert leftovers_of_a_merge(root) == []
    assert_user_work_survived(root)
    passes_its_gates(root)
