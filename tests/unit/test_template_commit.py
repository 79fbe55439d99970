"""The rendered tools/template_commit.py: `make update` stops with a sentence, not Copier's
traceback, when the recorded template commit is gone."""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path
from types import ModuleType

from tests.support.project import TEMPLATE


def tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "template_commit", TEMPLATE / "template" / "tools" / "template_commit.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def template_repo(folder: Path) -> str:
    folder.mkdir()
    for command in (
        ["init", "-q"],
        ["commit", "-q", "--allow-empty", "-m", "one"],
        ["tag", "-a", "v1.0.0", "-m", "release"],
    ):
        subprocess.run(["git", "-C", str(folder), *command], check=True)
    head = ["git", "-C", str(folder), "rev-parse", "--short", "HEAD"]
    return subprocess.run(head, capture_output=True, text=True, check=True).stdout.strip()


def test_a_missing_template_commit_is_named_with_the_way_out(tmp_path: Path) -> None:
    source = tmp_path / "template"
    kept = template_repo(source)
    answers = f"_commit: {kept}\n_src_path: {source}\nmaturity_level: 1\n"
    lost = answers.replace(kept, "e8047ac")

    assert tool().problem(answers, tmp_path) == ""
    assert tool().problem(answers.replace(kept, "v1.0.0"), tmp_path) == ""
    message = tool().problem(lost, tmp_path)
    assert message.startswith(
        f"This project was rendered from template commit e8047ac, which the template at {source}"
    )
    assert "Set _commit in .copier-answers.yml" in message


def test_a_template_elsewhere_is_left_to_copier(tmp_path: Path) -> None:
    remote = "_commit: e8047ac\n_src_path: gh:example/template\n"
    missing_folder = f"_commit: e8047ac\n_src_path: {tmp_path / 'nowhere'}\n"

    assert tool().problem(remote, tmp_path) == ""
    assert tool().problem(missing_folder, tmp_path) == ""
