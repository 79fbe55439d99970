"""Time of `make install` on a fresh render: with an empty uv cache (a new machine) and with the
cache the first run filled (a second project); the locks are made both times.

Usage: uv run python bench/install.py [--data key=value ...]
Needs make, and the answered Python on this machine (uv may not download one here).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TEMPLATE))

from tests.support.project import find_python, render, run, services_of, uv_env  # noqa: E402


def answers_from(pairs: list[str]) -> dict[str, object]:
    answers: dict[str, object] = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        answers[key] = json.loads(value) if value[:1] in "[{" or value.isdigit() else value
    return answers


def timed_install(
    folder: Path, name: str, answers: dict[str, object], env: dict[str, str]
) -> float:
    root = render(folder / name, answers, quiet=True)
    started = time.perf_counter()
    run(["make", "install"], root, env)
    elapsed = time.perf_counter() - started
    missing = [s for s in services_of(root) if not (root / "services" / s / "uv.lock").exists()]
    if missing:
        sys.exit(f"make install left no uv.lock in {', '.join(missing)}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", action="append", default=[], help="an answer, key=value")
    options = parser.parse_args()
    answers = answers_from(options.data)
    version = str(answers.get("python_version", "3.12"))
    python = find_python(version)
    if python is None:
        sys.exit(f"needs Python {version} on this machine")
    with tempfile.TemporaryDirectory() as folder:
        env = uv_env(python, UV_CACHE_DIR=str(Path(folder) / "uv-cache"))
        cold = timed_install(Path(folder), "cold", answers, env)
        warm = timed_install(Path(folder), "warm", answers, env)
    label = " ".join(options.data) or "defaults"
    print(
        f"make install ({label}, Python {version}): empty uv cache {cold:.1f} s, warm {warm:.1f} s"
    )


if __name__ == "__main__":
    main()
