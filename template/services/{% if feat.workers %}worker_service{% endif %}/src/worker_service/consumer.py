"""Consumes the API's events (`<resource>.<action>` on the topic exchange) from a durable queue.

Every worker replica reads the same queue, so each event reaches one of them. A message is
acknowledged once handled; one a stopped worker had not acknowledged is delivered again, and
the API may publish an event twice: an id already seen is dropped. A message that is not an
event is logged and dropped, never redelivered forever.
"""

import logging
from datetime import datetime
from typing import Any
from uuid import UUID

from faststream.rabbit import ExchangeType
from faststream.rabbit import RabbitBroker
from faststream.rabbit import RabbitExchange
from faststream.rabbit import RabbitQueue
from faststream.rabbit.message import RabbitMessage
from pydantic import BaseModel
from pydantic import Field
from pydantic import ValidationError

from worker_service.activity import Activity
from worker_service.activity import Observer
from worker_service.activity import SeenEvents
from worker_service.settings.events import EventSettings

logger = logging.getLogger(__name__)


class Event(BaseModel):
    id: UUID
    type: str = Field(pattern=r"^[a-z][a-z0-9_]*\.(created|updated|deleted)$")
    schema_version: int = Field(ge=1)
    occurred_at: datetime
    entity_id: str
    data: dict[str, Any] | None


class EventHandler:
    def __init__(self, seen: SeenEvents, activity: Activity, observer: Observer) -> None:
        self.seen = seen
        self.activity = activity
        self.observer = observer

    def handle(self, body: bytes) -> str:
        """Handle one message body; returns the outcome: handled, duplicate or invalid."""
        try:
            event = Event.model_validate_json(body)
        except ValidationError as exc:
            logger.error("Dropped a message that is not an event: %s", exc.errors()[:3])
            self.observer.event_handled("unknown", "invalid")
            return "invalid"
        if not self.seen.first_time(event.id):
            logger.info("Dropped event %s %s: already handled", event.type, event.id)
            self.observer.event_handled(event.type, "duplicate")
            return "duplicate"
        self.activity.record(event.type)
        logger.info("Handled event %s %s of %s", event.type, event.id, event.entity_id)
        self.observer.event_handled(event.type, "handled")
        return "handled"


def subscribe(broker: RabbitBroker, settings: EventSettings, handler: EventHandler) -> None:
    queue = RabbitQueue(settings.queue, durable=True, routing_key="#")
    exchange = RabbitExchange(settings.exchange, type=ExchangeType.TOPIC, durable=True)

    # The body reaches the handler as it came: the handler, not the framework, refuses non-events.
    @broker.subscriber(queue, exchange, decoder=raw_body)
    async def on_event(body: bytes) -> None:
        handler.handle(body)


async def raw_body(message: RabbitMessage) -> bytes:
    return message.body
