"""The bot module: its service, compose entries (dev and prod), Make targets, documented
settings, and at level 4 its service account, CI matrix entry and image."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.support.project import compose_model, compose_spec_errors, services_of

pytestmark = pytest.mark.rendered


@pytest.fixture(scope="module")
def bot(rendered_preset: Callable[[str], Path]) -> Path:
    return rendered_preset("bot")


@pytest.fixture(scope="module")
def bot_level4(rendered_preset: Callable[[str], Path]) -> Path:
    return rendered_preset("bot_level4")


def services(project: Path, name: str) -> dict:
    if name in ("docker-compose.yml", "docker-compose.prod.yml"):
        return compose_model(project, name)["services"]
    return yaml.safe_load((project / name).read_text())["services"]


def test_the_bot_is_a_service_of_its_own_that_needs_rabbitmq(bot: Path) -> None:
    assert "bot_service" in services_of(bot)
    answers = yaml.safe_load((bot / ".copier-answers.yml").read_text())
    assert answers["modules"] == ["bot"]
    package = bot / "services/bot_service/src/bot_service"
    assert not (package / "redis_store.py").exists()
    assert not (package / "service_account.py").exists()
    pyproject = (bot / "services/bot_service/pyproject.toml").read_text()
    assert '"aiogram==3.' in pyproject
    assert "fail_under = 60" in pyproject
    assert "rabbitmq" in services(bot, "docker-compose.yml")
    assert "redis" not in services(bot, "docker-compose.yml")


def test_compose_runs_the_bot_with_its_token_from_the_environment(bot: Path) -> None:
    assert compose_spec_errors(bot / "docker-compose.yml") == ""
    service = services(bot, "docker-compose.yml")["bot_service"]

    assert service["build"] == "./services/bot_service"
    assert service["environment"]["BOT_TOKEN"] == "${BOT_TOKEN:-}"
    assert service["environment"]["BOT_API_URL"] == "http://api_service:8000"
    assert "${RABBITMQ_PASSWORD:?" in service["environment"]["RABBITMQ_URL"]
    assert set(service["depends_on"]) == {"rabbitmq", "api_service"}
    assert "/health" in service["healthcheck"]["test"][-1]
    assert "BOT_API_EMAIL" not in service["environment"]


def test_make_readme_and_env_example_know_the_bot(bot: Path) -> None:
    makefile = (bot / "Makefile").read_text()
    assert "bot_service" in makefile.splitlines()[1]
    assert "run-bot:" in makefile
    assert "docs/modules/bot.md" in (bot / "README.md").read_text()
    example = (bot / ".env.example").read_text()
    for name in ("BOT_TOKEN=", "BOT_MODE=polling", "BOT_WEBHOOK_URL=", "BOT_WEBHOOK_SECRET="):
        assert name in example
    docs = (bot / "docs/modules/bot.md").read_text()
    assert "memory" in docs
    assert "BOT_WEBHOOK_SECRET" in docs
    assert "/items" in docs


def test_level4_signs_the_bot_in_and_keeps_its_state_in_redis(bot_level4: Path) -> None:
    package = bot_level4 / "services/bot_service/src/bot_service"
    for name in ("service_account.py", "redis_store.py", "tracing.py", "metrics.py", "logs.py"):
        assert (package / name).exists(), name
    assert "fail_under = 85" in (bot_level4 / "services/bot_service/pyproject.toml").read_text()
    dev = services(bot_level4, "docker-compose.yml")["bot_service"]["environment"]
    assert dev["BOT_API_EMAIL"] == "${BOT_API_EMAIL:?set BOT_API_EMAIL in .env}"
    assert dev["REDIS_URL"] == "redis://redis:6379/0"
    docs = (bot_level4 / "docs/modules/bot.md").read_text()
    assert "make create-admin" in docs
    assert "RedisStorage" in docs
    assert "BOT_API_PASSWORD=" in (bot_level4 / ".env.example").read_text()


def test_level4_production_compose_ci_and_images_have_the_bot(bot_level4: Path) -> None:
    assert compose_spec_errors(bot_level4 / "docker-compose.prod.yml") == ""
    prod = services(bot_level4, "docker-compose.prod.yml")["bot_service"]
    assert prod["environment"]["APP_ENV"] == "production"
    assert "ports" not in prod
    assert prod["environment"]["BOT_TOKEN"] == "${BOT_TOKEN:?set BOT_TOKEN}"
    assert prod["environment"]["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://jaeger:4318"
    assert "bot_service" in services(bot_level4, "docker-compose.images.yml")
    assert "bot_service" in services(bot_level4, "docker-compose.dev.yml")

    ci = yaml.safe_load((bot_level4 / ".github/workflows/ci.yml").read_text())
    [entry] = [
        entry
        for entry in ci["jobs"]["checks"]["strategy"]["matrix"]["include"]
        if entry["service"] == "bot_service"
    ]
    assert entry == {"service": "bot_service", "postgres": False, "redis": True, "rabbitmq": True}
    images = yaml.safe_load((bot_level4 / ".github/workflows/images.yml").read_text())
    assert "bot_service" in images["jobs"]["image"]["strategy"]["matrix"]["service"]
    scrape = (bot_level4 / "monitoring/prometheus/prometheus.yml").read_text()
    assert '"bot_service:8000"' in scrape
