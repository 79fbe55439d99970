"""Conditional requests: If-Match in, ETag out, both carrying the entity's version."""

from typing import Annotated

from fastapi import Depends
from fastapi import Header
from fastapi import HTTPException
from fastapi import Response
from fastapi import status


async def if_match_version(if_match: Annotated[str | None, Header()] = None) -> int | None:
    """The version an `If-Match: "3"` header asks for, or None without the header."""
    if if_match is None:
        return None
    tag = if_match.removeprefix("W/").strip('"')
    if not tag.isdigit():
        raise HTTPException(
            status.HTTP_412_PRECONDITION_FAILED,
            'If-Match takes the version the client read, for example If-Match: "3".',
        )
    return int(tag)


IfMatchDep = Annotated[int | None, Depends(if_match_version)]


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = f'"{version}"'
