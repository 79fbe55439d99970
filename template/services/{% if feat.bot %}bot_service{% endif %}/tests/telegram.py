"""A Telegram Bot API that never leaves the process: the bot's session records every request
and answers like Telegram would; updates are made from real aiogram types."""

import asyncio
import json
from collections.abc import AsyncGenerator
from datetime import UTC
from datetime import datetime
from itertools import count
from typing import Any

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.exceptions import TelegramForbiddenError
from aiogram.methods import GetMe
from aiogram.methods import GetUpdates
from aiogram.methods import SendMessage
from aiogram.methods import TelegramMethod
from aiogram.types import Chat
from aiogram.types import Message
from aiogram.types import Update
from aiogram.types import User

TOKEN = "123456789:AAH-test-token-that-must-never-be-logged"
ME = User(id=123456789, is_bot=True, first_name="Test bot", username="test_bot")
_ids = count(1)


def command(text: str, chat_id: int = 42) -> Update:
    """An update carrying a user's message in a private chat."""
    return Update(
        update_id=next(_ids),
        message=Message(
            message_id=next(_ids),
            date=datetime.now(UTC),
            chat=Chat(id=chat_id, type="private"),
            from_user=User(id=chat_id, is_bot=False, first_name="Ann"),
            text=text,
        ),
    )


class RecordingSession(BaseSession):
    """Records the requests; answers getMe, getUpdates (from `updates`), sendMessage and the
    rest with True. Chats in `blocked` answer sendMessage as Telegram does for a blocked bot;
    a chat in `flood_waits` answers its next sendMessages with 429 and those `retry_after`s."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[TelegramMethod[Any]] = []
        self.updates: asyncio.Queue[Update] = asyncio.Queue()
        self.blocked: set[int] = set()
        self.flood_waits: dict[int, list[int]] = {}
        self.closed = False

    def sent(self) -> list[SendMessage]:
        return [request for request in self.requests if isinstance(request, SendMessage)]

    def texts(self, chat_id: int | None = None) -> list[str]:
        return [
            str(request.text)
            for request in self.sent()
            if chat_id is None or request.chat_id == chat_id
        ]

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[Any],
        timeout: int | None = None,  # noqa: ASYNC109 - aiogram's signature
    ) -> Any:
        if isinstance(method, GetUpdates):
            try:
                update = await asyncio.wait_for(self.updates.get(), timeout=0.05)
            except TimeoutError:
                return []
            self.requests.append(method)
            return [update]
        if isinstance(method, SendMessage) and self.flood_waits.get(int(method.chat_id)):
            wait = self.flood_waits[int(method.chat_id)].pop(0)  # refused: not recorded as sent
            flood = {"ok": False, "error_code": 429, "parameters": {"retry_after": wait},
                     "description": f"Too Many Requests: retry after {wait}"}  # fmt: skip
            return self.check_response(bot, method, status_code=429, content=json.dumps(flood))
        self.requests.append(method)
        result: Any = True
        if isinstance(method, GetMe):
            result = ME.model_dump(mode="json", exclude_none=True)
        elif isinstance(method, SendMessage):
            if method.chat_id in self.blocked:
                raise TelegramForbiddenError(method, "Forbidden: bot was blocked by the user")
            result = {
                "message_id": next(_ids),
                "date": int(datetime.now(UTC).timestamp()),
                "chat": {"id": method.chat_id, "type": "private"},
                "text": method.text,
            }
        content = json.dumps({"ok": True, "result": result})
        return self.check_response(bot, method, status_code=200, content=content).result

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,  # noqa: ASYNC109 - aiogram's signature
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        yield b""

    async def close(self) -> None:
        self.closed = True


async def until(condition: Any, timeout_s: float = 10) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("the bot did not get there in time")
        await asyncio.sleep(0.02)
