"""Naming filters and answer checks used by copier.yml and by the rendered files.

Every check returns an empty string when the value is fine and one sentence saying what
is wrong and what is allowed otherwise, so a copier.yml validator is a one-line call.
"""

from __future__ import annotations

import keyword
import re
import sys
from typing import Any

from jinja2.ext import Extension

# Top-level packages the rendered services import: a project slug with one of these names
# would shadow it inside the services' own virtual environments.
DEPENDENCY_PACKAGES = frozenset(
    {
        "aio_pika",
        "aiogram",
        "aiohttp",
        "aiormq",
        "aiosqlite",
        "alembic",
        "asyncpg",
        "boto3",
        "botocore",
        "bson",
        "fakeredis",
        "fastapi",
        "faststream",
        "httpx",
        "jwt",
        "mongomock",
        "mongomock_motor",
        "moto",
        "opentelemetry",
        "prometheus_client",
        "pydantic",
        "pydantic_settings",
        "pwdlib",
        "pymongo",
        "pytest",
        "python_multipart",
        "redis",
        "sentry_sdk",
        "sqlalchemy",
        "starlette",
        "structlog",
        "uvicorn",
    }
)

# Names the rendered services already use for their own packages and routes.
SERVICE_NAMES = frozenset(
    {
        "api_service",
        "db_postgres_service",
        "db_mongo_service",
        "worker_service",
        "bot_service",
    }
)
IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")
EMAIL = re.compile(
    r"^[^@\s]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$"
)
PORT_MIN, PORT_MAX = 1024, 65535


def snake(value: str) -> str:
    """`Order Desk`, `order-desk`, `OrderDesk` -> `order_desk`."""
    text = re.sub(r"([a-z])([A-Z])", r"\1_\2", str(value).strip())
    text = re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").lower()
    return re.sub(r"_+", "_", text)


def kebab(value: str) -> str:
    return snake(value).replace("_", "-")


def slug(value: str) -> str:
    """Default project slug: a lowercase Python identifier made from the project name."""
    text = snake(value)
    if text and text[0].isdigit():
        text = "project_" + text
    return text or "project"


def _identifier_error(value: str, what: str) -> str:
    if value == "":
        return f"Needs a value; the {what.lower()} starts with a letter, for example order_desk."
    if not isinstance(value, str) or not IDENTIFIER.match(value):
        rule = (
            f"the {what.lower()} starts with a letter and has only lowercase letters, digits "
            "and underscores, for example order_desk."
        )
        if isinstance(value, str) and value[:1].isascii() and value[:1].isalpha():
            return f'"{value}": use a-z, 0-9 and _; {rule}'
        return f'"{value}" must start with a-z; {rule}'

    if keyword.iskeyword(value) or keyword.issoftkeyword(value):
        return f'"{value}" is a Python keyword; pick another {what.lower()}.'
    return ""


SLUG_MAX = 40


def slug_error(value: Any) -> str:
    error = _identifier_error(value, "Project slug")
    if error:
        return error
    if len(value) > SLUG_MAX:
        return (
            f"{len(value)} characters, over {SLUG_MAX}; the slug names the packages and the "
            "compose project."
        )
    if value in sys.stdlib_module_names:
        return (
            f'"{value}": name of a stdlib module; the package would shadow the standard '
            "library's, pick a more specific name."
        )
    if value in SERVICE_NAMES:
        return (
            f'"{value}": name of a service; the project has a service package of that name, '
            "pick a more specific one."
        )
    if value in DEPENDENCY_PACKAGES:
        return (
            f'"{value}": name taken by a package; the services use a package of that name, '
            "pick a more specific one."
        )
    return ""


def email_error(value: Any) -> str:
    if isinstance(value, str) and EMAIL.match(value):
        return ""
    text = str(value)
    name, at, domain = text.rpartition("@")
    if not at:
        wrong = "no @ in it"
    elif not name:
        wrong = "no name before the @"
    elif "." not in domain:
        wrong = "the domain has no dot"
    else:
        wrong = "not an address"
    return f'"{text}": {wrong}; use the form name@example.com: a name, @ and a domain with a dot.'


def number_error(value: Any, low: int, high: int, unit: str = "") -> str:
    """Refuse what is not a whole number from `low` to `high` (a port, a latency target)."""
    text = str(value)
    suffix = f" {unit}" if unit else ""
    if text.startswith("-") and text[1:].isascii() and text[1:].isdigit():
        return f"{text} is not in {low}-{high}{suffix}; use a number in that range."
    if text != text.strip() and text.strip().isascii() and text.strip().isdigit():
        return f'"{value}" has spaces; write {text.strip()}.'
    if isinstance(value, bool) or not (text.isascii() and text.isdigit()):
        return f'"{value}": not a whole number; use one from {low} to {high}{suffix}.'
    if str(int(text)) != text:
        return f'"{value}" starts with a zero; write {int(text)}.'
    if not low <= int(text) <= high:
        return f"{text} is not in {low}-{high}{suffix}; use a number in that range."
    return ""


PERCENTAGE = re.compile(r"^[0-9]{1,3}([.][0-9]+)?%$")


def percentage_error(value: Any) -> str:
    """An availability target: a percentage above 0 and at most 100, such as 99.9%."""
    text = str(value)
    if PERCENTAGE.match(f"{text}%"):
        return f'"{value}" needs a % sign; write {text}%.'
    if not PERCENTAGE.match(text):
        return f'"{value}": not a percentage; write it like 99.9%.'
    if float(text[:-1]) <= 0:
        return f"{text} is not above 0%; write a target like 99.9%."
    if float(text[:-1]) > 100:
        return f"{text} is above 100%; write a target like 99.9%."
    return ""


def port_error(value: Any, **taken: Any) -> str:
    """Refuse ports outside the unprivileged range and ports already given to another service:
    `taken` maps the earlier port questions to their answers."""
    error = number_error(value, PORT_MIN, PORT_MAX)
    if error:
        return error
    port = int(value)
    for question, other in taken.items():
        if str(other).isdigit() and int(other) == port:
            return f"{port} is {question} too; every port must differ."
    return ""


def database_error(value: Any) -> str:
    error = _identifier_error(value, "Database name")
    if error:
        return error
    if len(value) > 63:
        return f"The name has {len(value)} characters; PostgreSQL allows 63."
    return ""


def python_list(items: list[str]) -> str:
    """A list literal as ruff formats it: `[]`, or one item per line with a trailing comma."""
    if not items:
        return "[]"
    return "[\n" + "".join(f"    {item},\n" for item in items) + "]"


def import_lines(pairs: list[tuple[str, str]], prefix: str = "") -> str:
    """`from <prefix><module> import <name>` per pair, one import per line (force-single-line)."""
    return "\n".join(f"from {prefix}{module} import {name}" for module, name in pairs)


class NamingFilters(Extension):
    """Registers the filters above in Copier's Jinja environment."""

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        environment.filters.update(
            {
                "kebab": kebab,
                "slug": slug,
                "slug_error": slug_error,
                "email_error": email_error,
                "port_error": port_error,
                "number_error": number_error,
                "percentage_error": percentage_error,
                "database_error": database_error,
                "python_list": python_list,
                "import_lines": import_lines,
            }
        )
