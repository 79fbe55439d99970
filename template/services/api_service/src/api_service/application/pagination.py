"""A page of results, as the use cases return it."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Page[T]:
    items: list[T]
    total: int
    offset: int
    limit: int
