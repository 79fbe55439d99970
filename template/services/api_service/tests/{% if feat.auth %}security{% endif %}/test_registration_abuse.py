"""A taken email's 409 tells that the address is registered: each client learns only so many."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from structlog.testing import capture_logs

from api_service.settings import Settings
from tests.accounts import PASSWORD
from tests.conftest import Stack
from tests.conftest import running_stack

REGISTER_URL = "/api/v1/auth/register"
PER_CLIENT = 3
TAKEN = "owner@example.com"


@pytest.fixture
async def stack(
    monkeypatch: pytest.MonkeyPatch, database_url: str, redis_client: Any
) -> AsyncIterator[Stack]:
    monkeypatch.setenv("LOGIN_REGISTRATION_CONFLICTS_PER_CLIENT", str(PER_CLIENT))
    # Concurrent probes meet the count itself, not the cap on one client's checks at once.
    monkeypatch.setenv("LOGIN_HASHING_PER_CLIENT", "10")
    async with running_stack(database_url, Settings(), redis_client=redis_client) as stack:
        owner = await stack.api.post(REGISTER_URL, json=body(TAKEN))
        assert owner.status_code == 201, owner.text
        yield stack


def from_address(stack: Stack, host: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=stack.app, client=(host, 40_000))
    return httpx.AsyncClient(transport=transport, base_url="http://api")


def body(email: str) -> dict[str, str]:
    return {"email": email, "password": PASSWORD}


async def test_probing_for_taken_emails_is_throttled_per_client(stack: Stack) -> None:
    async with (
        from_address(stack, "203.0.113.66") as prober,
        from_address(stack, "198.51.100.7") as other_client,
    ):
        probes = [(await prober.post(REGISTER_URL, json=body(TAKEN))).status_code for _ in range(3)]
        refused = await prober.post(REGISTER_URL, json=body(TAKEN))
        # Once throttled, a new email is refused too: the answers no longer tell them apart.
        new_email = await prober.post(REGISTER_URL, json=body("new@example.com"))
        elsewhere = await other_client.post(REGISTER_URL, json=body(TAKEN))

    assert probes == [409] * PER_CLIENT
    assert (refused.status_code, new_email.status_code) == (429, 429)
    assert refused.json()["code"] == "rate_limited"
    assert refused.json()["detail"].startswith("Too many registrations of taken emails")
    assert 1 <= int(refused.headers["Retry-After"]) <= 3_600
    assert elsewhere.status_code == 409


async def test_new_emails_are_not_counted(stack: Stack) -> None:
    async with from_address(stack, "203.0.113.66") as newcomers:
        created = [
            (await newcomers.post(REGISTER_URL, json=body(f"n{n}@example.com"))).status_code
            for n in range(2 * PER_CLIENT)
        ]
        taken = [(await newcomers.post(REGISTER_URL, json=body(TAKEN))).status_code for _ in "ab"]

    assert created == [201] * 2 * PER_CLIENT
    assert taken == [409, 409]


async def test_concurrent_probes_cannot_outrun_the_count(stack: Stack) -> None:
    async with from_address(stack, "203.0.113.66") as prober:
        answers = await asyncio.gather(
            *(prober.post(REGISTER_URL, json=body(TAKEN)) for _ in range(10))
        )

    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [409] * PER_CLIENT + [429] * (10 - PER_CLIENT)


async def test_a_throttled_registration_is_a_security_event(stack: Stack) -> None:
    with capture_logs() as logs:
        async with from_address(stack, "203.0.113.66") as prober:
            for _ in range(PER_CLIENT + 1):
                await prober.post(REGISTER_URL, json=body(TAKEN))

    [throttled] = [line for line in logs if line.get("action") == "account.registration_throttled"]
    assert (throttled["client"], throttled["log_level"]) == ("203.0.113.66", "warning")
