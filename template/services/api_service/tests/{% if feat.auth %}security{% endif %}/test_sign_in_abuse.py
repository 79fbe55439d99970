"""Wrong passwords slow down the client that sends them, never lock the account's owner out."""

import asyncio
import time
from collections.abc import AsyncIterator
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from api_service.infrastructure.auth.sessions import RedisSessions
from api_service.settings import Settings
from api_service.settings.auth import LoginSettings
from api_service.settings.auth import TokenSettings
from tests.accounts import ME
from tests.accounts import PASSWORD
from tests.accounts import sign_up
from tests.conftest import Stack
from tests.conftest import running_stack

EMAIL = "target@example.com"
WRONG = {"username": EMAIL, "password": "wrong-password-1"}
RIGHT = {"username": EMAIL, "password": PASSWORD}
TOKEN_URL = "/api/v1/auth/token"


@pytest.fixture
def sign_in_clock() -> Callable[[], float]:
    # Waits are counted on a stopped clock: however slow the machine, a wait has not ended yet.
    stopped = time.time()
    return lambda: stopped


@pytest.fixture
async def stack(
    database_url: str, redis_client: Any, sign_in_clock: Callable[[], float]
) -> AsyncIterator[Stack]:
    async with running_stack(
        database_url, redis_client=redis_client, sign_in_clock=sign_in_clock
    ) as stack:
        yield stack


def from_address(stack: Stack, host: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=stack.app, client=(host, 40_000))
    return httpx.AsyncClient(transport=transport, base_url="http://api")


async def test_failures_slow_down_their_client_and_not_the_owner(stack: Stack) -> None:
    await sign_up(stack.api, EMAIL)
    async with (
        from_address(stack, "203.0.113.66") as attacker,
        from_address(stack, "198.51.100.7") as owner,
    ):
        failures = [(await attacker.post(TOKEN_URL, data=WRONG)).status_code for _ in range(5)]
        waiting = await attacker.post(TOKEN_URL, data=RIGHT)
        owner_signs_in = await owner.post(TOKEN_URL, data=RIGHT)

    assert failures == [401] * 5
    assert waiting.status_code == 429
    assert int(waiting.headers["Retry-After"]) >= 1
    assert owner_signs_in.status_code == 200


async def test_addresses_of_one_ipv6_network_share_one_count(stack: Stack) -> None:
    await sign_up(stack.api, EMAIL)
    async with (
        from_address(stack, "2001:db8:1:2::66") as attacker,
        from_address(stack, "2001:db8:1:2:ffff::7") as same_network,
        from_address(stack, "2001:db8:1:3::7") as next_network,
    ):
        for _ in range(5):
            await attacker.post(TOKEN_URL, data=WRONG)
        neighbour = await same_network.post(TOKEN_URL, data=RIGHT)
        elsewhere = await next_network.post(TOKEN_URL, data=RIGHT)

    assert (neighbour.status_code, elsewhere.status_code) == (429, 200)


async def test_failures_outlive_the_longest_wait(redis_client: Any) -> None:
    now = [1_000.0]
    login = LoginSettings(max_failures=1, lockout_s=2)
    sessions = RedisSessions(
        redis_client, Settings().redis.key_prefix, TokenSettings(), login, clock=lambda: now[0]
    )
    attacker = "203.0.113.66"
    waits = [await sessions.attempt(EMAIL, attacker) for _ in range(2)]
    now[0] += 1.1
    waits += [await sessions.attempt(EMAIL, attacker) for _ in range(2)]
    # The longest wait is over, on the service's clock and in Redis's own time.
    now[0] += 2.1
    await asyncio.sleep(2.1)
    waits += [await sessions.attempt(EMAIL, attacker) for _ in range(2)]

    # Still the longest wait: the count did not start over.
    assert waits == [None, 1, None, 2, None, 2]


async def test_an_admin_clears_an_accounts_failures(stack: Stack) -> None:
    admin = stack.api.headers["Authorization"]
    stack.api.headers["Authorization"] = await sign_up(stack.api, EMAIL)
    account_id = (await stack.api.get(ME)).json()["id"]
    stack.api.headers["Authorization"] = admin
    async with from_address(stack, "203.0.113.66") as attacker:
        for _ in range(5):
            await attacker.post(TOKEN_URL, data=WRONG)
        assert (await attacker.post(TOKEN_URL, data=RIGHT)).status_code == 429

        cleared = await stack.api.delete(f"/api/v1/users/{account_id}/sign-in-failures")
        again = await attacker.post(TOKEN_URL, data=RIGHT)
        missing = await stack.api.delete(
            "/api/v1/users/00000000-0000-4000-8000-000000000000/sign-in-failures"
        )

    assert cleared.status_code == 204
    assert again.status_code == 200
    assert missing.status_code == 404


async def test_waits_double_with_each_failure_up_to_the_longest(redis_client: Any) -> None:
    now = [1_000.0]
    login = LoginSettings(max_failures=2, lockout_s=5)
    sessions = RedisSessions(
        redis_client,
        Settings().redis.key_prefix,
        TokenSettings(),
        login,
        clock=lambda: now[0],
    )
    attacker, owner = "203.0.113.66", "198.51.100.7"
    first = [await sessions.attempt(EMAIL, attacker) for _ in range(3)]
    waits: list[int | None] = []
    for waited in (1, 2, 4, 5):
        now[0] += waited + 0.1
        assert await sessions.attempt(EMAIL, attacker) is None
        waits.append(await sessions.attempt(EMAIL, attacker))

    assert first == [None, None, 1]
    assert waits == [2, 4, 5, 5]
    assert await sessions.attempt(EMAIL, owner) is None
    await sessions.succeeded(EMAIL, attacker)
    assert await sessions.attempt(EMAIL, attacker) is None


async def test_concurrent_guesses_cannot_outrun_the_count(stack: Stack) -> None:
    await sign_up(stack.api, EMAIL)
    # Every guess reaches the count: not refused first for too many checks at once.
    stack.app.state.auth.hashing_turns.per_client = 20
    async with from_address(stack, "203.0.113.66") as attacker:
        answers = await asyncio.gather(*(attacker.post(TOKEN_URL, data=WRONG) for _ in range(20)))

    statuses = [answer.status_code for answer in answers]
    assert statuses.count(401) == 5, statuses
    assert statuses.count(429) == 15


async def test_behind_the_gateway_the_real_client_is_throttled(
    monkeypatch: pytest.MonkeyPatch,
    database_url: str,
    redis_client: Any,
    sign_in_clock: Callable[[], float],
) -> None:
    monkeypatch.setenv("RATE_LIMIT_TRUST_PROXY_HEADERS", "true")
    async with running_stack(
        database_url, Settings(), redis_client=redis_client, sign_in_clock=sign_in_clock
    ) as stack:
        await sign_up(stack.api, EMAIL)
        attacker = {"X-Real-IP": "203.0.113.66"}
        for _ in range(5):
            await stack.api.post(TOKEN_URL, data=WRONG, headers=attacker)
        waiting = await stack.api.post(TOKEN_URL, data=RIGHT, headers=attacker)
        owner = await stack.api.post(TOKEN_URL, data=RIGHT, headers={"X-Real-IP": "198.51.100.7"})

    assert (waiting.status_code, owner.status_code) == (429, 200)


async def test_a_client_with_its_share_of_checks_under_way_waits_and_others_do_not(
    stack: Stack,
) -> None:
    await sign_up(stack.api, EMAIL)
    turns = stack.app.state.auth.hashing_turns
    async with (
        from_address(stack, "203.0.113.66") as busy,
        from_address(stack, "198.51.100.7") as other,
        turns.of("203.0.113.66"),
        turns.of("203.0.113.66"),
    ):
        refused = await busy.post(TOKEN_URL, data=RIGHT)
        signed_in = await other.post(TOKEN_URL, data=RIGHT)

    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "1"
    assert "at once" in refused.json()["detail"]
    assert signed_in.status_code == 200


async def test_past_the_instances_queue_of_checks_a_sign_in_is_refused_at_once(
    stack: Stack,
) -> None:
    await sign_up(stack.api, EMAIL)
    hasher = stack.app.state.auth.hasher
    hasher.under_way += 1_000  # as if that many checks ran or waited
    try:
        # More than the failures that make a client wait: refused ones must not count.
        refused = [await stack.api.post(TOKEN_URL, data=WRONG) for _ in range(7)]
    finally:
        hasher.under_way -= 1_000

    assert {answer.status_code for answer in refused} == {503}
    assert refused[0].headers["Retry-After"] == "1"
    assert refused[0].json()["code"] == "sign_in_busy"
    assert (await stack.api.post(TOKEN_URL, data=RIGHT)).status_code == 200


async def test_many_addresses_share_one_wait_and_the_owners_client_none(
    redis_client: Any,
) -> None:
    now = [1_000.0]
    login = LoginSettings(max_failures=5, account_max_failures=3, lockout_s=60)
    sessions = RedisSessions(
        redis_client, Settings().redis.key_prefix, TokenSettings(), login, clock=lambda: now[0]
    )
    owner = "198.51.100.7"
    assert await sessions.attempt(EMAIL, owner) is None
    await sessions.succeeded(EMAIL, owner)

    botnet = [f"203.0.113.{n}" for n in range(1, 7)]
    waits = [await sessions.attempt(EMAIL, address) for address in botnet]
    owners_try = await sessions.attempt(EMAIL, owner)
    await sessions.succeeded(EMAIL, owner)
    now[0] += 1.1
    after_the_wait = [await sessions.attempt(EMAIL, address) for address in botnet[:2]]

    # Each address failed once only, yet from the account's third failure on they wait, and
    # the shared wait doubles with each failure past it.
    assert waits == [None, None, None, 1, 1, 1]
    assert owners_try is None
    assert after_the_wait == [None, 2]


async def test_a_success_takes_back_its_attempt_from_the_accounts_count(
    redis_client: Any,
) -> None:
    login = LoginSettings(account_max_failures=2)
    sessions = RedisSessions(redis_client, Settings().redis.key_prefix, TokenSettings(), login)
    for _ in range(5):
        assert await sessions.attempt(EMAIL, "198.51.100.7") is None
        await sessions.succeeded(EMAIL, "198.51.100.7")

    assert await sessions.attempt(EMAIL, "203.0.113.9") is None
