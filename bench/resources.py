"""How render cost grows with the number of resources: 1, 10 and 50 by default.

Usage: uv run python bench/resources.py [COUNT ...]
Each resource has six fields (str unique, text, int, decimal, enum, and a reference to the
previous resource), so the numbers reflect a realistic model rather than a toy one.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parents[1]

CHILD = """
import json, sys, copier
copier.run_copy(sys.argv[1], sys.argv[3], data=json.loads(sys.argv[2]), defaults=True,
                unsafe=True, quiet=True, vcs_ref="HEAD")
"""


def resources(count: int) -> list[dict[str, object]]:
    made: list[dict[str, object]] = []
    for number in range(1, count + 1):
        fields: list[dict[str, object]] = [
            {"name": "code", "type": "str", "max_length": 40, "unique": True},
            {"name": "notes", "type": "text", "required": False},
            {"name": "amount", "type": "int", "min": 0},
            {"name": "price", "type": "decimal", "precision": 10, "scale": 2},
            {"name": "state", "type": "enum", "values": ["draft", "active", "archived"]},
        ]
        if number > 1:
            fields.append({"name": "parent_id", "type": "ref", "to": f"entity{number - 1}"})
        made.append({"name": f"entity{number}", "fields": fields})
    return made


def measure(count: int) -> tuple[float, int, int]:
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "project"
        answers = json.dumps({"resources": resources(count)})
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", CHILD, str(TEMPLATE), answers, str(target)],
                       check=True)  # fmt: skip
        elapsed = time.perf_counter() - started
        files = [path for path in target.rglob("*") if path.is_file()]
        lines = sum(len(path.read_bytes().splitlines()) for path in files)
        return elapsed, len(files), lines


def main() -> None:
    counts = [int(arg) for arg in sys.argv[1:]] or [1, 10, 50]
    print(f"{'resources':>9} {'seconds':>8} {'files':>6} {'lines':>7} {'s/resource':>11}")
    baseline: tuple[float, int, int] | None = None
    for count in counts:
        elapsed, files, lines = measure(count)
        per = "" if baseline is None else f"{(elapsed - baseline[0]) / (count - counts[0]):.3f}"
        print(f"{count:>9} {elapsed:>8.2f} {files:>6} {lines:>7} {per:>11}")
        baseline = baseline or (elapsed, files, lines)


if __name__ == "__main__":
    main()
