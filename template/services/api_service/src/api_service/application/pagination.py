"""Listing: what a client asks for (ListQuery) and what it gets back (Page)."""

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field


@dataclass(frozen=True, slots=True)
class ListQuery:
    offset: int = 0
    limit: int = 20
    # A field name, or "-" and a field name for descending order.
    sort: str = "created_at"
    # Exact-match filters by field name; only the fields given.
    filters: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Page[T]:
    items: list[T]
    total: int
    offset: int
    limit: int
