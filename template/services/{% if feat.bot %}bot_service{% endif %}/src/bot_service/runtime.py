"""The bot's parts and their lifecycle: the Telegram bot and its dispatcher (long polling or a
webhook), the business API client, the event consumer."""

import asyncio
import logging
from contextlib import suppress

import httpx
from aiogram import Bot
from aiogram import Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web
from faststream.rabbit import RabbitBroker

from bot_service.api import BusinessApi
from bot_service.handlers import create_router
from bot_service.notifier import Notifier
from bot_service.notifier import Observer
from bot_service.notifier import Unobserved
from bot_service.notifier import subscribe
from bot_service.settings import Settings
from bot_service.subscriptions import MemorySubscriptions
from bot_service.subscriptions import Subscriptions

logger = logging.getLogger(__name__)
STOP_TIMEOUT_S = 5.0


class BotRuntime:
    def __init__(
        self,
        settings: Settings,
        broker: RabbitBroker,
        *,
        session: BaseSession | None = None,
        api_transport: httpx.AsyncBaseTransport | None = None,
        subscriptions: Subscriptions | None = None,
        storage: BaseStorage | None = None,
    ) -> None:
        self.settings = settings
        self.broker = broker
        self.bot = Bot(
            token=settings.bot.token.get_secret_value(),
            session=session,
            default=DefaultBotProperties(parse_mode=ParseMode.HTML),
        )
        self.api = BusinessApi(settings.api, api_transport)
        self.subscriptions = subscriptions or MemorySubscriptions()
        self.dispatcher = Dispatcher(
            storage=storage or MemoryStorage(),
            api=self.api,
            subscriptions=self.subscriptions,
        )
        self.dispatcher.include_router(create_router(settings.bot.allowed_chat_ids))
        self.observer: Observer = Unobserved()
        self.notifier: Notifier
        self.webhook_runner: web.AppRunner | None = None
        self._polling: asyncio.Task[None] | None = None

    def subscribe(self) -> None:
        """Register the consumer; after the modules had their say about the observer."""
        self.notifier = Notifier(self.bot, self.subscriptions, self.observer)
        subscribe(self.broker, self.settings.events, self.notifier)

    async def start(self) -> None:
        await self.broker.start()
        if self.settings.bot.mode == "webhook":
            await self._start_webhook()
        else:
            # A webhook left from an earlier run makes Telegram refuse getUpdates (409).
            await self.bot.delete_webhook()
            self._polling = asyncio.create_task(
                self.dispatcher.start_polling(
                    self.bot,
                    handle_signals=False,
                    close_bot_session=False,
                    allowed_updates=self.dispatcher.resolve_used_update_types(),
                ),
                name="bot-polling",
            )

    async def _start_webhook(self) -> None:
        """Serve Telegram's posts on their own port; refuse any without the secret token."""
        bot_settings = self.settings.bot
        secret = (
            bot_settings.webhook_secret.get_secret_value() if bot_settings.webhook_secret else ""
        )
        app = web.Application()
        handler = SimpleRequestHandler(
            dispatcher=self.dispatcher, bot=self.bot, secret_token=secret
        )
        handler.register(app, path=bot_settings.webhook_path)
        self.webhook_runner = web.AppRunner(app, access_log=None)
        await self.webhook_runner.setup()
        site = web.TCPSite(
            self.webhook_runner, bot_settings.webhook_host, bot_settings.webhook_port
        )
        await site.start()
        await self.bot.set_webhook(
            str(bot_settings.webhook_url),
            secret_token=secret,
            allowed_updates=self.dispatcher.resolve_used_update_types(),
        )
        logger.info("Serving the webhook on port %s", self.webhook_port)

    @property
    def webhook_port(self) -> int | None:
        if self.webhook_runner is None or not self.webhook_runner.addresses:
            return None
        port: int = self.webhook_runner.addresses[0][1]
        return port

    @property
    def running(self) -> bool:
        """Polling goes on, or the webhook is served."""
        if self._polling is not None:
            return not self._polling.done()
        return self.webhook_runner is not None

    async def stop(self) -> None:
        """Stop taking updates and events (the ones in hand finish), then close the clients."""
        if self._polling is not None:
            # Asked to stop, polling ends its current request; one not yet under way is
            # cancelled. Updates in hand run as tasks of their own and finish.
            with suppress(RuntimeError):
                await asyncio.wait_for(self.dispatcher.stop_polling(), timeout=STOP_TIMEOUT_S)
            await asyncio.wait({self._polling}, timeout=STOP_TIMEOUT_S)
            self._polling.cancel()
            with suppress(asyncio.CancelledError):
                await self._polling
        if self.webhook_runner is not None:
            await self.webhook_runner.cleanup()
        await self.broker.stop()
        await self.api.aclose()
        await self.bot.session.close()
