"""Composition root of the business API."""

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from api_service.api import body_limit
from api_service.api import errors
from api_service.api.routes import ROUTERS
from api_service.settings import Settings
from api_service.wiring import MODULES


def create_app(
    settings: Settings | None = None,
    *,
    data_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """Build the app; `data_transport` replaces the network to the data service (tests)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            for module in MODULES:
                await stack.enter_async_context(module.lifespan(app, settings))
            yield

    docs = settings.core.public_docs
    app = FastAPI(
        title=settings.core.title,
        version=settings.core.version,
        lifespan=lifespan,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
    )
    app.state.settings = settings
    app.state.data_transport = data_transport
    body_limit.install(app, settings.core.max_body_bytes)
    for module in MODULES:
        module.install(app, settings)
    # Last: its middleware wraps every other, so an error in any of them is a 500 problem too.
    errors.install(app)
    for router in ROUTERS:
        app.include_router(router)
    return app
