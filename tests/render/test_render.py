"""What a render produces: the file set the answers imply, byte-identical twice, valid files."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import CATALOG, LONG_NAMES
from tests.support.project import (
    compose_files_of,
    compose_model,
    compose_spec_errors,
    find_python,
    render,
    rendered_files,
)

LEVEL_1_FILES = """
.copier-answers.yml
.env
.env.example
.gitignore
.pre-commit-config.yaml
Makefile
README.md
compose/api_service.compose.yml
compose/development/api_service.compose.yml
compose/development/postgres.compose.yml
compose/postgres.compose.yml
docker-compose.yml
docs/requirements.md
services/api_service/.dockerignore
services/api_service/.python-version
services/api_service/Dockerfile
services/api_service/pyproject.toml
services/api_service/src/api_service/__init__.py
services/api_service/src/api_service/api/__init__.py
services/api_service/src/api_service/api/body_limit.py
services/api_service/src/api_service/api/deps/__init__.py
services/api_service/src/api_service/api/errors.py
services/api_service/src/api_service/api/ids.py
services/api_service/src/api_service/api/problems.py
services/api_service/src/api_service/api/responses.py
services/api_service/src/api_service/api/routes/__init__.py
services/api_service/src/api_service/api/versions.py
services/api_service/src/api_service/api/schemas/__init__.py
services/api_service/src/api_service/application/__init__.py
services/api_service/src/api_service/application/errors.py
services/api_service/src/api_service/application/pagination.py
services/api_service/src/api_service/application/ports/__init__.py
services/api_service/src/api_service/application/use_cases/__init__.py
services/api_service/src/api_service/domain/__init__.py
services/api_service/src/api_service/domain/errors.py
services/api_service/src/api_service/domain/rules.py
services/api_service/src/api_service/infrastructure/__init__.py
services/api_service/src/api_service/infrastructure/data_client.py
services/api_service/src/api_service/infrastructure/repositories/__init__.py
services/api_service/src/api_service/main.py
services/api_service/src/api_service/py.typed
services/api_service/src/api_service/settings/__init__.py
services/api_service/src/api_service/settings/core.py
services/api_service/src/api_service/settings/data.py
services/api_service/src/api_service/wiring.py
services/api_service/tests/__init__.py
services/api_service/tests/conftest.py
services/api_service/tests/contract/__init__.py
services/api_service/tests/contract/test_architecture.py
services/api_service/tests/factories/__init__.py
services/api_service/tests/fakes/__init__.py
services/api_service/tests/fakes/memory.py
services/api_service/tests/integration/__init__.py
services/api_service/tests/integration/test_body_limit.py
services/api_service/tests/integration/test_data_service_outage.py
services/api_service/tests/integration/test_problems.py
services/api_service/tests/integration/test_unexpected_errors.py
services/api_service/tests/unit/__init__.py
services/api_service/tests/unit/test_data_client.py
services/db_postgres_service/.dockerignore
services/db_postgres_service/.python-version
services/db_postgres_service/Dockerfile
services/db_postgres_service/alembic.ini
services/db_postgres_service/migrations/env.py
services/db_postgres_service/migrations/script.py.mako
services/db_postgres_service/pyproject.toml
services/db_postgres_service/src/db_postgres_service/__init__.py
services/db_postgres_service/src/db_postgres_service/body_limit.py
services/db_postgres_service/src/db_postgres_service/callers.py
services/db_postgres_service/src/db_postgres_service/database.py
services/db_postgres_service/src/db_postgres_service/errors.py
services/db_postgres_service/src/db_postgres_service/main.py
services/db_postgres_service/src/db_postgres_service/models/__init__.py
services/db_postgres_service/src/db_postgres_service/models/base.py
services/db_postgres_service/src/db_postgres_service/problems.py
services/db_postgres_service/src/db_postgres_service/py.typed
services/db_postgres_service/src/db_postgres_service/repositories/__init__.py
services/db_postgres_service/src/db_postgres_service/repositories/base.py
services/db_postgres_service/src/db_postgres_service/responses.py
services/db_postgres_service/src/db_postgres_service/routes/__init__.py
services/db_postgres_service/src/db_postgres_service/schemas/__init__.py
services/db_postgres_service/src/db_postgres_service/settings/__init__.py
services/db_postgres_service/src/db_postgres_service/wiring.py
services/db_postgres_service/tests/__init__.py
services/db_postgres_service/tests/conftest.py
services/db_postgres_service/tests/factories/__init__.py
services/db_postgres_service/tests/security/__init__.py
services/db_postgres_service/tests/security/test_callers.py
services/db_postgres_service/tests/test_body_limit.py
services/db_postgres_service/tests/test_database.py
services/db_postgres_service/tests/test_problems.py
tools/env_secrets.py
tools/lock.py
tools/template_commit.py
tools/wait_for_port.py
"""
# Added by level 2.
LEVEL_2_FILES = """
compose/development/logging.compose.yml
compose/development/sentry.compose.yml
docker-compose.dev.yml
services/api_service/src/api_service/api/routes/health.py
services/api_service/src/api_service/infrastructure/observability/__init__.py
services/api_service/src/api_service/infrastructure/observability/logs.py
services/api_service/src/api_service/infrastructure/observability/sentry.py
services/api_service/src/api_service/settings/logs.py
services/api_service/src/api_service/settings/sentry.py
services/api_service/tests/integration/test_observability.py
services/api_service/tests/unit/test_readiness.py
services/db_postgres_service/src/db_postgres_service/health.py
services/db_postgres_service/src/db_postgres_service/logs.py
services/db_postgres_service/src/db_postgres_service/sentry.py
services/db_postgres_service/src/db_postgres_service/settings/logs.py
services/db_postgres_service/src/db_postgres_service/settings/sentry.py
services/db_postgres_service/tests/test_observability.py
services/db_postgres_service/tests/test_postgres.py
"""
# Added by level 3.
LEVEL_3_FILES = """
compose/development/metrics.compose.yml
compose/metrics.compose.yml
compose/production/api_service.compose.yml
compose/production/defaults.compose.yml
compose/production/gateway.compose.yml
compose/production/metrics.compose.yml
compose/production/postgres.compose.yml
compose/production/secrets_check.compose.yml
docker-compose.prod.yml
gateway/CERTIFICATES.md
gateway/templates/default.conf.template
gateway/templates/snippets/security_headers.conf.template
loadtest/locustfile.py
monitoring/grafana/dashboards/services.json
monitoring/grafana/provisioning/dashboards/dashboards.yml
monitoring/grafana/provisioning/datasources/prometheus.yml
monitoring/prometheus/alerts.yml
monitoring/prometheus/prometheus.yml
services/api_service/src/api_service/api/client_addresses.py
services/api_service/src/api_service/api/cors.py
services/api_service/src/api_service/api/rate_limit.py
services/api_service/src/api_service/infrastructure/observability/metrics.py
services/api_service/src/api_service/settings/http.py
services/api_service/tests/e2e/__init__.py
services/api_service/tests/e2e/test_stack.py
services/api_service/tests/integration/test_http_policy.py
services/api_service/tests/unit/test_client_addresses.py
services/db_postgres_service/src/db_postgres_service/metrics.py
services/db_postgres_service/tests/test_metrics.py
tools/check_secrets.py
"""
# Files that a level changes by a few lines; every other change is a new file.
HUB_FILES = {
    ".copier-answers.yml",
    ".pre-commit-config.yaml",
    "Makefile",
    ".env",
    ".env.example",
    "README.md",
    "docker-compose.yml",
    # What the levels add to a service's compose settings (LOG_LEVEL, the /health check).
    "compose/api_service.compose.yml",
    "compose/development/api_service.compose.yml",
    "compose/development/postgres.compose.yml",
    "compose/postgres.compose.yml",
    "docs/requirements.md",
    "services/api_service/Dockerfile",
    "services/api_service/pyproject.toml",
    "services/api_service/src/api_service/settings/__init__.py",
    "services/api_service/src/api_service/wiring.py",
    "services/api_service/tests/integration/test_unexpected_errors.py",
    "services/db_postgres_service/Dockerfile",
    "services/db_postgres_service/pyproject.toml",
    "services/db_postgres_service/src/db_postgres_service/settings/__init__.py",
    "services/db_postgres_service/src/db_postgres_service/wiring.py",
    "services/db_postgres_service/tests/test_database.py",
}
# Rendered once per resource.
RESOURCE_FILES = """
services/api_service/src/api_service/api/deps/{name}.py
services/api_service/src/api_service/api/routes/{name}.py
services/api_service/src/api_service/api/schemas/{name}.py
services/api_service/src/api_service/application/ports/{name}.py
services/api_service/src/api_service/application/use_cases/{name}.py
services/api_service/src/api_service/domain/{name}.py
services/api_service/src/api_service/infrastructure/repositories/{name}.py
services/api_service/tests/factories/{name}.py
services/api_service/tests/fakes/{name}.py
services/api_service/tests/integration/test_{name}_api.py
services/api_service/tests/unit/test_{name}_domain.py
services/api_service/tests/unit/test_{name}_use_cases.py
services/db_postgres_service/migrations/versions/{migration}.py
services/db_postgres_service/src/db_postgres_service/models/{name}.py
services/db_postgres_service/src/db_postgres_service/repositories/{name}.py
services/db_postgres_service/src/db_postgres_service/routes/{name}.py
services/db_postgres_service/src/db_postgres_service/schemas/{name}.py
services/db_postgres_service/tests/factories/{name}.py
services/db_postgres_service/tests/test_{name}_routes.py
"""


def expected_files(*resources: tuple[str, str], level: int = 1) -> set[str]:
    """The file set of a level for resources given as (name, migration file stem)."""
    files = set(LEVEL_1_FILES.split())
    if level >= 2:
        files |= set(LEVEL_2_FILES.split())
    if level >= 3:
        files |= set(LEVEL_3_FILES.split())
    for name, migration in resources:
        files |= {line.format(name=name, migration=migration) for line in RESOURCE_FILES.split()}
    return files


@pytest.fixture(scope="module")
def default_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(tmp_path_factory.mktemp("defaults") / "project")


def test_defaults_render_the_level_1_file_set(default_project: Path) -> None:
    assert rendered_files(default_project) == expected_files(("item", "add_items"))


def test_every_resource_gets_its_own_files(copie: Any) -> None:
    result = copie.copy(extra_answers=CATALOG)

    assert result.exit_code == 0, result.exception
    assert rendered_files(result.project_dir) == expected_files(
        ("customer", "add_customers"),
        ("product", "add_products"),
        ("category", "add_categories"),
        ("purchase_order", "add_purchase_orders"),
        ("order_line", "add_order_lines"),
        level=3,
    )


def test_hub_files_list_resources_in_a_stable_order(copie: Any) -> None:
    root = copie.copy(extra_answers=CATALOG).project_dir
    routes = (root / "services/api_service/src/api_service/api/routes/__init__.py").read_text()
    models = root / "services/db_postgres_service/src/db_postgres_service/models/__init__.py"

    registered = re.findall(r"^    (\w+)\.router,$", routes, flags=re.MULTILINE)
    assert registered == ["customer", "product", "category", "purchase_order", "order_line"]
    imported = re.findall(r"^from \S+ import (\w+)$", models.read_text(), flags=re.MULTILINE)
    assert imported == sorted(imported)


def test_the_same_answers_render_the_same_bytes(copie: Any) -> None:
    first = copie.copy(extra_answers=LONG_NAMES)
    second = copie.copy(extra_answers=LONG_NAMES)
    assert first.exit_code == second.exit_code == 0

    files = rendered_files(first.project_dir)
    assert files == rendered_files(second.project_dir)
    different = [
        name
        for name in sorted(files)
        if _without_commit(first.project_dir / name) != _without_commit(second.project_dir / name)
    ]
    assert different == []


def _without_commit(path: Path) -> bytes:
    """The file's bytes; for the answers file without `_commit`, which names the template commit
    (a render of uncommitted template changes gets a fresh temporary commit each time)."""
    content = path.read_bytes()
    if path.name == ".copier-answers.yml":
        content = re.sub(rb"(?m)^_commit: .*$", b"", content)
    return content


def test_no_template_syntax_or_placeholders_are_left(default_project: Path) -> None:
    for name in rendered_files(default_project):
        text = (default_project / name).read_text()
        for leftover in ("{{", "{%", "TODO", "FIXME", "NotImplementedError"):
            assert leftover not in text, f"{leftover!r} left in {name}"


def test_no_folder_is_left_empty(default_project: Path) -> None:
    empty = [
        str(folder.relative_to(default_project))
        for folder in default_project.rglob("*")
        if folder.is_dir() and ".git" not in folder.parts and not any(folder.iterdir())
    ]
    assert empty == []


def test_yaml_files_load(default_project: Path) -> None:
    for name in rendered_files(default_project):
        if name.endswith((".yml", ".yaml")):
            assert yaml.safe_load((default_project / name).read_text()) is not None


def test_python_files_parse_on_the_chosen_python(default_project: Path) -> None:
    python = find_python("3.12")
    if python is None:
        pytest.skip("no Python 3.12 interpreter on this machine")
    sources = sorted(name for name in rendered_files(default_project) if name.endswith(".py"))
    check = "import ast, sys\nfor f in sys.argv[1:]: ast.parse(open(f).read(), f)"
    result = subprocess.run(
        [python, "-c", check, *sources],
        cwd=default_project, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def level_2_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(tmp_path_factory.mktemp("level2") / "project", {"maturity_level": 2})


@pytest.fixture(scope="module")
def level_3_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(tmp_path_factory.mktemp("level3") / "project", {"maturity_level": 3})


def assert_adds_its_files_and_changes_only_hubs(
    lower: Path,
    upper: Path,
    added: set[str],
    hubs: set[str] = HUB_FILES,
) -> None:
    before, after = rendered_files(lower), rendered_files(upper)
    changed = {
        name
        for name in before & after
        if _without_commit(lower / name) != _without_commit(upper / name)
    }
    assert after - before == added
    assert before <= after
    assert changed <= hubs, sorted(changed - hubs)


def test_level_2_adds_its_own_files_and_changes_only_hub_files(
    default_project: Path,
    level_2_project: Path,
) -> None:
    assert_adds_its_files_and_changes_only_hubs(
        default_project, level_2_project, set(LEVEL_2_FILES.split())
    )


def test_level_3_adds_its_own_files_and_changes_only_hub_files(
    level_2_project: Path,
    level_3_project: Path,
) -> None:
    assert_adds_its_files_and_changes_only_hubs(
        level_2_project, level_3_project, set(LEVEL_3_FILES.split())
    )


@pytest.mark.parametrize(
    "name", ["docker-compose.yml", "docker-compose.dev.yml", "docker-compose.prod.yml"]
)
def test_compose_files_follow_the_compose_specification(level_3_project: Path, name: str) -> None:
    for path in compose_files_of(level_3_project, name):
        assert compose_spec_errors(path) == "", path


def test_compose_runs_both_services_behind_healthchecks(default_project: Path) -> None:
    compose = compose_model(default_project, "docker-compose.yml")
    services = compose["services"]

    assert set(services) == {"postgres", "db_migrate", "db_postgres_service", "api_service"}
    for name in ("postgres", "db_postgres_service", "api_service"):
        assert "healthcheck" in services[name], name
    api_depends = services["api_service"]["depends_on"]
    assert api_depends["db_postgres_service"]["condition"] == "service_healthy"
    assert "DATABASE_URL" not in services["api_service"].get("environment", {})
    assert services["db_postgres_service"]["ports"] == ["127.0.0.1:${DATA_SERVICE_PORT:-8001}:8000"]


def test_makefile_offers_the_everyday_targets(default_project: Path) -> None:
    result = subprocess.run(
        ["make", "--no-print-directory", "help"],
        cwd=default_project, capture_output=True, text=True, check=True,
    )  # fmt: skip
    listed = {line.split()[0] for line in result.stdout.splitlines() if line.strip()}
    required = {"help", "install", "run-local", "test", "lint", "format", "migrate", "up", "down"}
    assert required <= listed


def test_dockerfiles_build_in_two_stages_and_run_as_a_user(default_project: Path) -> None:
    for service in ("api_service", "db_postgres_service"):
        dockerfile = (default_project / "services" / service / "Dockerfile").read_text()
        assert dockerfile.count("\nFROM ") + dockerfile.startswith("FROM ") >= 2
        assert "AS build" in dockerfile
        assert "\nUSER 10001:10001\n" in dockerfile
        assert "python:3.12-slim" in dockerfile


def test_answers_reach_the_rendered_files(copie: Any) -> None:
    result = copie.copy(extra_answers=LONG_NAMES)
    root = result.project_dir

    assert "python:3.13-slim" in (root / "services/api_service/Dockerfile").read_text()
    assert (
        "fail_under = 75" in (root / "services/api_service/pyproject.toml").read_text()
    )  # level 2
    assert "18081" in (root / "services/api_service/src/api_service/settings/data.py").read_text()
    assert "/api/v1/purchase-order-line-itemses" in (root / "README.md").read_text()
    assert "POSTGRES_PORT=15432" in (root / ".env.example").read_text()
    requirements = (root / "docs/requirements.md").read_text()
    assert "p95 latency under 200 ms" in requirements


def test_readme_headings_stand_on_their_own_lines(
    default_project: Path,
    level_3_project: Path,
) -> None:
    for root in (default_project, level_3_project):
        readme = (root / "README.md").read_text()
        assert re.search(r"[^\n#\s]#{2,} ", readme) is None  # glued to a paragraph
        assert re.search(r"[^\n]\n#{2,} ", readme) is None  # no blank line before it


def test_the_env_file_holds_placeholders_only(default_project: Path) -> None:
    env = (default_project / ".env").read_text()
    assert env == (default_project / ".env.example").read_text()
    assert "POSTGRES_PASSWORD=change-me" in env
    assert ".env" in (default_project / ".gitignore").read_text().split()
