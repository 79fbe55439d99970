"""Password hashes with argon2id (pwdlib's recommended parameters), computed off the event loop.

One check costs a fraction of a second of CPU. Run on the event loop, a burst of sign-ins (no
account needed) would stall every request and websocket of the replica; in worker threads,
at most `concurrency` at a time, the loop goes on serving while sign-ins queue.
"""

import logging
import secrets

import anyio
from anyio import CapacityLimiter
from pwdlib import PasswordHash
from pwdlib.exceptions import UnknownHashError

logger = logging.getLogger(__name__)


class Argon2Hasher:
    def __init__(self, concurrency: int = 2) -> None:
        self._hash = PasswordHash.recommended()
        self._unknown_account_hash = self._hash.hash(secrets.token_urlsafe(16))
        self._limiter = CapacityLimiter(concurrency)

    async def hash(self, password: str) -> str:
        return await anyio.to_thread.run_sync(self._hash.hash, password, limiter=self._limiter)

    async def verify(self, password: str, password_hash: str | None) -> tuple[bool, str | None]:
        return await anyio.to_thread.run_sync(
            self._verify, password, password_hash, limiter=self._limiter
        )

    def _verify(self, password: str, password_hash: str | None) -> tuple[bool, str | None]:
        if password_hash is not None:
            try:
                return self._hash.verify_and_update(password, password_hash)
            except UnknownHashError:
                # Not a hash of ours (written around the API): no password matches it.
                logger.warning("A stored password hash is of no known scheme; refusing it")
        self._hash.verify(password, self._unknown_account_hash)
        return False, None
