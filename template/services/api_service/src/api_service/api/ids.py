"""The id in a resource's path: `/api/v1/<plural>/{id}`, a UUID the create answered."""

from typing import Annotated
from uuid import UUID

from fastapi import Path

# Named `id` in the URL and in errors about it; `entity_id` in Python, where `id` is a builtin.
EntityId = Annotated[UUID, Path(alias="id", description="The id the create answered (a UUID).")]
