"""Sign-in and authorization: tokens, sessions in Redis, password hashes, owner-scoped data."""

from contextvars import ContextVar
from dataclasses import dataclass
from uuid import UUID

import httpx

from api_service.infrastructure.auth.passwords import Argon2Hasher
from api_service.infrastructure.auth.passwords import HashingTurns
from api_service.infrastructure.auth.security_events import SecurityEvents
from api_service.infrastructure.auth.sessions import RedisSessions
from api_service.infrastructure.auth.tokens import AccessTokens
from api_service.settings.auth import LoginSettings

OWNER_HEADER = "X-Owner-Id"
# The account whose rows the current request may see; None for admins (every row).
OWNER: ContextVar[UUID | None] = ContextVar("owner", default=None)


@dataclass(frozen=True)
class AuthServices:
    tokens: AccessTokens
    sessions: RedisSessions
    hasher: Argon2Hasher
    # Password checks under way per client address (sign-in, registration, password changes).
    hashing_turns: HashingTurns
    login: LoginSettings
    events: SecurityEvents


class OwnerHeaderTransport(httpx.AsyncBaseTransport):
    """Names the current request's owner to the data service, which then scopes every row."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        owner = OWNER.get()
        if owner is None:
            request.headers.pop(OWNER_HEADER, None)
        else:
            request.headers[OWNER_HEADER] = str(owner)
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()
