"""The entity view: every resource of the answer (checked by resource_checks.py) as the data the
templates write the code from: names, Python, Pydantic and SQL types, constraints, the
resources it refers to, test data; and the migrations' history across updates. The templates
write the syntax (`fit` breaks a line that is too long as ruff does)."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from copier_template_extensions import ContextHook
from jinja2.ext import Extension


def _sibling(name: str) -> ModuleType:
    """The module in the file next to this one. Copier loads each extension by its path, not as
    part of a package, and one process may render several versions of the template (an update
    renders the old one and the new): the module is kept under a hash of its source, one per
    version. Tests that import `extensions.<name>` get another copy of the same code: compare
    its values, not its classes, with this module's."""
    path = Path(__file__).resolve().with_name(f"{name}.py")
    key = f"_template_{name}_{hashlib.sha256(path.read_bytes()).hexdigest()[:16]}"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module
        spec.loader.exec_module(module)
    return sys.modules[key]


_checks = _sibling("resource_checks")
COMPARABLE_TYPES = _checks.COMPARABLE_TYPES
DEFAULT_RESOURCES = _checks.DEFAULT_RESOURCES
INT_MAX, INT_MIN = _checks.INT_MAX, _checks.INT_MIN
JSON_GUARDS = _checks.JSON_GUARDS
TYPE_OPTIONS = _checks.TYPE_OPTIONS
ResourceError = _checks.ResourceError
check_resources = _checks.check_resources
pascal = _checks.pascal

LINE_LENGTH = 100  # the rendered projects' ruff line length

# The schemas packages' helpers that make a written value what its column reads back (formatted
# with the field's options): a decimal to the column's scale, a date and time in UTC.
READ_BACK = {"decimal": ("as_numeric", "({precision}, {scale})"), "datetime": ("AsUtc", "")}
# The schemas packages' check that required text holds a visible character.
VISIBLE_TEXT = "VisibleText"
# What OpenAPI cannot say of these types by itself.
PRECISION = {
    "decimal": "At most {precision} digits, {scale} after the point; answered as a string.",
    "datetime": "Has a time zone; answered in UTC, to the microsecond.",
}


def fit(line: str) -> str:
    """A statement as ruff format leaves it once it is exploded: as it is when it fits in a line,
    else the items of its last bracket pair one per line, each with a trailing comma (a "magic"
    one: ruff keeps the statement exploded), each item formatted the same way. What a template
    writes on one line, this formats for any name length. A line it cannot explode without
    changing its meaning (a comment, text after the last bracket, one item in brackets that are
    no call) is left as it is, for ruff to report.
    """
    if len(line) <= LINE_LENGTH:
        return line
    opened: list[int] = []
    last_open = last_close = -1
    quote = ""
    escaped = False
    for index, char in enumerate(line):
        if quote:
            escaped, quote = (
                (False, quote) if escaped else (char == "\\", "" if char == quote else quote)
            )
            continue
        if char == "#":
            return line
        if char in "\"'":
            quote = char
        elif char in "([{":
            opened.append(index)
        elif char in ")]}" and opened:
            start = opened.pop()
            if not opened:
                last_open, last_close = start, index
    tail = line[last_close + 1 :]
    if last_open < 0 or tail not in ("", ","):
        return line
    inside = line[last_open + 1 : last_close]
    args = _top_level_split(inside)
    before = line[last_open - 1] if last_open else " "
    a_call = line[last_open] == "(" and (before.isalnum() or before in "_)]")
    a_collection = len(args) > 1 or inside.rstrip().endswith(",")
    if not args or not (a_call or a_collection):
        return line
    pad = line[: len(line) - len(line.lstrip())]
    body = "".join(fit(f"{pad}    {arg},") + "\n" for arg in args)
    return f"{line[: last_open + 1]}\n{body}{pad}{line[last_close]}{tail}"


def _top_level_split(text: str) -> list[str]:
    """The comma-separated items of `text`, commas inside brackets or strings aside."""
    items, depth, quote, escaped, current = [], 0, "", False, ""
    for char in text:
        if quote:
            escaped, quote = (
                (False, quote) if escaped else (char == "\\", "" if char == quote else quote)
            )
        elif char in "\"'":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            items.append(current.strip())
            current = ""
            continue
        current += char
    items.append(current.strip())
    return [item for item in items if item]


def _enum_classes(resource: dict[str, Any]) -> dict[str, str]:
    """Each enum field's class name: its name in PascalCase, with "Kind" added while that is
    taken (by the resource's own classes, or by another enum of the resource)."""
    class_name = pascal(resource["name"])
    taken = {class_name, class_name + "Details"}
    classes: dict[str, str] = {}
    for field in resource["fields"]:
        if field["type"] != "enum":
            continue
        candidate = pascal(field["name"])
        while candidate in taken:
            candidate += "Kind"
        taken.add(candidate)
        classes[field["name"]] = candidate
    return classes


def _field_view(
    resource: dict[str, Any],
    field: dict[str, Any],
    by_name: dict[str, Any],
    enum_classes: dict[str, str],
) -> dict[str, Any]:
    name, kind, required = field["name"], field["type"], field["required"]
    table = resource["plural"]
    enum_class = enum_classes.get(name, "")
    py_type = {
        "str": "str", "text": "str", "int": "int", "float": "float", "decimal": "Decimal",
        "bool": "bool", "date": "date", "datetime": "datetime", "uuid": "UUID",
        "enum": enum_class, "ref": "UUID",
    }[kind]  # fmt: skip
    domain_annotation = py_type if required else f"{py_type} | None"
    # Outside the domain module the enum class is reached through `domain.`.
    if kind == "enum":
        py_type = f"domain.{enum_class}"
    optional_type = f"{py_type} | None"
    annotation = py_type if required else optional_type
    # Request bodies refuse datetimes without a time zone.
    input_type = "AwareDatetime" if kind == "datetime" else py_type
    # Constraints as Pydantic arguments (so OpenAPI shows them) and as SQL checks.
    constraints: list[str] = []
    checks: list[str] = []
    if kind == "str":
        constraints += ["min_length=1", f"max_length={field['max_length']}"]
    if kind in ("str", "text"):
        # PostgreSQL text cannot hold NUL characters.
        constraints.append('pattern="^[^\\x00]*$"')
    if kind == "int":
        # The column is a 32-bit INTEGER: refuse what it cannot hold with a 422, not a 500.
        constraints.append(f"ge={field['min'] if field.get('min') is not None else INT_MIN}")
        constraints.append(f"le={field['max'] if field.get('max') is not None else INT_MAX}")
        checks += [f"{name} >= {field['min']!r}"] if field.get("min") is not None else []
        checks += [f"{name} <= {field['max']!r}"] if field.get("max") is not None else []
    if kind == "float":
        if field.get("min") is not None:
            constraints.append(f"ge={field['min']!r}")
            checks.append(f"{name} >= {field['min']!r}")
        if field.get("max") is not None:
            constraints.append(f"le={field['max']!r}")
            checks.append(f"{name} <= {field['max']!r}")
    if kind == "float":
        constraints.append("allow_inf_nan=False")
    # A filter value is only refused where the column could not hold it (a 422, not a 500).
    query_constraints = [f"ge={INT_MIN}", f"le={INT_MAX}"] if kind == "int" else []
    if kind == "str":
        query_constraints.append('pattern="^[^\\x00]*$"')
    if kind == "decimal":
        constraints += [f"max_digits={field['precision']}", f"decimal_places={field['scale']}"]
        query_constraints += constraints[-2:]
    if kind in PRECISION:
        constraints.append("description=" + json.dumps(PRECISION[kind].format(**field)))
    # Bodies are JSON: "3" is no number there, nor 1 a boolean (query strings stay lax).
    guard = JSON_GUARDS.get(kind)
    # A body's value made what its column reads back, so that a write answers what reads will.
    helper, arguments = READ_BACK.get(kind, ("", ""))
    read_back = helper + arguments.format(**field)
    visible = VISIBLE_TEXT if kind in ("str", "text") and required else ""
    body_metadata = ", ".join(name for name in (guard, read_back, visible) if name)

    def body_type(base: str, optional: bool) -> str:
        annotation = f"{base} | None" if optional else base
        return f"Annotated[{annotation}, {body_metadata}]" if body_metadata else annotation

    def query_type(annotation: str) -> str:
        # Query values are text: only dates need their format checked there.
        return f"Annotated[{annotation}, {guard}]" if kind in ("date", "datetime") else annotation

    values_constant = f"{name.upper()}_VALUES"
    # A check is (model expression, migration expression); enum values live in a constant.
    check_sources = [(json.dumps(sql), json.dumps(sql)) for sql in checks]
    if kind == "enum":
        check_sources.append(
            (
                f'column("{name}").in_({values_constant})',
                f'sa.column("{name}").in_({values_constant})',
            )
        )
    check_views = [
        {"model": model_expr, "migration": migration_expr, "name": f"{name}_{number}",
         "full_name": f"ck_{table}_{name}_{number}"}
        for number, (model_expr, migration_expr) in enumerate(check_sources, start=1)
    ]  # fmt: skip

    enum_length = max((len(value) for value in field.get("values", [])), default=1)
    sa_type, migration_type = {
        "str": (f"String({field.get('max_length')})", f"sa.String(length={field.get('max_length')})"),  # noqa: E501
        "text": ("Text()", "sa.Text()"),
        "int": ("Integer()", "sa.Integer()"),
        "float": ("Float()", "sa.Float()"),
        "decimal": (f"Numeric({field.get('precision')}, {field.get('scale')})",
                    f"sa.Numeric(precision={field.get('precision')}, scale={field.get('scale')})"),
        "bool": ("Boolean()", "sa.Boolean()"),
        "date": ("Date()", "sa.Date()"),
        "datetime": ("UtcDateTime()", "UtcDateTime()"),
        "uuid": ("Uuid()", "sa.Uuid()"),
        "enum": (f"String({enum_length})", f"sa.String(length={enum_length})"),
        "ref": ("Uuid()", "sa.Uuid()"),
    }[kind]  # fmt: skip
    target = by_name.get(field.get("to") or "", {})

    column_args = [sa_type]
    if kind == "ref":
        column_args.append(f'ForeignKey("{target["plural"]}.id")')
    if field["unique"]:
        column_args.append("unique=True")
    if kind == "ref":
        column_args.append("index=True")
    model_annotation = "str" if kind == "enum" else py_type
    if not required:
        model_annotation += " | None"

    value_alias = pascal(name) + "Value"
    data_type = value_alias if kind == "enum" else py_type
    data_input = value_alias if kind == "enum" else input_type
    data_annotation = data_type if required else f"{data_type} | None"
    return {
        **field,
        "nullable": not required,
        "py_type": py_type,
        "annotation": annotation,
        "domain_annotation": domain_annotation,
        "optional_annotation": optional_type,
        "enum_class": enum_class,
        "value_alias": value_alias,
        "values_constant": values_constant,
        "choices": field.get("values", []),
        "checks": check_views,
        "model_annotation": model_annotation,
        "column_args": column_args,
        "sa_name": sa_type.split("(", 1)[0],
        "migration_type": migration_type,
        # Pydantic arguments: the body's (an optional field defaults to None) and the filter's.
        "constraints": constraints,
        "query_constraints": query_constraints,
        "api_in_type": body_type(input_type, not required),
        # A required field may be left out of a PATCH but not sent as null: None stands for
        # "not sent", and the schema does not offer null.
        "api_patch_type": body_type(input_type, True),
        "api_patch_args": constraints + ([] if not required else ["json_schema_extra=no_null"]),
        "api_query_type": query_type(optional_type),
        "data_write_type": body_type(data_input, not required),
        "data_annotation": data_annotation,
        "data_query_type": query_type(f"{data_type} | None"),
        "target": target.get("name", ""),
        "target_plural": target.get("plural", ""),
        "target_url_path": target.get("plural", "").replace("_", "-"),
        "target_class": pascal(target["name"]) if target else "",
        "fk_name": f"fk_{table}_{name}",
        "index_name": f"ix_{table}_{name}",
        "unique_name": f"uq_{table}_{name}",
        "self_reference": kind == "ref" and field.get("to") == resource["name"],
        "is_text": kind in ("str", "text"),
        "filterable": kind not in ("text", "float"),
        "sortable": kind != "text",
        "max_length": field.get("max_length"),
        "min": field.get("min"),
        "max": field.get("max"),
        **_samples(field, enum_class),
    }


def _samples(field: dict[str, Any], enum_class: str) -> dict[str, Any]:
    """Python source for test data: `json` (a JSON value) and `py` (a domain value), both from
    an int `n`, so that different n give different values; and `invalid` JSON values."""
    name, kind = field["name"], field["type"]
    invalid: list[str] = []
    domain_invalid: list[str] = []
    if kind in ("str", "text") and field["required"]:
        domain_invalid.append('"   "')
    if kind == "str":
        length = field["max_length"]
        domain_invalid.append(f'"x" * {length + 1}')
        prefix = name[: max(0, min(12, length - 6))]
        json_value = f'f"{prefix}{{n}}"' if prefix else f"str(n)[-{length}:]"
        py_value = json_value
        invalid += ['""', f'"x" * {length + 1}']
    elif kind == "text":
        json_value = py_value = f'f"{name} text {{n}}"'
        invalid.append("12")
    elif kind in ("int", "float"):
        low, high = field.get("min"), field.get("max")
        base = _sample_base(field)
        step = "n" if kind == "int" else "n / 4"
        if high is not None:
            span = _sample_span(field)
            json_value = (
                f"{base!r} + (n % {span})" if kind == "int" else f"{base!r} + (n % {span}) / 2"
            )
        else:
            json_value = f"{base!r} + {step}"
        py_value = json_value
        invalid.append('"many"')
        for bound in (low - 1 if low is not None else None, high + 1 if high is not None else None):
            if bound is not None:
                invalid.append(repr(bound))
                domain_invalid.append(repr(bound))
    elif kind == "decimal":
        digits, scale = field["precision"] - field["scale"], field["scale"]
        # n spread over the whole part and a fraction j / 2**k: distinct for many n even
        # with one whole digit (a unique column), exact as a float, so SQLite (local mode)
        # reads it back; written to the column's scale, as PostgreSQL reads it back.
        whole, parts = 10 ** min(digits, 6), 2 ** min(scale, 10)
        value = " + ".join(
            ([f"n % {whole}"] if whole > 1 else []) + ([f"n % {parts} / {parts}"] if scale else [])
        )
        json_value = f'f"{{{value}:.{scale}f}}"' if scale else f'f"{{{value}}}"'
        py_value = f"Decimal({json_value})"
        invalid += ['"lots"', f'"{"9" * (digits + 1)}"']
    elif kind == "bool":
        json_value = py_value = "n % 2 == 0"
        invalid.append('"maybe"')
    elif kind == "date":
        # Years 2000-8999: any n the tests use (PATCH bodies take n = 10_000) is a valid date.
        json_value = 'f"{2000 + n % 7000}-06-15"'
        py_value = "date(2000 + n % 7000, 6, 15)"
        invalid.append('"2024-02-30"')
    elif kind == "datetime":
        json_value = 'f"{2000 + n % 7000}-06-15T12:00:00+00:00"'
        py_value = "datetime(2000 + n % 7000, 6, 15, 12, tzinfo=UTC)"
        # Without a time zone; not a date; before year 1 once in UTC.
        invalid += ['"2024-06-15T12:00:00"', '"yesterday"', '"0001-01-01T00:00:00+02:00"']
    elif kind == "uuid":
        json_value = 'f"00000000-0000-4000-8000-{n:012d}"'
        py_value = "UUID(int=n)"
        invalid.append('"not-a-uuid"')
    elif kind == "enum":
        values = field["values"]
        json_value = f"{exploded(values, 8)}[n % {len(values)}]"
        py_value = f"list(domain.{enum_class})[n % {len(values)}]"
        invalid.append('"not_a_value"')
    else:  # ref: the factories create the target and pass its id
        json_value = "None"
        py_value = "UUID(int=n)"
        invalid.append('"not-a-uuid"')
    if kind in ("str", "text"):
        invalid.append('"nul\\x00char"')
    if kind in ("str", "text") and field["required"]:
        invalid.append('"   "')
    return {
        "json_sample": json_value,
        "py_sample": py_value,
        "invalid": invalid,
        "domain_invalid": domain_invalid,
    }


def _can_change(field: dict[str, Any]) -> bool:
    """Whether the field can hold two different values: a one-value enum cannot."""
    return field["type"] != "enum" or len(field["values"]) >= 2


def _samples_differ(field: dict[str, Any]) -> bool:
    """Whether the samples of n = 1, 2 and 3 are three different values."""
    if field["type"] == "bool":
        return False
    if field["type"] == "enum":
        return len(field["values"]) >= 3
    if field["type"] in ("int", "float") and field.get("max") is not None:
        return _sample_span(field) >= 3
    return True


def _sample_base(field: dict[str, Any]) -> int | float:
    """The lowest sample of an int or float: its min, else well below its max, else 0."""
    low, high = field.get("min"), field.get("max")
    if low is not None:
        return low
    return min(0, high - 1000) if high is not None else 0


def _sample_span(field: dict[str, Any]) -> int:
    """How many samples fit from the base up to the max: every whole number of an int, every
    half of a float (so that n = 1, 2, 3 give different values where the range allows)."""
    room = field["max"] - _sample_base(field)
    return int(room) + 1 if field["type"] == "int" else int(room * 2) + 1


def _example_values(fields: list[dict[str, Any]]) -> dict[str, Any]:
    """A valid body (references left out) for the docs' curl examples and the load test."""
    # The samples are expressions this module wrote itself, over the number n.
    return {
        field["name"]: eval(field["json_sample"], {"__builtins__": {"str": str}}, {"n": 1})
        for field in fields
        if field["type"] != "ref"
    }


def _sa_names(fields: list[dict[str, Any]]) -> list[str]:
    """Names the model module imports from sqlalchemy."""
    names = {"Uuid"}
    for field in fields:
        if field["sa_name"] != "UtcDateTime":
            names.add(field["sa_name"])
        if field["type"] == "ref":
            names.add("ForeignKey")
        if field["checks"]:
            names.add("CheckConstraint")
        if field["type"] == "enum":
            names.add("column")
    return sorted(names, key=lambda name: (not name[0].isupper(), name))


def migration_ids(plural_name: str) -> tuple[str, str]:
    """The Alembic revisions that create and drop a resource's table, named after the table so
    that adding, removing or reordering resources never renames a released migration. Each
    fits Alembic's 32-character version column (plurals have at most 27)."""
    return f"add_{plural_name}", f"drop_{plural_name}"


def build_entities(resources: Any) -> list[dict[str, Any]]:
    """Enriched resources in answer order; the defaults when the answer is not (yet) there."""
    try:
        return build_entities_strict(resources if resources is not None else DEFAULT_RESOURCES)
    except ResourceError:
        # Questions are still being answered (the hook also runs for them); the validator
        # reports the problem, so render the defaults meanwhile.
        return build_entities_strict(DEFAULT_RESOURCES)


def build_entities_strict(resources: Any) -> list[dict[str, Any]]:
    """Enriched resources in answer order; raises ResourceError for answers that cannot render."""
    checked = check_resources(resources)
    by_name = {resource["name"]: resource for resource in checked}
    entities: list[dict[str, Any]] = []
    for index, resource in enumerate(checked, start=1):
        enum_classes = _enum_classes(resource)
        fields = [
            _field_view(resource, field, by_name, enum_classes) for field in resource["fields"]
        ]
        kinds = {field["type"] for field in fields}
        revision, drop_revision = migration_ids(resource["plural"])
        refs = [field for field in fields if field["type"] == "ref"]
        filter_candidates = [f for f in fields if f["filterable"] and f["type"] != "ref"] + [
            f for f in refs if f["required"] and not f["self_reference"]
        ]
        patch_candidates = sorted(
            (f for f in fields if f["type"] != "ref" and _can_change(f)),
            key=lambda f: (f["type"] not in COMPARABLE_TYPES, f["unique"], f["type"] != "str"),
        )
        sort_keys = ["created_at", "updated_at", *(f["name"] for f in fields if f["sortable"])]
        # A field whose test samples for n = 1, 2, 3 all differ, to show a merge of two writes.
        merge_fields = [f for f in fields if _samples_differ(f)]
        entities.append(
            {
                "index": index,
                "name": resource["name"],
                "plural": resource["plural"],
                "class_name": pascal(resource["name"]),
                "label": resource["name"].replace("_", " "),
                "plural_label": resource["plural"].replace("_", " "),
                "url_path": resource["plural"].replace("_", "-"),
                "fields": fields,
                "revision": revision,
                "drop_revision": drop_revision,
                # A resource's migrations are an Alembic branch of their own, labelled with the
                # table; they run after the branches of the tables they refer to.
                "depends_on": sorted(
                    {migration_ids(by_name[f["target"]]["plural"])[0] for f in refs} - {revision}
                ),
                "uses_date": "date" in kinds,
                "uses_datetime": "datetime" in kinds,
                "uses_decimal": "decimal" in kinds,
                # What its schemas import from the schemas package: the guards of JSON values
                # (JSON_GUARDS) and the helpers that make a value what its column reads back.
                "schema_imports": sorted(
                    {JSON_GUARDS[k] for k in kinds if k in JSON_GUARDS}
                    | {READ_BACK[k][0] for k in kinds if k in READ_BACK}
                    | {VISIBLE_TEXT for f in fields if f["is_text"] and f["required"]}
                ),
                "uses_enum": "enum" in kinds,
                "enums": [field for field in fields if field["type"] == "enum"],
                "refs": refs,
                "ref_targets": sorted(
                    {field["target"] for field in refs if not field["self_reference"]}
                ),
                "required_ref_targets": sorted(
                    {f["target"] for f in refs if f["required"] and not f["self_reference"]}
                ),
                "unique_fields": [field for field in fields if field["unique"]],
                "filter_fields": [field for field in fields if field["filterable"]],
                "sort_values": [v for key in sort_keys for v in (key, "-" + key)],
                "filter_example": filter_candidates[0] if filter_candidates else None,
                "patch_field": patch_candidates[0] if patch_candidates else None,
                "merge_field": merge_fields[0] if merge_fields else None,
                "required_names": [f["name"] for f in fields if f["required"]],
                "text_names": [f["name"] for f in fields if f["is_text"]],
                "max_lengths": {f["name"]: f["max_length"] for f in fields if f["type"] == "str"},
                "minimums": {f["name"]: f["min"] for f in fields if f.get("min") is not None},
                "maximums": {f["name"]: f["max"] for f in fields if f.get("max") is not None},
                "domain_invalid": [(f["name"], v) for f in fields for v in f["domain_invalid"]],
                "invalid": [(f["name"], v) for f in fields for v in f["invalid"]],
                "checks": [check for field in fields for check in field["checks"]],
                "required_text": [f for f in fields if f["is_text"] and f["required"]],
                "referenced_by": [],
                "example_values": _example_values(fields),
                "example_json": json.dumps(_example_values(fields)),
                "sa_names": _sa_names(fields),
            }
        )
    by_entity = {entity["name"]: entity for entity in entities}
    for entity in entities:
        for field in entity["refs"]:
            # What a refused delete names: every reference to the resource, its own included.
            by_entity[field["target"]]["referenced_by"].append(
                {
                    "entity": entity["name"],
                    "field": field["name"],
                    "plural": entity["plural"],
                    "class_name": entity["class_name"],
                    "self_reference": field["self_reference"],
                }
            )
    for entity in entities:
        # The factories a test of the delete refusals imports (the resource's own aside).
        entity["referrers"] = sorted(
            {ref["entity"] for ref in entity["referenced_by"]} - {entity["name"]}
        )
    return entities


RELEASED_KEY = "released_resources"


def _previous_releases(released: Any) -> list[dict[str, Any]]:
    """The resources the project's answers file recorded at the last render (none before)."""
    if not isinstance(released, list):
        return []
    return [entry for entry in released if isinstance(entry, dict) and entry.get("plural")]


def released_error(resources: Any, released: Any) -> str:
    """Why the new resources cannot follow the recorded ones, or empty. A table that this update
    drops, or dropped before, cannot come back under a current resource; a table this update
    drops cannot still be referred to by a surviving one as last released; and the dropped
    resources must stay renderable (what they refer to keeps its name)."""
    try:
        current = check_resources(resources)
    except ResourceError:
        return ""
    plurals = {resource["plural"] for resource in current}
    names = {resource["name"] for resource in current}
    previous = _previous_releases(released)
    for entry in previous:
        if entry["plural"] not in plurals and entry.get("name") in names:
            return (
                f'Table {entry["plural"]} would be dropped: resource "{entry["name"]}" has a new '
                "plural, which would make a new table; keep its plural to keep the table, or give "
                "the new resource another name."
            )
        if entry["plural"] in plurals and entry.get("dropped"):
            return (
                f'Table "{entry["plural"]}" was dropped by an earlier update; give the '
                "resource another name and plural."
            )
    removed_now = {e.get("name") for e in previous if e["plural"] not in plurals} - {None}
    for entry in previous:
        if entry["plural"] not in plurals or entry.get("dropped"):
            continue
        for field in entry.get("fields") or []:
            if isinstance(field, dict) and field.get("to") in removed_now - {entry["name"]}:
                return (
                    f'"{field["to"]}" is still referred to by {entry["name"]}.'
                    f"{field.get('name')} in the database: remove that field in an update of "
                    f'its own and migrate, then remove "{field["to"]}".'
                )
    gone = [e for e in previous if e["plural"] not in plurals]
    answered = [{"name": r["name"], "plural": r["plural"], "fields": r["fields"]} for r in current]
    try:
        build_entities_strict(
            answered + [{key: e[key] for key in ("name", "plural", "fields")} for e in gone]
        )
    except (ResourceError, KeyError) as error:
        return (
            f"A removed resource's migration refers to a name this answer changes ({error}); "
            "keep the names of the resources they refer to."
        )
    return ""


def migration_history(resources: Any, released: Any) -> dict[str, Any]:
    """What the migrations folder holds for the current resources and the recorded ones.

    `released` is the `released_resources` list of the project's answers file (the resources
    of the last render, plus every resource removed since, marked dropped). A resource no
    longer answered keeps its create migration and gets one that drops its table. `record` is
    the list this render writes back.
    """
    current = entities_for(resources)
    plurals = {entity["plural"] for entity in current}
    gone = [
        {key: entry[key] for key in ("name", "plural", "fields") if key in entry}
        for entry in _previous_releases(released)
        if entry["plural"] not in plurals
    ]
    answered = [{"name": e["name"], "plural": e["plural"], "fields": _plain(e)} for e in current]
    try:
        every = build_entities_strict(answered + gone)
    except ResourceError:
        every, gone = current, []
    dropped = every[len(current) :]
    for entity in dropped:
        # Removed tables that refer to this one are dropped first.
        entity["drop_depends_on"] = sorted(
            other["drop_revision"]
            for other in dropped
            if any(field["target"] == entity["name"] for field in other["refs"])
            and other is not entity
        )
    return {
        "migration_entities": every,
        "dropped_entities": dropped,
        "record": answered + [{**entry, "dropped": True} for entry in gone],
    }


def _plain(entity: dict[str, Any]) -> list[dict[str, Any]]:
    """A checked resource's fields as answers (every option spelled out)."""
    keys = ("name", "type", "required", "unique", *sorted(set().union(*TYPE_OPTIONS.values())))
    return [
        {key: field[key] for key in keys if key in field and field[key] is not None}
        | ({"values": field["choices"]} if field["type"] == "enum" else {})
        for field in entity["fields"]
    ]


def _literal(value: Any) -> str:
    return json.dumps(value) if isinstance(value, str) else repr(value)


def exploded(value: list[Any] | dict[str, Any], indent: int = 0) -> str:
    """A list or dict as Python source, one item per line with a trailing comma, so that ruff
    format leaves it as it is whatever its length; `[]` or `{}` when empty."""
    pad = " " * indent
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = "".join(f"{pad}    {_literal(k)}: {_literal(v)},\n" for k, v in value.items())
        return "{\n" + items + pad + "}"
    if not value:
        return "[]"
    return "[\n" + "".join(f"{pad}    {_literal(item)},\n" for item in value) + pad + "]"


def literal_type(values: list[Any]) -> str:
    """`Literal[...]` of the values, exploded; one value stays on its line, because a trailing
    comma there would make the subscript a tuple, which ruff format does not explode."""
    if len(values) == 1:
        return f"Literal[{_literal(values[0])}]"
    return "Literal" + exploded(values)


_ENTITY_CACHE: dict[str, list[dict[str, Any]]] = {}


def entities_for(resources: Any) -> list[dict[str, Any]]:
    """build_entities, computed once per distinct answer (the hook runs for every file)."""
    key = json.dumps(resources, sort_keys=True, default=str)
    if key not in _ENTITY_CACHE:
        _ENTITY_CACHE[key] = build_entities(resources)
    return _ENTITY_CACHE[key]


_HISTORY_CACHE: dict[str, dict[str, Any]] = {}


def migration_history_for(resources: Any, released: Any) -> dict[str, Any]:
    """migration_history, computed once per distinct answer and record."""
    key = json.dumps([resources, released], sort_keys=True, default=str)
    if key not in _HISTORY_CACHE:
        _HISTORY_CACHE[key] = migration_history(resources, released)
    return _HISTORY_CACHE[key]


class EntityContext(ContextHook):
    """Adds `entities`, the enriched resources, to the rendering context."""

    def hook(self, context: dict[str, Any]) -> None:
        context["entities"] = entities_for(context.get("resources"))
        history = migration_history_for(context.get("resources"), context.get(RELEASED_KEY))
        context["migration_entities"] = history["migration_entities"]
        context["dropped_entities"] = history["dropped_entities"]
        context["released_record"] = {RELEASED_KEY: history["record"]}


class EntityFilters(Extension):
    """The filters the resources' templates use, and the validator of the released resources."""

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        environment.filters["released_error"] = released_error
        environment.filters["exploded"] = exploded
        environment.filters["literal_type"] = literal_type
        environment.filters["fit"] = fit
