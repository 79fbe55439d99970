"""Where a data-service get spends its CPU below FastAPI: the service's ORM path against a Core
select in a session, a Core select on the engine, and asyncpg alone, on one PostgreSQL.

Usage: uv run python bench/sql_paths.py

Renders the level 1 defaults, installs the data service, starts a PostgreSQL on a free loopback
port, and runs bench/sql_paths_probe.py in the service's environment with each way of finding
closed connections: the service's ping (one round trip), SQLAlchemy's pool_pre_ping (three),
and none. Everything it starts is stopped before it exits. Needs PostgreSQL's server
binaries (Debian: postgresql) and uv.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from migrated_defaults import migrated_defaults  # noqa: E402


def main() -> None:
    with migrated_defaults(["db_postgres_service"]) as (root, env, url):
        data = root / "services" / "db_postgres_service"
        probe = ["uv", "run", "--no-sync", "python", str(BENCH / "sql_paths_probe.py")]
        for ping in ("service", "sqlalchemy", "none"):
            subprocess.run([*probe, ping], cwd=data, env=env | {"DATABASE_URL": url}, check=True)


if __name__ == "__main__":
    main()
