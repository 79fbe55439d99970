"""A rendered service run as a real process (uvicorn) on a loopback port, for tests and benches."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Self


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


class LoopbackProcess(ABC):
    """A process run from a rendered service's folder (`uv run --no-sync ...`) and ready once
    `ready_path` answers on its loopback port; it can be stopped and started again, and as a
    context manager it is started on entry and stopped on exit."""

    name = "process"
    ready_path = ""
    quiet = False

    def __init__(self, folder: Path, port: int, env: dict[str, str]) -> None:
        self.folder, self.port, self.env = folder, port, env
        self.url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen[bytes] | None = None

    @abstractmethod
    def command(self) -> list[str]:
        """What `uv run --no-sync` runs."""

    def start(self) -> None:
        output = subprocess.DEVNULL if self.quiet else None
        self.process = subprocess.Popen(
            ["uv", "run", "--no-sync", *self.command()], cwd=self.folder, env=self.env,
            start_new_session=True, stdout=output, stderr=output,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while not answers(f"{self.url}{self.ready_path}"):
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} stopped")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{self.name} did not start in 60 s")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()


class ServiceProcess(LoopbackProcess):
    """`app` (module:factory) served by uvicorn from the service's folder."""

    ready_path = "/docs"

    def __init__(
        self,
        app: str,
        folder: Path,
        port: int,
        env: dict[str, str],
        options: Sequence[str] = (),
    ) -> None:
        super().__init__(folder, port, env)
        self.app, self.name = app, app
        self.options = list(options)

    def command(self) -> list[str]:
        return ["uvicorn", self.app, "--factory", "--host", "127.0.0.1", "--port",
                str(self.port), "--log-level", "warning", *self.options]  # fmt: skip


class S3Server(LoopbackProcess):
    """moto's S3-protocol server (a dev dependency of an API with the s3 module) on loopback."""

    name = "moto's S3 server"
    quiet = True

    def command(self) -> list[str]:
        return ["python", "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)]
