"""Cost of the hop from the business API to the data service, measured on real processes.

Usage: uv run python bench/request_path.py [--seconds S] [--clients 1,10,50] [--workers N]
       [--load httpx|wrk] [--data key=value ...]

Renders a project (level 1 defaults unless --data says otherwise), starts a PostgreSQL on a
free loopback port, migrates it, runs the data service and the business API with uvicorn, and
drives `create` (POST) and `get` (GET by id) of the first resource at each number of concurrent
clients, through the API (API -> HTTP -> data service -> PostgreSQL) and against the data
service directly, in the same run. The load comes from an httpx script in this process, or from
wrk (`--load wrk`, Debian: wrk), which takes far less of the two cores at 50 clients. Prints
requests per second and p50/p95/p99 latency of each, and what the hop costs: 1 - API
throughput / data service throughput. Everything it starts is stopped before it exits. Needs
PostgreSQL's server binaries (Debian: postgresql) and uv.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

TEMPLATE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TEMPLATE))

import httpx  # noqa: E402

from tests.support.postgres import free_port, postgres_bin_dir, running_postgres  # noqa: E402
from tests.support.project import find_python, lock, render, run, uv_env  # noqa: E402
from tests.support.services import ServiceProcess  # noqa: E402


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="per measurement")
    parser.add_argument("--clients", default="1,10,50", help="concurrent clients, comma separated")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers per service")
    parser.add_argument("--load", choices=("httpx", "wrk"), default="httpx")
    parser.add_argument("--data", action="append", default=[], metavar="KEY=VALUE")
    return parser.parse_args()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


# The data service answers only its callers: the bench calls it as the API does.
CALLER_HEADERS = {"Authorization": "Bearer development-only-caller-token"}


def headers_for(url: str, data_url: str) -> dict[str, str]:
    return CALLER_HEADERS if url == data_url else {}


async def measure(
    clients: int,
    seconds: float,
    call: Callable[[httpx.AsyncClient], Awaitable[None]],
    url: str,
    headers: dict[str, str],
) -> dict[str, float]:
    latencies: list[float] = []
    failures = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(
        base_url=url, limits=limits, timeout=30, headers=headers
    ) as client:
        deadline = time.perf_counter() + seconds

        async def one_client() -> None:
            nonlocal failures
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                try:
                    await call(client)
                except (httpx.HTTPError, AssertionError) as exc:
                    failures += 1
                    if failures <= 3:
                        print(f"  failed: {exc!r:.300}", file=sys.stderr)
                    continue
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(one_client() for _ in range(clients)))
        elapsed = time.perf_counter() - started
    if not latencies:
        raise RuntimeError(f"every request to {url} failed")
    return {
        "rps": len(latencies) / elapsed,
        "p50": percentile(latencies, 0.50) * 1000,
        "p95": percentile(latencies, 0.95) * 1000,
        "p99": percentile(latencies, 0.99) * 1000,
        "mean": statistics.fmean(latencies) * 1000,
        "failures": failures,
    }


# wrk drives one request shape per run: unique create bodies, or gets over rows made first.
WRK_SCRIPT = """
local counter, threads = 0, 0
local method, path, template, ids = "%(method)s", "%(path)s", [==[%(body)s]==], {%(ids)s}
local auth = "%(auth)s"
function setup(thread)
  threads = threads + 1
  thread:set("prefix", "w" .. threads)
end
function request()
  counter = counter + 1
  if method == "POST" then
    local body = string.gsub(template, "__N__", prefix .. "-" .. counter)
    local headers = {["Content-Type"] = "application/json"}
    if auth ~= "" then headers["Authorization"] = auth end
    return wrk.format("POST", path, headers, body)
  end
  local headers = {}
  if auth ~= "" then headers["Authorization"] = auth end
  return wrk.format("GET", path .. "/" .. ids[(counter %% #ids) + 1], headers)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests": %%d, "seconds": %%f, "p50": %%f, "p95": %%f, "p99": %%f, '
    .. '"mean": %%f, "failures": %%d}\\n', summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1e3, latency:percentile(95) / 1e3, latency:percentile(99) / 1e3,
    latency.mean / 1e3, e.status + e.connect + e.read + e.write + e.timeout))
end
"""


def measure_with_wrk(
    clients: int,
    seconds: float,
    url: str,
    collection: str,
    body: dict[str, Any],
    get: bool,
    headers: dict[str, str],
) -> dict[str, float]:
    ids: list[str] = []
    run_tag = uuid.uuid4().hex[:8]
    if get:
        with httpx.Client(base_url=url, timeout=30, headers=headers) as client:
            for n in range(200):
                answer = client.post(collection, json=unique(body, f"{run_tag}-{n}"))
                assert answer.status_code == 201, answer.text
                ids.append(answer.json()["id"])
    template = json.dumps(unique(body, f"{run_tag}-__N__"))
    script = WRK_SCRIPT % {
        "method": "GET" if get else "POST",
        "path": collection,
        "body": template,
        "ids": ", ".join(f'"{entity_id}"' for entity_id in ids),
        "auth": headers.get("Authorization", ""),
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        lua.write(script)
        lua.flush()
        result = subprocess.run(
            ["wrk", "-t", str(min(2, clients)), "-c", str(clients), "-d", f"{seconds:.0f}s",
             "--timeout", "30s", "-s", lua.name, url],
            capture_output=True, text=True,
        )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"wrk failed: {result.stderr or result.stdout}")
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    return {"rps": figures.pop("requests") / figures.pop("seconds"), **figures}


def unique(body: dict[str, Any], suffix: str) -> dict[str, Any]:
    """The body with `suffix` added to every text value, so unique fields stay unique."""
    return {name: f"{value}-{suffix}" if isinstance(value, str) else value
            for name, value in body.items()}  # fmt: skip


def scenarios(collection: str, body: dict[str, Any], tag: str) -> dict[str, Any]:
    numbers = itertools.count()
    created: list[str] = []

    def new_body() -> dict[str, Any]:
        return unique(body, f"{tag}-{next(numbers)}")

    async def create(client: httpx.AsyncClient) -> None:
        response = await client.post(collection, json=new_body())
        assert response.status_code == 201, response.text
        created.append(response.json()["id"])

    async def get(client: httpx.AsyncClient) -> None:
        entity_id = created[next(numbers) % len(created)]
        response = await client.get(f"{collection}/{entity_id}")
        assert response.status_code == 200, response.text

    return {"create": create, "get": get}


def data_service_body(body: dict[str, Any], fields: list[dict[str, Any]]) -> dict[str, Any]:
    """The data service takes the full state: optional fields the API fills with null."""
    return {field["name"]: body.get(field["name"]) for field in fields}


def main() -> None:
    options = parse()
    answers: dict[str, Any] = {}
    for pair in options.data:
        key, _, value = pair.partition("=")
        answers[key] = json.loads(value) if value[:1] in "[{" or value.isdigit() else value
    bin_dir = postgres_bin_dir()
    python = find_python("3.12") or find_python("3.13")
    if bin_dir is None or python is None:
        sys.exit("needs PostgreSQL's server binaries and Python 3.12 or 3.13")
    if options.load == "wrk" and shutil.which("wrk") is None:
        sys.exit("--load wrk needs wrk (Debian: apt-get install wrk)")
    clients = [int(n) for n in options.clients.split(",")]
    with tempfile.TemporaryDirectory() as folder, running_postgres(bin_dir) as postgres:
        root = render(Path(folder) / "project", answers, quiet=True)
        env = uv_env(python, LOG_LEVEL="WARNING")
        api, data = root / "services/api_service", root / "services/db_postgres_service"
        lock(root, env)
        for service in (api, data):
            run(["uv", "sync", "--locked", "--quiet", "--no-dev"], service, env)
        env["DATABASE_URL"] = postgres.create_database("bench")
        run(["uv", "run", "--no-sync", "alembic", "upgrade", "heads"], data, env)
        from extensions.entities import build_entities

        entity = build_entities(answers.get("resources"))[0]
        body = entity["example_values"]
        data_port, api_port = free_port(), free_port()
        env["DATA_SERVICE_URL"] = f"http://127.0.0.1:{data_port}"
        workers = options.workers
        uvicorn = ["--workers", str(workers), "--no-access-log"]
        with (
            ServiceProcess("db_postgres_service.main:create_app", data, data_port, env, uvicorn),
            ServiceProcess("api_service.main:create_app", api, api_port, env, uvicorn),
        ):
            api_url, data_url = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{data_port}"
            api_path, data_path = f"/api/v1/{entity['url_path']}", f"/v1/{entity['url_path']}"
            data_body = data_service_body(body, entity["fields"])
            targets = {
                "api": (api_url, api_path, body, scenarios(api_path, body, "api")),
                "data": (data_url, data_path, data_body, scenarios(data_path, data_body, "data")),
            }
            print(f"answers: {answers or 'defaults'}; {workers} worker(s) per service; "
                  f"{options.seconds:.0f} s per line; load from {options.load}")  # fmt: skip
            print(f"{'operation':9} {'target':6} {'clients':>7} {'req/s':>8} {'p50 ms':>8} "
                  f"{'p95 ms':>8} {'p99 ms':>8} {'failed':>6}")  # fmt: skip
            for operation in ("create", "get"):
                for count in clients:
                    figures = {}
                    for target, (url, path, target_body, calls) in targets.items():
                        headers = headers_for(url, data_url)
                        if options.load == "wrk":
                            result = measure_with_wrk(count, options.seconds, url, path,
                                                      target_body, operation == "get",
                                                      headers)  # fmt: skip
                        else:
                            result = asyncio.run(
                                measure(count, options.seconds, calls[operation], url, headers)
                            )
                        figures[target] = result
                        print(f"{operation:9} {target:6} {count:7d} {result['rps']:8.0f} "
                              f"{result['p50']:8.1f} {result['p95']:8.1f} {result['p99']:8.1f} "
                              f"{result['failures']:6.0f}")  # fmt: skip
                    hop = 1 - figures["api"]["rps"] / figures["data"]["rps"]
                    print(f"{'':9} hop costs {hop:.0%} of the data service's throughput")


if __name__ == "__main__":
    main()
