"""What a stack shows anyone: no docs or schema in production unless asked, no placeholder key."""

from typing import Any

import pytest
from pydantic import SecretStr
from pydantic import ValidationError

from api_service.settings import Settings
from api_service.settings.auth import TokenSettings
from tests.conftest import running_stack


@pytest.mark.parametrize(("public", "status"), [("false", 404), ("true", 200)])
async def test_the_docs_and_schema_follow_api_public_docs(
    monkeypatch: pytest.MonkeyPatch,
    database_url: str,
    redis_client: Any,
    public: str,
    status: int,
) -> None:
    monkeypatch.setenv("API_PUBLIC_DOCS", public)

    async with running_stack(database_url, Settings(), redis_client=redis_client) as stack:
        answers = [(await stack.api.get(path)).status_code for path in ("/docs", "/openapi.json")]

    assert answers == [status, status]


async def test_browsers_may_send_the_bearer_token_cross_origin(
    monkeypatch: pytest.MonkeyPatch, database_url: str, redis_client: Any
) -> None:
    monkeypatch.setenv("CORS_ALLOW_ORIGINS", '["https://app.example.com"]')
    preflight = {
        "Origin": "https://app.example.com",
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization",
    }

    async with running_stack(database_url, Settings(), redis_client=redis_client) as stack:
        response = await stack.api.options("/api/v1/auth/me", headers=preflight)

    assert response.status_code == 200
    assert "authorization" in response.headers["access-control-allow-headers"].lower()


def test_no_stack_signs_tokens_with_the_placeholder_key() -> None:
    with pytest.raises(ValidationError, match="make env"):
        TokenSettings(secret_key=SecretStr("change-me"))
