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


class MissingReferenceError(Exception):
    """A reference field points to a row that does not exist."""

    def __init__(self, field: str, value: object) -> None:
        super().__init__(f"{field} {value} does not exist.")
        self.field = field
        self.value = value


async def _missing_reference(_request: Request, exc: Exception) -> JSONResponse:
    field = exc.field if isinstance(exc, MissingReferenceError) else "body"
    error = {"loc": ["body", field], "msg": str(exc), "type": "reference_not_found"}
    return JSONResponse(status_code=422, content={"detail": [error]})


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
    app.add_exception_handler(MissingReferenceError, _missing_reference)
    for error in (OperationalError, InterfaceError, PoolTimeoutError, OSError):
        app.add_exception_handler(error, _database_unavailable)
