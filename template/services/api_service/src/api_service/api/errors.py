"""Turn domain and application errors into HTTP answers with a body that says why."""

import logging

from fastapi import FastAPI
from fastapi import Request
from fastapi import status
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp
from starlette.types import Message
from starlette.types import Receive
from starlette.types import Scope
from starlette.types import Send

from api_service.application.errors import Conflict
from api_service.application.errors import DataServiceError
from api_service.application.errors import DataServiceUnavailable
from api_service.application.errors import NotFound
from api_service.application.errors import VersionMismatch
from api_service.domain.errors import InvalidValue

logger = logging.getLogger(__name__)


def _error(status_code: int, code: str, detail: str, **headers: str) -> JSONResponse:
    return JSONResponse(
        status_code=status_code,
        content={"detail": detail, "code": code},
        headers=headers or None,
    )


async def not_found(_request: Request, exc: Exception) -> JSONResponse:
    return _error(status.HTTP_404_NOT_FOUND, "not_found", str(exc))


async def conflict(_request: Request, exc: Exception) -> JSONResponse:
    return _error(status.HTTP_409_CONFLICT, "conflict", str(exc))


async def version_mismatch(_request: Request, exc: Exception) -> JSONResponse:
    return _error(status.HTTP_412_PRECONDITION_FAILED, "stale_version", str(exc))


async def invalid_value(_request: Request, exc: Exception) -> JSONResponse:
    field = exc.field if isinstance(exc, InvalidValue) else "body"
    reason = exc.reason if isinstance(exc, InvalidValue) else str(exc)
    # Same shape as FastAPI's own validation errors, so clients parse one format.
    error = {"loc": ["body", field], "msg": reason, "type": "value_error"}
    return JSONResponse(
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        content={"detail": [error]},
    )


async def data_service_unavailable(_request: Request, exc: Exception) -> JSONResponse:
    return _error(
        status.HTTP_503_SERVICE_UNAVAILABLE,
        "data_service_unavailable",
        str(exc),
        **{"Retry-After": "1"},
    )


async def data_service_error(_request: Request, exc: Exception) -> JSONResponse:
    return _error(status.HTTP_502_BAD_GATEWAY, "bad_gateway", str(exc))


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
    app.add_exception_handler(NotFound, not_found)
    app.add_exception_handler(Conflict, conflict)
    app.add_exception_handler(VersionMismatch, version_mismatch)
    app.add_exception_handler(InvalidValue, invalid_value)
    app.add_exception_handler(DataServiceUnavailable, data_service_unavailable)
    app.add_exception_handler(DataServiceError, data_service_error)
