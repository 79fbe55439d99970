"""Tells the subscribed chats of every `<resource>.created` event the API publishes.

The bot reads its own durable queue, bound to `*.created` on the events exchange: the worker's
queue is not shared, so both see every event. A message that is not an event is logged and
dropped; a chat that blocked the bot is unsubscribed.
"""

import html
import logging
from datetime import datetime
from typing import Any
from typing import Protocol
from uuid import UUID

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.exceptions import TelegramForbiddenError
from faststream.rabbit import ExchangeType
from faststream.rabbit import RabbitBroker
from faststream.rabbit import RabbitExchange
from faststream.rabbit import RabbitQueue
from faststream.rabbit.message import RabbitMessage
from pydantic import BaseModel
from pydantic import Field
from pydantic import ValidationError

from bot_service.settings.events import EventSettings
from bot_service.subscriptions import Subscriptions

logger = logging.getLogger(__name__)
ROUTING_KEY = "*.created"


class Event(BaseModel):
    id: UUID
    type: str = Field(pattern=r"^[a-z][a-z0-9_]*\.(created|updated|deleted)$")
    schema_version: int = Field(ge=1)
    occurred_at: datetime
    entity_id: str
    data: dict[str, Any] | None


class Observer(Protocol):
    def event_handled(self, event_type: str, outcome: str) -> None: ...


class Unobserved:
    def event_handled(self, event_type: str, outcome: str) -> None:
        """Nothing measures events at this level."""


class Notifier:
    def __init__(self, bot: Bot, subscriptions: Subscriptions, observer: Observer) -> None:
        self.bot = bot
        self.subscriptions = subscriptions
        self.observer = observer

    async def handle(self, body: bytes) -> str:
        """Handle one message body; returns the outcome: notified, ignored or invalid."""
        try:
            event = Event.model_validate_json(body)
        except ValidationError as exc:
            logger.error("Dropped a message that is not an event: %s", exc.errors()[:3])
            self.observer.event_handled("unknown", "invalid")
            return "invalid"
        resource, action = event.type.split(".")
        if action != "created":
            self.observer.event_handled(event.type, "ignored")
            return "ignored"
        text = (
            f"New {html.escape(resource.replace('_', ' '))}: "
            f"<code>{html.escape(event.entity_id)}</code>"
        )
        for chat_id in await self.subscriptions.chats():
            await self._tell(chat_id, text)
        self.observer.event_handled(event.type, "notified")
        return "notified"

    async def _tell(self, chat_id: int, text: str) -> None:
        try:
            await self.bot.send_message(chat_id, text)
        except TelegramForbiddenError:
            logger.info("Chat %s blocked the bot: unsubscribed", chat_id)
            await self.subscriptions.remove(chat_id)
        except TelegramAPIError as exc:  # one chat's failure does not stop the others
            logger.warning("Could not notify chat %s: %s", chat_id, type(exc).__name__)


def subscribe(broker: RabbitBroker, settings: EventSettings, notifier: Notifier) -> None:
    queue = RabbitQueue(settings.bot_queue, durable=True, routing_key=ROUTING_KEY)
    exchange = RabbitExchange(settings.exchange, type=ExchangeType.TOPIC, durable=True)

    # The body reaches the handler as it came: the handler, not the framework, refuses non-events.
    @broker.subscriber(queue, exchange, decoder=raw_body)
    async def on_event(body: bytes) -> None:
        await notifier.handle(body)


async def raw_body(message: RabbitMessage) -> bytes:
    return message.body
