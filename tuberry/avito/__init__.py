"""Avito API client: token cache and refresh, typed models, typed errors (no other Tuberry imports)."""

from .client import AvitoClient
from .errors import (
    AvitoBadRequest,
    AvitoDownloadRefused,
    AvitoError,
    AvitoForbidden,
    AvitoInvalidCredentials,
    AvitoNotFound,
    AvitoPaymentRequired,
    AvitoRateLimited,
    AvitoServerError,
    AvitoTokenRejected,
    AvitoUnauthorized,
    AvitoUnavailable,
)
from .models import (
    KNOWN_MESSAGE_TYPES,
    AccountInfo,
    Chat,
    ChatUser,
    Message,
    MessageQuote,
    UploadedImage,
    WebhookEvent,
    WebhookMessage,
    largest_size_url,
    parse_webhook,
)
from .session import AvitoSession
from .tokens import AccessToken

__all__ = [
    "KNOWN_MESSAGE_TYPES",
    "AccessToken",
    "AccountInfo",
    "AvitoBadRequest",
    "AvitoClient",
    "AvitoDownloadRefused",
    "AvitoError",
    "AvitoForbidden",
    "AvitoInvalidCredentials",
    "AvitoNotFound",
    "AvitoPaymentRequired",
    "AvitoRateLimited",
    "AvitoServerError",
    "AvitoSession",
    "AvitoTokenRejected",
    "AvitoUnauthorized",
    "AvitoUnavailable",
    "Chat",
    "ChatUser",
    "Message",
    "MessageQuote",
    "UploadedImage",
    "WebhookEvent",
    "WebhookMessage",
    "largest_size_url",
    "parse_webhook",
]
