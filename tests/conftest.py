"""Answer presets and shared fixtures of the template's own tests."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.support.postgres import PostgresServer, postgres_bin_dir, running_postgres  # noqa: E402

DEFAULTS: dict[str, object] = {}
# Every name at its longest and every port moved: rendered code must stay formatted and typed.
LONG_NAMES: dict[str, object] = {
    "project_name": "Purchase Order Hub",
    "project_slug": "purchase_order_hub_platform_for_regions",
    "resource_name": "purchase_order_line_item",
    "resource_plural": "purchase_order_line_items",
    "python_version": "3.13",
    "api_port": 18080,
    "data_service_port": 18081,
    "postgres_port": 15432,
}
PRESETS = {"defaults": DEFAULTS, "long_names": LONG_NAMES}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--postgres",
        action="store_true",
        help="run the rendered projects' tests against a PostgreSQL started on 127.0.0.1",
    )


@pytest.fixture(scope="session")
def postgres(request: pytest.FixtureRequest) -> Iterator[PostgresServer | None]:
    """A PostgreSQL server when --postgres was given (skips when none is installed), else None."""
    if not request.config.getoption("--postgres"):
        yield None
        return
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        missing = "PostgreSQL is not installed (apt-get install postgresql)"
        if os.environ.get("CI"):
            pytest.fail(f"{missing}: CI must run the integration tests")
        pytest.skip(f"{missing}; integration tests skipped")
    with running_postgres(bin_dir) as server:
        yield server
