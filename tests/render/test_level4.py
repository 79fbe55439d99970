"""Level 4 (Production) renders: what it adds to level 3, and which shared files it touches."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.render.test_render import HUB_FILES, assert_adds_its_files_and_changes_only_hubs
from tests.support.project import compose_model, compose_spec_errors, render, rendered_files

pytestmark = pytest.mark.rendered

# Shared files level 4 changes by a few lines besides the hubs of every level.
LEVEL_4_HUBS = HUB_FILES | {
    "docker-compose.dev.yml",
    "docker-compose.prod.yml",
    "docs/modules/redis.md",
    "loadtest/locustfile.py",
    "monitoring/prometheus/prometheus.yml",
    "services/api_service/src/api_service/api/routes/__init__.py",
    # trace_id and span_id on every log line; the replica in the readiness answer
    "services/api_service/src/api_service/infrastructure/observability/logs.py",
    "services/db_postgres_service/src/db_postgres_service/logs.py",
    "services/db_postgres_service/src/db_postgres_service/health.py",
    "services/api_service/tests/conftest.py",
    "services/api_service/tests/e2e/test_stack.py",
    "services/api_service/tests/integration/test_data_service_outage.py",
    # Tests that take Redis away give sign-in a store of its own: it refuses tokens without one.
    "services/api_service/tests/integration/test_redis.py",
    "services/api_service/tests/integration/test_redis_store.py",
    "services/db_postgres_service/src/db_postgres_service/models/__init__.py",
    "services/db_postgres_service/src/db_postgres_service/routes/__init__.py",
}
AUTH_FILES = {
    "docs/security.md",
    "services/api_service/src/api_service/api/routes/auth.py",
    "services/api_service/src/api_service/api/routes/accounts.py",
    "services/api_service/src/api_service/create_admin.py",
    "services/api_service/src/api_service/infrastructure/auth/tokens.py",
    "services/api_service/src/api_service/infrastructure/circuit_breaker.py",
    "services/api_service/tests/accounts.py",
    "services/api_service/tests/integration/test_auth.py",
    "services/api_service/tests/integration/test_roles_and_ownership.py",
    "services/db_postgres_service/migrations/versions/auth_0001_users_and_ownerships.py",
    "services/db_postgres_service/src/db_postgres_service/ownership.py",
}


@pytest.fixture(scope="module")
def level_3_with_redis(tmp_path_factory: pytest.TempPathFactory) -> Path:
    answers = {"maturity_level": 3, "modules": ["redis"]}
    return render(tmp_path_factory.mktemp("level3") / "project", answers)


@pytest.fixture(scope="module")
def level_4(rendered_preset: Callable[[str], Path]) -> Path:
    return rendered_preset("level4")


def test_level_4_adds_its_files_and_changes_only_hub_files(
    level_3_with_redis: Path, level_4: Path
) -> None:
    added = rendered_files(level_4) - rendered_files(level_3_with_redis)

    assert added >= AUTH_FILES
    assert_adds_its_files_and_changes_only_hubs(level_3_with_redis, level_4, added, LEVEL_4_HUBS)


def test_level_4_adds_redis_and_says_so(level_4: Path) -> None:
    answers = yaml.safe_load((level_4 / ".copier-answers.yml").read_text())
    readme = (level_4 / "README.md").read_text()

    assert answers["modules"] == []
    assert "**redis**: [docs/modules/redis.md](docs/modules/redis.md) (added because" in readme
    assert (level_4 / "services/api_service/src/api_service/infrastructure/redis_store.py").exists()


@pytest.mark.parametrize("preset", ["level4", "modules_level4"])
@pytest.mark.parametrize(
    "name", ["docker-compose.yml", "docker-compose.dev.yml", "docker-compose.prod.yml"]
)
def test_compose_files_follow_the_compose_specification(
    rendered_preset: Callable[[str], Path], preset: str, name: str
) -> None:
    assert compose_spec_errors(rendered_preset(preset) / name) == ""


def test_the_signing_key_is_required_and_never_a_default_in_production(level_4: Path) -> None:
    compose = compose_model(level_4, "docker-compose.prod.yml")
    api = compose["services"]["api_service"]["environment"]
    settings = level_4 / "services/api_service/src/api_service/settings/auth.py"

    assert api["JWT_SECRET_KEY"] == "${JWT_SECRET_KEY:?set JWT_SECRET_KEY}"
    assert "change-me" in settings.read_text()  # the placeholder production refuses
    assert "JWT_SECRET_KEY=change-me" in (level_4 / ".env.example").read_text()


def test_make_create_admin_passes_values_without_the_shells_parsing(
    level_4: Path, tmp_path: Path
) -> None:
    """An address may hold ` and $: make hands it over as it is, never as shell code."""
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    received = tmp_path / "received"
    fake_uv = fake_bin / "uv"
    fake_uv.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" >> {received}\n')
    fake_uv.chmod(0o755)
    planted = tmp_path / "planted"
    email = f"`touch {planted}`$(touch {planted})bot@example.com"
    env = {"PATH": f"{fake_bin}:/usr/bin:/bin", "HOME": str(tmp_path)}

    subprocess.run(
        # -o lock: the services' locks are not made (the fake uv would not make them).
        ["make", "--no-print-directory", "-o", "lock", "create-admin", f"EMAIL={email}",
         'ROLE=admin" "--existing', "DATA_SERVICE_PORT=8123"],
        cwd=level_4, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip

    arguments = received.read_text().splitlines()
    assert not planted.exists()
    assert arguments[-3:] == ['admin" "--existing', "--", email]
    assert "--existing" not in arguments
