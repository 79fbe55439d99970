"""Which files each module adds, and that a module changes only the files every module shares."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from extensions.context import resolve_modules
from tests.render.test_render import HUB_FILES, assert_adds_its_files_and_changes_only_hubs
from tests.support.project import compose_model, compose_spec_errors, render

# Added by each module, at every level.
MODULE_FILES = {
    "mongodb": """
        docs/modules/mongodb.md
        services/api_service/src/api_service/infrastructure/audit.py
        services/api_service/src/api_service/infrastructure/changes.py
        services/api_service/src/api_service/settings/audit.py
        services/api_service/tests/audit_service.py
        services/api_service/tests/integration/test_audit.py
        services/api_service/tests/unit/test_changes.py
        services/db_mongo_service/.dockerignore
        services/db_mongo_service/.python-version
        services/db_mongo_service/Dockerfile
        services/db_mongo_service/pyproject.toml
        services/db_mongo_service/src/db_mongo_service/__init__.py
        services/db_mongo_service/src/db_mongo_service/audit.py
        services/db_mongo_service/src/db_mongo_service/callers.py
        services/db_mongo_service/src/db_mongo_service/database.py
        services/db_mongo_service/src/db_mongo_service/main.py
        services/db_mongo_service/src/db_mongo_service/problems.py
        services/db_mongo_service/src/db_mongo_service/py.typed
        services/db_mongo_service/src/db_mongo_service/routes.py
        services/db_mongo_service/src/db_mongo_service/settings/__init__.py
        services/db_mongo_service/src/db_mongo_service/wiring.py
        services/db_mongo_service/tests/__init__.py
        services/db_mongo_service/tests/conftest.py
        services/db_mongo_service/tests/security/__init__.py
        services/db_mongo_service/tests/security/test_callers.py
        services/db_mongo_service/tests/test_app.py
        services/db_mongo_service/tests/test_problems.py
        services/db_mongo_service/tests/test_audit.py
    """,
    "rabbitmq": """
        docs/modules/rabbitmq.md
        services/api_service/src/api_service/infrastructure/events.py
        services/api_service/src/api_service/settings/events.py
        services/api_service/src/api_service/infrastructure/changes.py
        services/api_service/tests/integration/test_events.py
        services/api_service/tests/unit/test_changes.py
        services/api_service/tests/rabbitmq_server.py
    """,
    "workers": """
        docs/modules/workers.md
        services/worker_service/.dockerignore
        services/worker_service/.python-version
        services/worker_service/Dockerfile
        services/worker_service/pyproject.toml
        services/worker_service/src/worker_service/__init__.py
        services/worker_service/src/worker_service/activity.py
        services/worker_service/src/worker_service/consumer.py
        services/worker_service/src/worker_service/jobs.py
        services/worker_service/src/worker_service/main.py
        services/worker_service/src/worker_service/problems.py
        services/worker_service/src/worker_service/py.typed
        services/worker_service/src/worker_service/resources.py
        services/worker_service/src/worker_service/routes.py
        services/worker_service/src/worker_service/settings/__init__.py
        services/worker_service/src/worker_service/settings/data.py
        services/worker_service/src/worker_service/settings/events.py
        services/worker_service/src/worker_service/settings/jobs.py
        services/worker_service/src/worker_service/wiring.py
        services/worker_service/src/worker_service/worker.py
        services/worker_service/tests/__init__.py
        services/worker_service/tests/conftest.py
        services/worker_service/tests/rabbitmq_server.py
        services/worker_service/tests/test_app.py
        services/worker_service/tests/test_problems.py
        services/worker_service/tests/test_consumer.py
        services/worker_service/tests/test_jobs.py
        services/worker_service/tests/test_shutdown.py
    """,
    "bot": """
        docs/modules/bot.md
        services/bot_service/.dockerignore
        services/bot_service/.python-version
        services/bot_service/Dockerfile
        services/bot_service/pyproject.toml
        services/bot_service/src/bot_service/__init__.py
        services/bot_service/src/bot_service/api.py
        services/bot_service/src/bot_service/handlers.py
        services/bot_service/src/bot_service/main.py
        services/bot_service/src/bot_service/notifier.py
        services/bot_service/src/bot_service/problems.py
        services/bot_service/src/bot_service/py.typed
        services/bot_service/src/bot_service/resources.py
        services/bot_service/src/bot_service/routes.py
        services/bot_service/src/bot_service/runtime.py
        services/bot_service/src/bot_service/settings/__init__.py
        services/bot_service/src/bot_service/settings/api.py
        services/bot_service/src/bot_service/settings/bot.py
        services/bot_service/src/bot_service/settings/events.py
        services/bot_service/src/bot_service/subscriptions.py
        services/bot_service/src/bot_service/wiring.py
        services/bot_service/tests/__init__.py
        services/bot_service/tests/conftest.py
        services/bot_service/tests/rabbitmq_server.py
        services/bot_service/tests/security/__init__.py
        services/bot_service/tests/security/test_allowed_chats.py
        services/bot_service/tests/telegram.py
        services/bot_service/tests/test_app.py
        services/bot_service/tests/test_problems.py
        services/bot_service/tests/test_commands.py
        services/bot_service/tests/test_notifier.py
        services/bot_service/tests/test_polling.py
        services/bot_service/tests/test_webhook.py
    """,
    "websockets": """
        docs/modules/websockets.md
        services/api_service/src/api_service/api/websockets.py
        services/api_service/src/api_service/infrastructure/live_events.py
        services/api_service/src/api_service/settings/websockets.py
        services/api_service/tests/integration/test_websockets.py
        services/api_service/tests/live_clients.py
        services/worker_service/src/worker_service/live_events.py
        services/worker_service/src/worker_service/settings/live_events.py
        services/worker_service/tests/redis_server.py
        services/worker_service/tests/test_live_events.py
    """,
    "redis": """
        docs/modules/redis.md
        services/api_service/src/api_service/infrastructure/cache.py
        services/api_service/src/api_service/infrastructure/redis_store.py
        services/api_service/src/api_service/settings/redis.py
        services/api_service/tests/integration/test_redis.py
        services/api_service/tests/integration/test_redis_store.py
        services/api_service/tests/redis_server.py
    """,
    "s3": """
        docs/modules/s3.md
        services/api_service/src/api_service/api/multipart_limit.py
        services/api_service/src/api_service/api/routes/attachments.py
        services/api_service/src/api_service/api/schemas/attachments.py
        services/api_service/src/api_service/application/attachment_errors.py
        services/api_service/src/api_service/application/ports/attachments.py
        services/api_service/src/api_service/application/use_cases/attachments.py
        services/api_service/src/api_service/domain/attachments.py
        services/api_service/src/api_service/infrastructure/object_storage.py
        services/api_service/src/api_service/infrastructure/s3_files.py
        services/api_service/src/api_service/settings/s3.py
        services/api_service/tests/attachment_files.py
        services/api_service/tests/integration/test_attachment_storage.py
        services/api_service/tests/integration/test_attachments.py
        services/api_service/tests/s3_server.py
        services/api_service/tests/unit/test_attachment_rules.py
    """,
}
# Added by a module from a level on, besides its own files.
MODULE_LEVEL_FILES = {
    ("workers", 2): """
        services/worker_service/src/worker_service/logs.py
        services/worker_service/src/worker_service/sentry.py
        services/worker_service/src/worker_service/settings/logs.py
        services/worker_service/src/worker_service/settings/sentry.py
    """,
    ("workers", 3): "services/worker_service/src/worker_service/metrics.py",
    ("mongodb", 2): """
        services/db_mongo_service/src/db_mongo_service/health.py
        services/db_mongo_service/src/db_mongo_service/logs.py
        services/db_mongo_service/src/db_mongo_service/sentry.py
        services/db_mongo_service/src/db_mongo_service/settings/logs.py
        services/db_mongo_service/src/db_mongo_service/settings/sentry.py
    """,
    ("mongodb", 3): "services/db_mongo_service/src/db_mongo_service/metrics.py",
    ("bot", 2): """
        services/bot_service/src/bot_service/logs.py
        services/bot_service/src/bot_service/sentry.py
        services/bot_service/src/bot_service/settings/logs.py
        services/bot_service/src/bot_service/settings/sentry.py
    """,
    ("bot", 3): "services/bot_service/src/bot_service/metrics.py",
    ("websockets", 3): "gateway/templates/locations/websockets.conf.template",
    ("rabbitmq", 3): "ops/rabbitmq/service-users.sh",
}
# Added by a module below a level, from which the level itself renders them.
MODULE_FILES_BELOW_LEVEL = {
    ("websockets", 3): """
        services/api_service/src/api_service/api/client_addresses.py
        services/api_service/tests/unit/test_client_addresses.py
    """,
}


def module_files(module: str, level: int) -> set[str]:
    names = set(MODULE_FILES[module].split())
    # Its compose pieces (extensions/context.py, COMPOSE_PIECES); production from level 3.
    names |= {f"compose/{module}.compose.yml", f"compose/development/{module}.compose.yml"}
    if level >= 3:
        names.add(f"compose/production/{module}.compose.yml")
    for (owner, lowest), files in MODULE_LEVEL_FILES.items():
        if owner == module and level >= lowest:
            names |= set(files.split())
    for (owner, level_that_has_them), files in MODULE_FILES_BELOW_LEVEL.items():
        if owner == module and level < level_that_has_them:
            names |= set(files.split())
    return names


# Files a module may change by a few lines besides the level hubs.
MODULE_HUB_FILES = HUB_FILES | {
    "docker-compose.dev.yml",
    "docker-compose.prod.yml",
    # The workers' caller token; the networks Prometheus joins.
    "compose/production/postgres.compose.yml",
    "compose/production/metrics.compose.yml",
    "monitoring/prometheus/alerts.yml",
    "monitoring/prometheus/prometheus.yml",
    "services/api_service/tests/conftest.py",
    "services/api_service/tests/e2e/test_stack.py",
    "services/api_service/tests/integration/test_observability.py",
}


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    return {
        level: render(tmp_path_factory.mktemp(f"level{level}") / "p", {"maturity_level": level})
        for level in (1, 3)
    }


@pytest.mark.parametrize("level", [1, 3])
@pytest.mark.parametrize("module", sorted(MODULE_FILES))
def test_a_module_adds_its_own_files_and_changes_only_hubs(
    tmp_path: Path,
    baseline: dict[int, Path],
    module: str,
    level: int,
) -> None:
    upper = render(tmp_path / "p", {"maturity_level": level, "modules": [module]})
    enabled, _ = resolve_modules([module], level)
    expected = {name for each in enabled for name in module_files(each, level)}

    assert_adds_its_files_and_changes_only_hubs(baseline[level], upper, expected, MODULE_HUB_FILES)


@pytest.fixture(scope="module")
def every_module(tmp_path_factory: pytest.TempPathFactory) -> Path:
    answers = {"maturity_level": 3, "modules": sorted(MODULE_FILES)}
    return render(tmp_path_factory.mktemp("modules") / "p", answers)


@pytest.mark.parametrize(
    "name", ["docker-compose.yml", "docker-compose.dev.yml", "docker-compose.prod.yml"]
)
def test_compose_files_with_every_module_follow_the_specification(
    every_module: Path,
    name: str,
) -> None:
    assert compose_spec_errors(every_module / name) == ""


def test_redis_is_in_compose_and_its_password_is_required_in_production(
    every_module: Path,
) -> None:
    dev = compose_model(every_module, "docker-compose.yml")["services"]
    prod = compose_model(every_module, "docker-compose.prod.yml")["services"]

    assert dev["api_service"]["environment"]["REDIS_URL"] == "redis://redis:6379/0"
    assert "healthcheck" in dev["redis"]
    assert "ports" not in prod["redis"]
    # Production: each service its own ACL user (tests/render/test_redis_acl.py).
    assert prod["api_service"]["environment"]["REDIS_PASSWORD"].startswith("${REDIS_API_PASSWORD:?")
    assert dev["api_service"]["environment"]["REDIS_PASSWORD"].startswith("${REDIS_PASSWORD:?")
    for variable in ("REDIS_PASSWORD", "REDIS_API_PASSWORD"):
        assert f"{variable}=change-me" in (every_module / ".env.example").read_text()


def test_each_module_has_a_make_target_and_documented_variables(every_module: Path) -> None:
    makefile = (every_module / "Makefile").read_text()
    readme = (every_module / "README.md").read_text()

    assert "redis-local:" in makefile
    assert "rabbitmq-local:" in makefile
    assert "docs/modules/redis.md" in readme
    assert "REDIS_URL" in (every_module / "docs/modules/redis.md").read_text()


def test_rabbitmq_is_in_compose_with_credentials_from_the_environment(every_module: Path) -> None:
    dev = compose_model(every_module, "docker-compose.yml")["services"]
    prod = compose_model(every_module, "docker-compose.prod.yml")["services"]

    assert dev["api_service"]["depends_on"]["rabbitmq"] == {"condition": "service_healthy"}
    assert "${RABBITMQ_PASSWORD:?" in dev["api_service"]["environment"]["RABBITMQ_URL"]
    # Production: each service its own user (tests/render/test_rabbitmq_users.py).
    assert "${RABBITMQ_API_PASSWORD:?" in prod["api_service"]["environment"]["RABBITMQ_URL"]
    assert "ports" not in prod["rabbitmq"]
    assert "RABBITMQ_EXCHANGE" in (every_module / "docs/modules/rabbitmq.md").read_text()


def test_modules_added_for_another_are_announced_and_documented(
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:
    project = render(tmp_path / "p", {"modules": ["workers"]}, quiet=False)
    announced = capfd.readouterr()

    assert "Modules added because your choices need them: rabbitmq" in announced.err
    readme = (project / "README.md").read_text()
    assert "**rabbitmq**: [docs/modules/rabbitmq.md]" in readme
    assert "(added because another choice needs it)" in readme
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["modules"] == ["workers"]


def test_websockets_reach_the_worker_redis_and_the_gateway(every_module: Path) -> None:
    dev = compose_model(every_module, "docker-compose.yml")["services"]
    prod = compose_model(every_module, "docker-compose.prod.yml")["services"]
    location = (every_module / "gateway/templates/locations/websockets.conf.template").read_text()
    site = (every_module / "gateway/templates/default.conf.template").read_text()
    docs = (every_module / "docs/modules/websockets.md").read_text()

    assert dev["worker_service"]["environment"]["REDIS_URL"] == "redis://redis:6379/0"
    assert dev["worker_service"]["depends_on"]["redis"] == {"condition": "service_started"}
    assert dev["api_service"]["environment"]["WS_QUEUE_SIZE"] == "${WS_QUEUE_SIZE:-100}"
    assert prod["worker_service"]["environment"]["REDIS_PASSWORD"].startswith(
        "${REDIS_WORKER_PASSWORD:?"
    )
    assert "include /etc/nginx/conf.d/locations/*.conf;" in site
    assert "location = /api/v1/ws {" in location
    assert "proxy_set_header Upgrade $http_upgrade;" in location
    assert 'proxy_set_header Connection "upgrade";' in location
    assert "proxy_read_timeout 3600s;" in location
    assert "WS_QUEUE_SIZE=100" in (every_module / ".env.example").read_text()
    for part in ("4408", "1013", "WS_PING_INTERVAL_S", "<REDIS_KEY_PREFIX>:<WS_CHANNEL>"):
        assert part in docs


def test_websockets_announces_the_three_modules_it_adds(
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:
    project = render(tmp_path / "p", {"modules": ["websockets"]}, quiet=False)
    announced = capfd.readouterr()

    assert "Modules added because your choices need them: workers, rabbitmq, redis" in announced.err
    readme = (project / "README.md").read_text()
    for added in ("rabbitmq", "redis", "workers"):
        assert f"**{added}**: [docs/modules/{added}.md]" in readme
    assert "**websockets**: [docs/modules/websockets.md](docs/modules/websockets.md)\n" in readme


def test_websockets_at_level_4_signs_in_and_tests_the_forwarder_on_redis_in_ci(
    rendered_preset: Callable[[str], Path],
) -> None:
    project = rendered_preset("websockets_level4")
    ci = yaml.safe_load((project / ".github/workflows/ci.yml").read_text())
    matrix = {row["service"]: row for row in ci["jobs"]["checks"]["strategy"]["matrix"]["include"]}
    docs = (project / "docs/modules/websockets.md").read_text()
    sign_in = project / "services/api_service/src/api_service/api/websocket_sign_in.py"

    assert matrix["worker_service"]["redis"] is True
    assert "4401" in docs
    assert '"type": "auth"' in docs
    assert "auth.tokens.verify(token)" in sign_in.read_text()
    assert (project / "services/api_service/tests/integration/test_websocket_sign_in.py").is_file()
    for name in ("docker-compose.yml", "docker-compose.prod.yml"):
        assert compose_spec_errors(project / name) == ""


def test_minio_is_in_compose_with_a_pinned_image_a_volume_and_credentials_from_env(
    every_module: Path,
) -> None:
    dev = compose_model(every_module, "docker-compose.yml")
    prod = compose_model(every_module, "docker-compose.prod.yml")
    minio, api = dev["services"]["minio"], dev["services"]["api_service"]

    assert minio["image"].startswith("minio/minio:RELEASE.")
    assert minio["healthcheck"]["test"] == ["CMD", "mc", "ready", "local"]
    assert "minio_data:/data" in minio["volumes"]
    assert "minio_data" in dev["volumes"]
    assert minio["environment"]["MINIO_ROOT_PASSWORD"].startswith("${S3_SECRET_KEY:?")
    assert all(port.startswith("127.0.0.1:") for port in minio["ports"])
    assert api["depends_on"]["minio"] == {"condition": "service_healthy"}
    assert api["environment"]["S3_ENDPOINT_URL"] == "http://minio:9000"
    assert api["environment"]["S3_SECRET_KEY"] == minio["environment"]["MINIO_ROOT_PASSWORD"]
    assert "ports" not in prod["services"]["minio"]
    assert prod["services"]["minio"]["image"] == minio["image"]
    assert "minio_data" in prod["volumes"]
    prod_api = prod["services"]["api_service"]
    for name in ("S3_ACCESS_KEY", "S3_SECRET_KEY", "S3_PUBLIC_ENDPOINT_URL"):
        assert prod_api["environment"][name].startswith(f"${{{name}:?"), name
    assert prod_api["depends_on"]["minio"] == {"condition": "service_healthy"}


def test_s3_has_settings_a_make_target_docs_and_dev_dependencies(every_module: Path) -> None:
    api = every_module / "services/api_service"
    pyproject = (api / "pyproject.toml").read_text()
    docs = (every_module / "docs/modules/s3.md").read_text()

    assert "s3-local:" in (every_module / "Makefile").read_text()
    assert "docs/modules/s3.md" in (every_module / "README.md").read_text()
    assert "S3_SECRET_KEY=change-me" in (every_module / ".env.example").read_text()
    for variable in ("S3_ENDPOINT_URL", "S3_MAX_BYTES", "S3_ALLOWED_CONTENT_TYPES"):
        assert variable in docs
    assert '"boto3==' in pyproject
    assert '"moto[server]==' in pyproject
    assert '"python-multipart==' in pyproject
    settings = (api / "src/api_service/settings/s3.py").read_text()
    assert 'env_prefix="S3_"' in settings
    assert "APP_ENV=production refuses" in settings


@pytest.mark.parametrize("level", [1, 4])
def test_the_attachment_routes_are_behind_sign_in_only_at_level_4(
    tmp_path: Path,
    level: int,
) -> None:
    project = render(tmp_path / "p", {"maturity_level": level, "modules": ["s3"]})
    routes = project / "services/api_service/src/api_service/api/routes/attachments.py"
    wiring = (project / "services/api_service/src/api_service/wiring.py").read_text()

    assert ("dependencies=[Depends(refuse_reader_writes)]" in routes.read_text()) == (level == 4)
    assert "    object_storage,\n    attachments,\n" in wiring
