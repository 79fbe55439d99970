"""What the in-memory repositories share: listing like the data service, uniqueness checks."""

from collections.abc import Iterable
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from typing import Protocol
from uuid import UUID

from api_service.application.errors import Conflict
from api_service.application.pagination import ListQuery
from api_service.application.pagination import Page


class Stored(Protocol):
    @property
    def id(self) -> UUID: ...

    @property
    def details(self) -> Any: ...

    @property
    def created_at(self) -> datetime: ...

    @property
    def updated_at(self) -> datetime: ...


def _value(entity: Stored, name: str) -> Any:
    if name in ("created_at", "updated_at"):
        return getattr(entity, name)
    return getattr(entity.details, name)


def page_of[E: Stored](rows: Iterable[E], query: ListQuery) -> Page[E]:
    matching = [
        row
        for row in rows
        if all(_value(row, name) == value for name, value in query.filters.items())
    ]
    key = query.sort.removeprefix("-")
    matching.sort(
        key=lambda row: (_value(row, key) is not None, _value(row, key), row.id),
        reverse=query.sort.startswith("-"),
    )
    window = matching[query.offset : query.offset + query.limit]
    return Page(items=window, total=len(matching), offset=query.offset, limit=query.limit)


def check_unique(
    rows: Iterable[Stored],
    details: Any,
    unique_fields: Sequence[str],
    own_id: UUID | None,
) -> None:
    for name in unique_fields:
        value = getattr(details, name)
        taken = any(getattr(row.details, name) == value and row.id != own_id for row in rows)
        if value is not None and taken:
            raise Conflict(f"{name} {value!r} is already taken.", name)
