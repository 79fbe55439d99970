"""Password checks run in threads: a burst of sign-ins leaves the event loop serving."""

import asyncio
import time
from typing import Any

from api_service.infrastructure.auth.passwords import Argon2Hasher


async def longest_stall(work: "asyncio.Future[Any]") -> float:
    """The longest the event loop went without running a ready task while `work` ran."""
    longest = 0.0
    while not work.done():
        before = time.perf_counter()
        await asyncio.sleep(0)
        longest = max(longest, time.perf_counter() - before)
    return longest


async def test_a_burst_of_checks_does_not_stall_the_event_loop() -> None:
    hasher = Argon2Hasher(concurrency=2)
    stored = await hasher.hash("correct-horse-9")
    started = time.perf_counter()
    await hasher.verify("wrong-horse-9", stored)
    one_check = time.perf_counter() - started

    burst = asyncio.gather(*(hasher.verify("wrong-horse-9", stored) for _ in range(6)))
    stall = await longest_stall(burst)
    results = await burst

    assert [matches for matches, _ in results] == [False] * 6
    assert stall < one_check / 2, (stall, one_check)


async def test_an_unknown_account_costs_a_check_and_fails() -> None:
    hasher = Argon2Hasher()

    assert await hasher.verify("anything-at-all-1", None) == (False, None)


async def test_a_hash_verifies_its_password_only() -> None:
    hasher = Argon2Hasher()
    stored = await hasher.hash("correct-horse-9")

    assert (await hasher.verify("correct-horse-9", stored))[0] is True
    assert (await hasher.verify("correct-horse-8", stored))[0] is False
