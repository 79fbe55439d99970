"""Password checks run in threads: a burst of sign-ins leaves the event loop serving."""

import asyncio
import threading
import time
from typing import Any

import pytest
from pwdlib import PasswordHash

from api_service.application.auth_errors import HashingBusy
from api_service.application.auth_errors import Throttled
from api_service.infrastructure.auth.passwords import Argon2Hasher
from api_service.infrastructure.auth.passwords import HashingTurns


async def longest_stall(work: "asyncio.Future[Any]") -> float:
    """The longest the event loop went without running a ready task while `work` ran."""
    longest = 0.0
    while not work.done():
        before = time.perf_counter()
        await asyncio.sleep(0)
        longest = max(longest, time.perf_counter() - before)
    return longest


async def test_checks_run_in_worker_threads_at_most_concurrency_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hasher = Argon2Hasher(concurrency=2)
    stored = await hasher.hash("correct-horse-9")
    original = PasswordHash.verify_and_update
    lock, running, most, threads = threading.Lock(), [0], [0], set()

    def watched(self: PasswordHash, password: str, stored_hash: str) -> Any:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
            threads.add(threading.get_ident())
        try:
            return original(self, password, stored_hash)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(PasswordHash, "verify_and_update", watched)
    results = await asyncio.gather(*(hasher.verify("wrong-horse-9", stored) for _ in range(6)))

    assert [matches for matches, _ in results] == [False] * 6
    assert threading.get_ident() not in threads
    assert 1 <= most[0] <= 2


async def test_a_burst_of_checks_does_not_stall_the_event_loop() -> None:
    hasher = Argon2Hasher(concurrency=2)
    stored = await hasher.hash("correct-horse-9")
    started = time.perf_counter()
    await hasher.verify("wrong-horse-9", stored)
    one_check = time.perf_counter() - started

    burst = asyncio.gather(*(hasher.verify("wrong-horse-9", stored) for _ in range(6)))
    stall = await longest_stall(burst)
    await burst

    # On the loop itself the six checks would stall it for six checks' time.
    assert stall < one_check, (stall, one_check)


async def test_an_unknown_account_costs_a_check_and_fails() -> None:
    hasher = Argon2Hasher()

    assert await hasher.verify("anything-at-all-1", None) == (False, None)


async def test_a_hash_verifies_its_password_only() -> None:
    hasher = Argon2Hasher()
    stored = await hasher.hash("correct-horse-9")

    assert (await hasher.verify("correct-horse-9", stored))[0] is True
    assert (await hasher.verify("correct-horse-8", stored))[0] is False


async def test_a_stored_value_that_is_no_hash_matches_no_password() -> None:
    hasher = Argon2Hasher()

    results = [await hasher.verify(password, "not-a-hash") for password in ("", "not-a-hash")]

    assert results == [(False, None), (False, None)]


async def test_past_the_queue_a_check_is_refused_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    hasher = Argon2Hasher(concurrency=1, max_waiting=1)
    stored = await hasher.hash("correct-horse-9")
    original, release = PasswordHash.verify_and_update, threading.Event()

    def held(self: PasswordHash, password: str, stored_hash: str) -> Any:
        release.wait(10)
        return original(self, password, stored_hash)

    monkeypatch.setattr(PasswordHash, "verify_and_update", held)
    running = asyncio.ensure_future(hasher.verify("wrong-horse-9", stored))
    waiting = asyncio.ensure_future(hasher.verify("wrong-horse-9", stored))
    await asyncio.sleep(0)  # both start: one takes the thread, the other waits for it
    assert hasher.under_way == 2

    with pytest.raises(HashingBusy):
        await hasher.verify("wrong-horse-9", stored)
    release.set()
    assert [matches for matches, _ in await asyncio.gather(running, waiting)] == [False, False]
    assert hasher.under_way == 0


async def test_a_client_has_at_most_its_share_of_checks_under_way() -> None:
    turns = HashingTurns(per_client=2)

    async with turns.of("203.0.113.66"), turns.of("203.0.113.66"):
        with pytest.raises(Throttled) as refused:
            async with turns.of("203.0.113.66"):
                raise AssertionError("a third check was let in")  # pragma: no cover
        async with turns.of("198.51.100.7"):
            assert turns.under_way == {"203.0.113.66": 2, "198.51.100.7": 1}

    assert refused.value.retry_after_s == 1
    assert turns.under_way == {}
