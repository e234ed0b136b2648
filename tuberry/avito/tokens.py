"""Avito access tokens: the token itself (never printed), the per-account slot sessions share, and reading
the /token answer.

client_credentials tokens have no refresh token: a session asks /token again (see `AvitoSession`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx

from .errors import AvitoInvalidCredentials, AvitoServerError
from .responses import error_from_response, json_or_none

TOKEN_PATH = "/token"  # the spec's path; "/token/" works as well
REFRESH_MARGIN = timedelta(minutes=5)
DEFAULT_TOKEN_LIFETIME = 3600.0  # only if /token ever omits expires_in (it says 86400)

OnToken = Callable[["AccessToken"], Awaitable[None]]
LoadToken = Callable[[], Awaitable["AccessToken | None"]]


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, repr=False)
class AccessToken:
    """An Avito access token (client_credentials tokens have no refresh token: ask for a new one)."""

    value: str
    expires_at: datetime

    def __post_init__(self) -> None:
        if self.expires_at.tzinfo is None or self.expires_at.utcoffset() is None:
            raise ValueError("AccessToken.expires_at must be timezone-aware")
        object.__setattr__(self, "expires_at", self.expires_at.astimezone(UTC))

    def __repr__(self) -> str:
        return f"AccessToken(value=<hidden>, expires_at={self.expires_at.isoformat()})"

    __str__ = __repr__

    def expires_within(self, margin: timedelta, now: datetime | None = None) -> bool:
        return self.expires_at - (now or utcnow()) <= margin


@dataclass(eq=False)
class TokenSlot:
    """One account's token as the whole process shares it: every session of the same credentials reads and
    renews it under one lock, so concurrent jobs make one /token call between them."""

    token: AccessToken | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    forbidden: AccessToken | None = None  # answered 403 once: not renewed again for a 403
    rejected: AccessToken | None = None  # the last renewed token Avito still answered 401
    rejections: int = 0  # renewed tokens answered 401 in a row

    def offer(self, token: AccessToken | None) -> None:
        """Take `token` (e.g. read from the database) if it is newer than the one held."""
        if token is not None and (self.token is None or token.expires_at > self.token.expires_at):
            self.token = token


def usable(token: AccessToken, rejected: AccessToken | None = None) -> bool:
    """Not the token Avito just refused, and valid for more than the refresh margin."""
    return token != rejected and not token.expires_within(REFRESH_MARGIN)


def token_from_answer(resp: httpx.Response, issued_at: datetime) -> AccessToken:
    """The token in a /token answer. Bad credentials → AvitoInvalidCredentials."""
    body = json_or_none(resp)
    if resp.status_code == 200 and isinstance(body, dict):
        value = body.get("access_token")
        if isinstance(value, str) and value:
            lifetime = body.get("expires_in")
            if not isinstance(lifetime, (int, float)) or isinstance(lifetime, bool) or lifetime <= 0:
                lifetime = DEFAULT_TOKEN_LIFETIME
            return AccessToken(value, issued_at + timedelta(seconds=float(lifetime)))
    if resp.status_code == 429 or resp.status_code >= 500:
        raise error_from_response(resp)
    # /token errors are undocumented: OAuth {"error", "error_description"} with 400 or 401 is
    # the likely form, and some clients see an "error" body with 200 (API-NOTES §1.1).
    if resp.status_code in (400, 401, 403) or (isinstance(body, dict) and "error" in body):
        err = error_from_response(resp)
        raise AvitoInvalidCredentials(resp.status_code, err.message)
    if resp.status_code == 200:
        raise AvitoServerError(resp.status_code, "token answer without access_token")
    raise error_from_response(resp)
