"""Domain errors: services raise them, views turn them into messages."""
from __future__ import annotations


class DomainError(Exception):
    """A rule refused the action; the message is user-facing and translated."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(str(message))
        self.message = str(message)
        self.field = field


class NotAllowed(DomainError):
    """The acting user may not do this to this object."""
