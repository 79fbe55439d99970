"""Where a service's CPU goes, from py-spy's raw (collapsed) profiles: the share of samples whose
innermost frame is in each package, and the functions that hold the most samples.

    python bench/profiles.py PROFILE.txt [...]

bench/request_path.py --profile DIR writes one profile per service and measurement.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

# A frame of py-spy's raw output: "function (path/to/file.py:line)".
FRAME = re.compile(r"^(?P<function>.*) \((?P<path>[^:()]+)(?::\d+)?\)$")
STANDARD_LIBRARY = re.compile(r"/lib/python3\.\d+/(?!site-packages)(?P<module>[^/]+)")


def package_of(path: str) -> str:
    """The package a frame's file belongs to: py-spy names a file from its package
    ("sqlalchemy/orm/session.py"), a module on its own ("contextlib.py", "<frozen os>"), or by
    its full path where it found no shorter name."""
    if "site-packages/" in path:
        path = path.split("site-packages/", 1)[1]
    elif found := STANDARD_LIBRARY.search(path):
        return found["module"].removesuffix(".py")
    elif "/src/" in path:
        path = path.split("/src/", 1)[1]
    first = path.split("/", 1)[0]
    return first.removesuffix(".py").removeprefix("<frozen ").removesuffix(">")


def summary(text: str, top: int = 12) -> str:
    by_package: Counter[str] = Counter()
    within_package: Counter[str] = Counter()
    by_function: Counter[str] = Counter()
    total = 0
    for line in text.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        samples = int(count)
        leaf = FRAME.match(stack.split(";")[-1].strip())
        if leaf is None:
            continue
        total += samples
        frames = (FRAME.match(frame.strip()) for frame in stack.split(";"))
        for name in {package_of(frame["path"]) for frame in frames if frame}:
            within_package[name] += samples
        package = package_of(leaf["path"])
        by_package[package] += samples
        by_function[f"{package}: {leaf['function']}"] += samples
    if not total:
        return "no samples"
    lines = [f"{total} samples; innermost frame by package:"]
    lines += [f"  {share / total:6.1%}  {name}" for name, share in by_package.most_common(top)]
    lines.append("any frame in the package (its calls into others included):")
    lines += [f"  {share / total:6.1%}  {name}" for name, share in within_package.most_common(top)]
    lines.append("innermost frame by function:")
    lines += [f"  {share / total:6.1%}  {name}" for name, share in by_function.most_common(top)]
    return "\n".join(lines)


if __name__ == "__main__":
    for name in sys.argv[1:]:
        print(f"== {name}\n{summary(Path(name).read_text())}")
