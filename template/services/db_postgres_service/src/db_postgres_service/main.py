"""Composition root of the data service."""

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from contextlib import asynccontextmanager

from fastapi import FastAPI

from db_postgres_service import body_limit
from db_postgres_service import errors
from db_postgres_service.routes import ROUTERS
from db_postgres_service.settings import Settings
from db_postgres_service.wiring import MODULES


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            for module in MODULES:
                await stack.enter_async_context(module.lifespan(app, settings))
            yield

    app = FastAPI(title=settings.title, version="0.1.0", lifespan=lifespan)
    app.state.settings = settings
    body_limit.install(app, settings.max_body_bytes)
    for module in MODULES:
        module.install(app, settings)
    # Last: its middleware wraps every other, so an error in any of them is a 500 problem too.
    errors.install(app)
    for router in ROUTERS:
        app.include_router(router)
    return app
