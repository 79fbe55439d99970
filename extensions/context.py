"""Turn answers into the values templates use: feature flags, ports, names, coverage gate.

The level-to-feature table and the module rules live here and nowhere else; templates
test `feat.<name>` and never compare levels themselves.
"""

from __future__ import annotations

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
}
FOLDER_FLAGS = {
    "observability": ("logging", "sentry", "metrics", "tracing"),
    "monitoring": ("metrics", "alerting", "central_logs"),
    "postgres_ops": ("auth", "replica", "backups"),
    "ops": ("cicd", "rabbitmq_users", "postgres_ops"),
}
COVERAGE_GATES = {1: 60, 2: 75, 3: 80, 4: 85}
# A rendered service's first uv.lock takes only releases uploaded before this instant: the same
# answers then lock the same versions on any day. `nox -s pins` moves it (and proves every module
# still resolves on both Pythons); the pins in the services' pyproject.toml must be older.
LOCK_CUTOFF = "2026-12-06T00:00:00Z"


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
    return {
        "level": level,
        "level_name": LEVEL_NAMES.get(level, ""),
        "feat": feature_flags(level, modules),
        "enabled_modules": modules,
        "added_modules": added,
        "coverage_gate": COVERAGE_GATES.get(level, 60),
        "python_requires": python_requires(str(answers.get("python_version", "3.12"))),
        "services": services(modules),
        "lock_cutoff": LOCK_CUTOFF,
        "compose_files": compose_files(feature_flags(level, modules)),
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
        environment.filters.update({"level_error": level_error, "modules_error": modules_error})
