"""The MongoDB connection: opened at startup, where the audit log's indexes are created too."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi import Request
from fastapi.responses import JSONResponse
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import ConnectionFailure

from db_mongo_service.audit import AuditLog
from db_mongo_service.problems import problem
from db_mongo_service.settings import Settings

logger = logging.getLogger(__name__)
COLLECTION = "audit_entries"


async def database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    logger.warning("MongoDB unavailable for %s %s: %r", request.method, request.url.path, exc)
    detail = "The database is unavailable."
    return problem(503, "database_unavailable", detail, request.url.path, {"Retry-After": "1"})


def install(app: FastAPI, settings: Settings) -> None:
    app.add_exception_handler(ConnectionFailure, database_unavailable)


@asynccontextmanager
async def lifespan(app: FastAPI, settings: Settings) -> AsyncIterator[None]:
    # Tests put an in-process database on app.state; whoever opened a client closes it.
    database: AsyncDatabase[dict[str, Any]] | None = getattr(app.state, "mongo_database", None)
    client: AsyncMongoClient[dict[str, Any]] | None = None
    if database is None:
        client = AsyncMongoClient(
            str(settings.mongo.url),
            tz_aware=True,
            serverSelectionTimeoutMS=settings.mongo.timeout_ms,
            connectTimeoutMS=settings.mongo.timeout_ms,
        )
        database = client[settings.mongo.database]
    app.state.database = database
    app.state.audit = AuditLog(database[COLLECTION])
    await app.state.audit.ensure_indexes()
    try:
        yield
    finally:
        if client is not None:
            await client.close()


async def get_audit_log(request: Request) -> AuditLog:
    audit: AuditLog = request.app.state.audit
    return audit
