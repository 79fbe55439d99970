"""The load of the request-path bench: wrk (a Lua script per request shape) or an httpx loop in
the bench's own process, and the bodies it sends."""

from __future__ import annotations

import asyncio
import itertools
import json
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def unique(body: dict[str, Any], suffix: str) -> dict[str, Any]:
    """The body with `suffix` added to every text value, so unique fields stay unique."""
    return {name: f"{value}-{suffix}" if isinstance(value, str) else value
            for name, value in body.items()}  # fmt: skip


def seed(url: str, path: str, body: dict[str, Any], headers: dict[str, str]) -> list[str]:
    """Create 200 rows to get; their ids."""
    tag = uuid.uuid4().hex[:8]
    ids = []
    with httpx.Client(base_url=url, timeout=30, headers=headers) as client:
        for n in range(200):
            answer = client.post(path, json=unique(body, f"{tag}-{n}"))
            assert answer.status_code == 201, answer.text
            ids.append(answer.json()["id"])
    return ids


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
  local headers = {}
  if auth ~= "" then headers["Authorization"] = auth end
  if method == "POST" then
    local body = string.gsub(template, "__N__", prefix .. "-" .. counter)
    headers["Content-Type"] = "application/json"
    return wrk.format("POST", path, headers, body)
  end
  return wrk.format("GET", path .. "/" .. ids[(counter %% #ids) + 1], headers)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests": %%d, "seconds": %%f, "p50": %%f, "p95": %%f, "p99": %%f, '
    .. '"failures": %%d}\\n', summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1e3, latency:percentile(95) / 1e3, latency:percentile(99) / 1e3,
    e.status + e.connect + e.read + e.write + e.timeout))
end
"""


@dataclass
class Load:
    """`clients` at once for `seconds`: creates at `path` (no `ids`), or gets over `ids`."""

    clients: int
    seconds: float
    url: str
    path: str
    body: dict[str, Any]
    ids: list[str]
    headers: dict[str, str]


def with_wrk(load: Load) -> dict[str, float]:
    """The load from wrk; requests, req/s, p50/95/99 ms and failures."""
    clients, seconds, url, path = load.clients, load.seconds, load.url, load.path
    body, ids, headers = load.body, load.ids, load.headers
    script = WRK_SCRIPT % {
        "method": "GET" if ids else "POST",
        "path": path,
        "body": json.dumps(unique(body, f"{uuid.uuid4().hex[:8]}-__N__")),
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
    return {"rps": figures["requests"] / figures.pop("seconds"), **figures}


def with_httpx(load: Load) -> dict[str, float]:
    """The same as with_wrk, from an asyncio loop in this process (which then shares the cores
    with the services it measures)."""
    clients, seconds, url, path = load.clients, load.seconds, load.url, load.path
    body, ids, headers = load.body, load.ids, load.headers
    numbers = itertools.count()
    tag = uuid.uuid4().hex[:8]
    latencies: list[float] = []
    failures = 0

    async def call(client: httpx.AsyncClient) -> None:
        if ids:
            response = await client.get(f"{path}/{ids[next(numbers) % len(ids)]}")
            assert response.status_code == 200, response.text
        else:
            response = await client.post(path, json=unique(body, f"{tag}-{next(numbers)}"))
            assert response.status_code == 201, response.text

    async def drive() -> float:
        nonlocal failures
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
            return time.perf_counter() - started

    elapsed = asyncio.run(drive())
    if not latencies:
        raise RuntimeError(f"every request to {url} failed")
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50": percentile(latencies, 0.50) * 1000,
        "p95": percentile(latencies, 0.95) * 1000,
        "p99": percentile(latencies, 0.99) * 1000,
        "failures": failures,
    }
