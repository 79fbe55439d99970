"""Periodic jobs: each runs every interval in its own task and, on shutdown, finishes its run.

The digest job reports each resource's total (asked of the data service over HTTP) and the
changes the worker has seen since the previous digest.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable
from collections.abc import Callable
from contextlib import suppress
from datetime import UTC
from datetime import datetime
from typing import Any

import httpx

from worker_service.activity import Activity
from worker_service.activity import Observer

logger = logging.getLogger(__name__)


class Periodic:
    def __init__(
        self,
        name: str,
        interval_s: float,
        job: Callable[[], Awaitable[None]],
        observer: Observer,
    ) -> None:
        self.name = name
        self.interval_s = interval_s
        self._job = job
        self._observer = observer
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._every_interval(), name=f"job-{self.name}")

    async def stop(self) -> None:
        """Ask the loop to stop and wait: a run in progress is finished, not cut short."""
        self._stopping.set()
        if self._task is not None:
            await self._task

    async def _every_interval(self) -> None:
        while True:
            with suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=self.interval_s)
            if self._stopping.is_set():
                return
            await self.run_once()

    async def run_once(self) -> bool:
        started = time.perf_counter()
        try:
            await self._job()
        except Exception:  # a failed run is reported; the next one runs on time
            logger.exception("Job %s failed", self.name)
            outcome = "failed"
        else:
            outcome = "succeeded"
        self._observer.job_ran(self.name, outcome, time.perf_counter() - started)
        return outcome == "succeeded"


class Digest:
    """Totals per resource from the data service, plus the changes seen since the last digest."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        activity: Activity,
        collections: dict[str, str],
    ) -> None:
        self._client = client
        self._activity = activity
        self._collections = collections
        self.latest: dict[str, Any] | None = None

    async def __call__(self) -> None:
        changes = self._activity.peek()
        resources: dict[str, dict[str, int]] = {}
        for resource, path in self._collections.items():
            response = await self._client.get(f"/v1/{path}", params={"limit": 1})
            response.raise_for_status()
            counts = {"total": int(response.json()["total"])}
            for action in ("created", "updated", "deleted"):
                counts[action] = changes.get(f"{resource}.{action}", 0)
            resources[resource] = counts
        self._activity.take(changes)
        self.latest = {"at": datetime.now(UTC).isoformat(), "resources": resources}
        logger.info("Digest: %s", resources)
