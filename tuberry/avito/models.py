"""Pydantic models of Avito API answers.

Avito's documents and its live answers differ in places (API-NOTES §3), so the models are lenient:
unknown fields are ignored, every message `type` string is accepted (new types must reach the
renderer's fallback, not break parsing), `content` stays a raw dict, and ids that the spec shows
as numbers in one place and strings in another are coerced.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

KNOWN_MESSAGE_TYPES = frozenset(
    {
        "text", "image", "link", "item", "location", "call", "deleted", "voice", "system",
        "appCall", "file", "video",
    }
)  # fmt: skip


def _lenient_int(value: Any) -> int | None:
    """int for ints and digit strings; None for anything else (e.g. the spec's "9623532,")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _lenient_str(value: Any) -> str | None:
    """The spec writes `phone` as a number in its example; accept both."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return str(value)
    return None


def _dict_or_empty(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _id(value: Any) -> Any:
    """Ids are strings; a numeric one is taken as its digits. Anything else stays and fails validation:
    a record without an id cannot be deduplicated, so it is the one thing that is not accepted."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value if isinstance(value, str) and value else None


def _type(value: Any) -> str:
    """A message type; a missing or odd one becomes "unknown", which the renderer's fallback line shows."""
    return value if isinstance(value, str) and value else "unknown"


def _timestamp(value: Any) -> int:
    return _lenient_int(value) or 0


def _flag(value: Any) -> bool:
    return value if isinstance(value, bool) else False


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _dict_or_none(value: Any) -> dict[str, Any] | None:
    return value if isinstance(value, dict) else None


Id = Annotated[str, BeforeValidator(_id)]
LenientInt = Annotated[int | None, BeforeValidator(_lenient_int)]
LenientStr = Annotated[str | None, BeforeValidator(_lenient_str)]
RawDict = Annotated[dict[str, Any], BeforeValidator(_dict_or_empty)]
Timestamp = Annotated[int, BeforeValidator(_timestamp)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


def largest_size_url(sizes: Any) -> str | None:
    """The URL of the largest "WxH" key of an Avito sizes map (images, avatars)."""
    best: tuple[int, str] | None = None
    if not isinstance(sizes, dict):
        return None
    for key, url in sizes.items():
        width, _, height = str(key).partition("x")
        if not (width.isdigit() and height.isdigit() and isinstance(url, str)):
            continue
        area = int(width) * int(height)
        if best is None or area > best[0]:
            best = (area, url)
    return best[1] if best else None


class _ContentMixin:
    """Accessors over the raw MessageContent; a missing part gives None."""

    content: dict[str, Any]

    @property
    def text(self) -> str | None:
        text = self.content.get("text")
        return text if isinstance(text, str) else None

    @property
    def image_url(self) -> str | None:
        image = self.content.get("image")
        return largest_size_url(image.get("sizes")) if isinstance(image, dict) else None

    @property
    def voice_id(self) -> str | None:
        voice = self.content.get("voice")
        value = voice.get("voice_id") if isinstance(voice, dict) else None
        return value if isinstance(value, str) else None


class MessageQuote(_ContentMixin, _Model):
    """The message a message replies to (MessageQuote)."""

    id: LenientStr = None
    author_id: LenientInt = None
    created: LenientInt = None
    type: LenientStr = None
    content: RawDict = Field(default_factory=dict)


class Message(_ContentMixin, _Model):
    """A Messenger message. `direction` is relative to the account: "out" = sent by the account,
    from the Avito app or through the API alike. Only the id is required: `created` is None when Avito
    sent none (or an odd one), an odd `type` is "unknown"."""

    id: Id
    author_id: LenientInt = None
    created: LenientInt = None
    type: Annotated[str, BeforeValidator(_type)] = "unknown"
    direction: LenientStr = None
    content: RawDict = Field(default_factory=dict)
    is_read: Annotated[bool, BeforeValidator(_flag)] = False
    read: LenientInt = None  # when the other party read it
    quote: Annotated[MessageQuote | None, BeforeValidator(_dict_or_none)] = None

    @property
    def is_known_type(self) -> bool:
        return self.type in KNOWN_MESSAGE_TYPES


class UploadedImage(_Model):
    """An uploadImages answer: the image id and the URLs of its sizes (a sent image shows the same)."""

    id: str
    urls: frozenset[str] = frozenset()


class ChatUser(_Model):
    """A chat participant. Avito warns that these ids may be hashed: use them as opaque keys."""

    id: LenientInt = None
    name: LenientStr = None
    public_user_profile: RawDict = Field(default_factory=dict)

    @property
    def profile_url(self) -> str | None:
        url = self.public_user_profile.get("url")
        return url if isinstance(url, str) else None

    @property
    def avatar_url(self) -> str | None:
        avatar = self.public_user_profile.get("avatar")
        if not isinstance(avatar, dict):
            return None
        default = avatar.get("default")
        return largest_size_url(avatar.get("images")) or (default if isinstance(default, str) else None)


class Chat(_Model):
    """A chat (getChatsV2 item, getChatByIdV2 answer). `context` is kept raw; item chats have
    `{"type": "item", "value": {...}}`. The spec has no chat type field: it is the id prefix."""

    id: Id
    created: Timestamp = 0
    updated: Timestamp = 0
    context: RawDict = Field(default_factory=dict)
    users: Annotated[list[ChatUser], BeforeValidator(_dicts)] = Field(default_factory=list)
    last_message: Message | None = None  # an unreadable one makes the chat unreadable: it cannot be compared

    @property
    def chat_type(self) -> str:
        prefix, sep, _ = self.id.partition("-")
        return prefix if sep else ""

    @property
    def item(self) -> dict[str, Any]:
        """The raw `context.value` of an item chat; {} for other contexts."""
        value = self.context.get("value")
        return value if self.context.get("type") == "item" and isinstance(value, dict) else {}

    @property
    def item_id(self) -> int | None:
        return _lenient_int(self.item.get("id"))

    @property
    def item_title(self) -> str | None:
        return _lenient_str(self.item.get("title"))

    @property
    def item_url(self) -> str | None:
        return _lenient_str(self.item.get("url"))

    @property
    def price_string(self) -> str | None:
        return _lenient_str(self.item.get("price_string"))

    def buyer(self, account_user_id: int) -> ChatUser | None:
        """The other participant: the first user whose id is not the account's."""
        return next((u for u in self.users if u.id != account_user_id), None)


class AccountInfo(_Model):
    """GET /core/v1/accounts/self. `id` is the user_id of every Messenger path."""

    id: int
    name: str | None = None
    email: LenientStr = None
    phone: LenientStr = None
    profile_url: LenientStr = None


class WebhookMessage(_ContentMixin, _Model):
    """`payload.value` of a v3 webhook. It has no direction: the account's own messages (the echo
    of API sends and app sends alike) have `author_id == user_id`."""

    id: str
    chat_id: str
    chat_type: str | None = None
    user_id: LenientInt = None
    author_id: LenientInt = None
    created: int
    type: str
    content: RawDict = Field(default_factory=dict)
    item_id: LenientInt = None
    published_at: str | None = None
    read: LenientInt = None

    @property
    def is_own(self) -> bool:
        return self.author_id is not None and self.author_id == self.user_id

    def to_message(self) -> Message:
        return Message(
            id=self.id,
            author_id=self.author_id,
            created=self.created,
            type=self.type,
            direction="out" if self.is_own else "in",
            content=self.content,
            is_read=self.read is not None,
            read=self.read,
        )


class WebhookEvent(_Model):
    """The v3 webhook envelope with a message payload."""

    id: str | None = None
    version: str | None = None
    timestamp: LenientInt = None
    message: WebhookMessage


def parse_webhook(body: Any) -> WebhookEvent | None:
    """Parse a webhook body. None for Avito's reachability probe `{}` and for payloads that are not
    messages (no other type is documented); raises pydantic.ValidationError on a broken message."""
    if not isinstance(body, dict):
        return None
    payload = body.get("payload")
    if not isinstance(payload, dict) or payload.get("type") != "message":
        return None
    return WebhookEvent.model_validate(
        {
            "id": body.get("id"),
            "version": body.get("version"),
            "timestamp": body.get("timestamp"),
            "message": payload.get("value"),
        }
    )
