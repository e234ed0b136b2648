"""Errors raised by the domain for bad *user input* (not for programming mistakes).

Each carries a machine-readable ``reason`` so the cabinet can pick a localized text
without parsing messages.
"""

from __future__ import annotations


class DomainError(ValueError):
    """Base of the input errors; ``reason`` is a short stable code."""

    def __init__(self, reason: str, message: str = "") -> None:
        super().__init__(message or reason)
        self.reason = reason


class InvalidHours(DomainError):
    """Working hours that cannot be understood.

    ``reason`` is ``"format"`` (unreadable or out-of-range time) or ``"same_start_end"``.
    ``day`` is the weekday index (0 = Monday) when the error came from a whole schedule.
    """

    def __init__(self, reason: str, message: str = "", *, day: int | None = None) -> None:
        super().__init__(reason, message)
        self.day = day


class InvalidTimezone(DomainError):
    """Not a known IANA time zone name (``reason`` is ``"unknown"``)."""


class InvalidSchedule(DomainError):
    """A schedule of the wrong shape (``reason`` is ``"shape"``): not seven days, bad types."""
