"""Run by bench/sql_paths.py in the data service's environment: the CPU a get by id costs on each
path from the service's own SQLAlchemy setup down to asyncpg, one request at a time.

    DATABASE_URL=postgresql+asyncpg://... uv run python bench/sql_paths_probe.py PING

PING: "service" (the engine as the service makes it: its one-round-trip ping), "sqlalchemy"
(SQLAlchemy's pool_pre_ping instead), or "none".
"""

import asyncio
import os
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import asyncpg
from db_postgres_service.database import create_engine
from db_postgres_service.models.item import Item
from db_postgres_service.schemas.item import ItemRecord
from db_postgres_service.settings import Settings
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

GETS = 3000
ROWS = 50


async def main(ping: str) -> None:
    url = os.environ["DATABASE_URL"]
    if ping == "service":
        engine = create_engine(Settings(database_pool_size=5))
    else:
        engine = create_async_engine(url, pool_size=5, pool_pre_ping=ping == "sqlalchemy")
    reads = engine.execution_options(isolation_level="AUTOCOMMIT")
    sessions = async_sessionmaker(reads, expire_on_commit=False)
    table = Item.__table__
    now = datetime.now(UTC)
    ids = [uuid.uuid4() for _ in range(ROWS)]
    rows = [{"id": id_, "name": f"bench {n}", "description": None, "quantity": n, "version": 1,
             "created_at": now, "updated_at": now} for n, id_ in enumerate(ids)]  # fmt: skip
    async with engine.begin() as connection:
        await connection.execute(table.delete())
        await connection.execute(insert(table), rows)
    raw = await asyncpg.create_pool(url.replace("+asyncpg", ""), min_size=5, max_size=5)
    columns = ", ".join(column.name for column in table.columns)
    raw_sql = f"SELECT {columns} FROM items WHERE id = $1"

    async def orm_session_get(id_: uuid.UUID) -> ItemRecord:
        async with sessions() as session:
            return ItemRecord.model_validate(await session.get(Item, id_))

    async def core_select_in_session(id_: uuid.UUID) -> ItemRecord:
        async with sessions() as session:
            row = (await session.execute(select(table).where(table.c.id == id_))).one()
            return ItemRecord.model_validate(row._mapping)

    async def core_select_on_engine(id_: uuid.UUID) -> ItemRecord:
        async with reads.connect() as connection:
            row = (await connection.execute(select(table).where(table.c.id == id_))).one()
            return ItemRecord.model_validate(row._mapping)

    async def asyncpg_pool(id_: uuid.UUID) -> ItemRecord:
        async with raw.acquire() as connection:
            row = await connection.fetchrow(raw_sql, id_)
        return ItemRecord.model_validate(dict(row))

    paths: list[tuple[str, Callable[[uuid.UUID], Awaitable[Any]]]] = [
        ("ORM Session.get (the service's path)", orm_session_get),
        ("Core select in a session", core_select_in_session),
        ("Core select on the engine", core_select_on_engine),
        ("asyncpg pool, no SQLAlchemy", asyncpg_pool),
    ]
    print(f"ping: {ping}; CPU and wall ms per get, {GETS} gets, 2 rounds")
    for round_number in (1, 2):
        for name, path in paths:
            for n in range(200):
                await path(ids[n % ROWS])
            cpu, wall = time.process_time(), time.perf_counter()
            for n in range(GETS):
                await path(ids[n % ROWS])
            cpu_ms = (time.process_time() - cpu) / GETS * 1000
            wall_ms = (time.perf_counter() - wall) / GETS * 1000
            print(f"  {round_number}  {name:40} CPU {cpu_ms:.3f}  wall {wall_ms:.3f}")
    await raw.close()
    await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
