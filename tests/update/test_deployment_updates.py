"""Turning the Kubernetes target on in a level 4 project with `copier update`, and off again:
the same files as a fresh render, no conflicts, and the manifests build.

Marked `rendered`; they need the template committed (Copier updates from a git revision).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.project import render
from tests.update.test_level_updates import commit_all, same_tree
from tests.update.test_resource_updates import git, leftovers_of_a_merge, update

pytestmark = pytest.mark.rendered

LEVEL_4 = {"maturity_level": 4}
KUBECTL = str(Path(sys.executable).with_name("kubectl"))


def test_the_kubernetes_target_comes_and_goes_by_update(tmp_path: Path) -> None:
    root = render(tmp_path / "project", LEVEL_4)
    git(root, "init", "-q")
    commit_all(root, "Level 4 on compose")

    update(root, {"deployment": "kubernetes"})

    assert leftovers_of_a_merge(root) == []
    fresh = render(tmp_path / "fresh", {**LEVEL_4, "deployment": "kubernetes"})
    assert same_tree(root, fresh) == []
    overlay = root / "deploy/kubernetes/overlays/production"
    subprocess.run(
        ["make", "k8s-secrets", "ENV=production"], cwd=root, check=True, capture_output=True
    )
    built = subprocess.run(
        [KUBECTL, "kustomize", str(overlay)], capture_output=True, text=True, check=False
    )
    assert built.returncode == 0, built.stderr
    assert git(root, "status", "--porcelain", "--", str(overlay / "secrets.env")) == ""
    commit_all(root, "Kubernetes")

    update(root, {"deployment": "compose"})

    assert leftovers_of_a_merge(root) == []
    # What stays is the secrets file git ignores: the update leaves the team's secrets alone.
    left = ["deploy/kubernetes/overlays/production/secrets.env"]
    assert same_tree(root, render(tmp_path / "compose", LEVEL_4)) == left
