"""Failures a use case reports; the API maps each to a status code."""


class ApplicationError(Exception):
    """Base of the errors use cases raise."""


class NotFound(ApplicationError):
    def __init__(self, entity: str, entity_id: object) -> None:
        super().__init__(f"{entity} {entity_id} not found.")
        self.entity = entity
        self.entity_id = entity_id


class Conflict(ApplicationError):
    """The data service refused a write: a unique value is taken, or the row is still referenced."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        # The body's field whose value is taken, when it is one.
        self.field = field


class WriteContention(ApplicationError):
    """Other writes to the row kept landing between our read and our write: none was lost,
    this one was not made; the client may send it again."""

    def __init__(self, entity: str, entity_id: object) -> None:
        super().__init__(
            f"{entity} {entity_id} is being changed by many writers at once; this change was not"
            " made: send it again."
        )


class VersionMismatch(ApplicationError):
    """The entity is no longer at the version the writer started from."""

    def __init__(self, entity: str, entity_id: object, current: int | None = None) -> None:
        at = "" if current is None else f" (it is at version {current})"
        super().__init__(
            f"{entity} {entity_id} changed since it was read{at}; read it again and send its"
            " ETag in If-Match."
        )
        self.current = current


class DataServiceUnavailable(ApplicationError):
    def __init__(self, service: str) -> None:
        super().__init__(f"The {service} is unavailable; try again shortly.")
        self.service = service


class DataServiceError(ApplicationError):
    """The data service answered in a way its contract does not allow."""
