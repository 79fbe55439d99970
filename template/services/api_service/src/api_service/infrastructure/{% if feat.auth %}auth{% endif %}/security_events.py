"""Security events: sign-ins and their failures, throttling, role and status changes, password
changes and resets, sessions ended.

Each is a log line of the `security` logger with the action (`account.<what>`), the account,
who did it and the client. With an audit log (the mongodb module) it is also an audit entry of
entity `account`, so an admin reads it next to the data changes.
"""

from collections.abc import Callable
from typing import Any
from uuid import UUID

import structlog

# entity, action, entity id, actor, data: how the audit log takes an entry that is not a write.
AuditNote = Callable[[str, str, str, str, dict[str, Any]], None]
# Those that may be an attack in progress are warnings.
WARNINGS = frozenset(
    {"sign_in_failed", "sign_in_throttled", "registration_throttled", "password_change_refused"}
)

logger = structlog.get_logger("security")


class SecurityEvents:
    def __init__(self, audit: AuditNote | None = None) -> None:
        self._audit = audit

    def record(
        self,
        action: str,
        *,
        account: UUID | None,
        actor: UUID | str | None = None,
        **details: Any,
    ) -> None:
        account_id = str(account) if account else "unknown"
        who = str(actor or account or "anonymous")
        log = logger.warning if action in WARNINGS else logger.info
        log(
            "security event",
            action=f"account.{action}",
            account_id=account_id,
            actor=who,
            **details,
        )
        if self._audit is not None:
            self._audit("account", action, account_id, who, details)
