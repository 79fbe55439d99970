"""Sign-in state lives in its own Redis where AUTH_REDIS_URL names one, apart from the cache."""

import pytest
import redis.asyncio

from api_service.settings import Settings
from api_service.settings.auth import AuthStoreSettings
from tests.accounts import PASSWORD
from tests.accounts import sign_up
from tests.conftest import running_stack


async def keys_in(url: str) -> list[bytes]:
    client = redis.asyncio.Redis.from_url(url)
    try:
        return [key async for key in client.scan_iter(match="*:auth:*")]
    finally:
        await client.aclose()


async def test_sessions_go_to_the_auth_redis(
    monkeypatch: pytest.MonkeyPatch, database_url: str, redis_url: str | None
) -> None:
    if redis_url is None:
        pytest.skip("needs a real Redis (redis-server on PATH or TEST_REDIS_URL)")
    cache_url, auth_url = redis_url, redis_url.rsplit("/", 1)[0] + "/1"
    monkeypatch.setenv("AUTH_REDIS_URL", auth_url)
    cache, auth = redis.asyncio.Redis.from_url(cache_url), redis.asyncio.Redis.from_url(auth_url)
    await cache.flushdb()

    try:
        async with running_stack(database_url, Settings(), redis_client=cache) as stack:
            await sign_up(stack.api, "kept@example.com", PASSWORD)
        auth_keys, cache_keys = await keys_in(auth_url), await keys_in(cache_url)
    finally:
        await auth.flushdb()
        await auth.aclose()
        await cache.aclose()

    assert [key for key in auth_keys if b":auth:refresh:" in key]
    assert cache_keys == []


def test_production_keeps_sessions_out_of_the_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_ENV", "production")

    with pytest.raises(ValueError, match="AUTH_REDIS_URL"):
        AuthStoreSettings()
    with pytest.raises(ValueError, match="AUTH_REDIS_PASSWORD"):
        AuthStoreSettings(url="redis://redis_auth:6379/0", password="change-me")
    assert AuthStoreSettings(url="redis://redis_auth:6379/0", password="a-long-random-secret")
