"""The audit log: append-only entries of who changed what, read back by filters and a cursor."""

import base64
import binascii
import json
from datetime import UTC
from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import AwareDatetime
from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pymongo import ASCENDING
from pymongo import DESCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

NAME = r"^[a-z][a-z0-9_]*$"
# A write of a resource, or a security event of an account (account.signed_in, say).
ACTION = r"^([a-z][a-z0-9_]*\.(created|updated|deleted)|account\.[a-z][a-z0-9_]*)$"
NEWEST_FIRST = [("occurred_at", DESCENDING), ("_id", DESCENDING)]
INDEXES = {
    "by_entity": [("entity", ASCENDING), ("entity_id", ASCENDING), *NEWEST_FIRST],
    "by_actor": [("actor", ASCENDING), *NEWEST_FIRST],
    "by_time": NEWEST_FIRST,
}


class AuditEntryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # The change's id: recording the same change twice keeps one entry.
    id: UUID
    occurred_at: AwareDatetime
    actor: str = Field(min_length=1, max_length=200)
    action: str = Field(pattern=ACTION, max_length=100)
    entity: str = Field(pattern=NAME, max_length=60)
    entity_id: str = Field(min_length=1, max_length=64)
    request_id: str | None = Field(default=None, max_length=128)
    data: dict[str, Any] | None = None


class AuditEntryOut(AuditEntryIn):
    model_config = ConfigDict(extra="ignore")

    recorded_at: AwareDatetime


class AuditPage(BaseModel):
    items: list[AuditEntryOut]
    # Pass it back as `cursor` for the next (older) entries; null on the last page.
    next_cursor: str | None


class AuditQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    entity: str | None = Field(default=None, pattern=NAME, max_length=60)
    entity_id: str | None = Field(default=None, max_length=64)
    actor: str | None = Field(default=None, max_length=200)
    action: str | None = Field(default=None, pattern=ACTION, max_length=100)
    since: AwareDatetime | None = None
    until: AwareDatetime | None = None
    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=50, ge=1, le=200)


class BadCursor(ValueError):
    """A cursor this service did not hand out."""


def to_millis(moment: datetime) -> datetime:
    """MongoDB keeps milliseconds; store exactly what will be read back."""
    moment = moment.astimezone(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def encode_cursor(document: dict[str, Any]) -> str:
    position = [aware(document["occurred_at"]).isoformat(), document["_id"]]
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        moment, entry_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return datetime.fromisoformat(moment), str(entry_id)
    except (ValueError, TypeError, binascii.Error) as exc:
        raise BadCursor("cursor is not one this service handed out") from exc


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def entry_of(document: dict[str, Any]) -> AuditEntryOut:
    values = {**document, "id": document["_id"]}
    values["occurred_at"] = aware(document["occurred_at"])
    values["recorded_at"] = aware(document["recorded_at"])
    return AuditEntryOut.model_validate(values)


class AuditLog:
    def __init__(self, collection: AsyncCollection[dict[str, Any]]) -> None:
        self._collection = collection

    async def ensure_indexes(self) -> None:
        for name, keys in INDEXES.items():
            await self._collection.create_index(keys, name=name)

    async def record(self, entry: AuditEntryIn) -> tuple[AuditEntryOut, bool]:
        """Store `entry`; (the stored entry, True) or (the one already stored, False)."""
        document = entry.model_dump(exclude={"id"}) | {"_id": str(entry.id)}
        document["occurred_at"] = to_millis(entry.occurred_at)
        document["recorded_at"] = to_millis(datetime.now(UTC))
        try:
            await self._collection.insert_one(document)
        except DuplicateKeyError:
            existing = await self._collection.find_one({"_id": str(entry.id)})
            if existing is None:  # removed by hand in between: store it again
                return await self.record(entry)
            return entry_of(existing), False
        return entry_of(document), True

    async def get(self, entry_id: UUID) -> AuditEntryOut | None:
        document = await self._collection.find_one({"_id": str(entry_id)})
        return None if document is None else entry_of(document)

    async def page(self, query: AuditQuery) -> AuditPage:
        conditions: list[dict[str, Any]] = [
            {name: value}
            for name in ("entity", "entity_id", "actor", "action")
            if (value := getattr(query, name)) is not None
        ]
        if query.since is not None:
            conditions.append({"occurred_at": {"$gte": to_millis(query.since)}})
        if query.until is not None:
            conditions.append({"occurred_at": {"$lt": to_millis(query.until)}})
        if query.cursor is not None:
            moment, entry_id = decode_cursor(query.cursor)
            conditions.append(
                {
                    "$or": [
                        {"occurred_at": {"$lt": moment}},
                        {"occurred_at": moment, "_id": {"$lt": entry_id}},
                    ]
                }
            )
        found = self._collection.find({"$and": conditions} if conditions else {})
        documents = [doc async for doc in found.sort(NEWEST_FIRST).limit(query.limit + 1)]
        more = len(documents) > query.limit
        documents = documents[: query.limit]
        return AuditPage(
            items=[entry_of(document) for document in documents],
            next_cursor=encode_cursor(documents[-1]) if more else None,
        )
