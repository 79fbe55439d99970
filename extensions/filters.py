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
        "alembic",
        "aiosqlite",
        "asyncpg",
        "fastapi",
        "httpx",
        "pydantic",
        "pydantic_settings",
        "pytest",
        "sqlalchemy",
        "starlette",
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
ROUTE_NAMES = frozenset({"health", "ready", "metrics", "docs", "openapi", "redoc", "auth"})
SQL_RESERVED_WORDS = frozenset(
    {
        "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric",
        "authorization", "binary", "both", "case", "cast", "check", "collate", "collation",
        "column", "concurrently", "constraint", "create", "cross", "current_catalog",
        "current_date", "current_role", "current_schema", "current_time",
        "current_timestamp", "current_user", "default", "deferrable", "desc", "distinct",
        "do", "else", "end", "except", "false", "fetch", "for", "foreign", "freeze", "from",
        "full", "grant", "group", "having", "ilike", "in", "initially", "inner", "intersect",
        "into", "is", "isnull", "join", "lateral", "leading", "left", "like", "limit",
        "localtime", "localtimestamp", "natural", "not", "notnull", "null", "offset", "on",
        "only", "or", "order", "outer", "overlaps", "placing", "primary", "references",
        "returning", "right", "select", "session_user", "similar", "some", "symmetric",
        "system_user", "table", "tablesample", "then", "to", "trailing", "true", "union",
        "unique", "user", "using", "variadic", "verbose", "when", "where", "window", "with",
    }
)  # fmt: skip

IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")
EMAIL = re.compile(
    r"^[^@\s]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$"
)
PORT_MIN, PORT_MAX = 1024, 65535
RESOURCE_MAX_LENGTH = 24
PLURAL_MAX_LENGTH = 27


def snake(value: str) -> str:
    """`Order Desk`, `order-desk`, `OrderDesk` -> `order_desk`."""
    text = re.sub(r"([a-z])([A-Z])", r"\1_\2", str(value).strip())
    text = re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").lower()
    return re.sub(r"_+", "_", text)


def kebab(value: str) -> str:
    return snake(value).replace("_", "-")


def pascal(value: str) -> str:
    return "".join(part.capitalize() for part in snake(value).split("_"))


def title(value: str) -> str:
    return " ".join(part.capitalize() for part in snake(value).split("_"))


def plural(value: str) -> str:
    """English plural of a snake_case noun, good for the usual cases; the answer can override it."""
    word = snake(value)
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)$", word):
        return word + "es"
    return word + "s"


def slug(value: str) -> str:
    """Default project slug: a lowercase Python identifier made from the project name."""
    text = snake(value)
    if text and text[0].isdigit():
        text = "project_" + text
    return text or "project"


def _identifier_error(value: str, what: str) -> str:
    if not isinstance(value, str) or not IDENTIFIER.match(value):
        return (
            f'{what} "{value}" is not usable: use lowercase letters, digits and underscores, '
            "starting with a letter (for example order_desk)."
        )
    if keyword.iskeyword(value) or keyword.issoftkeyword(value):
        return f'{what} "{value}" is a Python keyword; pick another name.'
    return ""


def slug_error(value: Any) -> str:
    error = _identifier_error(value, "Project slug")
    if error:
        return error
    if len(value) > 40:
        return f'Project slug "{value}" is {len(value)} characters long; use at most 40.'
    if value in sys.stdlib_module_names:
        return (
            f'Project slug "{value}" would shadow the standard library module "{value}"; '
            "pick a more specific name."
        )
    if value in DEPENDENCY_PACKAGES or value in SERVICE_NAMES:
        return (
            f'Project slug "{value}" is the name of a package the services use; '
            "pick a more specific name."
        )
    return ""


def email_error(value: Any) -> str:
    if not isinstance(value, str) or not EMAIL.match(value):
        return f'"{value}" is not an email address; use the form name@example.com.'
    return ""


def port_error(value: Any, *taken: Any) -> str:
    """Refuse ports outside the unprivileged range and ports already given to another service."""
    try:
        port = int(value)
    except (TypeError, ValueError):
        return f'Port "{value}" is not a number; use a whole number from {PORT_MIN} to {PORT_MAX}.'
    if not PORT_MIN <= port <= PORT_MAX:
        return f"Port {port} is out of range; use a number from {PORT_MIN} to {PORT_MAX}."
    clashes = [int(other) for other in taken if str(other).isdigit() and int(other) == port]
    if clashes:
        return f"Port {port} is already used by another service; every port must be different."
    return ""


def resource_error(
    value: Any, what: str = "Resource name", limit: int = RESOURCE_MAX_LENGTH
) -> str:
    error = _identifier_error(value, what)
    if error:
        return error
    if len(value) > limit:
        return (
            f'{what} "{value}" is {len(value)} characters long; use at most {limit} '
            "(it also names the table, its constraints and its migration)."
        )
    if value in SQL_RESERVED_WORDS:
        return (
            f'{what} "{value}" is a reserved word in PostgreSQL; '
            "pick another name (for example account instead of user)."
        )
    if value in ROUTE_NAMES or value in SERVICE_NAMES:
        return f'{what} "{value}" is taken by a built-in route or service; pick another name.'
    return ""


def database_error(value: Any) -> str:
    error = _identifier_error(value, "Database name")
    if error:
        return error
    if len(value) > 63:
        return f'Database name "{value}" is {len(value)} characters long; PostgreSQL allows 63.'
    return ""


def plural_error(value: Any, singular: str) -> str:
    error = resource_error(value, "Plural", PLURAL_MAX_LENGTH)
    if error:
        return error
    if value == singular:
        return f'The plural "{value}" must differ from the singular name.'
    return ""


class NamingFilters(Extension):
    """Registers the filters above in Copier's Jinja environment."""

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        environment.filters.update(
            {
                "snake": snake,
                "kebab": kebab,
                "pascal": pascal,
                "title_words": title,
                "plural": plural,
                "slug": slug,
                "slug_error": slug_error,
                "email_error": email_error,
                "port_error": port_error,
                "resource_error": resource_error,
                "plural_error": plural_error,
                "database_error": database_error,
            }
        )
