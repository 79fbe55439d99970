"""The floor of the request path: the data service's `items` create and get, written as directly
as its stack allows (Starlette, one asyncpg pool, orjson), on the same table.

bench/request_path.py runs it beside the rendered services, in the data service's environment,
so that uvicorn, Starlette and asyncpg are the same versions:

    DATABASE_URL=postgresql://... uv run --with orjson uvicorn floor_service:app --app-dir bench

It checks what the data service checks of a body (types, the name's length, a quantity not
below zero) and answers the same JSON; it has no versions on update, owners, metrics or logs.
"""

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

COLUMNS = "id, name, description, quantity, created_at, updated_at, version"
INSERT = (
    f"INSERT INTO items ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $5, 1) "
    "ON CONFLICT (name) DO NOTHING RETURNING " + COLUMNS
)
SELECT = f"SELECT {COLUMNS} FROM items WHERE id = $1"


def json(body: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status, media_type="application/json")


def as_json(row: asyncpg.Record) -> dict[str, Any]:
    return {**row, "id": str(row["id"])}


def refused(body: Any) -> str | None:
    """What is wrong with a create body, or None."""
    if not isinstance(body, dict):
        return "the body is not an object"
    name, description, quantity = body.get("name"), body.get("description"), body.get("quantity")
    if not isinstance(name, str) or not 1 <= len(name) <= 100:
        return "name: a text of 1 to 100 characters"
    if description is not None and not isinstance(description, str):
        return "description: a text"
    if quantity is not None and (type(quantity) is not int or quantity < 0):
        return "quantity: a whole number, 0 or more"
    return None


async def create(request: Request) -> Response:
    try:
        body = orjson.loads(await request.body())
    except orjson.JSONDecodeError:
        return json({"detail": "the body is not JSON"}, 422)
    if error := refused(body):
        return json({"detail": error}, 422)
    row = await request.app.state.pool.fetchrow(
        INSERT, uuid.uuid4(), body["name"], body.get("description"), body.get("quantity"),
        datetime.now(UTC),
    )  # fmt: skip
    if row is None:
        return json({"detail": "name is taken"}, 409)
    return json(as_json(row), 201)


async def get(request: Request) -> Response:
    try:
        item_id = uuid.UUID(request.path_params["item_id"])
    except ValueError:
        return json({"detail": "not an id"}, 422)
    row = await request.app.state.pool.fetchrow(SELECT, item_id)
    if row is None:
        return json({"detail": "not found"}, 404)
    return json(as_json(row))


async def health(request: Request) -> Response:
    return json({"status": "ok"})


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    url = os.environ["DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://")
    async with asyncpg.create_pool(url, min_size=10, max_size=10) as pool:
        app.state.pool = pool
        yield


app = Starlette(
    routes=[
        Route("/health", health, methods=["GET"]),
        Route("/v1/items", create, methods=["POST"]),
        Route("/v1/items/{item_id}", get, methods=["GET"]),
    ],
    lifespan=lifespan,
)
