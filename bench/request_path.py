"""Cost of each hop of the request path against its stack's floor, measured on real processes.

Usage: uv run python bench/request_path.py [--seconds S] [--clients 10,50] [--rounds 2]
       [--targets floor,data,api,api4] [--max-load 1.0] [--load wrk|httpx] [--data key=value ...]

Starts a PostgreSQL on a free loopback port and, in the same run, four services over the
first resource's table:
- floor: bench/floor_service.py, the same create and get written as directly as the stack
  allows (Starlette, one asyncpg pool, orjson), in the data service's environment;
- data: the rendered data service (level 1 defaults unless --data says otherwise);
- api: the business API at level 1, in front of that data service;
- api4: the business API at level 4 with a signed-in user (its own data service and database,
  a Redis for sign-in and rate limits, tracing exported to a sink on loopback).
It drives `create` (POST) and `get` (GET by id) at each number of concurrent clients, every
target in turn, for `--rounds` rounds, each measurement started once the 1-minute load average
is under `--max-load`. The load comes from wrk (Debian: wrk), or from an httpx loop in this
process (`--load httpx`, which shares the cores with the services). Prints req/s, p50/p95/p99
latency and, for every process a request passes through (API, data service, PostgreSQL,
Redis), its CPU milliseconds per request. Everything it starts is stopped before it exits.
Needs PostgreSQL's server binaries (Debian: postgresql), redis-server for api4, and uv.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TEMPLATE = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(TEMPLATE))
sys.path.insert(0, str(BENCH))

import httpx  # noqa: E402
import processes  # noqa: E402
from load import Load, seed, with_httpx, with_wrk  # noqa: E402

from extensions.entities import build_entities  # noqa: E402
from tests.support.postgres import free_port, postgres_bin_dir, running_postgres  # noqa: E402
from tests.support.project import find_python, lock, render, run, uv_env  # noqa: E402
from tests.support.redis import running_redis  # noqa: E402
from tests.support.services import LoopbackProcess, ServiceProcess  # noqa: E402

ORJSON = "orjson==3.13.0"
# The data service answers only its callers: the bench calls it as the API does.
CALLER_HEADERS = {"Authorization": "Bearer development-only-caller-token"}
# High enough that the bench's one client address is never limited.
UNLIMITED = {"RATE_LIMIT_REQUESTS": "1000000000"}


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="per measurement")
    parser.add_argument("--clients", default="10,50", help="concurrent clients, comma separated")
    parser.add_argument("--rounds", type=int, default=2, help="every measurement, this often")
    parser.add_argument("--targets", default="floor,data,api,api4", help="comma separated")
    parser.add_argument("--max-load", type=float, default=1.0, help="1-minute load to wait for")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers per service")
    parser.add_argument("--load", choices=("httpx", "wrk"), default="wrk")
    parser.add_argument("--data", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument(
        "--level4-env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a setting of the level 4 services over the bench's own, to measure what a feature"
        " costs: LOG_LEVEL=WARNING (no line per request), OTEL_EXPORTER_OTLP_ENDPOINT= (no"
        " tracing), OTEL_TRACES_SAMPLER_ARG=0.1",
    )
    parser.add_argument(
        "--profile", type=Path, metavar="DIR", help="py-spy profiles of every service, here"
    )
    return parser.parse_args()


@dataclass
class Target:
    """A service to drive and the processes each of its requests passes through."""

    name: str
    url: str
    path: str
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    processes: dict[str, int] = field(default_factory=dict)


class FloorProcess(LoopbackProcess):
    name = "the floor service"
    ready_path = "/health"

    def __init__(self, folder: Path, port: int, env: dict[str, str], workers: int) -> None:
        super().__init__(folder, port, env)
        self.workers = workers

    def command(self) -> list[str]:
        return ["--with", ORJSON, "uvicorn", "floor_service:app", "--app-dir", str(BENCH),
                "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(self.workers),
                "--no-access-log", "--log-level", "warning"]  # fmt: skip


def pid_of(process: LoopbackProcess) -> int:
    assert process.process is not None
    return process.process.pid


def data_service_body(body: dict[str, Any], fields: list[dict[str, Any]]) -> dict[str, Any]:
    """The data service takes the full state: optional fields the API fills with null."""
    return {field["name"]: body.get(field["name"]) for field in fields}


def prepared(root: Path, env: dict[str, str], database_url: str) -> tuple[Path, Path]:
    api, data = root / "services/api_service", root / "services/db_postgres_service"
    lock(root, env)
    for service in (api, data):
        run(["uv", "sync", "--locked", "--quiet", "--no-dev"], service, env)
    run(["uv", "run", "--no-sync", "alembic", "upgrade", "heads"], data,
        env | {"DATABASE_URL": database_url})  # fmt: skip
    return api, data


def signed_in(api_url: str) -> dict[str, str]:
    """A new account's bearer header, as the rendered README signs in."""
    account = {"email": "bench@example.com", "password": "a bench password, long enough"}
    with httpx.Client(base_url=f"{api_url}/api/v1/auth", timeout=30) as client:
        registered = client.post("/register", json=account)
        assert registered.status_code in (201, 409), registered.text
        answer = client.post(
            "/token", data={"username": account["email"], "password": account["password"]}
        )
        assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def profiled(
    target: Target, seconds: float, folder: Path, name: str
) -> list[subprocess.Popen[bytes]]:
    """py-spy recording each Python service of `target` for `seconds` (folder/name-role.txt)."""
    folder.mkdir(parents=True, exist_ok=True)
    recorders = []
    for role, pid in target.processes.items():
        if role in ("postgres", "redis"):
            continue
        output = folder / f"{name}-{role}.txt"
        service = str(processes.uvicorn_of(pid))
        recorders.append(subprocess.Popen(
            ["py-spy", "record", "--pid", service, "--duration", f"{seconds:.0f}", "--rate", "200",
             "--format", "raw", "--nonblocking", "--output", str(output)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        ))  # fmt: skip
    return recorders


def cpu_per_request(
    target: Target,
    load: Callable[[Load], dict[str, float]],
    shape: Load,
    profile: Path | None,
    name: str,
) -> tuple[dict[str, float], dict[str, float]]:
    """`load` of `shape` on `target`: its figures, and each process's CPU ms per request."""
    before = {role: processes.tree_cpu_seconds(pid) for role, pid in target.processes.items()}
    recorders = profiled(target, shape.seconds, profile, name) if profile else []
    figures = load(shape)
    for recorder in recorders:
        recorder.wait(timeout=60)
    after = {role: processes.tree_cpu_seconds(pid) for role, pid in target.processes.items()}
    requests = max(1, figures["requests"])
    return figures, {role: (after[role] - before[role]) * 1000 / requests for role in before}


def main() -> None:
    options = parse()
    answers: dict[str, Any] = {}
    for pair in options.data:
        key, _, value = pair.partition("=")
        answers[key] = json.loads(value) if value[:1] in "[{" or value.isdigit() else value
    wanted = options.targets.split(",")
    bin_dir = postgres_bin_dir()
    python = find_python("3.12") or find_python("3.13")
    if bin_dir is None or python is None:
        sys.exit("needs PostgreSQL's server binaries and Python 3.12 or 3.13")
    if options.load == "wrk" and shutil.which("wrk") is None:
        sys.exit("--load wrk needs wrk (Debian: apt-get install wrk); or --load httpx")
    clients = [int(n) for n in options.clients.split(",")]
    uvicorn = ["--workers", str(options.workers), "--no-access-log"]
    entity = build_entities(answers.get("resources"))[0]
    body = entity["example_values"]
    api_path, data_path = f"/api/v1/{entity['url_path']}", f"/v1/{entity['url_path']}"
    data_body = data_service_body(body, entity["fields"])
    with tempfile.TemporaryDirectory() as folder, running_postgres(bin_dir) as postgres, \
            ExitStack() as stack:  # fmt: skip
        postmaster = processes.pid_listening_on(postgres.port)
        env = uv_env(python, LOG_LEVEL="WARNING")
        url = postgres.create_database("bench")
        api, data = prepared(render(Path(folder) / "level1", answers, quiet=True), env, url)
        data_port, api_port, floor_port = free_port(), free_port(), free_port()
        level1 = env | {"DATABASE_URL": url, "DATA_SERVICE_URL": f"http://127.0.0.1:{data_port}"}
        data_app = ServiceProcess(
            "db_postgres_service.main:create_app", data, data_port, level1, uvicorn
        )
        data_pid = pid_of(stack.enter_context(data_app))
        targets = []
        if "floor" in wanted:
            floor = stack.enter_context(FloorProcess(data, floor_port, level1, options.workers))
            cost = {"floor": pid_of(floor), "postgres": postmaster}
            targets.append(Target("floor", floor.url, data_path, data_body, {}, cost))
        if "data" in wanted:
            cost = {"data": data_pid, "postgres": postmaster}
            targets.append(Target("data", data_app.url, data_path, data_body, CALLER_HEADERS, cost))
        if "api" in wanted:
            api_app = ServiceProcess("api_service.main:create_app", api, api_port, level1, uvicorn)
            cost = {"api": pid_of(stack.enter_context(api_app)), "data": data_pid}
            targets.append(
                Target("api", api_app.url, api_path, body, {}, cost | {"postgres": postmaster})
            )
        if "api4" in wanted:
            targets.append(
                level4_target(
                    stack,
                    Path(folder),
                    answers,
                    env,
                    postgres,
                    uvicorn,
                    api_path,
                    body,
                    settings(options.level4_env),
                )
            )
        report(targets, clients, options)


def settings(pairs: list[str]) -> dict[str, str]:
    return dict(pair.split("=", 1) for pair in pairs)


def level4_target(
    stack: ExitStack,
    folder: Path,
    answers: dict[str, Any],
    env: dict[str, str],
    postgres: Any,
    uvicorn: list[str],
    api_path: str,
    body: dict[str, Any],
    overrides: dict[str, str],
) -> Target:
    url = postgres.create_database("bench4")
    root = render(folder / "level4", answers | {"maturity_level": 4}, quiet=True)
    api, data = prepared(root, env, url)
    redis_url = stack.enter_context(running_redis())
    sink = stack.enter_context(processes.span_sink(free_port()))
    data_port, api_port = free_port(), free_port()
    bench_defaults = {"LOG_LEVEL": "INFO", "OTEL_EXPORTER_OTLP_ENDPOINT": sink}
    level4 = env | UNLIMITED | bench_defaults | overrides | {
        "DATABASE_URL": url, "DATA_SERVICE_URL": f"http://127.0.0.1:{data_port}",
        "REDIS_URL": redis_url, "AUTH_REDIS_URL": redis_url,
    }  # fmt: skip
    data_app = ServiceProcess(
        "db_postgres_service.main:create_app", data, data_port, level4, uvicorn
    )
    api_app = ServiceProcess("api_service.main:create_app", api, api_port, level4, uvicorn)
    cost = {}
    for role, process in (("api", api_app), ("data", data_app)):
        process.quiet = True  # every request's log line, as production writes it
        cost[role] = pid_of(stack.enter_context(process))
    cost["postgres"] = processes.pid_listening_on(postgres.port)
    cost["redis"] = processes.pid_listening_on(int(redis_url.rsplit(":", 1)[1].split("/")[0]))
    return Target("api4", api_app.url, api_path, body, signed_in(api_app.url), cost)


def report(targets: list[Target], clients: list[int], options: argparse.Namespace) -> None:
    load = with_wrk if options.load == "wrk" else with_httpx
    ids = {target.name: seed(target.url, target.path, target.body, target.headers)
           for target in targets}  # fmt: skip
    print(f"{options.workers} worker(s) per service; {options.seconds:.0f} s per line; load from "
          f"{options.load}; CPU in ms per request")  # fmt: skip
    print(f"{'round':5} {'operation':9} {'target':6} {'clients':>7} {'req/s':>7} {'p50':>6} "
          f"{'p95':>6} {'p99':>6} {'fail':>4} {'load':>4}  CPU ms per request")  # fmt: skip
    for round_number in range(1, options.rounds + 1):
        for operation in ("create", "get"):
            for count in clients:
                for target in targets:
                    quiet = processes.wait_for_quiet(options.max_load)
                    rows = ids[target.name] if operation == "get" else []
                    shape = Load(count, options.seconds, target.url, target.path, target.body,
                                 rows, target.headers)  # fmt: skip
                    name = f"{round_number}-{operation}-{count}-{target.name}"
                    figures, cpu = cpu_per_request(target, load, shape, options.profile, name)
                    spent = " ".join(f"{role} {ms:.2f}" for role, ms in cpu.items())
                    print(f"{round_number:5d} {operation:9} {target.name:6} {count:7d} "
                          f"{figures['rps']:7.0f} {figures['p50']:6.1f} {figures['p95']:6.1f} "
                          f"{figures['p99']:6.1f} {figures['failures']:4.0f} {quiet:4.1f}  "
                          f"{spent} (total {sum(cpu.values()):.2f})", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
