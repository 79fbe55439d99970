"""Alembic environment: runs migrations on the service's own async engine."""

import asyncio
from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection

from db_postgres_service.database import create_engine
from db_postgres_service.models import Base
from db_postgres_service.settings import Settings

target_metadata = Base.metadata

# From the command line, log as alembic.ini says; a program that passes its own database URL
# (the tests) keeps its own logging.
if context.config.config_file_name and "database_url" not in context.config.attributes:
    fileConfig(context.config.config_file_name, disable_existing_loggers=False)


def _settings() -> Settings:
    url = context.config.attributes.get("database_url")
    return Settings(database_url=url) if url else Settings()


def run_migrations_offline() -> None:
    context.configure(
        url=_settings().database_url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_migrations_online() -> None:
    engine = create_engine(_settings())
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_migrations_online())
