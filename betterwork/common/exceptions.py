"""The domain's one exception hierarchy. Services raise these; the API handler maps them to HTTP."""

from typing import Any


class ApplicationError(Exception):
    """A rule was broken: the message says what to fix (400 unless a subclass says otherwise).

    With `field`, the API answers `{field: [message]}`, like a serializer's validation error.
    """

    def __init__(self, message: str, extra: dict[str, Any] | None = None, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}
        self.field = field


class InvalidTransition(ApplicationError):
    """The object is not in a state that allows this move (409)."""


class NotPermitted(ApplicationError):
    """The actor may see the object but may not do this (403)."""
