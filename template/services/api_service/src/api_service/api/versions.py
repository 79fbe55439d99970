"""Conditional requests: If-Match in, ETag out, both carrying the entity's version."""

from typing import Annotated

from fastapi import Depends
from fastapi import Header
from fastapi import Response

# The version the client read, as its ETag gave it: "3" (or W/"3", or 3); or * (any version:
# the row must exist, as without the header).
VERSION_TAG = r'^((W/)?"?[0-9]{1,10}"?|\*)$'
# Typed `str = Header(default=None)` rather than `str | None`: a header is never null, and the
# schema should not say it may be.
IF_MATCH = Header(
    default=None,
    pattern=VERSION_TAG,
    description='The version the client read, as the ETag gave it (e.g. "3"): an update is '
    "refused with 412 if the row has moved on since. * takes any version.",
)


async def if_match_version(if_match: str = IF_MATCH) -> int | None:
    """The version an `If-Match: "3"` header asks for, or None without the header or with *."""
    if if_match is None or if_match == "*":
        return None
    return int(if_match.removeprefix("W/").strip('"'))


IfMatchDep = Annotated[int | None, Depends(if_match_version)]


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = f'"{version}"'
