"""Who can reach whom in production, derived from docker-compose.prod.yml (two containers talk
only if they share a network), against the architecture's edges: every store is reachable only
by the services that use it, the dashboards only by what they read, and every connection the
configuration makes has a network."""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.project import compose_model, render

EVERY_MODULE = ["bot", "mongodb", "rabbitmq", "redis", "s3", "websockets", "workers"]
# caller -> the services it calls (the architecture of PRODUCT.md, production stack).
CALLS: dict[str, set[str]] = {
    "gateway": {"api_service"},
    "bot_service": {"api_service", "rabbitmq", "redis", "jaeger"},
    "api_service": {
        "db_postgres_service", "db_mongo_service", "redis", "redis_auth", "rabbitmq", "minio",
        "jaeger",
    },
    "worker_service": {"db_postgres_service", "rabbitmq", "redis", "jaeger"},
    "db_postgres_service": {"postgres", "postgres_replica", "jaeger"},
    "db_mongo_service": {"mongo", "jaeger"},
    "db_migrate": {"postgres"},
    "postgres_replica": {"postgres"},
    "postgres_backup": {"postgres"},
    "prometheus": {
        "api_service", "db_postgres_service", "db_mongo_service", "worker_service", "bot_service",
        "alertmanager",
    },
    "grafana": {"prometheus"},
    "fluent_bit": {"elasticsearch"},
    "kibana": {"elasticsearch"},
    "elasticsearch_setup": {"elasticsearch"},
}  # fmt: skip
STORES = {
    "postgres", "postgres_replica", "mongo", "redis", "redis_auth", "rabbitmq", "minio",
    "elasticsearch",
}  # fmt: skip
# They watch every service, so they share each service's network with its callers.
OBSERVERS = {"prometheus", "jaeger"}
# Connections the configuration names that are never made: alembic sends no traces.
NEVER_MADE = {("db_migrate", "jaeger")}


@pytest.fixture(scope="module", params=[3, 4])
def project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    answers = {"maturity_level": request.param, "modules": EVERY_MODULE}
    return render(tmp_path_factory.mktemp(f"networks{request.param}") / "project", answers)


def compose(project: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = compose_model(project, "docker-compose.prod.yml")
    return loaded


def networks_of(service: dict[str, Any]) -> set[str]:
    if "network_mode" in service:
        return set()
    return set(service.get("networks") or ["default"])


def reachable(services: dict[str, Any]) -> set[frozenset[str]]:
    return {
        frozenset((a, b))
        for a, b in itertools.combinations(services, 2)
        if networks_of(services[a]) & networks_of(services[b])
    }


def calls(a: str, b: str) -> bool:
    return b in CALLS.get(a, set()) or a in CALLS.get(b, set())


def allowed(a: str, b: str) -> bool:
    """A call, two callers of one service, or an observer beside a caller of what it watches."""
    if calls(a, b) or CALLS.get(a, set()) & CALLS.get(b, set()):
        return True
    for observer, other in ((a, b), (b, a)):
        if observer in OBSERVERS and (other in OBSERVERS or any(
            calls(other, watched) for watched in CALLS["prometheus"] | {"jaeger"}
        )):  # fmt: skip
            return True
    return False


def needed(project: Path, services: dict[str, Any]) -> set[tuple[str, str]]:
    """(caller, callee) for every other service a service's configuration names as a host."""
    names = set(services)
    found = set()
    for name, service in services.items():
        if service.get("network_mode") == "none":
            continue  # connects to nothing (secrets_check)
        text = yaml.safe_dump({k: service.get(k) for k in ("environment", "command")})
        for volume in service.get("volumes", []):
            mounted = project / volume.partition(":")[0]
            if volume.startswith("./") and mounted.is_file():
                text += mounted.read_text()
        for other in names - {name}:
            if re.search(rf"(?<![\w-]){other}(?=[:/\s'\"]|$)", text, re.M):
                found.add((name, other))
        found |= {(name, other) for other in service.get("depends_on", {})}
    prometheus = (project / "monitoring/prometheus/prometheus.yml").read_text()
    found |= {("prometheus", n) for n in names if re.search(rf"\b{n}:\d+", prometheus)}
    return found - NEVER_MADE - {(n, "secrets_check") for n in names}


def test_every_pair_that_can_talk_is_allowed_by_the_architecture(project: Path) -> None:
    services = compose(project)["services"]

    refused = sorted(tuple(sorted(pair)) for pair in reachable(services) if not allowed(*pair))

    assert refused == []


def test_every_store_is_reachable_only_by_the_services_that_use_it(project: Path) -> None:
    services = compose(project)["services"]
    pairs = reachable(services)

    for store in STORES & set(services):
        peers = {other for pair in pairs if store in pair for other in pair - {store}}
        users = {name for name in services if calls(name, store)}
        fellow_users = {
            name for name in services if CALLS.get(name, set()) & CALLS.get(store, set())
        }
        assert peers <= users | fellow_users, store
        assert users <= peers, store


def test_every_connection_the_configuration_makes_has_a_network(project: Path) -> None:
    services = compose(project)["services"]
    pairs = reachable(services)

    missing = sorted(edge for edge in needed(project, services) if frozenset(edge) not in pairs)

    assert ("api_service", "db_postgres_service") in needed(project, services)
    assert missing == []


def test_stores_are_on_internal_networks_and_only_the_gateway_is_published(
    project: Path,
) -> None:
    spec = compose(project)
    services, networks = spec["services"], spec["networks"]

    for store in STORES & set(services) - {"elasticsearch"}:
        for network in networks_of(services[store]):
            assert (networks[network] or {}).get("internal") is True, (store, network)
    for name, service in services.items():
        for port in service.get("ports", []):
            assert name == "gateway" or str(port).startswith("127.0.0.1:"), (name, port)
    for development in (("docker-compose.yml",), ("docker-compose.yml", "docker-compose.dev.yml")):
        spec = compose_model(project, *development)
        for name, service in spec["services"].items():
            for port in service.get("ports", []):
                assert str(port).startswith("127.0.0.1:"), (development, name, port)
    assert "bot_service" not in {
        name for name in services if networks_of(services[name]) & networks_of(services["postgres"])
    }


def test_the_development_redis_asks_for_the_password_its_clients_send(project: Path) -> None:
    services = compose_model(project, "docker-compose.yml")["services"]

    assert "--requirepass" in " ".join(services["redis"]["command"])
    for client in ("api_service", "worker_service", "bot_service"):
        password = services[client]["environment"]["REDIS_PASSWORD"]
        assert password.startswith("${REDIS_PASSWORD:?"), client


def test_development_and_production_are_separate_compose_projects(project: Path) -> None:
    """Sharing a project name, one stack's `up` on production's host would replace the other's
    containers and mount its volumes; .env must not name them alike either."""
    development = compose_model(project, "docker-compose.yml")
    production = compose(project)

    assert development["name"] == f"{production['name']}-dev"
    assert "COMPOSE_PROJECT_NAME" not in (project / ".env.example").read_text()


def test_the_ci_services_listen_on_the_runners_loopback_only(project: Path) -> None:
    workflow = project / ".github/workflows/ci.yml"
    if not workflow.exists():
        pytest.skip("the CI workflow comes with level 4")
    ci = yaml.safe_load(workflow.read_text())
    ports = [
        (name, port)
        for job in ci["jobs"].values()
        for name, service in (job.get("services") or {}).items()
        for port in service.get("ports", [])
    ]

    assert {name for name, _ in ports} == {"postgres", "redis", "rabbitmq"}
    for name, port in ports:
        assert str(port).startswith("127.0.0.1:"), (name, port)
