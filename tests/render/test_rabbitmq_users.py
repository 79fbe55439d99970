"""Production's RabbitMQ knows each service by its own user: the API may only publish events
(routing keys of changes) to the events exchange, the worker and the bot only read their own
queues (the bot bound to creations only), none may delete or declare again the exchange the
broker declared, and none of them has the administrator's password. Checked on a real
rabbitmq-server started the way the compose file starts it (ops/rabbitmq/service-users.sh),
through FastStream as the services use it."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import aio_pika
import aio_pika.abc
import pytest
import yaml
from faststream.rabbit import ExchangeType, RabbitBroker, RabbitExchange, RabbitQueue

from tests.render.test_level3 import tool
from tests.support.postgres import free_port
from tests.support.project import compose_model

pytestmark = pytest.mark.rendered

# Debian's /usr/sbin tools switch to the rabbitmq user; these run as we do.
RABBITMQ_BIN = Path("/usr/lib/rabbitmq/bin")
PASSWORDS = {
    "RABBITMQ_DEFAULT_PASS": "admin-secret-0123456789",
    "RABBITMQ_API_PASSWORD": "api-secret-0123456789",
    "RABBITMQ_WORKER_PASSWORD": "worker-secret-0123456789",
    "RABBITMQ_BOT_PASSWORD": "bot-secret-0123456789",
}
REFUSED = "ChannelAccessRefused"
# A wrong user or password: the broker closes the connection while it opens.
NOT_SIGNED_IN = "ProbableAuthenticationError"
USERS = {
    "api_service": "RABBITMQ_API_PASSWORD",
    "worker_service": "RABBITMQ_WORKER_PASSWORD",
    "bot_service": "RABBITMQ_BOT_PASSWORD",
}


@pytest.fixture(scope="module")
def project(rendered_preset: Callable[[str], Path]) -> Path:
    return rendered_preset("modules_level4")


@pytest.fixture(scope="module")
def slug(project: Path) -> str:
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    return str(answers["project_slug"])


@dataclass
class Broker:
    port: int
    restart: Callable[[dict[str, str]], None]
    passwords: dict[str, str]
    control: Callable[..., str]

    def start(self, passwords: dict[str, str]) -> None:
        self.restart(passwords)
        self.passwords = passwords

    def start_without(self, variable: str) -> None:
        """Restarts without a setting a test gave it."""
        self.start({k: v for k, v in self.passwords.items() if k != variable})

    def url(self, user: str, password: str | None = None) -> str:
        secret = password if password is not None else self.passwords[USERS[user]]
        return f"amqp://{user}:{secret}@127.0.0.1:{self.port}/"


@pytest.fixture(scope="module")
def broker(project: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    """The broker with its users, as docker-compose.prod.yml starts it; `start` restarts it
    (same data) with other passwords."""
    if not (RABBITMQ_BIN / "rabbitmq-server").exists():
        tool("rabbitmq-server", "rabbitmq-server")  # skips, or fails under CI
    home = tmp_path_factory.mktemp("rabbitmq")
    (home / "enabled_plugins").write_text("[].\n")
    port, epmd_port = free_port(), free_port()
    base = {
        "PATH": f"{RABBITMQ_BIN}:{os.environ['PATH']}",
        "HOME": str(home),
        "RABBITMQ_NODENAME": f"users-{port}@localhost",
        "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
        "RABBITMQ_NODE_PORT": str(port),
        "RABBITMQ_DIST_PORT": str(free_port()),
        "ERL_EPMD_PORT": str(epmd_port),
        "RABBITMQ_MNESIA_BASE": str(home / "mnesia"),
        "RABBITMQ_FEATURE_FLAGS_FILE": str(home / "feature_flags"),
        "RABBITMQ_LOG_BASE": str(home / "log"),
        "RABBITMQ_PID_FILE": str(home / "rabbitmq.pid"),
        "RABBITMQ_ENABLED_PLUGINS_FILE": str(home / "enabled_plugins"),
        "RABBITMQ_CONFIG_FILE": str(home / "rabbitmq"),
        "RABBITMQ_ADVANCED_CONFIG_FILE": str(home / "advanced.config"),
        "RABBITMQ_DEFAULT_USER": "operator",
        "SERVICE_USERS_READY_FILE": str(home / "ready"),
    }
    running: list[subprocess.Popen[str]] = []

    def stop() -> None:
        while running:
            process = running.pop()
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=60)

    def start(passwords: dict[str, str]) -> None:
        stop()
        ready = home / "ready"
        ready.unlink(missing_ok=True)
        script = project / "ops/rabbitmq/service-users.sh"
        process = subprocess.Popen(
            ["sh", str(script), str(RABBITMQ_BIN / "rabbitmq-server")],
            env={**base, **passwords}, cwd=home, start_new_session=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        running.append(process)
        deadline = time.monotonic() + 120
        while not ready.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                stop()
                output = process.stdout.read() if process.stdout else ""
                pytest.fail(f"the broker's users were not ready:\n{output[-3000:]}")
            time.sleep(0.2)

    def control(*arguments: str, stdin: str = "") -> str:
        """rabbitmqctl, as the operators' administrator runs it on the broker's host."""
        result = subprocess.run(
            [str(RABBITMQ_BIN / "rabbitmqctl"), "-q", *arguments],
            env=base, cwd=home, input=stdin, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    try:
        start(PASSWORDS)
        yield Broker(port, start, PASSWORDS, control)
    finally:
        stop()
        epmd = shutil.which("epmd", path=f"{os.environ['PATH']}:/usr/bin")
        if epmd:
            subprocess.run([epmd, "-port", str(epmd_port), "-kill"], capture_output=True)


def test_each_service_connects_as_its_own_user(project: Path) -> None:
    services = compose_model(project, "docker-compose.prod.yml")["services"]
    for user, variable in USERS.items():
        url = services[user]["environment"]["RABBITMQ_URL"]
        assert url == f"amqp://{user}:${{{variable}:?set {variable}}}@rabbitmq:5672/"
        assert "RABBITMQ_PASSWORD" not in str(services[user]), user
        assert services[user]["environment"]["RABBITMQ_DECLARE_EXCHANGE"] == "false", user
    rabbitmq = services["rabbitmq"]
    assert set(USERS.values()) <= set(rabbitmq["environment"])
    assert (
        "./ops/rabbitmq/service-users.sh:/etc/rabbitmq/service-users.sh:ro" in rabbitmq["volumes"]
    )
    assert rabbitmq["entrypoint"] == ["sh", "/etc/rabbitmq/service-users.sh"]
    assert rabbitmq["command"] == ["docker-entrypoint.sh", "rabbitmq-server"]
    # Services wait for a healthy broker, and healthy means their users exist.
    assert "test -e /tmp/service-users.ready" in rabbitmq["healthcheck"]["test"][1]
    assert rabbitmq["hostname"] == "rabbitmq"
    assert rabbitmq["user"] == "rabbitmq"


def test_the_script_passes_shellcheck(project: Path) -> None:
    shellcheck = tool("shellcheck", "shellcheck")
    script = project / "ops/rabbitmq/service-users.sh"
    result = subprocess.run(
        [shellcheck, "--severity=style", str(script)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def exchange(slug: str) -> RabbitExchange:
    """The events exchange as production's services see it: declared by the broker, checked."""
    return RabbitExchange(f"{slug}.events", type=ExchangeType.TOPIC, durable=True, declare=False)


def run(action: Callable[[], Awaitable[None]]) -> str:
    """'ok', or the name of the error the broker answered with."""

    async def attempt() -> str:
        try:
            await asyncio.wait_for(action(), timeout=20)
        except Exception as error:  # the kind of refusal is the result
            return type(error).__name__
        return "ok"

    return asyncio.run(attempt())


def publish(url: str, target: RabbitExchange, routing_key: str = "x.created") -> str:
    """Declares the exchange and publishes to it, as the API does."""

    async def action() -> None:
        async with RabbitBroker(url, logger=None) as client:
            await client.declare_exchange(target)
            await client.publish(b"{}", exchange=target, routing_key=routing_key, timeout=10)

    return run(action)


def consume(url: str, queue: RabbitQueue, target: RabbitExchange) -> str:
    """Declares, binds and consumes the queue as a service's subscriber does."""

    async def action() -> None:
        client = RabbitBroker(url, logger=None)

        @client.subscriber(queue, target)
        async def handle(body: bytes) -> None:
            del body

        async with client:
            await client.start()

    return run(action)


def test_the_api_may_only_publish_events(broker: Broker, slug: str) -> None:
    api = broker.url("api_service")
    events = exchange(slug)
    assert publish(api, events) == "ok"
    assert consume(api, RabbitQueue(f"{slug}.worker", durable=True), events) == REFUSED
    assert (
        publish(api, RabbitExchange("amq.topic", type=ExchangeType.TOPIC, durable=True)) == REFUSED
    )
    other = RabbitExchange(f"{slug}.other", type=ExchangeType.TOPIC, durable=True)
    assert publish(api, other) == REFUSED


def test_no_service_may_delete_or_declare_again_the_events_exchange(
    broker: Broker, slug: str
) -> None:
    name = f"{slug}.events"

    def attempt(
        url: str, change: Callable[[aio_pika.abc.AbstractChannel], Awaitable[object]]
    ) -> str:
        async def action() -> None:
            connection = await aio_pika.connect(url)
            async with connection:
                await change(await connection.channel())

        return run(action)

    for user in USERS:
        url = broker.url(user)
        assert attempt(url, lambda channel: channel.exchange_delete(name)) == REFUSED, user
        redeclared = attempt(
            url, lambda channel: channel.declare_exchange(name, aio_pika.ExchangeType.FANOUT)
        )
        assert redeclared == REFUSED, user
        assert publish(url, exchange(slug)) == ("ok" if user == "api_service" else REFUSED), user


def test_only_changes_are_published_and_the_bot_hears_only_creations(
    broker: Broker, slug: str
) -> None:
    events = exchange(slug)
    api = broker.url("api_service")
    assert publish(api, events, "customer_visit.deleted") == "ok"
    assert publish(api, events, "admin.reset") == REFUSED
    assert publish(api, events, "#") == REFUSED
    every_event = RabbitQueue(f"{slug}.bot", durable=True, routing_key="#")
    assert consume(broker.url("bot_service"), every_event, events) == REFUSED


def test_the_worker_and_the_bot_read_only_their_own_queues(broker: Broker, slug: str) -> None:
    events = exchange(slug)
    worker, bot = broker.url("worker_service"), broker.url("bot_service")
    worker_queue = RabbitQueue(f"{slug}.worker", durable=True, routing_key="#")
    live_queue = RabbitQueue(f"{slug}.worker.live", durable=True, routing_key="#")
    bot_queue = RabbitQueue(f"{slug}.bot", durable=True, routing_key="*.created")

    assert consume(worker, worker_queue, events) == "ok"
    assert consume(worker, live_queue, events) == "ok"
    assert consume(bot, bot_queue, events) == "ok"

    assert consume(worker, bot_queue, events) == REFUSED
    assert consume(bot, worker_queue, events) == REFUSED
    assert publish(worker, events) == REFUSED
    assert publish(bot, events) == REFUSED


def test_an_event_the_api_publishes_reaches_the_worker_and_the_bot(
    broker: Broker, slug: str
) -> None:
    events = exchange(slug)
    received: dict[str, list[dict[str, int]]] = {"worker_service": [], "bot_service": []}
    queues = {
        "worker_service": RabbitQueue(f"{slug}.worker", durable=True, routing_key="#"),
        "bot_service": RabbitQueue(f"{slug}.bot", durable=True, routing_key="*.created"),
    }

    def subscribed(user: str, queue: RabbitQueue) -> RabbitBroker:
        client = RabbitBroker(broker.url(user), logger=None)

        @client.subscriber(queue, events)
        async def handle(body: dict[str, int]) -> None:
            received[user].append(body)

        return client

    async def scenario() -> None:
        clients = [subscribed(user, queue) for user, queue in queues.items()]
        for client in clients:
            await client.start()
        try:
            async with RabbitBroker(broker.url("api_service"), logger=None) as api:
                await api.declare_exchange(events)
                await api.publish(b'{"n": 1}', exchange=events, routing_key="x.created")
            deadline = time.monotonic() + 10
            while not all(received.values()) and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
        finally:
            for client in clients:
                await client.stop()

    asyncio.run(scenario())
    assert received == {"worker_service": [{"n": 1}], "bot_service": [{"n": 1}]}


def test_a_wrong_password_is_refused_and_a_changed_one_applies_at_the_next_start(
    broker: Broker, slug: str
) -> None:
    events = exchange(slug)
    assert publish(broker.url("api_service", "not-the-password"), events) == NOT_SIGNED_IN
    # A service's URL never carries the administrator's password.
    admin_password = broker.passwords["RABBITMQ_DEFAULT_PASS"]
    assert publish(broker.url("api_service", admin_password), events) == NOT_SIGNED_IN

    before = broker.url("api_service")
    broker.start({**broker.passwords, "RABBITMQ_API_PASSWORD": "rotated-secret-0123456789"})

    assert publish(before, events) == NOT_SIGNED_IN
    assert publish(broker.url("api_service"), events) == "ok"
    assert publish(f"amqp://operator:{admin_password}@127.0.0.1:{broker.port}/", events) == "ok"


def users(broker: Broker) -> set[str]:
    return {
        line.split("\t")[0]
        for line in broker.control("list_users", "--no-table-headers").splitlines()
    }


def test_only_the_scripts_users_are_left_after_a_start(broker: Broker, slug: str) -> None:
    events = exchange(slug)
    broker.control("add_user", "left_behind", stdin="left-behind-0123456789\n")
    broker.control("set_permissions", "-p", "/", "left_behind", ".*", ".*", ".*")
    # A name that holds a kept one between spaces is not that one.
    broker.control("add_user", "api_service worker_service", stdin="look-alike-0123456789\n")
    left_behind = f"amqp://left_behind:left-behind-0123456789@127.0.0.1:{broker.port}/"
    assert publish(left_behind, events) == "ok"
    admin_password = broker.passwords["RABBITMQ_DEFAULT_PASS"]

    # The administrator renamed in .env: the new name is the administrator, the old one is gone.
    broker.start({**broker.passwords, "RABBITMQ_DEFAULT_USER": "night_operator"})
    try:
        assert users(broker) == {"night_operator", *USERS}
        assert publish(left_behind, events) == NOT_SIGNED_IN
        old_admin = f"amqp://operator:{admin_password}@127.0.0.1:{broker.port}/"
        assert publish(old_admin, events) == NOT_SIGNED_IN
        new_admin = f"amqp://night_operator:{admin_password}@127.0.0.1:{broker.port}/"
        assert publish(new_admin, events) == "ok"
    finally:
        broker.start_without("RABBITMQ_DEFAULT_USER")
    assert users(broker) == {"operator", *USERS}


@pytest.mark.parametrize(
    ("variable", "value", "refusal"),
    [
        ("RABBITMQ_API_PASSWORD", "change-me", "RABBITMQ_API_PASSWORD is still change-me"),
        ("RABBITMQ_WORKER_PASSWORD", "short-0123", "RABBITMQ_WORKER_PASSWORD needs 16 characters"),
        ("RABBITMQ_BOT_PASSWORD", "bot@secret/0123456789", "RABBITMQ_BOT_PASSWORD goes into a URL"),
        ("RABBITMQ_DEFAULT_PASS", "change-me", "RABBITMQ_PASSWORD is still change-me"),
        ("RABBITMQ_DEFAULT_PASS", "admin-0123", "RABBITMQ_PASSWORD needs 16 characters"),
    ],
)
def test_a_weak_password_leaves_the_broker_unhealthy(
    project: Path, tmp_path: Path, variable: str, value: str, refusal: str
) -> None:
    """The script checks before it asks the broker anything (`secrets_check`, which refuses
    the same, does not run under `docker compose up --no-deps rabbitmq`)."""
    ready = tmp_path / "ready"
    output = run_without_a_broker(project, ready, {variable: value})
    assert refusal in output, output
    assert "the broker did not start" not in output, output
    assert not ready.exists()


def test_an_administrator_password_need_not_fit_a_url(project: Path, tmp_path: Path) -> None:
    output = run_without_a_broker(
        project, tmp_path / "ready", {"RABBITMQ_DEFAULT_PASS": "admin@secret/0123456789"}
    )
    # Past the checks: it went on to wait for a broker (there is none here).
    assert "the broker did not start" in output


def run_without_a_broker(project: Path, ready: Path, changed: dict[str, str]) -> str:
    """The script's output where no rabbitmqctl is on PATH, with these passwords changed."""
    result = subprocess.run(
        ["sh", str(project / "ops/rabbitmq/service-users.sh"), "sleep", "1"],
        env={
            "PATH": "/usr/bin:/bin", "RABBITMQ_DEFAULT_USER": "operator",
            "SERVICE_USERS_READY_FILE": str(ready), "SERVICE_USERS_WAIT_S": "0",
            **PASSWORDS, **changed,
        },
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    return result.stdout + result.stderr


def test_a_full_queue_refuses_the_apis_publish_until_it_drains(broker: Broker, slug: str) -> None:
    events = exchange(slug)
    broker.start({**broker.passwords, "RABBITMQ_QUEUE_MAX_LENGTH": "3"})
    # Only the worker's queue, empty: the other tests' queues would take events too.
    for queue in broker.control("list_queues", "name", "--no-table-headers").split():
        broker.control("delete_queue", queue)
    worker_queue = RabbitQueue(f"{slug}.worker", durable=True, routing_key="#")
    api = broker.url("api_service")

    async def fill_then_drain() -> list[str]:
        outcomes = []
        async with RabbitBroker(broker.url("worker_service"), logger=None) as worker:
            declared = await worker.declare_queue(worker_queue)
            await declared.bind(f"{slug}.events", routing_key="#")
            async with RabbitBroker(api, logger=None) as publisher:
                await publisher.declare_exchange(events)
                for n in range(5):
                    try:
                        await publisher.publish(
                            b"{}", exchange=events, routing_key="x.created", timeout=10
                        )
                    except Exception as error:  # the broker's refusal is the result
                        outcomes.append(type(error).__name__)
                    else:
                        outcomes.append("ok")
                    if n == 3:
                        message = await declared.get(no_ack=True)
                        assert message is not None
            await declared.purge()
        return outcomes

    try:
        assert asyncio.run(fill_then_drain()) == ["ok", "ok", "ok", "DeliveryError", "ok"]
    finally:
        broker.start_without("RABBITMQ_QUEUE_MAX_LENGTH")
    policies = broker.control("list_policies", "--no-table-headers")
    assert '"max-length":100000' in policies.replace(" ", ""), policies
