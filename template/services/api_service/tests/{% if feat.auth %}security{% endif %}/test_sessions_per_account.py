"""One account keeps at most LOGIN_MAX_SESSIONS sign-ins: a new one ends the oldest, so a
password holder cannot fill the session store, which never evicts."""

from typing import Any

import httpx

from api_service.settings.auth import LoginSettings
from api_service.settings.redis import RedisSettings
from tests.accounts import ME
from tests.accounts import PASSWORD
from tests.accounts import as_
from tests.accounts import sign_in
from tests.accounts import sign_up

REFRESH = "/api/v1/auth/refresh"


async def test_a_sign_in_past_the_cap_ends_the_oldest(
    client: httpx.AsyncClient, redis_client: Any
) -> None:
    cap = LoginSettings().max_sessions
    as_(client, await sign_up(client, "busy@example.com"))
    account_id = (await client.get(ME)).json()["id"]
    sessions = [await sign_in(client, "busy@example.com", PASSWORD) for _ in range(cap + 1)]
    prefix = f"{RedisSettings().key_prefix}:auth"
    kept = await redis_client.hlen(f"{prefix}:signins:{account_id}")

    refreshed = [
        (await client.post(REFRESH, json={"refresh_token": tokens["refresh_token"]})).status_code
        for tokens in sessions
    ]

    # sign_up's own sign-in and the first of these are the oldest two.
    assert kept == cap
    assert refreshed == [401] + [200] * cap


async def test_refreshing_keeps_a_sign_in_in_its_place(client: httpx.AsyncClient) -> None:
    cap = LoginSettings().max_sessions
    await sign_up(client, "steady@example.com")
    first = await sign_in(client, "steady@example.com", PASSWORD)
    for _ in range(5):
        first = (await client.post(REFRESH, json={"refresh_token": first["refresh_token"]})).json()
    # With sign_up's own sign-in, one more than the cap: sign_up's, the oldest, ends.
    others = [await sign_in(client, "steady@example.com", PASSWORD) for _ in range(cap - 1)]

    still = await client.post(REFRESH, json={"refresh_token": first["refresh_token"]})
    newest = await client.post(REFRESH, json={"refresh_token": others[-1]["refresh_token"]})

    assert (still.status_code, newest.status_code) == (200, 200)
