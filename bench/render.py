"""Render cost of the template: wall time, peak memory, files and lines of `copier copy`.

Usage: uv run python bench/render.py [--runs N] [--data key=value ...]
Each run renders into a fresh temporary folder in a child process, so peak memory is that
render's alone. Prints the median and the spread of the runs.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parents[1]

CHILD = """
import json, sys, copier
answers = json.loads(sys.argv[2])
copier.run_copy(sys.argv[1], sys.argv[3], data=answers, defaults=True, unsafe=True, quiet=True,
                vcs_ref="HEAD")
"""


def render_once(answers: dict[str, object]) -> tuple[float, int, int, int]:
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "project"
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", CHILD, str(TEMPLATE), json.dumps(answers), str(target)],
            check=True,
        )
        elapsed = time.perf_counter() - started
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        files = [path for path in target.rglob("*") if path.is_file()]
        lines = sum(len(path.read_bytes().splitlines()) for path in files)
        return elapsed, peak_kib, len(files), lines


def print_cost(runs: list[tuple[float, int]]) -> None:
    """The number of runs, the median and spread of their wall times (seconds), and the
    largest of their peak memories (KiB)."""
    times = sorted(seconds for seconds, _ in runs)
    print(f"runs: {len(runs)}")
    median = statistics.median(times)
    print(f"wall time: median {median:.2f} s, min {times[0]:.2f} s, max {times[-1]:.2f} s")
    print(f"peak memory (largest run): {max(peak for _, peak in runs) / 1024:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--data", action="append", default=[], metavar="KEY=VALUE")
    options = parser.parse_args()
    answers: dict[str, object] = {}
    for pair in options.data:
        key, _, value = pair.partition("=")
        answers[key] = json.loads(value) if value[:1] in "[{0123456789" else value

    results = [render_once(answers) for _ in range(options.runs)]
    print(f"answers: {answers or 'defaults'}")
    print_cost([(result[0], result[1]) for result in results])
    print(f"files rendered: {results[0][2]}, lines: {results[0][3]}")


if __name__ == "__main__":
    main()
