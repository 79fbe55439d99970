"""Fixtures: the service over an in-process MongoDB (mongomock), emptied for every test.

No MongoDB server is needed here; the project's CI runs the same service against a real one.
"""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from mongomock_motor import AsyncMongoMockClient

from db_mongo_service.main import create_app
from db_mongo_service.settings import Settings


@pytest.fixture
def database() -> Any:
    return AsyncMongoMockClient(tz_aware=True)["audit_tests"]


@pytest.fixture
async def client(database: Any) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings())
    app.state.mongo_database = database
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://audit") as client,
    ):
        yield client
