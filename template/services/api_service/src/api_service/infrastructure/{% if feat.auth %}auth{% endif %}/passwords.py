"""Password hashes with argon2id (pwdlib's recommended parameters)."""

import secrets

from pwdlib import PasswordHash


class Argon2Hasher:
    def __init__(self) -> None:
        self._hash = PasswordHash.recommended()
        self._unknown_account_hash = self._hash.hash(secrets.token_urlsafe(16))

    def hash(self, password: str) -> str:
        return self._hash.hash(password)

    def verify(self, password: str, password_hash: str | None) -> tuple[bool, str | None]:
        if password_hash is None:
            self._hash.verify(password, self._unknown_account_hash)
            return False, None
        return self._hash.verify_and_update(password, password_hash)
