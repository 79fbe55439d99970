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

from tests.support.postgres import free_port


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


class Running(ABC):
    """Something started on entry and stopped on exit."""

    @abstractmethod
    def start(self) -> None: ...

    @abstractmethod
    def stop(self) -> None: ...

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


class LoopbackProcess(Running):
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


class LocalMode(Running):
    """A rendered project's `make run-local` on free loopback ports, as a context manager:
    entered once the API's `ready_path` answers (the stack stopped if it never does), stopped on
    exit with its output kept in `output`."""

    def __init__(self, root: Path, env: dict[str, str], ready_path: str, seconds: int) -> None:
        api_port, data_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{api_port}"
        self.root, self.ready_path, self.seconds = root, ready_path, seconds
        self.env = env | {"API_PORT": str(api_port), "DATA_SERVICE_PORT": str(data_port)}
        self.output = ""

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["make", "--no-print-directory", "run-local"], cwd=self.root, env=self.env,
            start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        deadline = time.monotonic() + self.seconds
        try:
            while not answers(f"{self.url}{self.ready_path}"):
                assert self.process.poll() is None, "make run-local stopped early"
                assert time.monotonic() < deadline, (
                    f"the local stack did not come up in {self.seconds} s"
                )
                time.sleep(0.5)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
        self.output, _ = self.process.communicate(timeout=30)
