"""Field rules shared by every entity: trimmed text, required values, lengths and bounds."""

from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any

from api_service.domain.errors import InvalidValue


def checked_values(
    values: Mapping[str, Any],
    *,
    fields: Iterable[str],
    required: Iterable[str] = (),
    text: Iterable[str] = (),
    max_lengths: Mapping[str, int] | None = None,
    minimums: Mapping[str, float] | None = None,
    maximums: Mapping[str, float] | None = None,
) -> dict[str, Any]:
    """The values with text trimmed (blank optional text becomes None), checked by the rules.

    Raises InvalidValue naming the first field that breaks a rule.
    """
    known = set(fields)
    unknown = sorted(set(values) - known)
    if unknown:
        raise InvalidValue(unknown[0], "is not a field of this entity")
    result: dict[str, Any] = {name: values.get(name) for name in known}
    for name in text:
        if isinstance(result[name], str):
            result[name] = result[name].strip() or None
    for name in required:
        if result[name] is None:
            reason = "must contain a visible character" if name in text else "is required"
            raise InvalidValue(name, reason)
    for name, length in (max_lengths or {}).items():
        if result[name] is not None and len(result[name]) > length:
            raise InvalidValue(name, f"must be at most {length} characters")
    for name, lowest in (minimums or {}).items():
        if result[name] is not None and result[name] < lowest:
            raise InvalidValue(name, f"must be at least {lowest}")
    for name, highest in (maximums or {}).items():
        if result[name] is not None and result[name] > highest:
            raise InvalidValue(name, f"must be at most {highest}")
    return result
