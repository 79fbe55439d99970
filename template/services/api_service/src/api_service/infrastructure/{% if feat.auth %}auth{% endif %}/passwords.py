"""Password hashes with argon2id (pwdlib's recommended parameters), computed off the event loop.

One check costs a fraction of a second of CPU. Run on the event loop, a burst of sign-ins (no
account needed) would stall every request and websocket of the replica; in worker threads,
at most `concurrency` at a time, the loop goes on serving while sign-ins queue. The queue is
short: past `max_waiting` checks waiting, a new one is refused at once (HashingBusy, a 503
with Retry-After), so that a check that gets a turn gets it within seconds. And one client
address may have only `per_client` checks under way (HashingTurns, a 429): a burst from a few
addresses cannot fill the queue that everyone else's sign-ins wait in.
"""

import logging
import secrets
from collections import Counter
from collections.abc import AsyncIterator
from collections.abc import Callable
from contextlib import asynccontextmanager

import anyio
from anyio import CapacityLimiter
from pwdlib import PasswordHash
from pwdlib.exceptions import UnknownHashError

from api_service.application.auth_errors import HashingBusy
from api_service.application.auth_errors import TooManyAtOnce

logger = logging.getLogger(__name__)


class Argon2Hasher:
    def __init__(self, concurrency: int = 2, max_waiting: int = 8) -> None:
        self._hash = PasswordHash.recommended()
        self._unknown_account_hash = self._hash.hash(secrets.token_urlsafe(16))
        self._limiter = CapacityLimiter(concurrency)
        self._max_waiting = max_waiting
        # Checks running or waiting for a thread.
        self.under_way = 0

    async def hash(self, password: str) -> str:
        return await self._in_turn(self._hash.hash, password)

    async def verify(self, password: str, password_hash: str | None) -> tuple[bool, str | None]:
        return await self._in_turn(self._verify, password, password_hash)

    def refuse_when_full(self) -> None:
        if self.under_way >= self._limiter.total_tokens + self._max_waiting:
            raise HashingBusy("Too many sign-ins at once on this instance; try again shortly.")

    async def _in_turn[T](self, work: Callable[..., T], *args: object) -> T:
        self.refuse_when_full()
        self.under_way += 1
        try:
            return await anyio.to_thread.run_sync(work, *args, limiter=self._limiter)
        finally:
            self.under_way -= 1

    def _verify(self, password: str, password_hash: str | None) -> tuple[bool, str | None]:
        if password_hash is not None:
            try:
                return self._hash.verify_and_update(password, password_hash)
            except UnknownHashError:
                # Not a hash of ours (written around the API): no password matches it.
                logger.warning("A stored password hash is of no known scheme; refusing it")
        self._hash.verify(password, self._unknown_account_hash)
        return False, None


class HashingTurns:
    """How many password checks each client address has under way; at most `per_client`.

    Both limits are checked before a route counts a sign-in attempt or reads an account: a
    refused try costs nothing and counts as no failure.
    """

    def __init__(self, per_client: int, hasher: Argon2Hasher | None = None) -> None:
        self.per_client = per_client
        self.hasher = hasher
        self.under_way: Counter[str] = Counter()

    @asynccontextmanager
    async def of(self, client: str) -> AsyncIterator[None]:
        if self.under_way[client] >= self.per_client:
            raise TooManyAtOnce
        if self.hasher is not None:
            self.hasher.refuse_when_full()
        self.under_way[client] += 1
        try:
            yield
        finally:
            self.under_way[client] -= 1
            if self.under_way[client] <= 0:
                del self.under_way[client]
