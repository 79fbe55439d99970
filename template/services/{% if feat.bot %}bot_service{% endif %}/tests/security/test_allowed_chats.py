"""Production names the chats the bot answers: a bot open to every Telegram user is refused."""

import pytest
from pydantic import ValidationError

from bot_service.settings.bot import BotSettings
from tests.telegram import TOKEN


def test_production_refuses_a_bot_that_answers_every_chat(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("APP_ENV", "production")

    with pytest.raises(ValidationError, match="BOT_ALLOWED_CHAT_IDS"):
        BotSettings(token=TOKEN)


def test_production_takes_the_allowed_chats_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("BOT_ALLOWED_CHAT_IDS", "[123456789, -1001]")

    settings = BotSettings(token=TOKEN)

    assert settings.allowed_chat_ids == frozenset({123456789, -1001})


def test_development_may_answer_every_chat(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("APP_ENV", raising=False)

    assert BotSettings(token=TOKEN).allowed_chat_ids == frozenset()
