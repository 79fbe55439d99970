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
import tempfile
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(TEMPLATE))

from tests.support.postgres import postgres_bin_dir, running_postgres  # noqa: E402
from tests.support.project import find_python, lock, render, run, uv_env  # noqa: E402


def main() -> None:
    bin_dir, python = postgres_bin_dir(), find_python("3.12") or find_python("3.13")
    if bin_dir is None or python is None:
        sys.exit("needs PostgreSQL's server binaries and Python 3.12 or 3.13")
    env = uv_env(python)
    with tempfile.TemporaryDirectory() as folder, running_postgres(bin_dir) as postgres:
        root = render(Path(folder) / "project", {}, quiet=True)
        data = root / "services" / "db_postgres_service"
        lock(root, env, "db_postgres_service")
        run(["uv", "sync", "--locked", "--quiet", "--no-dev"], data, env)
        url = postgres.create_database("paths")
        service_env = env | {"DATABASE_URL": url}
        run(["uv", "run", "--no-sync", "alembic", "upgrade", "heads"], data, service_env)
        probe = ["uv", "run", "--no-sync", "python", str(BENCH / "sql_paths_probe.py")]
        for ping in ("service", "sqlalchemy", "none"):
            subprocess.run([*probe, ping], cwd=data, env=service_env, check=True)


if __name__ == "__main__":
    main()
