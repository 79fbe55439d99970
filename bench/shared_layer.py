"""How much the template's shared layer knows about each module and level feature.

Usage: uv run python bench/shared_layer.py
Prints, for every flag of `feat`, the number of shared template files that mention it: files
under template/ whose own path has no condition, the macros every service may call, and the
parts (extensions/parts/) that PARTS includes whatever the flags; the share of lines in the
hubs that are only Jinja tags; the largest template files and the files with the most `{% if`
(all of template/, the macros and the parts).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TEMPLATE))

from extensions.context import ALL_MODULES, LEVEL_FEATURES, PARTS  # noqa: E402

HUB_NAMES = ("wiring.py.jinja", "__init__.py.jinja", ".env.example.jinja", "Makefile.jinja")
TAG_ONLY = re.compile(r"^\s*(\{%-?.*?-?%\}\s*)+$")
IF_TAG = re.compile(r"\{%-?\s*if\b")


SOURCES = ("template", "extensions/macros", "extensions/parts")
UNCONDITIONAL_PARTS = {
    f"{file}/{name}.jinja"
    for file, entries in PARTS.items()
    for name, *needs in entries
    if not needs
}


def template_files() -> list[Path]:
    return sorted(
        path for source in SOURCES for path in (TEMPLATE / source).rglob("*") if path.is_file()
    )


def shared(path: Path) -> bool:
    if path.is_relative_to(TEMPLATE / "extensions/parts"):
        return str(path.relative_to(TEMPLATE / "extensions/parts")) in UNCONDITIONAL_PARTS
    if path.is_relative_to(TEMPLATE / "extensions/macros"):
        return True
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
            name = path.relative_to(TEMPLATE)
            print(f"  {tags * 100 // max(len(lines), 1):>3}% of {len(lines):>3}  {name}")
    by_size = sorted(files, key=lambda path: len(files[path].splitlines()), reverse=True)[:3]
    by_ifs = sorted(files, key=lambda path: len(IF_TAG.findall(files[path])), reverse=True)[:3]
    print("largest files (lines):")
    for path in by_size:
        print(f"  {len(files[path].splitlines()):>4}  {path.relative_to(TEMPLATE)}")
    print("most `{% if` in one file:")
    for path in by_ifs:
        print(f"  {len(IF_TAG.findall(files[path])):>4}  {path.relative_to(TEMPLATE)}")


if __name__ == "__main__":
    main()
