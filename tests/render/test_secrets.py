"""What a project commits holds no secret: detect-secrets finds nothing in its tracked files.

The services' tests and the load test are left out of the scan: they hold throwaway credentials
of the servers they start on loopback and of the accounts they create. Everything a deployment
reads (code, compose, CI, docs, `.env.example`) is scanned; `.env` is git-ignored.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = pytest.mark.rendered

DETECT_SECRETS = Path(sys.executable).parent / "detect-secrets"
NOT_SCANNED = r"(^|/)tests/|^loadtest/"


def tracked_copy(project: Path, folder: Path) -> Path:
    copy = folder / "project"
    shutil.copytree(project, copy)
    for command in (["git", "init", "-q"], ["git", "add", "-A"]):
        subprocess.run(command, cwd=copy, check=True)
    return copy


@pytest.mark.parametrize("preset", ["defaults", "modules_level4"])
def test_tracked_files_hold_no_secret(
    preset: str, rendered_preset: Callable[[str], Path], tmp_path: Path
) -> None:
    project = tracked_copy(rendered_preset(preset), tmp_path)
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=project, check=True, capture_output=True, text=True
    ).stdout.split()
    assert ".env" not in tracked
    assert ".env.example" in tracked

    scan = subprocess.run(
        [str(DETECT_SECRETS), "scan", "--exclude-files", NOT_SCANNED],
        cwd=project, check=True, capture_output=True, text=True,
    )  # fmt: skip
    findings = [
        f"{path}:{secret['line_number']} {secret['type']}"
        for path, secrets in json.loads(scan.stdout)["results"].items()
        for secret in secrets
    ]
    assert findings == []
