"""Shared files work for any resources: nothing outside a resource's own files may assume the
default `item` resource's name, nor that there is one resource only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.project import render, rendered_files, ruff

pytestmark = pytest.mark.rendered

# How the default resource shows up in code and docs that assume it: its classes, its URL, its
# modules and tables, its events and ids. (`item` alone is a fine variable name.)
DEFAULT_RESOURCE = re.compile(
    r"\bItem(?:In|Out|Patch|Details|Repository|PageOut|ListQuery)?\b"
    r"|/items\b|\bitems table\b|\bitem_id\b|\bitems\.py\b|\bitem\.py\b|\btest_item_"
    r"|[\"']item[\"']|\bitem\.(?:created|updated|deleted)\b|\bfrom \S+ import item\b"
)


def test_a_project_without_item_never_mentions_it(rendered_preset) -> None:  # type: ignore[no-untyped-def]
    root: Path = rendered_preset("storefront_level4")
    found = []
    for name in sorted(rendered_files(root)):
        if name == ".copier-answers.yml":
            continue
        text = (root / name).read_text(errors="replace")
        found += [f"{name}: {m.group(0)!r}" for m in DEFAULT_RESOURCE.finditer(text)]
    assert found == []


def test_the_pattern_finds_what_assumes_the_default_resource() -> None:
    assumptions = ['get("/api/v1/items")', "ItemOut", '"item"', "item.created", "test_item_api"]
    assert all(DEFAULT_RESOURCE.search(text) for text in assumptions)
    fine = ['page["items"][0]', "for item in page.items:", "items: list[CustomerOut]"]
    assert not any(DEFAULT_RESOURCE.search(text) for text in fine)


# Names and numbers at the validators' limits where they make lines longest: a 24-letter name
# without underscores (its class name is as long), 30-character field names, decimals with
# the most digits on either side of the point.
AT_THE_LIMITS = {
    "maturity_level": 4,
    "modules": ["bot", "mongodb", "rabbitmq", "redis", "s3", "websockets", "workers"],
    "resources": [
        {
            "name": "abcdefghijklmnopqrstuvwx",
            "fields": [
                {"name": "a" * 30, "type": "decimal", "precision": 38, "scale": 37, "unique": True},
                {"name": "b" * 30, "type": "decimal", "precision": 38, "scale": 10},
                {
                    "name": "c" * 30,
                    "type": "decimal",
                    "precision": 12,
                    "scale": 11,
                    "unique": True,
                    "required": False,
                },
                {"name": "d" * 30, "type": "enum", "values": ["e" * 30]},
            ],
        }
    ],
}


def test_names_and_digits_at_the_limits_keep_every_line_within_ruff(tmp_path: Path) -> None:
    root = render(tmp_path / "project", AT_THE_LIMITS)
    for service in sorted((root / "services").iterdir()):
        for command in (["check"], ["format", "--check"]):
            result = ruff(service, *command)
            assert result.returncode == 0, f"{service.name}: {result.stdout}"
