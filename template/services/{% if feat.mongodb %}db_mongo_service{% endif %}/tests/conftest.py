"""Fixtures: the service over an in-process MongoDB (mongomock), emptied for every test.

No MongoDB server is needed here; the project's CI runs the same service against a real one.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from mongomock_motor import AsyncMongoMockClient

from db_mongo_service.main import create_app
from db_mongo_service.settings import DEVELOPMENT_CALLER_KEY
from db_mongo_service.settings import Settings

# What the API presents when nothing is configured: the tests call as the API does.
CALLER = {"Authorization": f"Bearer {DEVELOPMENT_CALLER_KEY}"}


@pytest.fixture
def database() -> Any:
    return AsyncMongoMockClient(tz_aware=True)["audit_tests"]


@asynccontextmanager
async def audit_client(database: Any, headers: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the service, started over `database`, sending `headers`."""
    app = create_app(Settings())
    app.state.mongo_database = database
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://audit", headers=headers) as client,
    ):
        yield client


@pytest.fixture
async def client(database: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with audit_client(database, CALLER) as client:
        yield client
