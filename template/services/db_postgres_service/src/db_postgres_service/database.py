"""Engine and sessions: PostgreSQL through asyncpg, or the embedded SQLite for local runs."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated
from typing import Any

from fastapi import Depends
from fastapi import FastAPI
from fastapi import Request
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import InvalidatePoolError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.util import await_

from db_postgres_service.settings import Settings

Sessions = async_sessionmaker[AsyncSession]


def create_engine(settings: Settings) -> AsyncEngine:
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, echo=settings.database_echo)
        event.listen(engine.sync_engine, "connect", _enable_sqlite_foreign_keys)
        return engine
    engine = create_async_engine(
        url,
        echo=settings.database_echo,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
        pool_timeout=settings.database_pool_timeout_s,
        pool_recycle=settings.database_pool_recycle_s,
        connect_args={"timeout": settings.database_pool_timeout_s},
    )
    if settings.database_pool_pre_ping:
        event.listen(engine.sync_engine, "checkout", _ping)
    return engine


def _ping(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """SQLAlchemy's pool_pre_ping in one round trip: its own wraps its query in BEGIN and
    ROLLBACK (for pgbouncer's transaction mode), three round trips before each request's first
    query. A connection that fails it was closed under the pool, as a restart of PostgreSQL
    closes every one: the pool then replaces all it opened before, and the request gets a new
    one."""
    try:
        await_(dbapi_connection.driver_connection.execute("SELECT 1"))
    except Exception as exc:
        raise InvalidatePoolError(f"the connection was closed: {exc!r}") from exc


def _enable_sqlite_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def install(app: FastAPI, settings: Settings) -> None:
    """Nothing to register: the engine is opened by the lifespan."""


READ_METHODS = frozenset({"GET", "HEAD"})


def session_makers(engine: AsyncEngine) -> tuple[Sessions, Sessions]:
    """Sessions for writes (one transaction each) and for reads, whose statements run without
    BEGIN and ROLLBACK around them: two round trips fewer for a read, and what each statement
    sees is what it would see in a READ COMMITTED transaction."""
    reads = engine.execution_options(isolation_level="AUTOCOMMIT")
    return (
        async_sessionmaker(engine, expire_on_commit=False),
        async_sessionmaker(reads, expire_on_commit=False),
    )


class ConnectionTurns:
    """Requests take their turn for a database connection first come, first served.

    The pool itself lets a request that arrives while a connection is being handed back take it
    before those already waiting, who then wait again at the back: under load a few wait for
    seconds while most wait for nothing. Holding one of as many turns as the pool has
    connections, taken in order, keeps every wait near the average.
    """

    def __init__(self, count: int, timeout_s: float) -> None:
        self._turns = asyncio.Semaphore(count)
        self._count = count
        self._timeout_s = timeout_s

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        try:
            async with asyncio.timeout(self._timeout_s):
                await self._turns.acquire()
        except TimeoutError:
            busy = f"all {self._count} database connections stayed busy for {self._timeout_s} s"
            raise PoolTimeoutError(busy) from None
        try:
            yield
        finally:
            self._turns.release()


@asynccontextmanager
async def lifespan(app: FastAPI, settings: Settings) -> AsyncIterator[None]:
    engine = create_engine(settings)
    app.state.engine = engine
    app.state.sessions, app.state.read_sessions = session_makers(engine)
    connections = settings.database_pool_size + settings.database_max_overflow
    app.state.connection_turns = ConnectionTurns(connections, settings.database_pool_timeout_s)
    try:
        yield
    finally:
        await engine.dispose()


def sessions_for(request: Request) -> Sessions:
    state = request.app.state
    sessions: Sessions = state.read_sessions if request.method in READ_METHODS else state.sessions
    return sessions


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    turns: ConnectionTurns = request.app.state.connection_turns
    async with turns.turn(), sessions_for(request)() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]
