"""What the API's client to the data service costs per call: httpx on its own transport
(httpcore, what the API uses) against httpx on aiohttp's (httpx-aiohttp), on one data service.

Usage: uv run python bench/http_clients.py

Renders the level 1 defaults, installs the data service and the API, starts a PostgreSQL on a
free loopback port and the data service under uvicorn, and runs bench/http_clients_probe.py in
the API's environment (with httpx-aiohttp added for the run) for each transport, in turn, two
rounds. Everything it starts is stopped before it exits. Needs PostgreSQL's server binaries
(Debian: postgresql) and uv.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
TEMPLATE = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(TEMPLATE))

from migrated_defaults import migrated_defaults  # noqa: E402

from tests.support.postgres import free_port  # noqa: E402
from tests.support.services import ServiceProcess  # noqa: E402

# The versions measured: add-ons for the run only, not dependencies of the API.
AIOHTTP_TRANSPORT = ["--with", "httpx-aiohttp==0.2.0", "--with", "aiohttp==3.14.5"]


def main() -> None:
    with migrated_defaults(["db_postgres_service", "api_service"]) as (root, env, url):
        data, api = root / "services" / "db_postgres_service", root / "services" / "api_service"
        port = free_port()
        app = "db_postgres_service.main:create_app"
        service_env = env | {"DATABASE_URL": url, "LOG_LEVEL": "WARNING"}
        with ServiceProcess(app, data, port, service_env, ["--no-access-log"]):
            probe = ["uv", "run", "--no-sync", *AIOHTTP_TRANSPORT, "python",
                     str(BENCH / "http_clients_probe.py"), f"http://127.0.0.1:{port}"]  # fmt: skip
            for _ in (1, 2):
                for transport in ("httpcore", "aiohttp"):
                    subprocess.run([*probe, transport], cwd=api, env=env, check=True)


if __name__ == "__main__":
    main()
