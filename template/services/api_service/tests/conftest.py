"""Fixtures: the business API wired to the real data service, in-process, over a migrated database.

The database is SQLite in a temporary folder, or the PostgreSQL of TEST_DATABASE_URL (a database
kept for tests: its tables are emptied and dropped).
"""

import os
from collections.abc import AsyncIterator
from collections.abc import Iterator
from pathlib import Path

import db_postgres_service
import httpx
import pytest
from alembic import command
from alembic.config import Config
from db_postgres_service.main import create_app as create_data_app
from db_postgres_service.models import Base
from db_postgres_service.settings import Settings as DataSettings

from api_service.main import create_app
from api_service.settings import Settings

DATA_SERVICE_ROOT = Path(db_postgres_service.__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("TEST_DATABASE_URL") or (
        f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('database') / 'test.db'}"
    )
    config = Config(str(DATA_SERVICE_ROOT / "alembic.ini"))
    config.attributes["database_url"] = url
    command.upgrade(config, "head")
    yield url
    command.downgrade(config, "base")


@pytest.fixture
async def client(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of the business API, which calls the real data service app."""
    data_app = create_data_app(DataSettings(database_url=database_url))
    app = create_app(Settings(), data_transport=httpx.ASGITransport(app=data_app))
    transport = httpx.ASGITransport(app=app)
    async with (
        data_app.router.lifespan_context(data_app),
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://api") as client,
    ):
        yield client
        async with data_app.state.engine.begin() as connection:
            for table in reversed(Base.metadata.sorted_tables):
                await connection.execute(table.delete())
