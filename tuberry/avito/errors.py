"""Typed errors of the Avito API client.

Every failure a caller can see is an `AvitoError`. `retryable` tells a job whether trying again later
can help (rate limit, Avito down, network) or whether a person has to act (bad credentials, no
Messenger tariff, an employee's key, a bad request).
"""

from __future__ import annotations

from typing import Any


class AvitoError(Exception):
    """An Avito API call failed. `status` is the HTTP status; None when no answer arrived or when the
    client refused the request before sending it (a text over Avito's limit)."""

    def __init__(self, status: int | None, message: str) -> None:
        super().__init__(status, message)
        self.status = status
        self.message = message

    @property
    def retryable(self) -> bool:
        return False

    def __str__(self) -> str:
        return self.message if self.status is None else f"{self.status}: {self.message}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status!r}, message={self.message!r})"


class AvitoInvalidCredentials(AvitoError):
    """/token refused the client_id / client_secret pair."""


class AvitoUnauthorized(AvitoError):
    """401 even with a freshly issued token."""


class AvitoTokenRejected(AvitoError):
    """401 with a token just renewed: Avito may take a moment to accept a new token, so this is retried
    (a few times in a row, then the session answers AvitoUnauthorized)."""

    @property
    def retryable(self) -> bool:
        return True


class AvitoDownloadRefused(AvitoError):
    """A file Avito links to was not fetched: larger than the cap, or redirected to a host that is not
    Avito's. Not retryable: the caller shows the link instead."""


class AvitoPaymentRequired(AvitoError):
    """402: the account's tariff does not include the Messenger API."""


class AvitoForbidden(AvitoError):
    """403: no Messenger tariff, a key of an employee account, or another account's user_id."""


class AvitoNotFound(AvitoError):
    """404: unknown chat, message or path."""


class AvitoBadRequest(AvitoError):
    """400; `fields` carries the per-field details of the spec's validatingError, if any."""

    def __init__(self, status: int | None, message: str, fields: dict[str, Any] | None = None) -> None:
        super().__init__(status, message)
        self.fields = fields or {}


class AvitoRateLimited(AvitoError):
    """429; `retry_after` in seconds when Avito sent a Retry-After header (it often does not)."""

    def __init__(self, status: int | None, message: str, retry_after: float | None = None) -> None:
        super().__init__(status, message)
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        return True


class AvitoServerError(AvitoError):
    """5xx from Avito."""

    @property
    def retryable(self) -> bool:
        return True


class AvitoUnavailable(AvitoError):
    """No answer: connection refused or reset, DNS failure, timeout."""

    @property
    def retryable(self) -> bool:
        return True


def error_for_status(
    status: int,
    message: str,
    *,
    fields: dict[str, Any] | None = None,
    retry_after: float | None = None,
) -> AvitoError:
    """The typed error for an HTTP error status (other 4xx statuses give a plain AvitoError)."""
    if status == 400:
        return AvitoBadRequest(status, message, fields)
    if status == 429:
        return AvitoRateLimited(status, message, retry_after)
    if status >= 500:
        return AvitoServerError(status, message)
    by_status: dict[int, type[AvitoError]] = {
        401: AvitoUnauthorized,
        402: AvitoPaymentRequired,
        403: AvitoForbidden,
        404: AvitoNotFound,
    }
    return by_status.get(status, AvitoError)(status, message)
