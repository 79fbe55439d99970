"""Only the API gets an answer from the audit service, whatever the network."""

from typing import Any

import pytest
from pydantic import SecretStr
from pydantic import ValidationError

from db_mongo_service.settings import Settings
from tests.conftest import audit_client


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer someone-elses-token"}],
    ids=["none", "unknown"],
)
async def test_a_call_without_the_apis_token_is_401(database: Any, headers: dict[str, str]) -> None:
    async with audit_client(database, headers) as client:
        listed = await client.get("/v1/audit-entries")
        written = await client.post("/v1/audit-entries", json={})

    assert (listed.status_code, written.status_code) == (401, 401)


def test_production_refuses_the_development_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("MONGO_URL", "mongodb://audit:a-long-random-password@mongo:27017")

    with pytest.raises(ValidationError, match="CALLER_TOKENS"):
        Settings()
    assert Settings(caller_tokens={"api_service": SecretStr("x" * 40)})
