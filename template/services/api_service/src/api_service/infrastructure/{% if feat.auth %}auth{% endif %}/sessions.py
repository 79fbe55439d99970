"""What lives in Redis for sign-in: refresh tokens, revocations, token versions, failed sign-ins.

Refresh tokens are random strings; Redis keeps only their SHA-256. Each use replaces the token
with a new one of the same family, in one atomic script: presenting a replaced token again
means it was stolen, and the whole family is closed. A family is one sign-in, and its access
tokens carry its id (`sid`): a closed sign-in (signed out, a reused refresh token, or ended by
the session cap) ends its access tokens at once. Each account has a token version: a role
change, a takeover or "sign out everywhere" raises it, and every access and refresh token of an
older version is refused at once. While Redis is down, signing in, refreshing and signing out
are refused (503), and so is every request with a token: none of these checks can run, and a
token accepted without them could be one that was revoked.

Sign-in attempts are counted per account and client before the password is checked, and a
success clears the count: from the LOGIN_MAX_FAILURES-th on, that client waits 1, 2, 4 …
seconds (at most LOGIN_LOCKOUT_S) before its next try, while the account's owner signs in from
anywhere else as usual. Past LOGIN_ACCOUNT_MAX_FAILURES failures of the account from everywhere,
the clients that have not signed in to it within a refresh token's life share one such wait, so
an attacker's many addresses get the tries of one; the owner's usual clients are not slowed.
An admin clears the counts.

An account holds at most LOGIN_MAX_SESSIONS sign-ins: a new one ends its oldest, so nobody who
knows a password can fill this Redis with refresh tokens. A password reset token is single-use,
lives LOGIN_RESET_TTL_S and is the account's only one: issuing another ends the previous.

Whatever ends sign-ins names them on the channel `ended_channel` (the account id, or one
sign-in's id): open WebSockets of theirs check their tokens at once.

Keep this Redis from evicting keys (`maxmemory-policy noeviction`): an evicted revocation or
version would bring a token back to life.
"""

import hashlib
import json
import logging
import math
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
from api_service.infrastructure.auth.session_scripts import ATTEMPT
from api_service.infrastructure.auth.session_scripts import COUNT_REGISTRATION
from api_service.infrastructure.auth.session_scripts import OPEN
from api_service.infrastructure.auth.session_scripts import REDEEM
from api_service.infrastructure.auth.session_scripts import REOPEN
from api_service.infrastructure.auth.session_scripts import SUCCEEDED
from api_service.infrastructure.auth.session_scripts import UNCOUNT_REGISTRATION
from api_service.infrastructure.auth.session_scripts import USE_RESET
from api_service.infrastructure.auth.tokens import Principal
from api_service.settings.auth import LoginSettings
from api_service.settings.auth import TokenSettings

logger = logging.getLogger(__name__)

REUSED = "The refresh token was already used; every session of that sign-in is closed."
CLOSED = "This sign-in is closed (signed out, or a used refresh token came back); sign in again."
STALE = "The account changed since this sign-in (role, status or sign-out everywhere)."


@dataclass(frozen=True)
class RefreshGrant:
    account_id: UUID
    family: str
    version: int


def new_sign_in() -> str:
    """The id of a new sign-in: its refresh tokens' family, and its access tokens' `sid`."""
    return secrets.token_hex(16)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class RedisSessions:
    def __init__(
        self,
        client: "redis.Redis",
        prefix: str,
        tokens: TokenSettings,
        login: LoginSettings,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._client = client
        self._prefix = prefix
        self._tokens = tokens
        self._login = login
        self._clock = clock
        self._redeem = client.register_script(REDEEM)
        self._attempt = client.register_script(ATTEMPT)
        self._succeeded = client.register_script(SUCCEEDED)
        self._open = client.register_script(OPEN)
        self._reopen = client.register_script(REOPEN)
        self._use_reset = client.register_script(USE_RESET)
        self._count_registration = client.register_script(COUNT_REGISTRATION)
        self._uncount_registration = client.register_script(UNCOUNT_REGISTRATION)
        self.ended_channel = self._key("ended")

    @property
    def client(self) -> "redis.Redis":
        return self._client

    def _key(self, *parts: str) -> str:
        return ":".join((self._prefix, "auth", *parts))

    async def _call[T](self, operation: Callable[[], Awaitable[T]]) -> T:
        try:
            return await operation()
        except (RedisError, OSError) as exc:
            logger.warning(
                "The session store does not answer (%r): signing in and requests with a token"
                " answer 503 until the Redis at AUTH_REDIS_URL (else REDIS_URL) does (locally:"
                " make redis-local)",
                exc,
            )
            unavailable = "Sign-in is unavailable: the session store does not answer; try again."
            raise AuthUnavailable(unavailable) from exc

    async def answers(self) -> bool:
        """/ready's check: sign-in, refresh and sign-out need the session store."""
        try:
            return bool(await self._client.ping())
        except (RedisError, OSError):
            return False

    # Token versions: tokens carry the version of their account when they were issued.

    async def version(self, account_id: UUID) -> int:
        raw = await self._call(lambda: self._client.get(self._key("version", str(account_id))))
        return int(raw or 0)

    async def end_every_session(self, account_id: UUID, *, announce: bool = True) -> int:
        """Every access and refresh token the account holds stops working now, and so does a
        reset token issued before: it was meant for whoever held the account then. Announced
        on the ended channel unless told not to (an end that may yet be undone)."""
        version = self._key("version", str(account_id))
        reset = self._key("reset", str(account_id))

        async def run() -> int:
            async with self._client.pipeline(transaction=True) as pipe:
                pipe.incr(version)
                pipe.delete(reset)
                if announce:
                    pipe.publish(self.ended_channel, str(account_id))
                raised, *_ = await pipe.execute()
            return int(raised)

        return await self._call(run)

    async def reopen_sessions(self, account_id: UUID, version: int) -> None:
        keys = [self._key("version", str(account_id))]
        await self._call(lambda: self._reopen(keys=keys, args=[version]))

    async def is_current(self, principal: Principal) -> bool:
        """Not revoked, of the account's current version, and its sign-in still open."""
        keys = [
            self._key("revoked", principal.token_id),
            self._key("version", str(principal.account_id)),
            self._key("closed", principal.sign_in),
        ]
        revoked, current, closed = await self._call(lambda: self._client.mget(keys))
        return revoked is None and closed is None and int(current or 0) == principal.version

    # Refresh tokens

    async def open(self, account_id: UUID, version: int, family: str) -> str:
        """A new refresh token for the account, in the sign-in `family` (see new_sign_in)."""
        token = secrets.token_urlsafe(32)
        grant = json.dumps({"account_id": str(account_id), "family": family, "version": version})
        digest = _digest(token)
        account = str(account_id)
        keys = [
            self._key("refresh", digest),
            self._key("signins", account),
            self._key("signin-order", account),
        ]
        args: list[str | float] = [
            grant,
            self._tokens.refresh_ttl_s,
            family,
            digest,
            self._clock(),
            self._login.max_sessions,
            self._key("refresh", ""),
            self._key("closed", ""),
            self.ended_channel,
        ]
        await self._call(lambda: self._open(keys=keys, args=args))
        return token

    async def redeem(self, token: str) -> RefreshGrant:
        """The grant of a refresh token, which is used up; a reused token closes its family."""
        digest = _digest(token)
        keys = [self._key("refresh", digest), self._key("used", digest)]
        args: list[str | int] = [
            self._key("closed", ""),
            self._tokens.refresh_ttl_s,
            self.ended_channel,
        ]
        outcome, value = await self._call(lambda: self._redeem(keys=keys, args=args))
        outcome = outcome.decode() if isinstance(outcome, bytes) else outcome
        if outcome == "reused":
            raise NotAuthenticated(REUSED)
        if outcome == "closed":
            raise NotAuthenticated(CLOSED)
        if outcome != "ok":
            raise NotAuthenticated("The refresh token is not valid or has expired.")
        grant = json.loads(value)
        account_id = UUID(grant["account_id"])
        version = int(grant.get("version", 0))
        if version != await self.version(account_id):
            raise NotAuthenticated(STALE)
        return RefreshGrant(account_id=account_id, family=str(grant["family"]), version=version)

    async def holder_of(self, token: str) -> UUID | None:
        """The account a refresh token was issued to, without using it up; None when unknown."""
        key = self._key("refresh", _digest(token))
        raw = await self._call(lambda: self._client.get(key))
        return UUID(json.loads(raw)["account_id"]) if raw else None

    async def close_family(self, family: str) -> None:
        ttl = self._tokens.refresh_ttl_s

        async def run() -> None:
            async with self._client.pipeline(transaction=True) as pipe:
                pipe.set(self._key("closed", family), "1", ex=ttl)
                pipe.publish(self.ended_channel, family)
                await pipe.execute()

        await self._call(run)

    async def revoke_access(self, token_id: str, expires_at: int) -> None:
        remaining = max(1, expires_at - int(self._clock()) + self._tokens.leeway_s)
        key = self._key("revoked", token_id)
        await self._call(lambda: self._client.set(key, "1", ex=remaining))

    # Password reset tokens: "<account id>.<random>", only the digest is kept.

    async def issue_reset(self, account_id: UUID) -> str:
        token = f"{account_id}.{secrets.token_urlsafe(32)}"
        key = self._key("reset", str(account_id))
        ttl = self._login.reset_ttl_s
        await self._call(lambda: self._client.set(key, _digest(token), ex=ttl))
        return token

    async def use_reset(self, token: str) -> UUID:
        """The account the reset token is for; the token is used up."""
        account, _, secret = token.partition(".")
        try:
            account_id = UUID(account)
        except ValueError:
            account_id = None
        if account_id is not None and secret:
            keys = [self._key("reset", str(account_id))]
            used = await self._call(lambda: self._use_reset(keys=keys, args=[_digest(token)]))
            if int(used) == 1:
                return account_id
        raise NotAuthenticated("The reset token is not valid, was used or has expired.")

    # LoginGuard: sign-in attempts per account, one count and one wait per client.

    def _failures(self, email: str) -> str:
        return self._key("failures", _digest(email))

    def _known_clients(self, email: str) -> str:
        return self._key("known-clients", _digest(email))

    async def attempt(self, email: str, client: str) -> int | None:
        keys = [self._failures(email), self._known_clients(email)]
        login = self._login
        args: list[str | float] = [
            client,
            self._clock(),
            login.max_failures,
            login.lockout_s,
            # Remembered past the longest wait: waiting it out does not start the count over.
            2 * login.lockout_s,
            login.account_max_failures,
        ]
        answer = await self._call(lambda: self._attempt(keys=keys, args=args))
        remaining = float(answer or 0)
        return max(1, math.ceil(remaining)) if remaining > 0 else None

    async def succeeded(self, email: str, client: str) -> None:
        """The client's count starts over, and the account knows it for a refresh token's life."""
        keys = [self._failures(email), self._known_clients(email)]
        args: list[str | int] = [client, self._tokens.refresh_ttl_s]
        await self._call(lambda: self._succeeded(keys=keys, args=args))

    async def clear_failures(self, email: str) -> None:
        await self._call(lambda: self._client.delete(self._failures(email)))

    # RegistrationGuard: registrations of taken emails per client, in a fixed window.

    def _registrations(self, client: str) -> str:
        return self._key("registrations", _digest(client))

    async def registration_attempt(self, client: str) -> int | None:
        keys = [self._registrations(client)]
        login = self._login
        args = [login.registration_window_s, login.registration_conflicts_per_client]
        wait = int(await self._call(lambda: self._count_registration(keys=keys, args=args)))
        return max(1, wait) if wait else None

    async def registration_was_new(self, client: str) -> None:
        keys = [self._registrations(client)]
        await self._call(lambda: self._uncount_registration(keys=keys))
