"""Rule violations the domain reports."""


class DomainError(Exception):
    """A business rule was broken."""


class InvalidValue(DomainError):
    """A field value breaks a rule; `field` names it, `reason` says what is allowed and `code`
    is the error's code in the answer."""

    def __init__(self, field: str, reason: str, code: str = "value_error") -> None:
        super().__init__(f"{field} {reason}")
        self.field = field
        self.reason = reason
        self.code = code
