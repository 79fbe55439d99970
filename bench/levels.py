"""What each maturity level adds: files, lines, and how much of the level below it touches.

Usage: uv run python bench/levels.py [--data key=value ...]
Renders every level with the same other answers and compares each with the level below:
files added, files changed, and lines changed in those pre-existing files (a unified diff).
"""

from __future__ import annotations

import difflib
import sys
import tempfile
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TEMPLATE))

from extensions.context import LEVEL_NAMES  # noqa: E402
from tests.support.project import render, rendered_files  # noqa: E402


def lines_of(path: Path) -> list[str]:
    return path.read_text().splitlines()


def main() -> None:
    answers: dict[str, object] = {}
    for pair in sys.argv[1:]:
        key, _, value = pair.removeprefix("--data=").partition("=")
        answers[key] = value
    with tempfile.TemporaryDirectory() as folder:
        roots = {
            level: render(Path(folder) / f"level{level}", answers | {"maturity_level": level})
            for level in sorted(LEVEL_NAMES)
        }
        print(
            f"{'level':>5} {'files':>6} {'lines':>7} {'added':>6} {'changed':>8} {'lines +/-':>10}"
        )
        previous: Path | None = None
        for level, root in roots.items():
            files = rendered_files(root)
            total = sum(len(lines_of(root / name)) for name in files)
            added = changed = delta = 0
            if previous is not None:
                before = rendered_files(previous) - {".copier-answers.yml"}
                added = len(files - before - {".copier-answers.yml"})
                for name in sorted(before & files):
                    diff = [
                        line
                        for line in difflib.unified_diff(
                            lines_of(previous / name), lines_of(root / name), lineterm="", n=0
                        )
                        if line[:1] in "+-" and not line.startswith(("+++", "---"))
                    ]
                    if diff:
                        changed += 1
                        delta += len(diff)
            print(f"{level:>5} {len(files):>6} {total:>7} {added:>6} {changed:>8} {delta:>10}")
            previous = root


if __name__ == "__main__":
    main()
