"""Production starts only on strong secrets: tools/check_secrets.py refuses placeholders,
well-known and short values of every component, and docker-compose.prod.yml runs it before any
store, broker or dashboard that takes a secret."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.project import compose_model, render

SECRET_VARIABLE = re.compile(r"\$\{(\w*(?:PASSWORD|SECRET|SECRET_KEY|_TOKEN))\b")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    answers = {"maturity_level": 4, "modules": ["bot", "mongodb", "rabbitmq", "redis", "s3"]}
    return render(tmp_path_factory.mktemp("check-secrets") / "project", answers)


def check(project: Path, env_text: str) -> subprocess.CompletedProcess[str]:
    (project / "checked.env").write_text(env_text)
    return subprocess.run(
        [sys.executable, "tools/check_secrets.py", "--env-file", "checked.env"],
        cwd=project, capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_the_example_placeholders_are_refused_for_every_component(project: Path) -> None:
    refused = check(project, (project / ".env.example").read_text())

    assert refused.returncode == 1
    for name in (
        "POSTGRES_PASSWORD", "POSTGRES_REPLICATION_PASSWORD", "GRAFANA_ADMIN_PASSWORD",
        "ELASTIC_PASSWORD", "KIBANA_SYSTEM_PASSWORD", "RABBITMQ_PASSWORD", "MONGO_PASSWORD",
        "S3_SECRET_KEY", "JWT_SECRET_KEY", "AUTH_REDIS_PASSWORD", "API_DATA_SERVICE_TOKEN",
    ):  # fmt: skip
        assert f"refused: {name} is still the change-me placeholder" in refused.stderr


def test_secrets_made_by_make_env_pass(project: Path, tmp_path: Path) -> None:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    copy = tmp_path / "project"
    shutil.copytree(project, copy)
    subprocess.run(["make", "env"], cwd=copy, capture_output=True, check=True)

    passed = check(copy, (copy / ".env").read_text())

    assert passed.returncode == 0, passed.stderr
    assert "none refused" in passed.stdout


def test_well_known_and_short_values_are_refused_and_others_left_alone(project: Path) -> None:
    strong = "x7Rk2pQw9sLm4vTz8bNc"
    refused = check(
        project,
        "\n".join([
            "GRAFANA_ADMIN_PASSWORD=admin",
            "ELASTIC_PASSWORD='Password123'",
            "POSTGRES_REPLICATION_PASSWORD=short-one",
            "KIBANA_SYSTEM_PASSWORD=CHANGE_ME_PLEASE_NOW",
            f"MONGO_PASSWORD={strong}",
            "BOT_TOKEN=123:abc",
            "BOT_WEBHOOK_SECRET=",
            "S3_ACCESS_KEY=app",
            "# JWT_SECRET_KEY=change-me",
        ]),
    )  # fmt: skip

    assert refused.returncode == 1
    assert refused.stderr.splitlines() == [
        "refused: ELASTIC_PASSWORD is a well-known password",
        "refused: GRAFANA_ADMIN_PASSWORD is a well-known password",
        "refused: KIBANA_SYSTEM_PASSWORD is still the change-me placeholder: run `make env`",
        "refused: POSTGRES_REPLICATION_PASSWORD has 9 characters; production needs 16+",
    ]


def test_passwords_written_into_a_url_are_refused_with_characters_that_change_it(
    project: Path,
) -> None:
    strong = "x7Rk2pQw9sLm4vTz8bNc"
    refused = check(
        project,
        "\n".join([
            f"RABBITMQ_API_PASSWORD=x@evil.example:5672/{strong}",
            f"RABBITMQ_BOT_PASSWORD={strong}%41",
            f"RABBITMQ_WORKER_PASSWORD='  {strong}  '",
            f"MONGO_PASSWORD={strong}#",
            f"RABBITMQ_PASSWORD={strong}/#",  # the administrator's is in no URL
            f"POSTGRES_PASSWORD={strong}@/",  # the data service quotes it
        ]),
    )  # fmt: skip

    assert refused.returncode == 1
    assert refused.stderr.splitlines() == [
        f"refused: {name} goes into a URL: letters, digits, - and _ only (make env)"
        for name in (
            "MONGO_PASSWORD", "RABBITMQ_API_PASSWORD", "RABBITMQ_BOT_PASSWORD",
            "RABBITMQ_WORKER_PASSWORD",
        )
    ]  # fmt: skip


def test_the_environment_is_checked_without_an_env_file(project: Path) -> None:
    ran = subprocess.run(
        [sys.executable, "tools/check_secrets.py"],
        cwd=project, capture_output=True, text=True, check=False,
        env={"PATH": "/usr/bin:/bin", "REDIS_PASSWORD": "changeme"},
    )  # fmt: skip

    assert ran.returncode == 1
    assert "REDIS_PASSWORD is still the change-me placeholder" in ran.stderr


def test_every_component_that_takes_a_secret_starts_after_the_check(project: Path) -> None:
    compose = compose_model(project, "docker-compose.prod.yml")
    services: dict[str, Any] = compose["services"]
    check_service = services["secrets_check"]
    takes_secrets = {
        name
        for name, service in services.items()
        if "image" in service and SECRET_VARIABLE.search(yaml.safe_dump(service))
    }

    assert check_service["env_file"] == ".env"
    assert check_service["network_mode"] == "none"
    assert {"postgres", "grafana", "elasticsearch", "rabbitmq", "minio"} <= takes_secrets
    for name in takes_secrets:
        assert "secrets_check" in started_after(services, name), name
    assert services["postgres"]["depends_on"]["secrets_check"] == {
        "condition": "service_completed_successfully"
    }


def started_after(services: dict[str, Any], name: str) -> set[str]:
    """Every service `name` waits for, directly or through the ones it waits for."""
    waits_for: set[str] = set()
    todo = [name]
    while todo:
        for needed in services[todo.pop()].get("depends_on", {}):
            if needed not in waits_for:
                waits_for.add(needed)
                todo.append(needed)
    return waits_for
