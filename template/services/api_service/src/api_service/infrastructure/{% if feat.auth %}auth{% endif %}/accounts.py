"""AccountRepository over HTTP: the data service's /v1/users, never cached."""

from datetime import datetime
from typing import Any
from uuid import UUID

import httpx
from pydantic import BaseModel

from api_service.application.errors import Conflict
from api_service.domain.accounts import Account
from api_service.domain.accounts import Role
from api_service.infrastructure.data_client import parse
from api_service.infrastructure.data_client import read_error
from api_service.infrastructure.data_client import send

URL = "/v1/users"
# Account rows carry password hashes: they are never kept in a cache.
NO_STORE = {"Cache-Control": "no-store"}


class Record(BaseModel):
    id: UUID
    email: str
    password_hash: str
    role: Role
    is_active: bool
    created_at: datetime
    updated_at: datetime
    version: int

    def to_domain(self) -> Account:
        return Account(
            id=self.id,
            email=self.email,
            role=self.role,
            is_active=self.is_active,
            password_hash=self.password_hash,
        )


class PageRecord(BaseModel):
    items: list[Record]
    total: int


class HttpAccountRepository:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    async def by_email(self, email: str) -> Account | None:
        response = await send(
            self._client, "GET", URL, params={"email": email, "limit": 1}, headers=NO_STORE
        )
        if response.status_code != 200:
            raise read_error(response)
        page = parse(PageRecord, response)
        return page.items[0].to_domain() if page.items else None

    async def get(self, account_id: UUID) -> Account | None:
        response = await send(self._client, "GET", f"{URL}/{account_id}", headers=NO_STORE)
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise read_error(response)
        return parse(Record, response).to_domain()

    async def add(self, email: str, password_hash: str, role: Role) -> Account:
        body = {"email": email, "password_hash": password_hash, "role": role}
        response = await send(self._client, "POST", URL, json=body, headers=NO_STORE)
        if response.status_code == 409:
            raise Conflict("This email is already registered.")
        if response.status_code != 201:
            raise read_error(response)
        return parse(Record, response).to_domain()

    async def change(
        self,
        account_id: UUID,
        *,
        role: Role | None = None,
        is_active: bool | None = None,
        password_hash: str | None = None,
    ) -> Account | None:
        changes: dict[str, Any] = {
            "role": role,
            "is_active": is_active,
            "password_hash": password_hash,
        }
        body = {name: value for name, value in changes.items() if value is not None}
        response = await send(
            self._client, "PATCH", f"{URL}/{account_id}", json=body, headers=NO_STORE
        )
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise read_error(response)
        return parse(Record, response).to_domain()

    async def upgrade_hash(self, account_id: UUID, old_hash: str, new_hash: str) -> bool:
        """Stores new_hash only while old_hash is still the stored one; False if it is not."""
        body = {"password_hash": new_hash, "if_password_hash": old_hash}
        response = await send(
            self._client, "PATCH", f"{URL}/{account_id}", json=body, headers=NO_STORE
        )
        if response.status_code in (404, 412):
            return False
        if response.status_code != 200:
            raise read_error(response)
        return True

    async def page(self, *, offset: int, limit: int) -> tuple[list[Account], int]:
        params = {"offset": offset, "limit": limit}
        response = await send(self._client, "GET", URL, params=params, headers=NO_STORE)
        if response.status_code != 200:
            raise read_error(response)
        page = parse(PageRecord, response)
        return [record.to_domain() for record in page.items], page.total
