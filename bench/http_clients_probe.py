"""Run by bench/http_clients.py in the API's environment: the CPU this process spends per get
from the data service, through httpx on one transport, 10 gets at a time.

    uv run --with httpx-aiohttp python bench/http_clients_probe.py URL TRANSPORT

TRANSPORT: "httpcore" (httpx's own, what the API uses) or "aiohttp" (httpx-aiohttp's).
"""

import asyncio
import sys
import time

import httpx
import uvloop
from api_service.settings.data import DataServiceSettings
from httpx_aiohttp import AiohttpTransport

GETS = 3000
CONCURRENT = 10


async def main(url: str, kind: str) -> None:
    token = DataServiceSettings().token.get_secret_value()
    transport = AiohttpTransport() if kind == "aiohttp" else httpx.AsyncHTTPTransport()
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url, transport=transport, headers=headers) as client:
        created = await client.post("/v1/items", json={"name": f"probe {time.time()}"})
        created.raise_for_status()
        path = f"/v1/items/{created.json()['id']}"

        async def gets(count: int) -> None:
            for _ in range(count):
                (await client.get(path)).raise_for_status()

        await gets(200)
        cpu, wall = time.process_time(), time.perf_counter()
        await asyncio.gather(*(gets(GETS // CONCURRENT) for _ in range(CONCURRENT)))
        cpu_ms = (time.process_time() - cpu) / GETS * 1000
        wall_ms = (time.perf_counter() - wall) / GETS * 1000
    print(f"{kind:9s} client CPU {cpu_ms:.3f} ms per get, wall {wall_ms:.3f} ms ({GETS} gets)")


if __name__ == "__main__":
    uvloop.run(main(sys.argv[1], sys.argv[2]))
