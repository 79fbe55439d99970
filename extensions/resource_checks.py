"""The `resources` answer's checks: what a resource may be, and the one sentence that says
what is wrong. A resource is `{name, plural?, fields: [{name, type, required?, unique?, ...}]}`;
`check_resources` returns them with every default spelled out (entities.py builds on that)."""

from __future__ import annotations

import difflib
import keyword
import re
from collections.abc import Sequence
from typing import Any

from jinja2.ext import Extension

FIELD_TYPES = (
    "str", "text", "int", "float", "decimal", "bool", "date", "datetime", "uuid", "enum", "ref",
)  # fmt: skip
UNIQUE_TYPES = frozenset({"str", "int", "decimal", "date", "datetime", "uuid"})
# Types whose JSON comes back exactly as sent (decimals and datetimes may be re-spelled).
COMPARABLE_TYPES = frozenset({"str", "text", "int", "bool", "date", "uuid", "enum"})
# Field options each type accepts besides name, type, required and unique.
TYPE_OPTIONS = {
    "str": {"max_length"},
    "text": set(),
    "int": {"min", "max"},
    "float": {"min", "max"},
    "decimal": {"precision", "scale"},
    "bool": set(),
    "date": set(),
    "datetime": set(),
    "uuid": set(),
    "enum": {"values"},
    "ref": {"to"},
}
# What other tools call a type or an option, and ours: a refusal says which is meant.
TYPE_ALIASES = {
    "string": "str", "varchar": "str", "char": "str", "integer": "int", "number": "float",
    "double": "float", "numeric": "decimal", "money": "decimal", "boolean": "bool",
    "timestamp": "datetime", "choice": "enum", "reference": "ref", "foreign_key": "ref",
}  # fmt: skip
OPTION_ALIASES = {
    "decimal_places": "scale", "max_digits": "precision", "length": "max_length",
    "choices": "values", "options": "values", "target": "to", "references": "to",
    "nullable": "required", "optional": "required", "minimum": "min", "maximum": "max",
}  # fmt: skip
ADDED_FIELDS = frozenset({"id", "created_at", "updated_at", "version"})
LIST_PARAMETERS = frozenset({"offset", "limit", "sort"})
MODEL_ATTRIBUTES = frozenset(
    {
        "metadata", "registry",                            # SQLAlchemy declarative attributes
        "copy", "dict", "json", "schema", "schema_json",   # pydantic BaseModel attributes
        "construct", "validate", "fields", "details",
    }
)  # fmt: skip
RESERVED_FIELD_NAMES = ADDED_FIELDS | LIST_PARAMETERS | MODEL_ATTRIBUTES
# PostgreSQL reserved key words (the ones that cannot name a table or a column).
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
# Routes, services and the modules beside which a resource's own modules are rendered.
RESOURCE_NAMES_TAKEN = frozenset(
    {"health", "ready", "metrics", "docs", "openapi", "redoc", "accounts", "auth", "users",
     "api_service", "db_postgres_service", "db_mongo_service", "worker_service", "bot_service",
     "api", "application", "base", "conftest", "core", "data", "data_client", "database",
     "deps", "domain", "errors", "factories", "fakes", "infrastructure", "main", "memory",
     "migrations", "models", "pagination", "ports", "repositories", "routes", "rules",
     "schemas", "settings", "tests", "use_cases", "wiring", "attachments"}
)  # fmt: skip
# Names that field annotations use: a field named like one would hide it in a class body; and
# n, the row number of the generated tests' samples.
TYPE_NAMES = frozenset(
    {"str", "int", "float", "bool", "date", "datetime", "list", "dict", "set", "tuple",
     "type", "object", "bytes", "any", "n"}
)  # fmt: skip
IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")
ENUM_VALUE_MAX = 40
NAME_MAX, PLURAL_MAX, FIELD_MAX, FIELD_COUNT_MAX = 24, 27, 30, 40
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
DEFAULT_STR_LENGTH = 255
# Validators (in the services' schemas packages) that take a value only as JSON spells it:
# Pydantic's lax mode would also take "3" for 3, 1 for true, or 0 for 1970-01-01.
JSON_GUARDS = {
    "int": "JsonNumber", "float": "JsonNumber", "bool": "JsonBool",
    "date": "JsonDate", "datetime": "JsonDatetime",
}  # fmt: skip

DEFAULT_RESOURCES: list[dict[str, Any]] = [
    {
        "name": "item",
        "fields": [
            {"name": "name", "type": "str", "max_length": 100, "unique": True},
            {"name": "description", "type": "text", "required": False},
            {"name": "quantity", "type": "int", "required": False, "min": 0},
        ],
    }
]


class ResourceError(ValueError):
    """An answer that cannot render; the message says what is allowed."""


# --------------------------------------------------------------------------- naming


def pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def plural(name: str) -> str:
    if re.search(r"[^aeiou]y$", name):
        return name[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)$", name):
        return name + "es"
    return name + "s"


def _form_problem(value: Any) -> str:
    """What keeps `value` from being an identifier (a-z first, then a-z, 0-9 and _), or ""."""
    if isinstance(value, str) and IDENTIFIER.match(value):
        return ""
    from_a_letter = isinstance(value, str) and value[:1].isascii() and value[:1].isalpha()
    return f'"{value}": use a-z, 0-9 and _' if from_a_letter else f'"{value}" must start with a-z'


def _name_problem(value: Any, what: str, limit: int, *, sql: bool = True) -> str:
    wrong = _form_problem(value)
    if wrong:
        return (
            f"{wrong}; a {what.lower()} starts with a letter and has only lowercase letters, "
            "digits and underscores, for example loan_offer."
        )
    if len(value) > limit:
        return f'{what} has {len(value)} characters; use at most {limit} ("{value}").'
    if keyword.iskeyword(value) or keyword.issoftkeyword(value):
        return f'"{value}" is a Python keyword; pick another {what.lower()}.'
    if sql and value in SQL_RESERVED_WORDS:
        return (
            f'"{value}" is reserved in PostgreSQL; pick another {what.lower()} '
            "(for example account instead of user)."
        )
    return ""


# --------------------------------------------------------------------------- checks


def _reserved_because(name: str) -> str:
    if name in ADDED_FIELDS:
        return "is added to every resource"
    if name in LIST_PARAMETERS:
        return "is a parameter of every list"
    if name == "n":
        return "is the row number in the generated tests' samples"
    if name in TYPE_NAMES:
        return "names a type the generated code uses, which the field would hide"
    if name in MODEL_ATTRIBUTES or name.startswith("model_"):
        return "is an attribute of every SQLAlchemy or pydantic model"
    return ""


def _enum_value_problem(value: Any) -> str:
    if not isinstance(value, str):
        return f"{value!r} is not a word"
    if len(value) > ENUM_VALUE_MAX:
        return f'"{value[:8]}…" is over {ENUM_VALUE_MAX} characters'
    return _form_problem(value)


def _meant(word: Any, known: Sequence[str], aliases: dict[str, str]) -> str:
    """The known word `word` most likely stands for, or ""."""
    if not isinstance(word, str):
        return ""
    alias = aliases.get(word.lower(), "")
    if alias in known:
        return alias
    close = difflib.get_close_matches(word.lower(), known, n=1, cutoff=0.6)
    return close[0] if close else ""


def _check_field(resource: str, field: Any, position: int) -> dict[str, Any]:
    where = f"{resource}, field {position}"
    if not isinstance(field, dict):
        raise ResourceError(f"{where}: not a mapping; a field has at least name and type.")
    name = field.get("name")
    problem = _name_problem(name, "Field name", FIELD_MAX)
    if problem:
        raise ResourceError(f"{where}: {problem}")
    where = f"{resource}.{name}"
    reserved = _reserved_because(name)
    if reserved:
        raise ResourceError(f"{where}: the name is reserved; {name} {reserved}: pick another name.")
    kind = field.get("type")
    if kind not in FIELD_TYPES:
        meant = _meant(kind, FIELD_TYPES, TYPE_ALIASES)
        what = f"type {kind}? use {meant}" if meant else f'unknown type "{kind}"'
        raise ResourceError(f"{where}: {what}; the types are {', '.join(FIELD_TYPES)}.")
    options = sorted(TYPE_OPTIONS[kind] | {"required", "unique"})
    unknown = sorted(set(field) - {"name", "type"} - set(options))
    if unknown:
        meant = _meant(unknown[0], options, OPTION_ALIASES)
        what = f"{unknown[0]}? use {meant}" if meant else f"{kind} has no option {unknown[0]}"
        raise ResourceError(
            f"{where}: {what}; {kind} takes {', '.join(options)}; each type's options are in"
            " docs/resources.md."
        )
    for flag in ("required", "unique"):
        if flag in field and not isinstance(field[flag], bool):
            raise ResourceError(f"{where}: {flag} is true or false.")
    checked = {"name": name, "type": kind, "required": field.get("required", True),
               "unique": field.get("unique", False)}  # fmt: skip
    if checked["unique"] and kind not in UNIQUE_TYPES:
        raise ResourceError(
            f"{where}: {kind} can't be unique; unique works on {', '.join(sorted(UNIQUE_TYPES))}."
        )
    if kind == "str":
        length = field.get("max_length", DEFAULT_STR_LENGTH)
        if not isinstance(length, int) or isinstance(length, bool) or not 1 <= length <= 10000:
            raise ResourceError(f"{where}: max_length must be 1 to 10000; a whole number.")
        checked["max_length"] = length
    if kind in ("int", "float"):
        for bound in ("min", "max"):
            value = field.get(bound)
            numeric = isinstance(value, int | float) and not isinstance(value, bool)
            if value is not None and not (numeric and abs(value) < 2**31):
                raise ResourceError(f"{where}: {bound} must be a number; within ±2147483647.")
            if value is not None and kind == "int" and not isinstance(value, int):
                raise ResourceError(
                    f"{where}: {bound} must be a whole number; the field is an int."
                )
            checked[bound] = value
        low, high = checked["min"], checked["max"]
        if low is not None and high is not None and low >= high:
            raise ResourceError(f"{where}: min must be below max.")
        if checked["unique"] and low is not None and high is not None and high - low < 2:
            raise ResourceError(
                f"{where}: too narrow for unique; {low} to {high} holds 2 values, room for 2"
                " rows: widen it to 3 values at least, or drop unique."
            )
    if kind == "decimal":
        precision, scale = field.get("precision", 12), field.get("scale", 2)
        if not (isinstance(precision, int) and 1 <= precision <= 38):
            raise ResourceError(f"{where}: precision must be 1 to 38; a whole number of digits.")
        if not (isinstance(scale, int) and 0 <= scale < precision):
            raise ResourceError(
                f"{where}: scale must be 0 to {precision - 1}; a whole number below precision."
            )
        checked |= {"precision": precision, "scale": scale}
    if kind == "enum":
        values = field.get("values")
        if not isinstance(values, list) or not values:
            raise ResourceError(f"{where}: an enum needs values; give a list: [draft, sent].")
        for value in values:
            wrong = _enum_value_problem(value)
            if wrong:
                raise ResourceError(
                    f"{where}: {wrong}; enum values have lowercase letters, digits and "
                    "underscores only, start with a letter and have at most 40 characters."
                )
        twice = next((value for value in values if values.count(value) > 1), None)
        if twice is not None:
            raise ResourceError(f'{where}: "{twice}" is in values twice; each value once.')
        checked["values"] = list(values)
    if kind == "ref":
        if not name.endswith("_id"):
            raise ResourceError(
                f"{where}: a ref's name ends in _id; name it after what it points to "
                "(for example customer_id)."
            )
        if not field.get("to"):
            raise ResourceError(
                f'{where}: a ref needs "to"; name the resource it points to (to: customer).'
            )
        checked["to"] = field.get("to")
    return checked


def check_resources(value: Any) -> list[dict[str, Any]]:
    """The resources with defaults filled in; raises ResourceError with a clear message."""
    if not isinstance(value, list) or not value:
        raise ResourceError(
            "resources must be a non-empty list; each is a mapping {name, plural?, fields: [...]}."
        )
    checked: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    for position, resource in enumerate(value, start=1):
        if not isinstance(resource, dict):
            raise ResourceError(f"Resource {position} is not a mapping; it has name and fields.")
        unknown = sorted(set(resource) - {"name", "plural", "fields"})
        if unknown:
            meant = _meant(unknown[0], ["name", "plural", "fields"], {})
            what = f"{unknown[0]}? use {meant}" if meant else f"unknown key(s) {', '.join(unknown)}"
            raise ResourceError(
                f"Resource {position}: {what}; a resource has name, plural and fields."
            )
        name = resource.get("name")
        # Only the plural names a table, so only the plural must avoid SQL's reserved words.
        problem = _name_problem(name, "Resource name", NAME_MAX, sql=False)
        if problem:
            raise ResourceError(f"Resource {position}: {problem}")
        if name in RESOURCE_NAMES_TAKEN or plural(name) in RESOURCE_NAMES_TAKEN:
            raise ResourceError(
                f'Resource {position}: "{name}" is taken; pick another resource name: a route or '
                "module of the services has it, at this level or a later one."
            )
        plural_name = resource.get("plural") or plural(name)
        problem = _name_problem(plural_name, "Plural", PLURAL_MAX)
        if problem:
            raise ResourceError(f"{name}: {problem}")
        if plural_name == name:
            raise ResourceError(f"{name}: plural and name are the same; they must differ.")
        for taken in (name, plural_name):
            if taken in seen:
                raise ResourceError(
                    f'{name}: "{taken}" is used twice; resource "{seen[taken]}" has it as its name '
                    "or plural, and names and plurals must all be different."
                )
            seen[taken] = name
        fields = resource.get("fields")
        if not isinstance(fields, list) or not fields:
            raise ResourceError(f"{name}: fields is a non-empty list.")
        if len(fields) > FIELD_COUNT_MAX:
            raise ResourceError(f"{name}: at most {FIELD_COUNT_MAX} fields.")
        checked_fields = [_check_field(name, f, i) for i, f in enumerate(fields, start=1)]
        names = [field["name"] for field in checked_fields]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ResourceError(f"{name}.{duplicates[0]}: the field is given twice.")
        checked.append({"name": name, "plural": plural_name, "fields": checked_fields})

    earlier: set[str] = set()
    for resource in checked:
        for field in resource["fields"]:
            if field["type"] != "ref":
                continue
            target = field["to"]
            where = f"{resource['name']}.{field['name']}"
            if target == resource["name"]:
                if field["required"]:
                    raise ResourceError(
                        f"{where}: set required: false; a reference to its own resource "
                        "must be optional, as the first row has nothing to point to."
                    )
            elif target not in earlier:
                known = [r["name"] for r in checked]
                plurals = {r["plural"]: r["name"] for r in checked}
                meant = plurals.get(target) or _meant(target, known, {})
                if target in known:
                    wrong = f'list "{target}" first'
                elif meant:
                    wrong = f"to: {target}? use {meant}"
                else:
                    wrong = f'no resource "{target}"'
                raise ResourceError(
                    f"{where}: {wrong}; a reference points to a resource listed before it "
                    "(or to its own resource)."
                )
        earlier.add(resource["name"])
    return checked


def resources_error(value: Any) -> str:
    """copier.yml validator: empty when the resources are fine, else the reason."""
    try:
        check_resources(value)
    except ResourceError as error:
        return str(error)
    return ""


# --------------------------------------------------------------------------- rendering


class ResourceChecks(Extension):
    """The validator of the `resources` question."""

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        environment.filters["resources_error"] = resources_error
