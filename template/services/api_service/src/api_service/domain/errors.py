"""Rule violations the domain reports."""


class DomainError(Exception):
    """A business rule was broken."""


class InvalidValue(DomainError):
    """A field value breaks a rule; `field` names it and `reason` says what is allowed."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field} {reason}")
        self.field = field
        self.reason = reason
