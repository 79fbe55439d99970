"""HTTP interface of the audit log: append and read; entries are never changed or removed."""

from typing import Annotated
from typing import Any
from uuid import UUID

from fastapi import APIRouter
from fastapi import Depends
from fastapi import HTTPException
from fastapi import Query
from fastapi import Response
from fastapi import status
from fastapi.exceptions import RequestValidationError

from db_mongo_service.audit import AuditEntryIn
from db_mongo_service.audit import AuditEntryOut
from db_mongo_service.audit import AuditLog
from db_mongo_service.audit import AuditPage
from db_mongo_service.audit import AuditQuery
from db_mongo_service.audit import BadCursor
from db_mongo_service.database import get_audit_log

router = APIRouter(prefix="/v1/audit-entries", tags=["audit"])
AuditLogDep = Annotated[AuditLog, Depends(get_audit_log)]
UNAVAILABLE: dict[int | str, dict[str, Any]] = {503: {"description": "Database unavailable"}}


@router.post("", status_code=status.HTTP_201_CREATED, responses=UNAVAILABLE)
async def record_entry(
    entry: AuditEntryIn,
    audit: AuditLogDep,
    response: Response,
) -> AuditEntryOut:
    """Append an entry; 200 with the stored one when its id was recorded before."""
    stored, created = await audit.record(entry)
    if not created:
        response.status_code = status.HTTP_200_OK
    return stored


@router.get("", responses=UNAVAILABLE)
async def list_entries(
    query: Annotated[AuditQuery, Query()],
    audit: AuditLogDep,
) -> AuditPage:
    """Newest first, filtered; `next_cursor` continues with older entries."""
    try:
        return await audit.page(query)
    except BadCursor as exc:
        refused = {"loc": ("query", "cursor"), "msg": str(exc), "type": "value_error"}
        raise RequestValidationError([refused]) from None


@router.get("/{entry_id}", responses={404: {"description": "Not found"}, **UNAVAILABLE})
async def get_entry(entry_id: UUID, audit: AuditLogDep) -> AuditEntryOut:
    found = await audit.get(entry_id)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"Audit entry {entry_id} not found.")
    return found
