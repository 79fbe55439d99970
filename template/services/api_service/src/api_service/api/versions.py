"""Conditional requests: If-Match in, ETag out, both carrying the entity's version."""

import re
from typing import Annotated

from fastapi import Depends
from fastapi import Header
from fastapi import Request
from fastapi.exceptions import RequestValidationError

# The version the client read, as its ETag gave it, quotes included (RFC 9110): "3". W/"3" is
# weak and, since If-Match compares strongly, matches no version; * takes any (the row must
# exist).
# Spelled as the ETag spells it: strong comparison is by the characters, so "02" is not "2".
VERSION = r"0|[1-9][0-9]{0,9}"
ENTITY_TAG = re.compile(rf'(?P<weak>W/)?"(?P<version>{VERSION})"')
UNQUOTED = re.compile(VERSION)
# What the dependency gives for a weak tag: no row is at it.
WEAK = -1


class WeakEntityTagError(Exception):
    """If-Match named a weak tag (W/"3"), which matches no version: If-Match compares strongly."""

    def __init__(self) -> None:
        super().__init__(
            "A weak ETag (W/...) matches no version: If-Match compares strongly. Send the ETag "
            "as this API answered it."
        )


# Typed `str = Header(default=None)` rather than `str | None`: a header is never null, and the
# schema should not say it may be.
IF_MATCH = Header(
    default=None,
    description='The version the client read, as the ETag gave it (e.g. "3"): an update or a '
    "delete is refused with 412 if the row has moved on since, or for a weak tag (W/...). "
    "* takes any version. One tag only: a list is refused.",
)


async def if_match_version(request: Request, if_match: str = IF_MATCH) -> int | None:
    """The version an `If-Match: "3"` header asks for, or None without the header or with *."""
    if len(request.headers.getlist("if-match")) > 1:
        # Two header lines are one list (RFC 9110), which this API does not take.
        raise RequestValidationError([refusal(",")])
    if if_match is None or if_match.strip() == "*":
        return None
    tag = ENTITY_TAG.fullmatch(if_match.strip())
    if tag is None:
        raise RequestValidationError([refusal(if_match)])
    return WEAK if tag["weak"] else int(tag["version"])


def strong(version: int | None) -> int | None:
    """The version to compare rows with. A weak tag is refused here, in the route: refused in
    the dependency, it would answer 412 before the body and the path were checked."""
    if version == WEAK:
        raise WeakEntityTagError
    return version


def refusal(if_match: str) -> dict[str, object]:
    if "," in if_match:
        message = (
            "Send one entity tag, the ETag of the version you read: this API does not take a list."
        )
    elif UNQUOTED.fullmatch(if_match.strip()):
        message = f'An entity tag is quoted: send If-Match: "{if_match.strip()}", as the ETag was.'
    else:
        message = 'Send the ETag of the version you read, e.g. "3", or * for any version.'
    return {"type": "etag_invalid", "loc": ("header", "if-match"), "msg": message}


IfMatchDep = Annotated[int | None, Depends(if_match_version)]


def etag(version: int) -> dict[str, str]:
    """The ETag header of an answer about the entity at `version`."""
    return {"ETag": f'"{version}"'}
