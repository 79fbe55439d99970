"""The level 1 defaults, rendered and installed, over a migrated database of a PostgreSQL started
on loopback: what bench/sql_paths.py and bench/http_clients.py measure on."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TEMPLATE))

from tests.support.postgres import postgres_bin_dir, running_postgres  # noqa: E402
from tests.support.project import find_python, lock, render, run, uv_env  # noqa: E402


@contextmanager
def migrated_defaults(services: Sequence[str]) -> Iterator[tuple[Path, dict[str, str], str]]:
    """(project root, uv's environment, database URL); `services` locked and installed without
    their dev dependencies. Everything started is stopped on exit."""
    bin_dir, python = postgres_bin_dir(), find_python("3.12") or find_python("3.13")
    if bin_dir is None or python is None:
        sys.exit("needs PostgreSQL's server binaries and Python 3.12 or 3.13")
    env = uv_env(python)
    with tempfile.TemporaryDirectory() as folder, running_postgres(bin_dir) as postgres:
        root = render(Path(folder) / "project", {}, quiet=True)
        for service in services:
            lock(root, env, service)
            run(["uv", "sync", "--locked", "--quiet", "--no-dev"], root / "services" / service, env)
        url = postgres.create_database("bench")
        data = root / "services" / "db_postgres_service"
        run(
            ["uv", "run", "--no-sync", "alembic", "upgrade", "heads"],
            data,
            env | {"DATABASE_URL": url},
        )
        yield root, env, url
