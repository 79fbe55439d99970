"""Production's cache Redis knows each service by its own ACL user: the API has the project's
keys, the bot only its own, the worker may only publish events, nobody runs admin commands and
the default user is off. Checked on a real redis-server started with the compose command."""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.render.test_level3 import tool
from tests.support.postgres import free_port
from tests.support.project import compose_model, render

PASSWORDS = {
    "REDIS_API_PASSWORD": "api-secret-0123456789",
    "REDIS_WORKER_PASSWORD": "worker-secret-0123456789",
    "REDIS_BOT_PASSWORD": "bot-secret-0123456789",
}
USERS = {
    "api_service": "REDIS_API_PASSWORD",
    "worker_service": "REDIS_WORKER_PASSWORD",
    "bot_service": "REDIS_BOT_PASSWORD",
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    answers = {"maturity_level": 4, "modules": ["bot", "websockets"]}
    return render(tmp_path_factory.mktemp("redis-acl") / "project", answers)


@pytest.fixture(scope="module")
def compose(project: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = compose_model(project, "docker-compose.prod.yml")
    return loaded


@pytest.fixture(scope="module")
def prefix(project: Path) -> str:
    """The key prefix the API uses unless REDIS_KEY_PREFIX says otherwise."""
    settings = (project / "services/api_service/src/api_service/settings/redis.py").read_text()
    found = re.search(r'key_prefix: str = Field\(\s*default="([^"]+)"', settings)
    assert found is not None
    return found[1]


@pytest.fixture(scope="module")
def port(compose: dict[str, Any]) -> Iterator[int]:
    tool("redis-server", "redis-server")
    shell, flag, script = compose["services"]["redis"]["command"]
    # Compose turns $$ into $; the test server listens on loopback, on a free port.
    script = script.replace("$$", "$") + " --bind 127.0.0.1 --port {port} --daemonize no"
    chosen = free_port()
    server = subprocess.Popen(
        [shell, flag, script.format(port=chosen)],
        env={"PATH": os.environ["PATH"], **PASSWORDS},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 10
        while "NOAUTH" not in cli(chosen, None, "PING") and "PONG" not in cli(chosen, None, "PING"):
            assert server.poll() is None, server.stdout.read() if server.stdout else ""
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.1)
        yield chosen
    finally:
        server.terminate()
        server.wait(timeout=10)


def cli(port: int, user: str | None, *command: str) -> str:
    login = ["--user", user, "--pass", PASSWORDS[USERS[user]]] if user else []
    done = subprocess.run(
        ["redis-cli", "-p", str(port), "--no-auth-warning", *login, *command],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    return done.stdout + done.stderr


def test_each_service_reaches_only_its_own_keys_and_commands(port: int, prefix: str) -> None:
    assert "NOAUTH" in cli(port, None, "GET", f"{prefix}:rows:x")
    assert "OK" in cli(port, "api_service", "SET", f"{prefix}:rows:x", "1")
    assert "OK" in cli(port, "api_service", "SET", f"{prefix}:rate:x", "1")
    for admin in (["FLUSHALL"], ["CONFIG", "GET", "*"], ["KEYS", "*"], ["ACL", "LIST"]):
        assert "NOPERM" in cli(port, "api_service", *admin), admin
    assert "NOPERM" in cli(port, "api_service", "SET", "other_project:x", "1")

    assert "1" in cli(port, "bot_service", "SADD", f"{prefix}:bot:subscribers", "42")
    assert "NOPERM" in cli(port, "bot_service", "GET", f"{prefix}:rows:x")
    assert "NOPERM" in cli(port, "bot_service", "PUBLISH", f"{prefix}:events", "{}")

    assert cli(port, "worker_service", "PUBLISH", f"{prefix}:events", "{}").strip() == "0"
    assert "NOPERM" in cli(port, "worker_service", "GET", f"{prefix}:rows:x")
    assert "NOPERM" in cli(port, "worker_service", "SET", f"{prefix}:bot:subscribers", "x")


def test_the_services_log_in_as_their_users(compose: dict[str, Any], port: int) -> None:
    services = compose["services"]
    healthcheck = services["redis"]["healthcheck"]["test"]
    environment = services["redis"]["environment"]

    assert healthcheck == ["CMD", "redis-cli", "--user", "api_service", "ping"]
    assert environment["REDISCLI_AUTH"] == environment["REDIS_API_PASSWORD"]
    assert "PONG" in cli(port, "api_service", "PING")
    for service, password in USERS.items():
        settings = services[service]["environment"]
        assert settings["REDIS_USERNAME"] == service
        assert settings["REDIS_PASSWORD"] == f"${{{password}:?set {password}}}"
