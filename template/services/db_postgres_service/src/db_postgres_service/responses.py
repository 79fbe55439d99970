"""Records answered as they are: a route returns one as a Response, which FastAPI sends as it is
instead of validating and serializing the record again against the route's `response_model`
(which still documents it in OpenAPI)."""

from fastapi import Response
from pydantic import BaseModel


def record_response(
    record: BaseModel,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    return Response(
        record.model_dump_json(),
        status_code=status_code,
        headers=headers,
        media_type="application/json",
    )
