"""What lives in Redis for sign-in: refresh tokens, revoked access tokens, failed sign-ins.

Refresh tokens are random strings; Redis keeps only their SHA-256. Each use replaces the token
with a new one of the same family; presenting a replaced token again means it was stolen, and
the whole family is revoked. While Redis is down, signing in, refreshing and signing out are
refused (503); access tokens already issued keep working until they expire (minutes), so the
API goes on serving signed-in users, but a sign-out during the outage takes effect only then.
"""

import hashlib
import json
import logging
import secrets
import time
from collections.abc import Awaitable
from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

import redis.asyncio as redis
from redis.exceptions import RedisError

from api_service.application.auth_errors import AuthUnavailable
from api_service.application.auth_errors import NotAuthenticated
from api_service.settings.auth import LoginSettings
from api_service.settings.auth import TokenSettings

logger = logging.getLogger(__name__)

REUSED = "The refresh token was already used; every session of that sign-in is closed."


@dataclass(frozen=True)
class RefreshGrant:
    account_id: UUID
    family: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class RedisSessions:
    def __init__(
        self,
        client: "redis.Redis",
        prefix: str,
        tokens: TokenSettings,
        login: LoginSettings,
    ) -> None:
        self._client = client
        self._prefix = prefix
        self._tokens = tokens
        self._login = login

    def _key(self, *parts: str) -> str:
        return ":".join((self._prefix, "auth", *parts))

    async def _call[T](self, operation: Callable[[], Awaitable[T]]) -> T:
        try:
            return await operation()
        except (RedisError, OSError) as exc:
            raise AuthUnavailable("The session store is unavailable; try again shortly.") from exc

    async def open(self, account_id: UUID, family: str | None = None) -> str:
        """A new refresh token for the account (in `family`, or a new sign-in)."""
        token = secrets.token_urlsafe(32)
        family = family or secrets.token_hex(16)
        grant = json.dumps({"account_id": str(account_id), "family": family})
        key = self._key("refresh", _digest(token))
        ttl = self._tokens.refresh_ttl_s
        await self._call(lambda: self._client.set(key, grant, ex=ttl))
        return token

    async def redeem(self, token: str) -> RefreshGrant:
        """The grant of a refresh token, which is used up; a reused token closes its family."""
        digest = _digest(token)
        raw = await self._call(lambda: self._client.getdel(self._key("refresh", digest)))
        if raw is None:
            family = await self._call(lambda: self._client.get(self._key("used", digest)))
            if family is not None:
                await self.close_family(family.decode() if isinstance(family, bytes) else family)
                raise NotAuthenticated(REUSED)
            raise NotAuthenticated("The refresh token is not valid or has expired.")
        grant = json.loads(raw)
        family = str(grant["family"])
        closed = await self._call(lambda: self._client.exists(self._key("closed", family)))
        if closed:
            raise NotAuthenticated(REUSED)
        ttl = self._tokens.refresh_ttl_s
        await self._call(lambda: self._client.set(self._key("used", digest), family, ex=ttl))
        return RefreshGrant(account_id=UUID(grant["account_id"]), family=family)

    async def close_family(self, family: str) -> None:
        ttl = self._tokens.refresh_ttl_s
        await self._call(lambda: self._client.set(self._key("closed", family), "1", ex=ttl))

    async def revoke_access(self, token_id: str, expires_at: int) -> None:
        remaining = max(1, expires_at - int(time.time()) + self._tokens.leeway_s)
        key = self._key("revoked", token_id)
        await self._call(lambda: self._client.set(key, "1", ex=remaining))

    async def is_revoked(self, token_id: str) -> bool:
        try:
            return bool(await self._client.exists(self._key("revoked", token_id)))
        except (RedisError, OSError) as exc:
            logger.warning("Cannot check token revocation (%r); accepting it until it expires", exc)
            return False

    # LoginGuard: failed sign-ins counted per email; the count locks the account for a while.

    async def locked_for(self, email: str) -> int | None:
        key = self._key("failures", _digest(email))
        failures = await self._call(lambda: self._client.get(key))
        if failures is None or int(failures) < self._login.max_failures:
            return None
        remaining = await self._call(lambda: self._client.ttl(key))
        return max(1, int(remaining))

    async def failed(self, email: str) -> None:
        key = self._key("failures", _digest(email))

        async def count() -> None:
            async with self._client.pipeline(transaction=True) as pipe:
                pipe.incr(key)
                pipe.expire(key, self._login.lockout_s)
                await pipe.execute()

        await self._call(count)

    async def succeeded(self, email: str) -> None:
        await self._call(lambda: self._client.delete(self._key("failures", _digest(email))))
