"""How much the template's shared layer knows about each module and level feature.

Usage: uv run python bench/shared_layer.py
Prints, for every flag of `feat`, the number of shared template files (their own path has no
condition) that mention it; the share of lines in the hubs that are only Jinja tags; the
largest template files and the files with the most `{% if`.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TEMPLATE))

from extensions.context import ALL_MODULES, LEVEL_FEATURES  # noqa: E402

HUB_NAMES = ("wiring.py.jinja", "__init__.py.jinja", ".env.example.jinja", "Makefile.jinja")
TAG_ONLY = re.compile(r"^\s*(\{%-?.*?-?%\}\s*)+$")
IF_TAG = re.compile(r"\{%-?\s*if\b")


def template_files() -> list[Path]:
    return sorted(path for path in (TEMPLATE / "template").rglob("*") if path.is_file())


def shared(path: Path) -> bool:
    return "{%" not in str(path.relative_to(TEMPLATE / "template"))


def is_hub(path: Path) -> bool:
    if path.name == "__init__.py.jinja":
        return path.parent.name == "settings"
    return path.name in HUB_NAMES


def main() -> None:
    files = {path: path.read_text(errors="replace") for path in template_files()}
    print("shared template files that mention each flag:")
    for flag in (*ALL_MODULES, *LEVEL_FEATURES):
        mention = re.compile(rf"\bfeat\.{flag}\b")
        count = sum(1 for path, text in files.items() if shared(path) and mention.search(text))
        print(f"  {flag:<16} {count}")
    print("hubs, lines that are only Jinja tags:")
    for path, text in files.items():
        if is_hub(path):
            lines = text.splitlines()
            tags = sum(1 for line in lines if TAG_ONLY.match(line))
            name = path.relative_to(TEMPLATE / "template")
            print(f"  {tags * 100 // max(len(lines), 1):>3}% of {len(lines):>3}  {name}")
    by_size = sorted(files, key=lambda path: len(files[path].splitlines()), reverse=True)[:3]
    by_ifs = sorted(files, key=lambda path: len(IF_TAG.findall(files[path])), reverse=True)[:3]
    print("largest files (lines):")
    for path in by_size:
        print(f"  {len(files[path].splitlines()):>4}  {path.relative_to(TEMPLATE / 'template')}")
    print("most `{% if` in one file:")
    for path in by_ifs:
        print(f"  {len(IF_TAG.findall(files[path])):>4}  {path.relative_to(TEMPLATE / 'template')}")


if __name__ == "__main__":
    main()
