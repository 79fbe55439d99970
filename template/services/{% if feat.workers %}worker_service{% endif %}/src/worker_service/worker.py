"""The worker's parts and their lifecycle: consumer, periodic jobs, client to the data service."""

import httpx
from faststream.rabbit import RabbitBroker

from worker_service.activity import Activity
from worker_service.activity import Observer
from worker_service.activity import SeenEvents
from worker_service.activity import Unobserved
from worker_service.consumer import EventHandler
from worker_service.consumer import subscribe
from worker_service.jobs import Digest
from worker_service.jobs import Periodic
from worker_service.resources import COLLECTIONS
from worker_service.settings import Settings


class Worker:
    def __init__(
        self,
        settings: Settings,
        broker: RabbitBroker,
        data_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self.broker = broker
        self.activity = Activity()
        self.seen = SeenEvents(settings.events.remembered_ids)
        self.observer: Observer = Unobserved()
        self.data_client = httpx.AsyncClient(
            base_url=str(settings.data.url),
            headers={"Authorization": f"Bearer {settings.data.token.get_secret_value()}"},
            timeout=settings.data.timeout_s,
            transport=data_transport
            or httpx.AsyncHTTPTransport(retries=settings.data.connect_retries),
        )
        self.digest = Digest(self.data_client, self.activity, COLLECTIONS)
        self.jobs: list[Periodic] = []
        # Made by subscribe(), once the modules have set the observer.
        self.digest_job: Periodic

    def subscribe(self) -> None:
        """Register the consumer; after the modules had their say about the observer."""
        handler = EventHandler(self.seen, self.activity, self.observer)
        subscribe(self.broker, self.settings.events, handler)
        interval = self.settings.jobs.digest_interval_s
        self.digest_job = Periodic("digest", interval, self.digest, self.observer)
        if self.settings.jobs.enabled:
            self.jobs = [self.digest_job]

    async def run_digest(self) -> bool:
        """One digest now, outside its schedule; False when it failed (and was logged)."""
        return await self.digest_job.run_once()

    async def start(self) -> None:
        await self.broker.start()
        for job in self.jobs:
            job.start()

    async def stop(self) -> None:
        """Stop taking messages (the ones in hand finish), let the jobs finish, then close."""
        await self.broker.stop()
        for job in self.jobs:
            await job.stop()
        await self.data_client.aclose()
