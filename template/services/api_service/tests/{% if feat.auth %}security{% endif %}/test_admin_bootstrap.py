"""The first admin comes from the command line, and registering first cannot take it over."""

import io
import socket
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import httpx
import pytest
import redis.asyncio
from db_postgres_service.main import create_app as create_data_app
from db_postgres_service.settings import Settings as DataSettings

from api_service import create_admin
from api_service.application.auth_errors import AuthUnavailable
from api_service.application.errors import Conflict
from api_service.infrastructure.auth.sessions import RedisSessions
from api_service.settings import Settings
from tests.conftest import Stack
from tests.conftest import running_stack

OPERATOR_PASSWORD = "first-admin-password-1"
ATTACKER_PASSWORD = "attacker-password-1"
OPS = "ops@example.com"


@pytest.fixture
async def data_transport(database_url: str) -> AsyncIterator[httpx.AsyncBaseTransport]:
    """The data service, as the command reaches it."""
    data_app = create_data_app(DataSettings(database_url=database_url))
    async with data_app.router.lifespan_context(data_app):
        yield httpx.ASGITransport(app=data_app)


@pytest.fixture
async def stack(database_url: str, redis_client: object) -> AsyncIterator[Stack]:
    async with running_stack(database_url, redis_client=redis_client) as stack:
        del stack.api.headers["Authorization"]
        yield stack


async def sign_in(stack: Stack, email: str, password: str) -> httpx.Response:
    form = {"username": email, "password": password}
    return await stack.api.post("/api/v1/auth/token", data=form)


async def role_of(stack: Stack, email: str, password: str) -> str:
    token = (await sign_in(stack, email, password)).json()["access_token"]
    me = await stack.api.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    role: str = me.json()["role"]
    return role


async def test_the_first_admin_is_created_and_can_sign_in(
    stack: Stack, data_transport: httpx.AsyncBaseTransport
) -> None:
    created = await create_admin.create_admin(
        Settings(), "Ops@Example.com", OPERATOR_PASSWORD, data_transport
    )

    assert (created.email, created.role) == (OPS, "admin")
    assert await role_of(stack, OPS, OPERATOR_PASSWORD) == "admin"


async def test_an_address_registered_first_is_not_made_admin(
    stack: Stack, data_transport: httpx.AsyncBaseTransport
) -> None:
    body = {"email": OPS, "password": ATTACKER_PASSWORD}
    assert (await stack.api.post("/api/v1/auth/register", json=body)).status_code == 201

    with pytest.raises(Conflict, match="already registered"):
        await create_admin.create_admin(Settings(), OPS, OPERATOR_PASSWORD, data_transport)

    assert await role_of(stack, OPS, ATTACKER_PASSWORD) == "user"
    assert (await sign_in(stack, OPS, OPERATOR_PASSWORD)).status_code == 401


async def test_taking_over_an_address_replaces_its_password(
    stack: Stack, data_transport: httpx.AsyncBaseTransport, redis_client: Any
) -> None:
    body = {"email": OPS, "password": ATTACKER_PASSWORD}
    assert (await stack.api.post("/api/v1/auth/register", json=body)).status_code == 201
    settings = Settings()
    sessions = RedisSessions(
        redis_client, settings.redis.key_prefix, settings.tokens, settings.login
    )

    await create_admin.create_admin(
        settings, OPS, OPERATOR_PASSWORD, data_transport, existing=True, sessions=sessions
    )

    assert (await sign_in(stack, OPS, ATTACKER_PASSWORD)).status_code == 401
    assert await role_of(stack, OPS, OPERATOR_PASSWORD) == "admin"


async def test_the_bot_gets_a_reader_account(
    stack: Stack, data_transport: httpx.AsyncBaseTransport
) -> None:
    await create_admin.create_admin(
        Settings(), "bot@example.com", OPERATOR_PASSWORD, data_transport, role="reader"
    )

    assert await role_of(stack, "bot@example.com", OPERATOR_PASSWORD) == "reader"


async def test_registration_can_be_closed(
    monkeypatch: pytest.MonkeyPatch, database_url: str, redis_client: object
) -> None:
    monkeypatch.setenv("REGISTRATION_OPEN", "false")
    body = {"email": "eve@example.com", "password": ATTACKER_PASSWORD}

    async with running_stack(database_url, Settings(), redis_client=redis_client) as stack:
        response = await stack.api.post("/api/v1/auth/register", json=body)

    assert response.status_code == 403
    assert "closed" in response.json()["detail"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["not-an-email"], "email is not an email address"),
        (["--role", "reader", "bot@"], "email is not an email address"),
    ],
)
def test_the_command_refuses_bad_input(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    monkeypatch.setenv("ADMIN_PASSWORD", OPERATOR_PASSWORD)

    code = create_admin.main(argv)

    assert code == 2
    assert message in capsys.readouterr().err


def test_the_command_refuses_a_weak_password(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ADMIN_PASSWORD", "short")

    code = create_admin.main([OPS])

    assert code == 2
    assert "password must have" in capsys.readouterr().err


def test_the_command_says_to_start_the_services_first(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ADMIN_PASSWORD", OPERATOR_PASSWORD)
    # A port nothing listens on: the data service is not running.
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    monkeypatch.setenv("DATA_SERVICE_URL", f"http://127.0.0.1:{port}")

    code = create_admin.main([OPS])

    assert code == 1
    error = capsys.readouterr().err
    assert error.startswith(f"Stopped: the data service does not answer at http://127.0.0.1:{port}")
    assert "make run-local" in error
    assert "Traceback" not in error


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_password_typed_twice_differently_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", Terminal())
    typed = iter([OPERATOR_PASSWORD, OPERATOR_PASSWORD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda _prompt: next(typed))

    code = create_admin.main([OPS])

    assert code == 2
    assert capsys.readouterr().err.strip() == create_admin.MISTYPED


def test_a_short_password_is_refused_before_it_is_asked_again(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", Terminal())
    prompts: list[str] = []

    def typed(prompt: str) -> str:
        prompts.append(prompt)
        return "short"

    monkeypatch.setattr("getpass.getpass", typed)

    code = create_admin.main([OPS])

    assert code == 2
    assert prompts == ["Password: "]
    assert "Refused: password must have" in capsys.readouterr().err


def test_the_command_without_a_terminal_asks_for_admin_password(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))

    code = create_admin.main([OPS])

    assert code == 2
    assert "set ADMIN_PASSWORD" in capsys.readouterr().err


async def test_taking_over_an_address_ends_the_former_holders_sessions(
    stack: Stack, data_transport: httpx.AsyncBaseTransport, redis_client: Any
) -> None:
    body = {"email": OPS, "password": ATTACKER_PASSWORD}
    assert (await stack.api.post("/api/v1/auth/register", json=body)).status_code == 201
    attacker = (await sign_in(stack, OPS, ATTACKER_PASSWORD)).json()
    settings = Settings()
    sessions = RedisSessions(
        redis_client, settings.redis.key_prefix, settings.tokens, settings.login
    )

    await create_admin.create_admin(
        settings, OPS, OPERATOR_PASSWORD, data_transport, existing=True, sessions=sessions
    )
    headers = {"Authorization": f"Bearer {attacker['access_token']}"}
    with_access_token = await stack.api.get("/api/v1/auth/me", headers=headers)
    refreshed = await stack.api.post(
        "/api/v1/auth/refresh", json={"refresh_token": attacker["refresh_token"]}
    )

    assert (with_access_token.status_code, refreshed.status_code) == (401, 401)


async def test_the_former_holder_gets_no_admin_token_during_a_takeover(
    stack: Stack, data_transport: httpx.AsyncBaseTransport, redis_client: Any
) -> None:
    body = {"email": OPS, "password": ATTACKER_PASSWORD}
    assert (await stack.api.post("/api/v1/auth/register", json=body)).status_code == 201
    attacker = (await sign_in(stack, OPS, ATTACKER_PASSWORD)).json()
    during: list[int] = []

    class Watched(RedisSessions):
        async def end_every_session(self, account_id: UUID, *, announce: bool = True) -> int:
            # The moment before the former holder's tokens end: refresh and sign in then.
            refresh = {"refresh_token": attacker["refresh_token"]}
            during.append((await stack.api.post("/api/v1/auth/refresh", json=refresh)).status_code)
            during.append((await sign_in(stack, OPS, ATTACKER_PASSWORD)).status_code)
            return await super().end_every_session(account_id, announce=announce)

    settings = Settings()
    sessions = Watched(redis_client, settings.redis.key_prefix, settings.tokens, settings.login)
    await create_admin.create_admin(
        settings, OPS, OPERATOR_PASSWORD, data_transport, existing=True, sessions=sessions
    )

    assert during == [401, 401]
    assert await role_of(stack, OPS, OPERATOR_PASSWORD) == "admin"


async def test_a_takeover_without_the_session_store_changes_nothing(
    stack: Stack, data_transport: httpx.AsyncBaseTransport, capsys: pytest.CaptureFixture[str]
) -> None:
    body = {"email": OPS, "password": ATTACKER_PASSWORD}
    assert (await stack.api.post("/api/v1/auth/register", json=body)).status_code == 201
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    settings = Settings()
    nowhere = redis.asyncio.Redis(host="127.0.0.1", port=port, socket_connect_timeout=1)
    sessions = RedisSessions(nowhere, settings.redis.key_prefix, settings.tokens, settings.login)

    with pytest.raises(AuthUnavailable):
        await create_admin.create_admin(
            settings, OPS, OPERATOR_PASSWORD, data_transport, existing=True, sessions=sessions
        )
    await nowhere.aclose()

    assert await role_of(stack, OPS, ATTACKER_PASSWORD) == "user"


def test_a_url_is_shown_without_its_password() -> None:
    shown = create_admin.shown_url("http://svc:PlainS3cret@127.0.0.1:8001/base")

    assert shown == "http://127.0.0.1:8001/base"


def test_invalid_settings_are_listed_without_their_values(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ADMIN_PASSWORD", OPERATOR_PASSWORD)
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("JWT_SECRET_KEY", "SECRETjwtKEYvalue-0123456789abcdefghijklmnop")
    monkeypatch.setenv("JWT_PREVIOUS_SECRET_KEYS", '["old-short"]')

    code = create_admin.main([OPS])

    error = capsys.readouterr().err
    assert code == 2
    assert error.startswith("Refused: the settings are not valid:")
    assert "SECRETjwt" not in error
    assert "Traceback" not in error
