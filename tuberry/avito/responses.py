"""Reading Avito's answers: JSON bodies, HTTP errors mapped to typed errors, Retry-After, models.

Logged URLs go through `public_url`: voice links are signed, and the signature is in the query string.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, ValidationError

from .errors import AvitoError, AvitoServerError, error_for_status

M = TypeVar("M", bound=BaseModel)


def public_url(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}" if parts.scheme else parts.path


def json_or_none(resp: httpx.Response) -> Any:
    try:
        return resp.json()
    except ValueError:
        return None


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After as seconds (delta-seconds or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def error_from_response(resp: httpx.Response) -> AvitoError:
    body = json_or_none(resp)
    message: str | None = None
    fields: dict[str, Any] | None = None
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):  # the spec's {"error": {"code", "message", "fields"?}}
            message = str(error.get("message") or "") or None
            fields = error.get("fields") if isinstance(error.get("fields"), dict) else None
        elif isinstance(error, str):  # OAuth style {"error", "error_description"}
            message = str(body.get("error_description") or error)
        elif isinstance(body.get("message"), str):
            message = body["message"]
    elif body is None:
        text = resp.text.strip()
        if text and len(text) <= 200 and not text.startswith("<"):
            message = text
    return error_for_status(
        resp.status_code,
        message or resp.reason_phrase or "HTTP error",
        fields=fields,
        retry_after=parse_retry_after(resp.headers.get("Retry-After")),
    )


def decode(resp: httpx.Response) -> Any:
    """The JSON body of a successful answer (None when empty); any other answer raises its error."""
    if not resp.is_success:
        raise error_from_response(resp)
    if not resp.content:
        return None
    try:
        return resp.json()
    except ValueError as exc:
        raise AvitoServerError(resp.status_code, "malformed JSON in Avito's answer") from exc


def parse(model: type[M], data: Any) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise AvitoError(
            200, f"unexpected {model.__name__} in Avito's answer ({exc.error_count()} errors)"
        ) from exc
