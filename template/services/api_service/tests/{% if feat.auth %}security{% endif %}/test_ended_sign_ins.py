"""A sign-in that ends takes its access tokens with it, not only its refresh token: signing out,
a reused refresh token and the session cap end every access token of that sign-in at once."""

from typing import Any

import httpx

from api_service.settings.auth import LoginSettings
from tests.accounts import ME
from tests.accounts import PASSWORD
from tests.accounts import sign_in
from tests.accounts import sign_up

REFRESH = "/api/v1/auth/refresh"
LOGOUT = "/api/v1/auth/logout"


def bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def refreshed(client: httpx.AsyncClient, tokens: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(REFRESH, json={"refresh_token": tokens["refresh_token"]})
    assert response.status_code == 200, response.text
    new: dict[str, Any] = response.json()
    return new


async def me(client: httpx.AsyncClient, tokens: dict[str, Any]) -> int:
    return (await client.get(ME, headers=bearer(tokens))).status_code


async def test_signing_out_ends_every_access_token_of_that_sign_in(
    client: httpx.AsyncClient,
) -> None:
    await sign_up(client, "leaving@example.com")
    laptop = await sign_in(client, "leaving@example.com", PASSWORD)
    phone = await sign_in(client, "leaving@example.com", PASSWORD)
    earlier = laptop
    laptop = await refreshed(client, laptop)

    signed_out = await client.post(
        LOGOUT, json={"refresh_token": laptop["refresh_token"]}, headers=bearer(laptop)
    )

    assert signed_out.status_code == 204
    # The access token issued before the refresh is of the same sign-in: it ends too.
    assert (await me(client, earlier), await me(client, laptop)) == (401, 401)
    assert await me(client, phone) == 200


async def test_a_reused_refresh_token_ends_the_access_tokens_of_its_sign_in(
    client: httpx.AsyncClient,
) -> None:
    await sign_up(client, "robbed@example.com")
    stolen = await sign_in(client, "robbed@example.com", PASSWORD)
    thief = await refreshed(client, stolen)

    reused = await client.post(REFRESH, json={"refresh_token": stolen["refresh_token"]})

    assert reused.status_code == 401
    assert (await me(client, thief), await me(client, stolen)) == (401, 401)


async def test_a_sign_in_past_the_cap_ends_the_oldest_ones_access_tokens(
    client: httpx.AsyncClient,
) -> None:
    cap = LoginSettings().max_sessions
    oldest = {"Authorization": await sign_up(client, "crowded@example.com")}
    others = [await sign_in(client, "crowded@example.com", PASSWORD) for _ in range(cap - 1)]
    before = (await client.get(ME, headers=oldest)).status_code

    newest = await sign_in(client, "crowded@example.com", PASSWORD)

    assert before == 200
    assert (await client.get(ME, headers=oldest)).status_code == 401
    assert [await me(client, tokens) for tokens in [*others, newest]] == [200] * cap
