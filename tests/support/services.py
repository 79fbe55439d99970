"""A rendered service run as a real process (uvicorn) on a loopback port, for tests and benches."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


class ServiceProcess:
    """`app` (module:factory) served from the service's folder; can be stopped and started again,
    and as a context manager it is started on entry and stopped on exit."""

    def __init__(
        self,
        app: str,
        folder: Path,
        port: int,
        env: dict[str, str],
        options: Sequence[str] = (),
    ) -> None:
        self.app, self.folder, self.port, self.env = app, folder, port, env
        self.options = list(options)
        self.url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = ["uv", "run", "--no-sync", "uvicorn", self.app, "--factory", "--host",
                   "127.0.0.1", "--port", str(self.port), "--log-level", "warning",
                   *self.options]  # fmt: skip
        self.process = subprocess.Popen(
            command, cwd=self.folder, env=self.env, start_new_session=True
        )
        deadline = time.monotonic() + 60
        while not answers(f"{self.url}/docs"):
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.app} stopped")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{self.app} did not start in 60 s")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)

    def __enter__(self) -> ServiceProcess:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()


class S3Server:
    """moto's S3-protocol server (a dev dependency of an API with the s3 module) on loopback,
    run from the service's own environment; a context manager that stops it on exit."""

    def __init__(self, folder: Path, port: int, env: dict[str, str]) -> None:
        self.folder, self.port, self.env = folder, port, env
        self.url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> S3Server:
        command = ["uv", "run", "--no-sync", "python", "-m", "moto.server", "-H", "127.0.0.1",
                   "-p", str(self.port)]  # fmt: skip
        self.process = subprocess.Popen(
            command, cwd=self.folder, env=self.env, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while not answers(self.url):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.__exit__(None, None, None)
                raise RuntimeError("moto's S3 server did not start in 60 s")
            time.sleep(0.2)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
