"""Fixtures: a migrated database, SQLite by default or the PostgreSQL of TEST_DATABASE_URL.

The tests empty and drop their tables, so TEST_DATABASE_URL must name a database kept for
tests; DATABASE_URL (the one the service runs on) is never touched.
"""

import os
from collections.abc import AsyncIterator
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from alembic import command
from alembic.config import Config
from fastapi import FastAPI
from pydantic import SecretStr

from db_postgres_service.main import create_app
from db_postgres_service.models import Base
from db_postgres_service.settings import DEVELOPMENT_CALLER_KEY
from db_postgres_service.settings import Settings

SERVICE_ROOT = Path(__file__).parents[1]
# What the API presents when nothing is configured: the tests call as the API does.
CALLER = {"Authorization": f"Bearer {DEVELOPMENT_CALLER_KEY}"}
# Callers as production wants them: each with a long random token.
PRODUCTION_CALLERS = {"api_service": SecretStr("caller-token-of-the-tests-0123456789abcdef")}


def data_client(transport: httpx.AsyncBaseTransport) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=transport, base_url="http://data", headers=CALLER)


def alembic_config(database_url: str) -> Config:
    config = Config(str(SERVICE_ROOT / "alembic.ini"))
    config.attributes["database_url"] = database_url
    return config


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("TEST_DATABASE_URL") or (
        f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('database') / 'test.db'}"
    )
    config = alembic_config(url)
    command.upgrade(config, "heads")
    yield url
    command.downgrade(config, "base")


@pytest.fixture
async def app(database_url: str) -> AsyncIterator[FastAPI]:
    app = create_app(Settings(database_url=database_url))
    async with app.router.lifespan_context(app):
        yield app
        async with app.state.engine.begin() as connection:
            for table in reversed(Base.metadata.sorted_tables):
                await connection.execute(table.delete())


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with data_client(httpx.ASGITransport(app=app)) as client:
        yield client
