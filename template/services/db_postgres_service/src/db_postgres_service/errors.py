"""Map storage failures to HTTP answers: conflicts to 409, an unreachable database to 503."""

import logging
from typing import Annotated

from fastapi import Depends
from fastapi import FastAPI
from fastapi import Header
from fastapi import HTTPException
from fastapi import Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import InterfaceError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.types import ASGIApp
from starlette.types import Message
from starlette.types import Receive
from starlette.types import Scope
from starlette.types import Send

logger = logging.getLogger(__name__)


class ConflictError(Exception):
    """A write would break a uniqueness rule or a reference."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class MissingReferenceError(Exception):
    """A reference field points to a row that does not exist."""

    def __init__(self, field: str, value: object) -> None:
        super().__init__(f"{field} {value} does not exist.")
        self.field = field
        self.value = value


def if_match_version(if_match: Annotated[str | None, Header()] = None) -> int | None:
    """The row version an `If-Match: "3"` header asks for, or None without the header."""
    if if_match is None:
        return None
    tag = if_match.removeprefix("W/").strip('"')
    if not tag.isdigit():
        raise HTTPException(412, 'If-Match takes a row version, for example If-Match: "3".')
    return int(tag)


IfMatchDep = Annotated[int | None, Depends(if_match_version)]


class StaleVersionError(Exception):
    """The row changed since the version the writer read (or while it was being written)."""

    def __init__(self, current: int | None) -> None:
        super().__init__(
            "The row changed since it was read; read it again and retry."
            if current is None
            else f"The row is at version {current}; read it again and retry."
        )


async def _stale_version(_request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(status_code=412, content={"detail": str(exc), "code": "stale_version"})


async def _missing_reference(_request: Request, exc: Exception) -> JSONResponse:
    field = exc.field if isinstance(exc, MissingReferenceError) else "body"
    error = {"loc": ["body", field], "msg": str(exc), "type": "reference_not_found"}
    return JSONResponse(status_code=422, content={"detail": [error]})


async def _conflict(_request: Request, exc: Exception) -> JSONResponse:
    detail = exc.detail if isinstance(exc, ConflictError) else "conflict"
    return JSONResponse(status_code=409, content={"detail": detail, "code": "conflict"})


async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    logger.warning("Database unavailable in %s %s: %r", request.method, request.url.path, exc)
    return JSONResponse(
        status_code=503,
        content={"detail": "The database is unavailable.", "code": "database_unavailable"},
        headers={"Retry-After": "1"},
    )


class UnexpectedErrors:
    """Turns an unhandled error into a logged JSON 500.

    Without it the error escapes the app and uvicorn closes the connection, which a pooled
    client then finds dead on its next request.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_and_track(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_and_track)
        except Exception:
            logger.exception("Unhandled error in %s %s", scope["method"], scope["path"])
            if started:
                raise
            body = {"detail": "Internal error.", "code": "internal_error"}
            # Set by the request-id middleware where there is one: it lets a user quote it.
            request_id = scope.get("state", {}).get("request_id")
            if request_id:
                body["request_id"] = request_id
            response = JSONResponse(status_code=500, content=body)
            await response(scope, receive, send)


def install(app: FastAPI) -> None:
    app.add_middleware(UnexpectedErrors)
    app.add_exception_handler(ConflictError, _conflict)
    app.add_exception_handler(MissingReferenceError, _missing_reference)
    app.add_exception_handler(StaleVersionError, _stale_version)
    for error in (OperationalError, InterfaceError, PoolTimeoutError, OSError):
        app.add_exception_handler(error, _database_unavailable)
