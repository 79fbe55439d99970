"""Webhook mode: the bot registers its URL and secret with Telegram and serves the updates
Telegram posts; a post without the secret is refused."""

from typing import Any

import httpx
import pytest
from aiogram.methods import GetUpdates
from aiogram.methods import SetWebhook
from pydantic import ValidationError

from bot_service.settings.bot import BotSettings
from tests.conftest import Start
from tests.conftest import bot_settings
from tests.telegram import TOKEN
from tests.telegram import command
from tests.telegram import until

SECRET = "a-webhook-secret-of-32-characters"
WEBHOOK = {
    "mode": "webhook",
    "webhook_url": "https://bot.example.com/telegram/webhook",
    "webhook_secret": SECRET,
    "webhook_host": "127.0.0.1",
    "webhook_port": 0,
}


async def test_the_webhook_is_registered_and_serves_updates(start_bot: Start) -> None:
    running = await start_bot(bot_settings(**WEBHOOK))
    runtime = running.runtime
    [registered] = [r for r in running.session.requests if isinstance(r, SetWebhook)]
    assert registered.url == "https://bot.example.com/telegram/webhook"
    assert registered.secret_token == SECRET
    assert not any(isinstance(r, GetUpdates) for r in running.session.requests)
    url = f"http://127.0.0.1:{runtime.webhook_port}/telegram/webhook"
    # As Telegram sends it: field aliases ("from"), no nulls.
    update = command("/help", chat_id=11).model_dump(mode="json", exclude_none=True, by_alias=True)

    async with httpx.AsyncClient() as telegram:
        answer = await telegram.post(
            url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
        )
        refused = await telegram.post(
            url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}
        )

    assert answer.status_code == 200
    assert refused.status_code == 401
    await until(lambda: bool(running.session.texts(11)))
    assert len(running.session.texts(11)) == 1
    assert (await running.http.get("/ready")).json()["checks"]["updates"] == "ok"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"webhook_secret": SECRET}, "BOT_WEBHOOK_URL"),
        ({"webhook_url": "https://bot.example.com/hook"}, "BOT_WEBHOOK_SECRET"),
        ({"webhook_url": "https://bot.example.com/hook", "webhook_secret": "short"}, "16 to 256"),
        (
            {"webhook_url": "https://bot.example.com/hook", "webhook_secret": "x" * 20 + "!"},
            "BOT_WEBHOOK_SECRET",
        ),
    ],
)
def test_webhook_mode_needs_a_url_and_a_usable_secret(values: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        BotSettings(token=TOKEN, mode="webhook", **values)


def test_the_token_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    with pytest.raises(ValidationError, match="token"):
        BotSettings()
    # What compose passes until .env has one.
    monkeypatch.setenv("BOT_TOKEN", "")
    with pytest.raises(ValidationError, match="BOT_TOKEN is empty: ask BotFather"):
        BotSettings()
    monkeypatch.setenv("BOT_TOKEN", TOKEN)

    settings = BotSettings()

    assert settings.token.get_secret_value() == TOKEN
    assert TOKEN not in repr(settings)
