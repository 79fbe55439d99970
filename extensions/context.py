"""Turn answers into the values templates use: feature flags, ports, names, coverage gate.

The level-to-feature table and the module rules live here and nowhere else; templates
test `feat.<name>` and never compare levels themselves.
"""

from __future__ import annotations

import json
from typing import Any

from copier_template_extensions import ContextHook
from jinja2.ext import Extension

LEVEL_NAMES = {1: "PoC", 2: "Development", 3: "Pre-Production", 4: "Production"}
ALL_MODULES = ("workers", "bot", "mongodb", "rabbitmq", "redis", "s3", "websockets")

# What a module cannot work without (the seed framework's rules): added, never refused.
MODULE_NEEDS = {
    "workers": {"rabbitmq"},
    "bot": {"rabbitmq"},
    "websockets": {"redis", "rabbitmq", "workers"},
}
# Level 4 keeps refresh tokens and revocations in Redis.
LEVEL_NEEDS = {4: {"redis"}}

# Lowest maturity level at which each feature is rendered. A flag is named after what it
# guards: a file that needs two features tests both, never one that happens to come with the
# other at the same level.
LEVEL_FEATURES = {
    "logging": 2,
    "health": 2,
    "sentry": 2,
    "source_reload": 2,
    "real_database_tests": 2,
    "nginx": 3,
    "production_stack": 3,
    "load_test": 3,
    "metrics": 3,
    "rate_limit": 3,
    "cors": 3,
    "http_policy": 3,
    "e2e": 3,
    "auth": 4,
    "tracing": 4,
    "circuit_breaker": 4,
    "central_logs": 4,
    "replica": 4,
    "backups": 4,
    "alerting": 4,
    "cicd": 4,
    "runbooks": 4,
    "production_checklist": 4,
    "adrs": 4,
}
# Flags that combine others: a feature that needs two, and folders that hold the files of
# several features (each renders where any of them is on).
COMBINED_FLAGS = {
    "rabbitmq_users": ("production_stack", "rabbitmq"),
    "websocket_sign_in": ("websockets", "auth"),
}
FOLDER_FLAGS = {
    "observability": ("logging", "sentry", "metrics", "tracing"),
    "monitoring": ("metrics", "alerting", "central_logs"),
    "postgres_ops": ("auth", "replica", "backups"),
    "ops": ("cicd", "rabbitmq_users", "postgres_ops"),
}
COVERAGE_GATES = {1: 60, 2: 75, 3: 80, 4: 85}
# Where production runs: the compose stack on one host, or a Kubernetes cluster as well (from
# level 4, whose pieces a cluster can spread: replicas, sign-in state in Redis, alerts).
DEPLOYMENTS = ("compose", "kubernetes")
KUBERNETES_LEVEL = 4
# The modules whose workloads deploy/kubernetes/ holds; the others are refused with the target.
KUBERNETES_MODULES = ("redis",)
# A rendered service's first uv.lock takes only releases uploaded before this instant: the same
# answers then lock the same versions on any day. `nox -s pins` moves it (and proves every module
# still resolves on both Pythons); the pins in the services' pyproject.toml must be older.
LOCK_CUTOFF = "2026-12-06T00:00:00Z"
# How a project runs Copier (`make update`): the versions the template is tested with, from PyPI
# through uvx, so that nothing else need be installed.
COPIER_COMMAND = "uvx --from copier==9.19.1 --with copier-template-extensions==0.3.4 copier"


def level_error(level: Any) -> str:
    try:
        number = int(level)
    except (TypeError, ValueError):
        return f'Maturity level "{level}" is not a number; choose 1, 2, 3 or 4.'
    if number not in LEVEL_NAMES:
        return f"Maturity level {number} does not exist; choose 1, 2, 3 or 4."
    return ""


def modules_error(modules: Any) -> str:
    chosen = list(modules or [])
    unknown = sorted(set(chosen) - set(ALL_MODULES))
    if unknown:
        return f"Unknown module(s): {', '.join(unknown)}; choose from {', '.join(ALL_MODULES)}."
    return ""


def deployment_error(deployment: Any, level: Any, modules: Any) -> str:
    if deployment not in DEPLOYMENTS:
        return f'Deployment "{deployment}" does not exist; choose compose or kubernetes.'
    if deployment != "kubernetes":
        return ""
    if int(level) < KUBERNETES_LEVEL:
        return (
            f"Kubernetes manifests come with maturity level {KUBERNETES_LEVEL}; "
            "raise the level or choose compose."
        )
    enabled, _ = resolve_modules(modules, int(level))
    missing = [module for module in enabled if module not in KUBERNETES_MODULES]
    if missing:
        return (
            f"Kubernetes manifests do not cover the module(s) {', '.join(missing)} yet; "
            "choose compose, or leave those modules out (docs/questions.md)."
        )
    return ""


def resolve_modules(modules: Any, level: int) -> tuple[list[str], list[str]]:
    """Return (enabled modules in stable order, modules added because another one needs them)."""
    chosen = set(modules or [])
    enabled = set(chosen) | LEVEL_NEEDS.get(level, set())
    changed = True
    while changed:
        extra = set().union(*(MODULE_NEEDS.get(m, set()) for m in enabled)) - enabled
        enabled |= extra
        changed = bool(extra)
    ordered = [m for m in ALL_MODULES if m in enabled]
    return ordered, [m for m in ordered if m not in chosen]


def feature_flags(level: int, modules: list[str]) -> dict[str, bool]:
    flags = {name: level >= lowest for name, lowest in LEVEL_FEATURES.items()}
    flags.update({name: name in modules for name in ALL_MODULES})
    for name, needs in COMBINED_FLAGS.items():
        flags[name] = all(flags[need] for need in needs)
    for name, holds in FOLDER_FLAGS.items():  # in order: "ops" holds "postgres_ops"
        flags[name] = any(flags[held] for held in holds)
    return flags


def build_context(answers: dict[str, Any]) -> dict[str, Any]:
    """Everything the templates need that is derived from the answers, computed once."""
    level = int(answers.get("maturity_level", 1))
    modules, added = resolve_modules(answers.get("modules"), level)
    flags = feature_flags(level, modules)
    flags["kubernetes"] = (
        level >= KUBERNETES_LEVEL and answers.get("deployment", "compose") == "kubernetes"
    )
    # Releases reach one host over SSH (deploy.yml, ops/deploy.sh) unless a cluster runs them.
    flags["ssh_deploy"] = flags["cicd"] and not flags["kubernetes"]
    return {
        "level": level,
        "level_name": LEVEL_NAMES.get(level, ""),
        "feat": flags,
        "enabled_modules": modules,
        "added_modules": added,
        "coverage_gate": COVERAGE_GATES.get(level, 60),
        # What health checks ask a service: /health from level 2; before, any answer from the
        # OpenAPI document shows that the process serves.
        "health_path": "health" if flags["health"] else "openapi.json",
        "python_requires": python_requires(str(answers.get("python_version", "3.12"))),
        "services": services(modules),
        "lock_cutoff": LOCK_CUTOFF,
        "copier_command": COPIER_COMMAND,
        "compose_files": compose_files(flags),
        "hubs": hubs(flags),
        "parts": parts(flags),
        "production_secrets": production_secrets(flags),
        "ci_matrix": ci_matrix(flags),
        "weak_passwords": WEAK_PASSWORD_LITERALS,
    }


# The pieces of the compose stacks (compose/), in the order a stack merges them: a later file
# adds to, or overrides, what an earlier one said about a service, so a module's piece also
# gives the services it serves their settings (the API's REDIS_URL is in the redis piece).
# Each piece: its name, the flag that renders it (None: always) and its layers. The layer ""
# is compose/<name>.compose.yml, what both stacks share; "development" and "production" are
# compose/<layer>/<name>.compose.yml, each stack's own (".compose.yml": Dependabot's
# docker-compose updater reads only files so named). Production exists from level 3
# (feat.production_stack).
COMPOSE_PIECES: tuple[tuple[str, str | None, tuple[str, ...]], ...] = (
    ("secrets_check", None, ("production",)),
    ("gateway", None, ("production",)),
    ("postgres", None, ("", "development", "production")),
    ("api_service", None, ("", "development", "production")),
    ("logging", "logging", ("development",)),
    ("sentry", "sentry", ("development",)),
    ("mongodb", "mongodb", ("", "development", "production")),
    ("workers", "workers", ("", "development", "production")),
    ("bot", "bot", ("", "development", "production")),
    ("redis", "redis", ("", "development", "production")),
    ("auth", "auth", ("development", "production")),
    ("websockets", "websockets", ("", "development", "production")),
    ("s3", "s3", ("", "development", "production")),
    ("rabbitmq", "rabbitmq", ("", "development", "production")),
    ("metrics", "metrics", ("", "development", "production")),
    ("alerting", "alerting", ("", "development", "production")),
    ("replica", "replica", ("production",)),
    ("backups", "backups", ("production",)),
    ("tracing", "tracing", ("production",)),
    ("central_logs", "central_logs", ("production",)),
)
COMPOSE_STACKS = ("development", "production")


def compose_files(flags: dict[str, bool]) -> dict[str, list[str]]:
    """Each stack's files, in merge order."""
    stacks: dict[str, list[str]] = {stack: [] for stack in COMPOSE_STACKS}
    for name, flag, layers in COMPOSE_PIECES:
        if flag is not None and not flags[flag]:
            continue
        for stack, files in stacks.items():
            files += [
                f"compose/{layer}/{name}.compose.yml" if layer else f"compose/{name}.compose.yml"
                for layer in layers
                if layer in ("", stack)
            ]
    return stacks


# The modules plugged into each service's app (its wiring.py), in install order: each
# middleware wraps the ones installed before it (logs outermost, so it sees every answer) and
# lifespans are entered in this order, so what wraps the API's client to the data service
# comes before data_client, which opens it. An entry: the flag that adds it (None: always),
# its package, its module.
WIRING: dict[str, tuple[tuple[str | None, str, str], ...]] = {
    "api_service": (
        ("circuit_breaker", "api_service.infrastructure", "circuit_breaker"),
        ("redis", "api_service.infrastructure", "redis_store"),
        ("rabbitmq", "api_service.infrastructure", "events"),
        ("mongodb", "api_service.infrastructure", "audit"),
        ("auth", "api_service.api", "security"),
        ("websockets", "api_service.api", "websockets"),
        (None, "api_service.infrastructure", "data_client"),
        ("s3", "api_service.infrastructure", "object_storage"),
        ("s3", "api_service.api.routes", "attachments"),
        ("health", "api_service.api.routes", "health"),
        ("rate_limit", "api_service.api", "rate_limit"),
        ("cors", "api_service.api", "cors"),
        ("metrics", "api_service.infrastructure.observability", "metrics"),
        ("logging", "api_service.infrastructure.observability", "logs"),
        ("sentry", "api_service.infrastructure.observability", "sentry"),
        ("replica", "api_service.infrastructure", "primary_reads"),
        ("tracing", "api_service.infrastructure.observability", "tracing"),
    ),
    "db_postgres_service": (
        (None, "db_postgres_service", "database"),
        (None, "db_postgres_service", "callers"),
        ("health", "db_postgres_service", "health"),
        ("metrics", "db_postgres_service", "metrics"),
        ("logging", "db_postgres_service", "logs"),
        ("sentry", "db_postgres_service", "sentry"),
        ("auth", "db_postgres_service", "ownership"),
        ("replica", "db_postgres_service", "replica"),
        ("tracing", "db_postgres_service", "tracing"),
    ),
    "db_mongo_service": (
        (None, "db_mongo_service", "database"),
        (None, "db_mongo_service", "callers"),
        ("health", "db_mongo_service", "health"),
        ("metrics", "db_mongo_service", "metrics"),
        ("logging", "db_mongo_service", "logs"),
        ("sentry", "db_mongo_service", "sentry"),
        ("tracing", "db_mongo_service", "tracing"),
    ),
    "worker_service": (
        ("metrics", "worker_service", "metrics"),
        ("logging", "worker_service", "logs"),
        ("sentry", "worker_service", "sentry"),
        ("tracing", "worker_service", "tracing"),
        ("websockets", "worker_service", "live_events"),
    ),
    "bot_service": (
        ("metrics", "bot_service", "metrics"),
        ("logging", "bot_service", "logs"),
        ("sentry", "bot_service", "sentry"),
        ("tracing", "bot_service", "tracing"),
    ),
}
# The fields of each service's Settings (settings/__init__.py), in order, one per concern,
# each read from its own env prefix. An entry: the flag (None: always), the module under
# <service>.settings, the class, the field.
SETTINGS: dict[str, tuple[tuple[str | None, str, str, str], ...]] = {
    "api_service": (
        (None, "core", "CoreSettings", "core"),
        (None, "data", "DataServiceSettings", "data"),
        ("logging", "logs", "LogSettings", "logs"),
        ("sentry", "sentry", "SentrySettings", "sentry"),
        ("rate_limit", "http", "RateLimitSettings", "rate_limit"),
        ("cors", "http", "CorsSettings", "cors"),
        ("redis", "redis", "RedisSettings", "redis"),
        ("rabbitmq", "events", "EventSettings", "events"),
        ("mongodb", "audit", "AuditSettings", "audit"),
        ("circuit_breaker", "circuit_breaker", "CircuitBreakerSettings", "circuit_breaker"),
        ("auth", "auth", "TokenSettings", "tokens"),
        ("auth", "auth", "LoginSettings", "login"),
        ("auth", "auth", "AuthStoreSettings", "auth_store"),
        ("tracing", "tracing", "TracingSettings", "tracing"),
        ("websockets", "websockets", "WebSocketSettings", "websockets"),
        ("s3", "s3", "S3Settings", "s3"),
    ),
    "worker_service": (
        (None, "data", "DataServiceSettings", "data"),
        (None, "events", "EventSettings", "events"),
        (None, "jobs", "JobSettings", "jobs"),
        ("websockets", "live_events", "LiveEventSettings", "live_events"),
        ("logging", "logs", "LogSettings", "logs"),
        ("sentry", "sentry", "SentrySettings", "sentry"),
        ("tracing", "tracing", "TracingSettings", "tracing"),
    ),
    "bot_service": (
        (None, "bot", "BotSettings", "bot"),
        (None, "api", "ApiSettings", "api"),
        (None, "events", "EventSettings", "events"),
        ("logging", "logs", "LogSettings", "logs"),
        ("redis", "redis", "RedisSettings", "redis"),
        ("sentry", "sentry", "SentrySettings", "sentry"),
        ("tracing", "tracing", "TracingSettings", "tracing"),
    ),
}


# What the data service holds beside the resources: the models models/__init__.py imports (all
# that Alembic's autogenerate sees) and the routers routes/__init__.py lists before the
# resources' own. An entry: the flag (None: always), the module, and for a model its class.
DATA_SERVICE_MODELS = (
    (None, "base", "Base"),
    ("auth", "accounts", "Account"),
    ("auth", "accounts", "AccountOwnership"),
)
DATA_SERVICE_ROUTERS = (("auth", "accounts"),)


# The secrets of production's .env, as the production checklist names them. An entry: the
# variable, then the flags it needs (all of them on).
PRODUCTION_SECRETS = (
    ("POSTGRES_PASSWORD",),
    ("POSTGRES_APP_PASSWORD", "auth"),
    ("POSTGRES_REPLICATION_PASSWORD", "replica"),
    ("API_DATA_SERVICE_TOKEN",),
    ("WORKER_DATA_SERVICE_TOKEN", "workers"),
    ("API_AUDIT_SERVICE_TOKEN", "mongodb"),
    ("REDIS_API_PASSWORD", "redis"),
    ("REDIS_WORKER_PASSWORD", "redis", "websockets"),
    ("REDIS_BOT_PASSWORD", "redis", "bot"),
    ("AUTH_REDIS_PASSWORD", "auth"),
    ("RABBITMQ_PASSWORD", "rabbitmq"),
    ("RABBITMQ_API_PASSWORD", "rabbitmq"),
    ("RABBITMQ_WORKER_PASSWORD", "rabbitmq", "workers"),
    ("RABBITMQ_BOT_PASSWORD", "rabbitmq", "bot"),
    ("MONGO_PASSWORD", "mongodb"),
    ("S3_SECRET_KEY", "s3"),
    ("GRAFANA_ADMIN_PASSWORD", "metrics"),
    ("JWT_SECRET_KEY", "auth"),
    ("BOT_TOKEN", "bot"),
    ("BOT_API_PASSWORD", "bot", "auth"),
    ("ELASTIC_PASSWORD", "central_logs"),
    ("KIBANA_SYSTEM_PASSWORD", "central_logs"),
)
# The rendered CI's matrix: the servers (service containers) each service's tests use; the
# project's other servers stay off for it. An entry: the service, the flag that brings it
# (None: always), a comment, and its servers as (server, flag that makes the tests use it, or
# None, a comment).
CI_SERVERS = ("postgres", "redis", "rabbitmq")
CI_TESTS: tuple[tuple[str, str | None, str, tuple[tuple[str, str | None, str], ...]], ...] = (
    ("db_postgres_service", None, "", (("postgres", None, ""),)),
    (
        "api_service",
        None,
        "",
        (("postgres", None, ""), ("redis", None, ""), ("rabbitmq", None, "")),
    ),
    (
        "worker_service",
        "workers",
        "",
        (
            (
                "redis",
                "websockets",
                "The websockets module's forwarder publishes to a real Redis in its tests.",
            ),
            ("rabbitmq", None, ""),
        ),
    ),
    ("bot_service", "bot", "", (("redis", None, ""), ("rabbitmq", None, ""))),
    (
        "db_mongo_service",
        "mongodb",
        "Its tests run on an in-process MongoDB (mongomock) and need no server.",
        (),
    ),
)


def production_secrets(flags: dict[str, bool]) -> list[str]:
    return [name for name, *needs in PRODUCTION_SECRETS if all(flags[need] for need in needs)]


def ci_matrix(flags: dict[str, bool]) -> list[dict[str, Any]]:
    """Each service's entry of the CI matrix: every server the project has, used or not."""
    servers = [server for server in CI_SERVERS if server == "postgres" or flags[server]]
    matrix = []
    for service, flag, comment, used in CI_TESTS:
        if flag is not None and not flags[flag]:
            continue
        uses = {server: need is None or flags[need] for server, need, _ in used}
        notes = {server: note for server, _, note in used if uses[server]}
        matrix.append(
            {
                "service": service,
                "comment": comment,
                "servers": [
                    (server, uses.get(server, False), notes.get(server, "")) for server in servers
                ],
            }
        )
    return matrix


# The passwords each server's settings refuse in production (the usual placeholders and the
# server's default user's name), the same in every service that connects to it.
WEAK_PASSWORDS = {
    "postgres": ("", "change-me", "changeme", "postgres", "password", "secret", "admin"),
    "mongo": ("", "change-me", "changeme", "mongo", "password", "secret", "admin"),
    "rabbitmq": ("", "guest", "change-me", "changeme", "password", "secret", "admin"),
    "redis": ("", "change-me", "changeme", "redis", "password", "secret", "admin"),
}


# Each server's list as the set literal the settings write (the hook runs for every file).
WEAK_PASSWORD_LITERALS = {
    server: "{" + ", ".join(json.dumps(word) for word in words) + "}"
    for server, words in WEAK_PASSWORDS.items()
}


def hubs(flags: dict[str, bool]) -> dict[str, dict[str, Any]]:
    """Each service's wiring and settings as the templates write them: the entries the flags
    turn on, in order, and the imports they need, sorted as ruff sorts them."""

    def on(entry: tuple[str | None, ...]) -> bool:
        return entry[0] is None or flags[entry[0]]

    result: dict[str, dict[str, Any]] = {}
    for service, entries in WIRING.items():
        modules = [entry for entry in entries if on(entry)]
        result[service] = {
            "modules": [module for _, _, module in modules],
            "module_imports": sorted({(package, module) for _, package, module in modules}),
        }
    result["db_postgres_service"] |= {
        "models": [(module, cls) for flag, module, cls in DATA_SERVICE_MODELS if on((flag,))],
        "routers": [module for flag, module in DATA_SERVICE_ROUTERS if on((flag,))],
    }
    for service, groups in DEPENDENCIES.items():
        result.setdefault(service, {})
        for group, entries in groups.items():
            result[service][group] = [
                (pinned(requirement), rest[1] if len(rest) > 1 else "")
                for requirement, *rest in entries
                if rest[0] is None or any(flags[flag] for flag in _as_tuple(rest[0]))
            ]
    for service, fields in SETTINGS.items():
        chosen = [field for field in fields if on(field)]
        result[service] |= {
            "fields": [(name, cls) for _, _, cls, name in chosen],
            "settings_imports": sorted({(module, cls) for _, module, cls, _ in chosen}),
        }
    return result


# The files many modules and features write into (.env.example, the Makefile, ...), as ordered
# parts. Such a file's template writes what every project has and includes its parts where the
# modules plug in: one file per module or feature, extensions/parts/<file>/<part>.jinja. A
# part's place in its list is its place in the rendered file. An entry: the part's name, then
# the flags that include it (any one of them on; none: always).
PARTS: dict[str, tuple[tuple[str, ...], ...]] = {
    "env_postgres": (("app_role", "auth"),),
    "env_tokens": (("workers", "workers"), ("mongodb", "mongodb")),
    "env": (
        ("redis", "redis"),
        ("rabbitmq", "rabbitmq"),
        ("mongodb", "mongodb"),
        ("s3", "s3"),
        ("workers", "workers"),
        ("bot", "bot"),
        ("websockets", "websockets"),
        ("logging", "logging"),
        ("sentry", "sentry"),
        ("metrics", "metrics"),
        ("auth", "auth"),
        ("gateway", "nginx"),
        ("replica_and_backups", "replica", "backups"),
        ("production_observability", "tracing", "central_logs"),
    ),
    "makefile": (
        ("redis", "redis"),
        ("s3", "s3"),
        ("mongodb", "mongodb"),
        ("workers", "workers"),
        ("bot", "bot"),
        ("rabbitmq", "rabbitmq"),
        ("auth", "auth"),
        ("secrets_check", "production_stack"),
        ("load_test", "load_test"),
        ("backups", "backups"),
        ("kubernetes", "kubernetes"),
    ),
    "rotate_secrets": tuple(
        (flag, flag)
        for flag in (
            "redis",
            "rabbitmq",
            "mongodb",
            "s3",
            "bot",
            "auth",
            "metrics",
            "sentry",
            "ssh_deploy",
            "kubernetes",
        )
    ),
    "websockets_doc": (("auth", "auth"),),
    "websockets_doc_gateway": (("gateway", "nginx"),),
    "readme_services": (
        ("mongodb", "mongodb"),
        ("workers", "workers"),
        ("bot", "bot"),
    ),
    "readme_local": (("local_servers", "redis", "rabbitmq", "mongodb", "s3"),),
    "readme": (
        ("logging", "logging"),
        ("pre_production", "nginx"),
        ("production", "auth"),
        ("kubernetes", "kubernetes"),
        ("operations", "runbooks"),
        ("postgres_production", "replica", "backups"),
        ("tracing_and_central_logs", "tracing", "central_logs"),
    ),
}


def parts(flags: dict[str, bool]) -> dict[str, list[str]]:
    """Each file's parts that the flags turn on, in order, as paths a template can include."""
    return {
        file: [
            f"extensions/parts/{file}/{name}.jinja"
            for name, *needs in entries
            if not needs or any(flags[need] for need in needs)
        ]
        for file, entries in PARTS.items()
    }


# The version of every package a service depends on directly, once for all the services;
# `nox -s pins` proves they resolve together on both Pythons.
PINS = {
    "aiogram": "3.31.0",
    "aiosqlite": "0.22.1",
    "alembic": "1.20.1",
    "anyio": "4.16.0",
    "asyncpg": "0.32.0",
    "bandit": "1.9.4",
    "boto3": "1.44.8",
    "boto3-stubs": "1.43.126",
    "fakeredis": "2.40.0",
    "fastapi": "0.165.0",
    "faststream": "0.7.8",
    "httpx": "0.28.1",
    "import-linter": "2.17",
    "mongomock-motor": "0.0.36",
    "moto": "5.2.5",
    "mypy": "2.4.1",
    "opentelemetry-exporter-otlp-proto-http": "1.45.1",
    "opentelemetry-instrumentation-fastapi": "0.66b1",
    "opentelemetry-instrumentation-httpx": "0.66b1",
    "opentelemetry-instrumentation-sqlalchemy": "0.66b1",
    "opentelemetry-sdk": "1.45.1",
    "prometheus-client": "0.26.0",
    "prometheus-fastapi-instrumentator": "8.1.0",
    "pwdlib": "0.3.1",
    "pydantic": "2.14.4",
    "pydantic-settings": "2.16.3",
    "pyjwt": "2.15.1",
    "pymongo": "4.20.1",
    "pytest": "9.2.0",
    "pytest-asyncio": "1.5.0",
    "pytest-cov": "7.1.0",
    "python-multipart": "0.0.34",
    "redis": "8.1.0",
    "ruff": "0.17.6",
    "sentry-sdk": "2.75.0",
    "sniffio": "1.3.1",
    "sqlalchemy": "2.1.9",
    "structlog": "26.1.0",
    "testcontainers": "4.15.0",
    "uvicorn": "0.54.0",
}
SNIFFIO = (
    "httpcore imports sniffio on every request; without it each import is a failed path search."
)
TRACING_HTTP = (
    ("opentelemetry-exporter-otlp-proto-http", "tracing"),
    ("opentelemetry-instrumentation-fastapi", "tracing"),
    ("opentelemetry-instrumentation-httpx", "tracing"),
    ("opentelemetry-sdk", "tracing"),
)
TOOLS = (
    ("mypy", None),
    ("pytest", None),
    ("pytest-asyncio", None),
    ("pytest-cov", None),
    ("ruff", None),
)
# Each service's direct dependencies, in the order its pyproject.toml lists them. An entry: the
# requirement (a version after "==" overrides PINS), the flag or flags that add it (None:
# always; a tuple: any one of them on), and a comment written above it.
Dependency = (
    tuple[str, str | tuple[str, ...] | None] | tuple[str, str | tuple[str, ...] | None, str]
)
DEPENDENCIES: dict[str, dict[str, tuple[Dependency, ...]]] = {
    "api_service": {
        "runtime": (
            ("anyio", "websockets"),
            ("boto3", "s3"),
            ("fastapi", None),
            ("faststream[rabbit]", "rabbitmq"),
            ("httpx", None),
            *TRACING_HTTP,
            ("pydantic", None),
            ("pydantic-settings", None),
            ("pwdlib[argon2]", "auth"),
            ("pyjwt", "auth"),
            ("python-multipart", ("auth", "s3")),
            ("prometheus-fastapi-instrumentator", "metrics"),
            ("redis", "redis"),
            ("sentry-sdk[fastapi]", "sentry"),
            ("sniffio", None, SNIFFIO),
            ("structlog", "logging"),
            ("uvicorn[standard]", None),
        ),
        "dev": (
            ("bandit", None),
            ("boto3-stubs[s3]", "s3", "Types of boto3's S3 client, for mypy --strict."),
            ("fakeredis[lua]", "redis"),
            ("import-linter", None),
            (
                "mongomock-motor",
                "mongodb",
                "The audit tests run the real audit service in-process,"
                " over an in-process MongoDB.",
            ),
            (
                "moto[server]",
                "s3",
                "The attachment tests run a real S3-protocol server on loopback (moto_server).",
            ),
            *TOOLS,
        ),
    },
    "db_postgres_service": {
        "runtime": (
            ("aiosqlite", None),
            ("alembic", None),
            ("asyncpg", None),
            ("fastapi", None),
            ("opentelemetry-exporter-otlp-proto-http", "tracing"),
            ("opentelemetry-instrumentation-fastapi", "tracing"),
            ("opentelemetry-instrumentation-sqlalchemy", "tracing"),
            ("opentelemetry-sdk", "tracing"),
            ("pydantic", None),
            ("pydantic-settings", None),
            ("prometheus-fastapi-instrumentator", "metrics"),
            ("sentry-sdk[fastapi]", "sentry"),
            ("sqlalchemy[asyncio]", None),
            ("structlog", "logging"),
            ("uvicorn[standard]", None),
        ),
        "dev": (
            ("bandit", None),
            ("httpx", None),
            *TOOLS,
            ("testcontainers[postgres]", "real_database_tests"),
        ),
    },
    "db_mongo_service": {
        "runtime": (
            ("fastapi", None),
            ("opentelemetry-exporter-otlp-proto-http", "tracing"),
            ("opentelemetry-instrumentation-fastapi", "tracing"),
            ("opentelemetry-sdk", "tracing"),
            ("prometheus-fastapi-instrumentator", "metrics"),
            ("pydantic", None),
            ("pydantic-settings", None),
            ("pymongo", None),
            ("sentry-sdk[fastapi]", "sentry"),
            ("structlog", "logging"),
            ("uvicorn[standard]", None),
        ),
        "dev": (
            ("bandit", None),
            ("httpx", None),
            (
                "mongomock-motor",
                None,
                "An in-process MongoDB for the tests (no server is needed to run them).",
            ),
            *TOOLS,
        ),
    },
    "worker_service": {
        "runtime": (
            ("fastapi", None),
            ("faststream[rabbit]", None),
            ("httpx", None),
            *TRACING_HTTP,
            ("prometheus-client", "metrics"),
            ("pydantic", None),
            ("pydantic-settings", None),
            ("redis", "websockets"),
            ("sentry-sdk[fastapi]", "sentry"),
            ("sniffio", None, SNIFFIO),
            ("structlog", "logging"),
            ("uvicorn[standard]", None),
        ),
        "dev": (
            ("bandit", None),
            ("fakeredis", "websockets"),
            *TOOLS,
        ),
    },
    "bot_service": {
        "runtime": (
            ("aiogram", None),
            ("fastapi", None),
            ("faststream[rabbit]", None),
            ("httpx", None),
            *TRACING_HTTP,
            ("prometheus-client", "metrics"),
            (
                "pydantic==2.13.5",
                None,
                "aiogram 3.31 accepts pydantic below 2.14;"
                " this service shares no code with the others.",
            ),
            ("pydantic-settings", None),
            ("redis", "redis"),
            ("sentry-sdk[fastapi]", "sentry"),
            ("sniffio", None, SNIFFIO),
            ("structlog", "logging"),
            ("uvicorn[standard]", None),
        ),
        "dev": (
            ("bandit", None),
            ("fakeredis", "redis"),
            *TOOLS,
        ),
    },
}


def pinned(requirement: str) -> str:
    """ "uvicorn[standard]" -> "uvicorn[standard]==0.54.0"; a requirement with "==" stays."""
    if "==" in requirement:
        return requirement
    return f"{requirement}=={PINS[requirement.partition('[')[0]]}"


def _as_tuple(flags: str | tuple[str, ...]) -> tuple[str, ...]:
    return flags if isinstance(flags, tuple) else (flags,)


# Every service the project can have, the data service first (the others depend on it), and
# the module that brings it (None: always there).
SERVICES = (
    ("db_postgres_service", None),
    ("db_mongo_service", "mongodb"),
    ("api_service", None),
    ("worker_service", "workers"),
    ("bot_service", "bot"),
)


def services(modules: list[str]) -> list[str]:
    return [name for name, module in SERVICES if module is None or module in modules]


def python_requires(version: str) -> str:
    """The answered minor version and no other: "3.12" -> ">=3.12,<3.13"."""
    major, minor = (int(part) for part in version.split(".")[:2])
    return f">={major}.{minor},<{major}.{minor + 1}"


class FeatureFlags(ContextHook):
    """Adds the derived values to the rendering context (in place, as the loader expects)."""

    def hook(self, context: dict[str, Any]) -> None:
        context.update(build_context(context))


class AvailabilityChecks(Extension):
    """Filters copier.yml validators call to refuse what this release cannot render."""

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        environment.filters.update(
            {
                "level_error": level_error,
                "modules_error": modules_error,
                "deployment_error": deployment_error,
            }
        )
