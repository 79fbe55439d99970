"""When the session store fails, nothing is let through that it would have refused: a token
that cannot be checked is refused (503), a burst waits for a connection instead of failing,
and a change that fails halfway has already ended the sessions it must end."""

import asyncio
from collections.abc import Awaitable
from collections.abc import Callable
from typing import Any
from uuid import UUID

import httpx
import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from api_service.application.auth_errors import AuthUnavailable
from api_service.infrastructure.redis_store import create_redis_client
from api_service.settings.redis import RedisSettings
from tests.accounts import ME
from tests.accounts import PASSWORD
from tests.accounts import as_
from tests.accounts import sign_in
from tests.accounts import sign_up

RESET = "/api/v1/auth/password-reset"


def bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def what_is_left_of(client: httpx.AsyncClient, tokens: dict[str, Any]) -> tuple[int, int]:
    """What the access token and the refresh token of a sign-in get now."""
    read = await client.get(ME, headers=bearer(tokens))
    refreshed = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    return read.status_code, refreshed.status_code


def sessions_of(client: httpx.AsyncClient) -> Any:
    transport: Any = client._transport
    return transport.app.state.auth.sessions


def fail_second_call(
    monkeypatch: pytest.MonkeyPatch, sessions: Any
) -> Callable[[UUID], Awaitable[None]]:
    """end_every_session works once, then fails as an unreachable store does."""
    real = sessions.end_every_session
    calls: list[UUID] = []

    async def flaky(account_id: UUID, *, announce: bool = True) -> None:
        calls.append(account_id)
        if len(calls) > 1:
            raise AuthUnavailable("The session store does not answer.")
        await real(account_id, announce=announce)

    monkeypatch.setattr(sessions, "end_every_session", flaky)
    return real  # type: ignore[no-any-return]


async def test_a_token_that_cannot_be_checked_is_refused(
    client: httpx.AsyncClient, redis_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    as_(client, await sign_up(client, "unchecked@example.com"))

    async def unreachable(*_keys: Any) -> Any:
        raise RedisConnectionError("Too many connections")

    monkeypatch.setattr(redis_client, "mget", unreachable)
    refused = await client.get(ME)

    assert refused.status_code == 503
    assert refused.json()["code"] == "auth_unavailable"
    assert refused.headers["Retry-After"] == "1"


async def test_a_burst_past_the_pool_waits_for_a_connection(redis_url: str | None) -> None:
    if redis_url is None:
        pytest.skip("needs a real Redis (redis-server on PATH or TEST_REDIS_URL)")
    client = create_redis_client(RedisSettings(url=redis_url, timeout_s=2))
    try:
        # 150 commands that each hold a connection for 0.2 s, past the pool's 100.
        answers = await asyncio.gather(
            *(client.blpop(["tests:never-pushed"], timeout=0.2) for _ in range(150))
        )
    finally:
        await client.aclose()

    assert answers == [None] * 150


async def test_a_demotion_that_fails_halfway_has_ended_the_sessions_and_is_sent_again(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = client.headers["Authorization"]
    as_(client, await sign_up(client, "promoted@example.com"))
    promoted_id = (await client.get(ME)).json()["id"]
    as_(client, await sign_up(client, "other-admin@example.com"))
    other_id = (await client.get(ME)).json()["id"]
    as_(client, admin)
    # Two admins: the last active one could not be demoted.
    for account in (promoted_id, other_id):
        await client.patch(f"/api/v1/users/{account}", json={"role": "admin"})
    promoted = await sign_in(client, "promoted@example.com", PASSWORD)
    as_(client, admin)
    real = fail_second_call(monkeypatch, sessions_of(client))

    failed = await client.patch(f"/api/v1/users/{promoted_id}", json={"role": "user"})
    during = await client.get("/api/v1/users", headers=bearer(promoted))
    monkeypatch.setattr(sessions_of(client), "end_every_session", real)
    again = await client.patch(f"/api/v1/users/{promoted_id}", json={"role": "user"})
    after = await client.get("/api/v1/users", headers=bearer(promoted))

    assert failed.status_code == 503
    assert during.status_code == 401
    assert again.status_code == 200
    assert after.status_code == 401


async def test_a_reset_that_fails_halfway_has_ended_the_sessions(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = client.headers["Authorization"]
    as_(client, await sign_up(client, "stolen@example.com"))
    account_id = (await client.get(ME)).json()["id"]
    thief = await sign_in(client, "stolen@example.com", PASSWORD)
    as_(client, admin)
    token = (await client.post(f"/api/v1/users/{account_id}/password-reset")).json()
    fail_second_call(monkeypatch, sessions_of(client))

    failed = await client.post(
        RESET, json={"reset_token": token["reset_token"], "new_password": "battery-staple-42"}
    )

    assert failed.status_code == 503
    assert await what_is_left_of(client, thief) == (401, 401)


async def test_a_password_change_that_fails_halfway_has_ended_the_sessions(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    await sign_up(client, "changing@example.com")
    thief = await sign_in(client, "changing@example.com", PASSWORD)
    owner = await sign_in(client, "changing@example.com", PASSWORD)
    fail_second_call(monkeypatch, sessions_of(client))

    failed = await client.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": "battery-staple-42"},
        headers=bearer(owner),
    )

    assert failed.status_code == 503
    assert await what_is_left_of(client, thief) == (401, 401)


async def test_a_reset_token_dies_with_the_sessions_it_was_issued_beside(
    client: httpx.AsyncClient,
) -> None:
    admin = client.headers["Authorization"]
    as_(client, await sign_up(client, "taken-over@example.com"))
    account_id = (await client.get(ME)).json()["id"]
    as_(client, admin)
    token = (await client.post(f"/api/v1/users/{account_id}/password-reset")).json()
    # An admin disables and enables the account again (a takeover, a password change and
    # "sign out everywhere" end the sessions the same way).
    await client.patch(f"/api/v1/users/{account_id}", json={"is_active": False})
    await client.patch(f"/api/v1/users/{account_id}", json={"is_active": True})

    used = await client.post(
        RESET, json={"reset_token": token["reset_token"], "new_password": "battery-staple-42"}
    )

    assert used.status_code == 401
