"""Map storage failures to HTTP answers: conflicts to 409, an unreachable database to 503."""

from fastapi import FastAPI
from fastapi import Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import InterfaceError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError


class ConflictError(Exception):
    """A write would break a uniqueness rule."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


async def _conflict(_request: Request, exc: Exception) -> JSONResponse:
    detail = exc.detail if isinstance(exc, ConflictError) else "conflict"
    return JSONResponse(status_code=409, content={"detail": detail, "code": "conflict"})


async def _database_unavailable(_request: Request, _exc: Exception) -> JSONResponse:
    return JSONResponse(
        status_code=503,
        content={"detail": "The database is unavailable.", "code": "database_unavailable"},
        headers={"Retry-After": "1"},
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(ConflictError, _conflict)
    for error in (OperationalError, InterfaceError, PoolTimeoutError, OSError):
        app.add_exception_handler(error, _database_unavailable)
