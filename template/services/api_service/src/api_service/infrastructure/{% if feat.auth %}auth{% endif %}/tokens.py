"""Short-lived access tokens: JWTs signed with HS256, every claim checked."""

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

import jwt

from api_service.application.auth_errors import NotAuthenticated
from api_service.domain.accounts import ROLES
from api_service.domain.accounts import Account
from api_service.domain.accounts import Role
from api_service.settings.auth import TokenSettings

# Pinned: a token naming another algorithm (`none`, RS256 with the key as a public key) fails.
ALGORITHM = "HS256"
REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud", "sub", "jti", "role", "typ", "ver", "sid"]
ACCESS = "access"


@dataclass(frozen=True)
class Principal:
    """Who a valid access token speaks for."""

    account_id: UUID
    role: Role
    token_id: str
    expires_at: int
    # The account's token version when it was issued; a newer one ends this token.
    version: int
    # The sign-in it came from: signing out, a reused refresh token or the session cap ends it.
    sign_in: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def sees_every_row(self) -> bool:
        return self.role in ("admin", "reader")

    @property
    def may_write(self) -> bool:
        return self.role != "reader"


class AccessTokens:
    def __init__(self, settings: TokenSettings, clock: Callable[[], float] = time.time) -> None:
        self._settings = settings
        self._clock = clock

    @property
    def ttl_s(self) -> int:
        return self._settings.access_ttl_s

    def issue(self, account: Account, version: int, sign_in: str) -> str:
        now = int(self._clock())
        claims = {
            "sub": str(account.id),
            "role": account.role,
            "typ": ACCESS,
            "iss": self._settings.issuer,
            "aud": self._settings.audience,
            "iat": now,
            "exp": now + self._settings.access_ttl_s,
            "jti": uuid.uuid4().hex,
            "ver": version,
            "sid": sign_in,
        }
        return jwt.encode(claims, self._settings.secret_key.get_secret_value(), ALGORITHM)

    def verify(self, token: str) -> Principal:
        if not token.isascii():
            # A JWT is ASCII; anything else (a lone surrogate, say) is no token, not a crash.
            raise NotAuthenticated("The token is not valid: it is not a JWT.")
        keys = [self._settings.secret_key, *self._settings.previous_secret_keys]
        for index, key in enumerate(keys):
            try:
                claims = jwt.decode(
                    token,
                    key.get_secret_value(),
                    algorithms=[ALGORITHM],
                    audience=self._settings.audience,
                    issuer=self._settings.issuer,
                    leeway=self._settings.leeway_s,
                    options={"require": REQUIRED_CLAIMS},
                )
            except jwt.InvalidSignatureError as exc:
                if index + 1 < len(keys):
                    continue
                raise NotAuthenticated("The token's signature is not valid.") from exc
            except jwt.ExpiredSignatureError as exc:
                raise NotAuthenticated("The token has expired.") from exc
            except jwt.DecodeError as exc:
                raise NotAuthenticated("The token is not valid: it is not a JWT.") from exc
            except jwt.InvalidTokenError as exc:
                raise NotAuthenticated(f"The token is not valid: {exc}.") from exc
            return _principal(claims)
        raise NotAuthenticated("The token's signature is not valid.")


def _principal(claims: dict[str, object]) -> Principal:
    role = next((known for known in ROLES if known == claims["role"]), None)
    if claims["typ"] != ACCESS or role is None:
        raise NotAuthenticated("The token is not an access token.")
    try:
        account_id = UUID(str(claims["sub"]))
    except ValueError as exc:
        raise NotAuthenticated("The token names no account.") from exc
    expires_at, version, sign_in = claims["exp"], claims["ver"], claims["sid"]
    if not isinstance(version, int) or not isinstance(sign_in, str) or not sign_in:
        raise NotAuthenticated("The token is not an access token.")
    return Principal(
        account_id=account_id,
        role=role,
        token_id=str(claims["jti"]),
        expires_at=expires_at if isinstance(expires_at, int) else 0,
        version=version,
        sign_in=sign_in,
    )
