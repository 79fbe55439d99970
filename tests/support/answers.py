"""Valid answer sets drawn at random from a seed: any level, any modules, 1-8 resources over
every field type and option, names up to the validators' limits, often without `item`.

`answer_sets(seed, count)` is what `nox -s explore` renders; the same seed gives the same sets.
Every set must pass the template's validators: one that does not is a bug of the generator or
of a validator, and tests/unit/test_answers.py says which set.
"""

from __future__ import annotations

import random
from typing import Any

from extensions import resource_checks as rules
from extensions.context import ALL_MODULES, KUBERNETES_MODULES
from extensions.filters import PORT_MAX, PORT_MIN, SLUG_MAX, slug_error

WORDS = (
    "account", "batch", "booking", "branch", "carrier", "catalog", "charge", "claim", "client",
    "contract", "courier", "credit", "depot", "device", "dispatch", "entry", "estimate", "fleet",
    "grant", "invoice", "journal", "ledger", "lesson", "listing", "loan", "meter", "notice",
    "offer", "parcel", "patient", "payment", "permit", "policy", "quote", "receipt", "rental",
    "reward", "route", "sample", "season", "shift", "shipment", "sensor", "slot", "stock",
    "supplier", "survey", "tariff", "ticket", "trip", "venue", "visit", "voucher", "warranty",
)  # fmt: skip
FIELD_WORDS = (
    "amount", "arrival", "balance", "code", "colour", "comment", "count", "due", "email",
    "expires", "grade", "height", "label", "level", "note", "number", "opened", "origin",
    "paid", "phase", "points", "price", "rank", "rate", "reason", "reference", "score", "size",
    "starts", "state", "summary", "title", "total", "weight", "width", "window", "zone",
)  # fmt: skip
PLAIN_TYPES = ("str", "text", "int", "float", "decimal", "bool", "date", "datetime", "uuid", "enum")


def _usable(name: str, limit: int) -> bool:
    return not rules._name_problem(name, "name", limit) and name not in rules.SQL_RESERVED_WORDS


def _name(rng: random.Random, words: tuple[str, ...], limit: int, taken: set[str]) -> str:
    """Two or three words, now and then stretched to exactly `limit` characters."""
    while True:
        name = "_".join(rng.sample(words, rng.choice((1, 2, 2, 3))))
        if rng.random() < 0.15:
            name = (name + "_" + "_".join(rng.sample(words, 4)))[:limit].rstrip("_")
            name = name + "x" * (limit - len(name))
        name = name[:limit]
        if name not in taken and _usable(name, limit):
            return name


def _field(rng: random.Random, name: str, kind: str) -> dict[str, Any]:
    field: dict[str, Any] = {"name": name, "type": kind}
    if rng.random() < 0.3:
        field["required"] = False
    if kind in rules.UNIQUE_TYPES and rng.random() < 0.25:
        field["unique"] = True
    if kind == "str" and rng.random() < 0.7:
        field["max_length"] = rng.choice((1, 2, 8, 40, 100, 255, 1000, 10000))
    if kind in ("int", "float"):
        low = rng.choice((None, 0, 1, -50, -(2**31) + 1))
        high = rng.choice((None, 2, 3, 100, 5000, 2**31 - 1))
        if low is not None and high is not None and low >= high:
            high = None
        if field.get("unique") and low is not None and high is not None and high - low < 2:
            high = low + 2  # the narrowest range a unique int may have
        if kind == "float" and low is not None and rng.random() < 0.5:
            low = low + 0.5
        field |= {key: value for key, value in (("min", low), ("max", high)) if value is not None}
    if kind == "decimal":
        precision = rng.choice((1, 2, 5, 10, 12, 18, 38))
        field |= {"precision": precision, "scale": rng.randrange(0, precision)}
    if kind == "enum":
        values = rng.sample(FIELD_WORDS, rng.randint(1, 5))
        if rng.random() < 0.2:
            values[0] = (values[0] + "_" + "_".join(FIELD_WORDS))[:40].rstrip("_")
        field["values"] = values
    return field


def _resource(rng: random.Random, earlier: list[dict[str, Any]], taken: set[str]) -> dict[str, Any]:
    name = _name(rng, WORDS, rules.NAME_MAX, taken | rules.RESOURCE_NAMES_TAKEN)
    while rules.plural(name) in rules.RESOURCE_NAMES_TAKEN:
        name = _name(rng, WORDS, rules.NAME_MAX, taken | rules.RESOURCE_NAMES_TAKEN)
    resource: dict[str, Any] = {"name": name}
    plural = rules.plural(name)
    if len(plural) > rules.PLURAL_MAX or plural in taken or not _usable(plural, rules.PLURAL_MAX):
        plural = (name[: rules.PLURAL_MAX - 5] + "_list").lstrip("_")
        resource["plural"] = plural
    taken |= {name, plural}
    fields: list[dict[str, Any]] = []
    used: set[str] = set()
    for _ in range(rng.randint(1, 7)):
        field_name = _name(rng, FIELD_WORDS, rules.FIELD_MAX, used | rules.RESERVED_FIELD_NAMES)
        if field_name in rules.TYPE_NAMES or field_name.startswith("model_"):
            continue
        used.add(field_name)
        fields.append(_field(rng, field_name, rng.choice(PLAIN_TYPES)))
    targets = [*earlier, resource] if earlier else [resource]
    for target in rng.sample(targets, min(len(targets), rng.choice((0, 0, 1, 2)))):
        ref_name = f"{target['name']}_id"[: rules.FIELD_MAX]
        if not ref_name.endswith("_id") or ref_name in used:
            continue
        used.add(ref_name)
        ref: dict[str, Any] = {"name": ref_name, "type": "ref", "to": target["name"]}
        if target is resource or rng.random() < 0.4:
            ref["required"] = False
        fields.insert(rng.randrange(len(fields) + 1), ref)
    resource["fields"] = fields or [_field(rng, "label", "str")]
    return resource


def answer_set(rng: random.Random) -> dict[str, Any]:
    """One answer set (only the answers that differ from a question's default are left out)."""
    level = rng.randint(1, 4)
    modules = sorted(rng.sample(ALL_MODULES, rng.randint(0, len(ALL_MODULES))))
    taken: set[str] = set()
    resources: list[dict[str, Any]] = []
    for _ in range(rng.choice((1, 1, 2, 3, 4, 5, 8))):
        resources.append(_resource(rng, resources, taken))
    if rng.random() < 0.2:
        resources.insert(0, rules.DEFAULT_RESOURCES[0])
    ports = rng.sample(range(PORT_MIN, PORT_MAX + 1), 3)
    words = rng.sample(WORDS, 2)
    answers: dict[str, Any] = {
        "project_name": " ".join(word.capitalize() for word in words) + " Platform",
        "python_version": rng.choice(("3.12", "3.13")),
        "maturity_level": level,
        "modules": modules,
        "resources": resources,
        "api_port": ports[0],
        "data_service_port": ports[1],
        "postgres_port": ports[2],
    }
    if rng.random() < 0.25:
        answers["project_slug"] = _longest_slug(rng)
    # Drawn apart from `rng`, so that the sets a seed gave before the Kubernetes target stay
    # the same: a level 4 set deploys to Kubernetes now and then, with the modules it covers.
    if level == 4 and random.Random(repr(answers)).random() < 0.4:
        answers["deployment"] = "kubernetes"
        answers["modules"] = [module for module in modules if module in KUBERNETES_MODULES]
    return answers


def _longest_slug(rng: random.Random) -> str:
    """A project slug of exactly the validators' limit, which every rendered line must fit."""
    while True:
        slug = "_".join(rng.sample(WORDS, 6))[:SLUG_MAX].rstrip("_")
        slug += "x" * (SLUG_MAX - len(slug))
        if not slug_error(slug):
            return slug


def answer_sets(seed: int, count: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [answer_set(rng) for _ in range(count)]
