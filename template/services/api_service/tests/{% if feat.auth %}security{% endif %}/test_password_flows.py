"""Changing a password needs the current one and ends every session; an admin's reset token
sets a new one once, for a short while, and only the latest works."""

import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from api_service.infrastructure.auth.accounts import HttpAccountRepository
from api_service.settings.auth import LoginSettings
from api_service.settings.redis import RedisSettings
from tests.accounts import ME
from tests.accounts import PASSWORD
from tests.accounts import as_
from tests.accounts import sign_in
from tests.accounts import sign_up
from tests.conftest import running_stack

CHANGE = "/api/v1/auth/password"
RESET = "/api/v1/auth/password-reset"
REFRESH = "/api/v1/auth/refresh"
TOKEN = "/api/v1/auth/token"
NEW_PASSWORD = "battery-staple-42"


@pytest.fixture
def sign_in_clock() -> Callable[[], float]:
    # Waits are counted on a stopped clock: however slow the machine, a wait has not ended yet.
    stopped = time.time()
    return lambda: stopped


async def account_of(client: httpx.AsyncClient, email: str) -> tuple[str, dict[str, Any]]:
    """Registers the account; its id and a sign-in's tokens."""
    admin = client.headers["Authorization"]
    as_(client, await sign_up(client, email))
    account_id: str = (await client.get(ME)).json()["id"]
    tokens = await sign_in(client, email, PASSWORD)
    as_(client, admin)
    return account_id, tokens


async def signs_in(client: httpx.AsyncClient, email: str, password: str) -> int:
    response = await client.post(TOKEN, data={"username": email, "password": password})
    return response.status_code


async def test_a_password_change_needs_the_current_one_and_ends_every_session(
    client: httpx.AsyncClient,
) -> None:
    _, tokens = await account_of(client, "ada@example.com")
    as_(client, f"Bearer {tokens['access_token']}")

    wrong = await client.post(
        CHANGE, json={"current_password": "not-my-password-1", "new_password": NEW_PASSWORD}
    )
    weak = await client.post(CHANGE, json={"current_password": PASSWORD, "new_password": "short"})
    changed = await client.post(
        CHANGE, json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )
    old_access = await client.get(ME)
    old_refresh = await client.post(REFRESH, json={"refresh_token": tokens["refresh_token"]})

    assert wrong.status_code == 403
    assert weak.status_code == 422
    assert changed.status_code == 204
    assert (old_access.status_code, old_refresh.status_code) == (401, 401)
    assert await signs_in(client, "ada@example.com", PASSWORD) == 401
    assert await signs_in(client, "ada@example.com", NEW_PASSWORD) == 200


async def test_guessing_the_current_password_is_slowed_down_like_signing_in(
    client: httpx.AsyncClient,
) -> None:
    _, tokens = await account_of(client, "stolen@example.com")
    as_(client, f"Bearer {tokens['access_token']}")
    guesses = [
        (
            await client.post(
                CHANGE, json={"current_password": f"guess-{n}-abc", "new_password": NEW_PASSWORD}
            )
        ).status_code
        for n in range(6)
    ]

    assert guesses[:5] == [403] * 5
    assert guesses[5] == 429


async def test_a_reset_token_sets_a_new_password_once_and_ends_every_session(
    client: httpx.AsyncClient,
) -> None:
    account_id, tokens = await account_of(client, "forgot@example.com")
    issued = await client.post(f"/api/v1/users/{account_id}/password-reset")
    reset_token = issued.json()["reset_token"]
    del client.headers["Authorization"]

    weak = await client.post(RESET, json={"reset_token": reset_token, "new_password": "short"})
    reset = await client.post(
        RESET, json={"reset_token": reset_token, "new_password": NEW_PASSWORD}
    )
    again = await client.post(
        RESET, json={"reset_token": reset_token, "new_password": "other-password-7"}
    )
    old_refresh = await client.post(REFRESH, json={"refresh_token": tokens["refresh_token"]})

    assert issued.status_code == 201
    assert 0 < issued.json()["expires_in"] <= 7 * 86_400
    assert weak.status_code == 422  # a refused password does not use the token up
    assert reset.status_code == 204
    assert again.status_code == 401
    assert old_refresh.status_code == 401
    assert await signs_in(client, "forgot@example.com", PASSWORD) == 401
    assert await signs_in(client, "forgot@example.com", NEW_PASSWORD) == 200


async def test_only_the_latest_reset_token_works_and_only_for_a_while(
    client: httpx.AsyncClient, redis_client: Any
) -> None:
    account_id, _ = await account_of(client, "twice@example.com")
    first = (await client.post(f"/api/v1/users/{account_id}/password-reset")).json()
    second = (await client.post(f"/api/v1/users/{account_id}/password-reset")).json()
    lives_s = await redis_client.ttl(f"{RedisSettings().key_prefix}:auth:reset:{account_id}")
    del client.headers["Authorization"]

    with_first = await client.post(
        RESET, json={"reset_token": first["reset_token"], "new_password": NEW_PASSWORD}
    )
    with_second = await client.post(
        RESET, json={"reset_token": second["reset_token"], "new_password": NEW_PASSWORD}
    )

    assert (with_first.status_code, with_second.status_code) == (401, 204)
    assert 0 < lives_s <= LoginSettings().reset_ttl_s


async def test_reset_tokens_are_refused_when_made_up_or_asked_for_by_a_non_admin(
    client: httpx.AsyncClient,
) -> None:
    account_id, _ = await account_of(client, "victim@example.com")
    _, intruder = await account_of(client, "intruder@example.com")
    as_(client, f"Bearer {intruder['access_token']}")

    not_admin = await client.post(f"/api/v1/users/{account_id}/password-reset")
    made_up = [
        await client.post(RESET, json={"reset_token": token, "new_password": NEW_PASSWORD})
        for token in (f"{account_id}.guess", "not-a-token", f"{account_id}.", ".x")
    ]

    assert not_admin.status_code == 403
    assert [response.status_code for response in made_up] == [401] * 4
    assert await signs_in(client, "victim@example.com", PASSWORD) == 200


async def test_a_hash_upgraded_at_sign_in_never_overwrites_a_password_set_meanwhile(
    database_url: str,
) -> None:
    async with running_stack(database_url) as stack:
        accounts = HttpAccountRepository(stack.data)
        account = await accounts.add("slow@example.com", "hash-read-at-sign-in", "user")
        await accounts.change(account.id, password_hash="hash-set-meanwhile")

        late = await accounts.upgrade_hash(account.id, "hash-read-at-sign-in", "upgraded")
        stored = await accounts.get(account.id)
        current = await accounts.upgrade_hash(account.id, "hash-set-meanwhile", "upgraded")

    assert late is False
    assert stored is not None
    assert stored.password_hash == "hash-set-meanwhile"
    assert current is True
