"""Cost of raising a project's level with `copier update`: wall time, peak memory, what changes.

Usage: uv run python bench/update.py [--runs N] [--from-level 1] [--to-level 4]
Each run renders the defaults at the lower level into a fresh git repository, commits them, and
times `copier update` to the higher level in a child process (so peak memory is the update's
alone). Needs a committed template: Copier updates from a git revision.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TEMPLATE))

from bench.render import print_cost  # noqa: E402
from tests.support.project import render, rendered_files  # noqa: E402

CHILD = """
import json, sys, copier
copier.run_update(sys.argv[1], data=json.loads(sys.argv[2]), defaults=True, overwrite=True,
                  unsafe=True, vcs_ref="HEAD", quiet=True)
"""


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, check=True, capture_output=True, text=True
    ).stdout


def update_once(low: int, high: int) -> tuple[float, int, int, int, int]:
    with tempfile.TemporaryDirectory() as folder:
        root = render(Path(folder) / "project", {"maturity_level": low}, quiet=True)
        git(root, "init", "-q")
        git(root, "add", "-A")
        git(root, "commit", "-qm", "Rendered by copier")
        before = rendered_files(root)
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", CHILD, str(root), json.dumps({"maturity_level": high})],
            check=True,
        )
        elapsed = time.perf_counter() - started
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        changed = [line for line in git(root, "status", "--porcelain").splitlines()
                   if line.startswith(" M")]  # fmt: skip
        numstat = git(root, "diff", "--numstat").splitlines()
        lines = sum(int(n) for row in numstat for n in row.split("\t")[:2] if n.isdigit())
        added = len(rendered_files(root) - before)
        return elapsed, peak_kib, added, len(changed), lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--from-level", type=int, default=1)
    parser.add_argument("--to-level", type=int, default=4)
    options = parser.parse_args()
    results = [update_once(options.from_level, options.to_level) for _ in range(options.runs)]
    print(f"copier update, level {options.from_level} -> {options.to_level} (defaults otherwise)")
    print_cost([(result[0], result[1]) for result in results])
    _, _, added, changed, lines = results[0]
    print(f"files added: {added}, files changed: {changed} ({lines} lines added or removed)")


if __name__ == "__main__":
    main()
