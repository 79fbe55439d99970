"""An error no handler expects is logged and answered as a JSON 500, without a stack trace."""

import httpx
import pytest

from api_service.main import create_app


async def test_an_unexpected_error_is_a_json_500(caplog: pytest.LogCaptureFixture) -> None:
    app = create_app()

    async def broken() -> None:
        raise RuntimeError("secret internals")

    app.add_api_route("/broken", broken)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        response = await client.get("/broken")

    assert response.status_code == 500
    assert response.json() == {"detail": "Internal error.", "code": "internal_error"}
    assert "secret internals" not in response.text
    assert "Unhandled error in GET /broken" in caplog.text
