"""One pooled HTTP client to the PostgreSQL data service, with timeouts and bounded retries."""

import asyncio
import logging
from collections.abc import AsyncIterator
from collections.abc import Callable
from collections.abc import Sequence
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi import Request
from pydantic import BaseModel
from pydantic import ValidationError

from api_service.application.errors import Conflict
from api_service.application.errors import DataServiceError
from api_service.application.errors import DataServiceUnavailable
from api_service.application.errors import VersionMismatch
from api_service.domain.errors import InvalidValue
from api_service.settings import Settings
from api_service.settings.data import DataServiceSettings

logger = logging.getLogger(__name__)

SERVICE_NAME = "data service"
# Reads are repeated after any failure. A write is repeated only when nothing reached the
# server: a PUT or DELETE that had been applied would answer 412 or 404 the second time and
# hide the write from the caller (and from everything that reacts to writes).
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
RETRYABLE_STATUSES = frozenset({502, 503, 504})

# Wraps the transport to the data service (a cache, say); the outermost layer comes last.
TransportLayer = Callable[[httpx.AsyncBaseTransport], httpx.AsyncBaseTransport]


class RetryingTransport(httpx.AsyncBaseTransport):
    """Retries a request a bounded number of times, with exponential backoff.

    A refused connection is retried for every method (nothing reached the server);
    other transport errors and 502/503/504 answers only for reads. Waiting too long, for a free
    pooled connection (overload) or for an answer (a hung data service), is not retried.
    """

    def __init__(self, inner: httpx.AsyncBaseTransport, *, retries: int, backoff_s: float) -> None:
        self._inner = inner
        self._retries = retries
        self._backoff_s = backoff_s

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        read = request.method in READ_METHODS
        attempt = 0
        while True:
            try:
                response = await self._inner.handle_async_request(request)
            except (httpx.PoolTimeout, httpx.ReadTimeout):
                raise  # busy or hung: trying again would only make the caller wait longer
            except (httpx.ConnectError, httpx.ConnectTimeout):
                if attempt >= self._retries:
                    raise
            except httpx.TransportError:
                if not read or attempt >= self._retries:
                    raise
            else:
                last_try = attempt >= self._retries
                if response.status_code not in RETRYABLE_STATUSES or not read or last_try:
                    return response
                await response.aclose()
            attempt += 1
            await asyncio.sleep(self._backoff_s * 2 ** (attempt - 1))

    async def aclose(self) -> None:
        await self._inner.aclose()


def create_data_client(
    settings: DataServiceSettings,
    transport: httpx.AsyncBaseTransport | None = None,
    layers: Sequence[TransportLayer] = (),
) -> httpx.AsyncClient:
    limits = httpx.Limits(
        max_connections=settings.max_connections,
        max_keepalive_connections=settings.max_keepalive_connections,
    )
    inner = transport or httpx.AsyncHTTPTransport(limits=limits)
    outer: httpx.AsyncBaseTransport = RetryingTransport(
        inner,
        retries=settings.retries,
        backoff_s=settings.retry_backoff_s,
    )
    for layer in layers:
        outer = layer(outer)
    return httpx.AsyncClient(
        base_url=str(settings.url),
        headers={"Authorization": f"Bearer {settings.token.get_secret_value()}"},
        timeout=httpx.Timeout(
            settings.timeout_s,
            connect=settings.connect_timeout_s,
            pool=settings.pool_timeout_s,
        ),
        transport=outer,
    )


async def send(client: httpx.AsyncClient, method: str, url: str, **kwargs: Any) -> httpx.Response:
    """Send one request; an unreachable or failing data service becomes DataServiceUnavailable."""
    try:
        response = await client.request(method, url, **kwargs)
    except httpx.HTTPError as exc:
        logger.warning("%s %s to the %s failed: %r", method, url, SERVICE_NAME, exc)
        raise DataServiceUnavailable(SERVICE_NAME) from exc
    if response.status_code in RETRYABLE_STATUSES:
        raise DataServiceUnavailable(SERVICE_NAME)
    if response.status_code >= 500:
        raise unexpected(response)
    return response


def read_error(response: httpx.Response) -> Exception:
    """What a refused call means: a conflict, a missing referenced row, or a contract break."""
    try:
        body = response.json()
    except ValueError:
        return unexpected(response)
    if response.status_code == 412:
        return VersionMismatch("Row", response.request.url.path.rsplit("/", 1)[-1])
    if response.status_code == 409 and isinstance(body, dict):
        taken = [str(error.get("pointer", "")) for error in body.get("errors", [])]
        field = taken[0].removeprefix("#/") if taken else ""
        return Conflict(str(body.get("detail", "Conflict.")), field)
    if response.status_code == 422 and isinstance(body, dict):
        for error in body.get("errors", []):
            code = error.get("code")
            if code in ("reference_not_found", "invalid_value"):
                field = str(error.get("pointer", "#")).removeprefix("#").rpartition("/")[2]
                return InvalidValue(field, str(error["detail"]), str(code))
    return unexpected(response)


def parse[M: BaseModel](model: type[M], response: httpx.Response) -> M:
    """The response body as `model`; a body that breaks the contract is a DataServiceError."""
    try:
        return model.model_validate_json(response.content)
    except ValidationError as exc:
        raise unexpected(response) from exc


def unexpected(response: httpx.Response) -> DataServiceError:
    said = ""
    if response.status_code >= 500:
        # Its own explanation of a failure, where it gave one (a schema behind the code, say).
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and isinstance(body.get("detail"), str):
            said = f": {body['detail']}"
    ending = said if said.endswith(".") else f"{said}."
    return DataServiceError(
        f"The {SERVICE_NAME} answered {response.request.method} {response.request.url.path} "
        f"with status {response.status_code}{ending}"
    )


def install(app: FastAPI, settings: Settings) -> None:
    """Nothing to register: the client is opened by the lifespan."""


@asynccontextmanager
async def lifespan(app: FastAPI, settings: Settings) -> AsyncIterator[None]:
    # Tests may put an in-process transport on app.state before startup; modules whose
    # lifespans run earlier may add layers around it.
    transport: httpx.AsyncBaseTransport | None = getattr(app.state, "data_transport", None)
    layers: list[TransportLayer] = getattr(app.state, "data_transport_layers", [])
    app.state.data_client = create_data_client(settings.data, transport, layers)
    try:
        yield
    finally:
        await app.state.data_client.aclose()


async def get_data_client(request: Request) -> httpx.AsyncClient:
    client: httpx.AsyncClient = request.app.state.data_client
    return client
