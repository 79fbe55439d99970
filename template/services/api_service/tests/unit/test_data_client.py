"""Retries and error mapping of the client to the data service."""

import asyncio
import contextlib
import json
import time

import httpx
import pytest
from pydantic import HttpUrl

from api_service.application.errors import Conflict
from api_service.application.errors import DataServiceError
from api_service.application.errors import DataServiceUnavailable
from api_service.domain.errors import InvalidValue
from api_service.infrastructure.data_client import RetryingTransport
from api_service.infrastructure.data_client import create_data_client
from api_service.infrastructure.data_client import read_error
from api_service.infrastructure.data_client import send
from api_service.settings.data import DataServiceSettings


class Script:
    """A data service that answers from a list, recording every request it sees."""

    def __init__(self, *answers: int | type[httpx.TransportError]) -> None:
        self.answers = list(answers)
        self.seen: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request.method)
        answer = self.answers.pop(0)
        if isinstance(answer, int):
            return httpx.Response(answer, json={})
        raise answer("scripted failure", request=request)


def client_for(script: Script, retries: int = 2) -> httpx.AsyncClient:
    settings = DataServiceSettings(retries=retries, retry_backoff_s=0)
    return create_data_client(settings, httpx.MockTransport(script))


async def test_reads_are_retried_until_they_succeed() -> None:
    script = Script(503, httpx.RemoteProtocolError, 200)
    async with client_for(script) as client:
        response = await client.get("/v1/things")

    assert response.status_code == 200
    assert script.seen == ["GET", "GET", "GET"]


async def test_retries_are_bounded() -> None:
    script = Script(503, 503, 503, 200)
    async with client_for(script, retries=2) as client:
        response = await client.get("/v1/things/1")

    assert response.status_code == 503
    assert len(script.seen) == 3


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
async def test_a_write_is_not_repeated_after_the_server_may_have_applied_it(method: str) -> None:
    script = Script(503, 200)
    async with client_for(script) as client:
        response = await client.request(method, "/v1/things/1")

    assert response.status_code == 503
    assert script.seen == [method]


async def test_a_post_is_not_repeated_after_the_server_may_have_acted() -> None:
    script = Script(503, 201)
    async with client_for(script) as client:
        response = await client.post("/v1/things", json={})

    assert response.status_code == 503
    assert script.seen == ["POST"]


async def test_a_post_is_retried_when_the_connection_was_refused() -> None:
    script = Script(httpx.ConnectError, 201)
    async with client_for(script) as client:
        response = await client.post("/v1/things", json={})

    assert response.status_code == 201
    assert script.seen == ["POST", "POST"]


async def test_a_post_read_timeout_is_not_retried() -> None:
    script = Script(httpx.ReadTimeout, 201)
    async with client_for(script) as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.post("/v1/things", json={})

    assert script.seen == ["POST"]


@pytest.mark.parametrize("waited_too_long", [httpx.PoolTimeout, httpx.ReadTimeout])
async def test_waiting_too_long_is_not_retried(
    waited_too_long: type[httpx.TransportError],
) -> None:
    """A full pool or a data service that hangs: asking again would only make the caller wait
    another timeout for the same 503."""
    script = Script(waited_too_long, 200)
    async with client_for(script) as client:
        with pytest.raises(DataServiceUnavailable):
            await send(client, "GET", "/v1/things")

    assert script.seen == ["GET"]


async def test_a_full_pool_answers_unavailable_within_the_pool_timeout() -> None:
    release = asyncio.Event()

    async def never_answer(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await release.wait()
        writer.close()

    server = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    settings = DataServiceSettings(
        url=HttpUrl(f"http://127.0.0.1:{port}"), max_connections=1, pool_timeout_s=0.1, retries=0
    )
    async with server, create_data_client(settings) as client:
        holding = asyncio.create_task(send(client, "GET", "/v1/things"))
        await asyncio.sleep(0.05)
        started = time.monotonic()
        with pytest.raises(DataServiceUnavailable):
            await send(client, "GET", "/v1/things")
        waited = time.monotonic() - started
        release.set()
        with contextlib.suppress(DataServiceUnavailable):
            await holding

    assert waited < 1


@pytest.mark.parametrize("answer", [502, 503, 504, httpx.ConnectError, httpx.ReadTimeout])
async def test_an_unreachable_data_service_is_unavailable(
    answer: int | type[httpx.TransportError],
) -> None:
    async with client_for(Script(answer), retries=0) as client:
        with pytest.raises(DataServiceUnavailable):
            await send(client, "GET", "/v1/things")


async def test_an_internal_error_of_the_data_service_is_not_called_unavailable() -> None:
    async with client_for(Script(500), retries=0) as client:
        with pytest.raises(DataServiceError, match="status 500"):
            await send(client, "GET", "/v1/things")


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (409, {"detail": "name 'x' is already taken."}, Conflict),
        (422, {"errors": [{"pointer": "#/a_id", "detail": "gone", "code": "reference_not_found"}]},
         InvalidValue),
        (422, {"errors": [{"pointer": "#", "detail": "unstorable", "code": "invalid_value"}]},
         InvalidValue),
        (422, {"errors": [{"pointer": "#/a", "detail": "bad", "code": "value_error"}]},
         DataServiceError),
        (409, "not json", DataServiceError),
        (418, {}, DataServiceError),
    ],
)  # fmt: skip
def test_refusals_are_read_as_what_they_mean(status: int, body: object, expected: type) -> None:
    request = httpx.Request("POST", "http://data/v1/things")
    content = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    response = httpx.Response(status, content=content, request=request)

    assert isinstance(read_error(response), expected)


async def test_the_transport_closes_the_inner_transport() -> None:
    inner = httpx.AsyncHTTPTransport()
    transport = RetryingTransport(inner, retries=0, backoff_s=0)

    await transport.aclose()

    assert inner._pool.connections == []
