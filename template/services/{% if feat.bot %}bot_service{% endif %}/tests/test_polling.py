"""Long polling (the default): updates asked of Telegram are answered; the token never
reaches a log line."""

import logging

import pytest
from aiogram.methods import DeleteWebhook
from aiogram.methods import GetMe
from aiogram.methods import GetUpdates

from tests.conftest import Start
from tests.telegram import TOKEN
from tests.telegram import command
from tests.telegram import until


async def test_polled_updates_are_answered(start_bot: Start) -> None:
    running = await start_bot()
    await running.session.updates.put(command("/help", chat_id=5))

    await until(lambda: bool(running.session.texts(5)))

    assert running.session.texts(5)[0].startswith("/help")
    assert any(isinstance(request, GetMe) for request in running.session.requests)
    assert any(isinstance(request, DeleteWebhook) for request in running.session.requests)
    polled = [r for r in running.session.requests if isinstance(r, GetUpdates)]
    assert polled[0].allowed_updates == ["message"]
    assert running.runtime.running


async def test_stopping_ends_the_polling_and_closes_the_session(start_bot: Start) -> None:
    running = await start_bot()
    await until(lambda: any(isinstance(r, GetMe) for r in running.session.requests))

    await running.runtime.stop()

    assert not running.runtime.running
    assert running.session.closed


async def test_the_token_is_never_logged(
    start_bot: Start,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    running = await start_bot()
    await running.session.updates.put(command("/start", chat_id=9))
    await until(lambda: bool(running.session.texts(9)))

    output = capsys.readouterr()
    assert "Start polling" in caplog.text
    secret = TOKEN.split(":")[1]
    assert secret not in caplog.text
    assert secret not in output.out + output.err
    assert secret not in repr(running.settings)
