"""What every repository does the same way: paging, filters, checks, one transaction per call."""

from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any
from typing import ClassVar
from uuid import UUID

from pydantic import BaseModel
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from db_postgres_service.errors import ConflictError
from db_postgres_service.errors import MissingReferenceError
from db_postgres_service.errors import StaleVersionError
from db_postgres_service.models import Base
from db_postgres_service.models.base import RowMetadata
from db_postgres_service.models.base import utc_now


def taken(name: str, value: object) -> str:
    shown = repr(value) if isinstance(value, str) else str(value)
    return f"{name} {shown} is already taken."


class SqlRepository[M: RowMetadata]:
    model: ClassVar[type[Any]]
    # What messages call one row: "This item is still referenced by ...".
    label: ClassVar[str] = "row"
    unique_fields: ClassVar[Sequence[str]] = ()
    # (reference field, the model its value must exist in)
    references: ClassVar[Sequence[tuple[str, type[Base]]]] = ()
    # (a model whose rows may refer to this one's, its reference field)
    referenced_by: ClassVar[Sequence[tuple[type[Any], str]]] = ()

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def page(
        self,
        *,
        offset: int,
        limit: int,
        sort: str,
        filters: Mapping[str, Any],
    ) -> tuple[Sequence[M], int]:
        model = self.model
        conditions = [getattr(model, name) == value for name, value in filters.items()]
        count = select(func.count()).select_from(model).where(*conditions)
        total = await self._session.scalar(count)
        descending = sort.startswith("-")
        columns = (getattr(model, sort.removeprefix("-")), model.id)
        order = [column.desc() if descending else column.asc() for column in columns]
        statement = select(model).where(*conditions).order_by(*order)
        rows = await self._session.scalars(statement.offset(offset).limit(limit))
        return rows.all(), total or 0

    async def get(self, entity_id: UUID) -> M | None:
        row: M | None = await self._session.get(self.model, entity_id)
        return row

    async def add(self, data: BaseModel) -> M:
        await self._check(data)
        now = utc_now()
        row: M = self.model(**data.model_dump(), created_at=now, updated_at=now)
        self._session.add(row)
        await self._commit(data)
        return row

    async def replace(
        self,
        entity_id: UUID,
        data: BaseModel,
        *,
        expected_version: int | None = None,
    ) -> M | None:
        row = await self.get(entity_id)
        if row is None:
            return None
        if expected_version is not None and row.version != expected_version:
            raise StaleVersionError(row.version)
        await self._check(data)
        for name, value in data.model_dump().items():
            setattr(row, name, value)
        await self._commit(data)
        return row

    async def delete(self, entity_id: UUID, *, expected_version: int | None = None) -> bool:
        row = await self.get(entity_id)
        if row is None:
            return False
        if expected_version is not None and row.version != expected_version:
            raise StaleVersionError(row.version)
        await self._session.delete(row)
        await self._commit(None, deleted=entity_id)
        return True

    async def _check(self, data: BaseModel) -> None:
        """Each referenced row exists, as this caller sees rows (at level 4, among its own): the
        foreign key alone would take any row. A taken unique value is left to its constraint,
        whose refusal names it (see _taken): asking first would cost a query on every write."""
        for name, target in self.references:
            value = getattr(data, name)
            if value is not None and await self._session.get(target, value) is None:
                raise MissingReferenceError(name, value)

    async def _commit(self, data: BaseModel | None, *, deleted: UUID | None = None) -> None:
        # The checks above cannot see concurrent writes: the constraints still decide.
        try:
            await self._session.commit()
        except StaleDataError as exc:
            await self._session.rollback()
            raise StaleVersionError(None) from exc
        except IntegrityError as exc:
            await self._session.rollback()
            if deleted is not None:
                raise ConflictError(await self._still_referenced(deleted)) from exc
            if "foreign key" in str(exc.orig).lower():
                raise ConflictError("The write refers to a row that no longer exists.") from exc
            raise self._taken(str(exc.orig), data) from exc

    def _taken(self, refusal: str, data: BaseModel | None) -> ConflictError:
        """Which unique value the database refused, from its message: PostgreSQL names the
        constraint ("uq_items_name") and the key ("Key (name)=..."), SQLite the column
        ("UNIQUE constraint failed: items.name")."""
        table = self.model.__tablename__
        columns = refusal.partition("UNIQUE constraint failed: ")[2].split(", ")
        for name in self.unique_fields:
            named = (f'"uq_{table}_{name}"' in refusal, f"Key ({name})=" in refusal)
            if any(named) or f"{table}.{name}" in columns:
                return ConflictError(taken(name, getattr(data, name, None)), field=name)
        return ConflictError("A unique value is already taken.")

    async def _still_referenced(self, entity_id: UUID) -> str:
        """Why the row cannot be deleted, naming what refers to it. SQLite does not say which
        reference refused: the referring rows are looked up, and when none is in sight (another
        owner's, or removed since) every resource that may refer is named."""
        every = [f"{model.__tablename__} ({field})" for model, field in self.referenced_by]
        seen: list[str] = []
        for (model, field), name in zip(self.referenced_by, every, strict=True):
            refers = getattr(model, field) == entity_id
            referring = select(model.id).where(refers, model.id != entity_id).limit(1)
            if await self._session.scalar(referring) is not None:
                seen.append(name)
        names = " and ".join(seen) or " or ".join(every) or "other rows"
        return f"This {self.label} is still referenced by {names}; delete or change those first."
