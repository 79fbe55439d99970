"""The bot's commands. Each handler gets its collaborators from the dispatcher by name:
`api` (BusinessApi) and `subscriptions` (Subscriptions)."""

import html
import logging
from typing import Any

from aiogram import F
from aiogram import Router
from aiogram.filters import Command
from aiogram.filters import CommandStart
from aiogram.types import Message

from bot_service.api import ApiUnavailable
from bot_service.api import BusinessApi
from bot_service.resources import LABEL_FIELD
from bot_service.resources import LIST_COMMAND
from bot_service.resources import PLURAL
from bot_service.subscriptions import Subscriptions

logger = logging.getLogger(__name__)

HELP = (
    "/help - this list\n"
    f"/{LIST_COMMAND} - the newest {PLURAL.replace('_', ' ')}\n"
    "/subscribe - be told of every new one\n"
    "/unsubscribe - stop being told"
)


async def start(message: Message) -> None:
    await message.answer(f"Hello! I can show and announce {PLURAL.replace('_', ' ')}.\n{HELP}")


async def help_(message: Message) -> None:
    await message.answer(HELP)


def row(item: dict[str, Any]) -> str:
    label = html.escape(str(item.get(LABEL_FIELD, "")))
    return f"• {label} <code>{html.escape(str(item.get('id', '')))}</code>"


async def list_items(message: Message, api: BusinessApi) -> None:
    try:
        page = await api.first_page()
    except ApiUnavailable as exc:
        logger.warning("The business API could not list %s: %s", PLURAL, exc)
        await message.answer("The service is unavailable; try again in a minute.")
        return
    if not page.items:
        await message.answer(f"No {PLURAL.replace('_', ' ')} yet.")
        return
    lines = [row(item) for item in page.items]
    await message.answer(f"{len(page.items)} of {page.total}:\n" + "\n".join(lines))


async def subscribe(message: Message, subscriptions: Subscriptions) -> None:
    added = await subscriptions.add(message.chat.id)
    await message.answer("Subscribed." if added else "This chat was already subscribed.")


async def unsubscribe(message: Message, subscriptions: Subscriptions) -> None:
    removed = await subscriptions.remove(message.chat.id)
    await message.answer("Unsubscribed." if removed else "This chat was not subscribed.")


async def not_allowed(message: Message) -> None:
    await message.answer("This chat may not use this command.")


def create_router(allowed_chat_ids: frozenset[int] = frozenset()) -> Router:
    """The commands on routers of their own (a router belongs to one dispatcher); with
    `allowed_chat_ids`, only those chats may list and follow rows, the others are told no."""
    router = Router(name="commands")
    router.message.register(start, CommandStart())
    router.message.register(help_, Command("help"))
    rows = Router(name="rows")
    if allowed_chat_ids:
        rows.message.filter(F.chat.id.in_(allowed_chat_ids))
    rows.message.register(list_items, Command(LIST_COMMAND))
    rows.message.register(subscribe, Command("subscribe"))
    rows.message.register(unsubscribe, Command("unsubscribe"))
    refused = Router(name="refused")
    refused.message.register(not_allowed, Command(LIST_COMMAND, "subscribe", "unsubscribe"))
    router.include_routers(rows, refused)
    return router
