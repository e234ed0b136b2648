"""State, request parameters and JSON shapes of the fake Telegram Bot API server.

Everything here is plain data: the records the fake keeps (bots, chats, members, topics, messages,
files), the typed view of a request's parameters as aiogram sends them, the error type that becomes
`{"ok": false, ...}`, and small builders for the Bot API objects (User, Chat, ChatMember...).
Only the standard library is used.
"""

from __future__ import annotations

import asyncio
import json
import mimetypes
import struct
from dataclasses import dataclass, field
from typing import Any

# Bot API constants (API-NOTES §6.1, §7.1, §7.4).
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
TOPIC_NAME_LIMIT = 128
CALLBACK_DATA_LIMIT = 64
INLINE_RESULTS_LIMIT = 50  # answerInlineQuery: "No more than 50 results per query are allowed"
DOWNLOAD_LIMIT = 20 * 1024 * 1024
UPLOAD_LIMIT = 50 * 1024 * 1024
GENERAL_TOPIC_ID = 1
TOPIC_COLORS = (7322096, 16766590, 13338331, 9367192, 16749490, 16478047)
# The 73 emoji of ReactionTypeEmoji (API-NOTES §7.4), space-separated.
_REACTIONS_TEXT = (
    "❤ 👍 👎 🔥 🥰 👏 😁 🤔 🤯 😱 🤬 😢 🎉 🤩 🤮 💩 🙏 👌 🕊 🤡 🥱 🥴 😍 🐳 "
    "❤\u200d🔥 🌚 🌭 💯 🤣 ⚡ 🍌 🏆 💔 🤨 😐 🍓 🍾 💋 🖕 😈 😴 😭 🤓 👻 "
    "👨\u200d💻 👀 🎃 🙈 😇 😨 🤝 ✍ 🤗 🫡 🎅 🎄 ☃ 💅 🤪 🗿 🆒 💘 🙉 🦄 😘 "
    "💊 🙊 😎 👾 🤷\u200d♂ 🤷 🤷\u200d♀ 😡"
)
ALLOWED_REACTIONS = frozenset(_REACTIONS_TEXT.split())
# Part of Telegram's forum topic icon set (getForumTopicIconStickers, set "Topics"): real ids and emoji, in
# Telegram's order. There is no 🔒 or 💤 in it.
FORUM_ICONS = (
    ("5434144690511290129", "📰"),
    ("5312536423851630001", "💡"),
    ("5312016608254762256", "⚡️"),
    ("5420216386448270341", "🆒"),
    ("5379748062124056162", "❗️"),
    ("5373251851074415873", "📝"),
    ("5433614043006903194", "📆"),
    ("5309984423003823246", "📣"),
    ("5312241539987020022", "🔥"),
    ("5312138559556164615", "❤️"),
    ("5377316857231450742", "❓"),
    ("5309958691854754293", "💎"),
    ("5350452584119279096", "💰"),
    ("5377438129928020693", "⁉️"),
    ("5312486108309757006", "🏠"),
    ("5310228579009699834", "🎉"),
    ("5377498341074542641", "‼️"),
    ("5312315739842026755", "🏆"),
    ("5408906741125490282", "🏁"),
    ("5235579393115438657", "⭐️"),
    ("5237699328843200968", "✅"),
    ("5417915203100613993", "💬"),
)
# getUpdates with allowed_updates empty or never set: everything except these (API-NOTES §8.1).
OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

ADMIN_RIGHT_NAMES = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_send_welcome_messages",
    "can_pin_messages",
    "can_manage_topics",
)
# What "Add admin" in a Telegram client grants by default; tests override single flags.
DEFAULT_ADMIN_RIGHTS: dict[str, bool] = {name: True for name in ADMIN_RIGHT_NAMES} | {
    "can_promote_members": False,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_send_welcome_messages": False,
}

SERVICE_KEYS = (
    "forum_topic_created",
    "forum_topic_edited",
    "forum_topic_closed",
    "forum_topic_reopened",
    "pinned_message",
    "new_chat_members",
    "left_chat_member",
    "migrate_to_chat_id",
    "migrate_from_chat_id",
    "chat_shared",
    "group_chat_created",
)

# How aiogram encodes values in form data: everything is a string; these fields are typed.
JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "reply_parameters",
        "reaction",
        "allowed_updates",
        "entities",
        "caption_entities",
        "link_preview_options",
        "results",
        "button",
    }
)
BOOL_FIELDS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "allow_sending_without_reply",
        "drop_pending_updates",
        "is_big",
        "show_alert",
        "has_spoiler",
        "disable_content_type_detection",
        "supports_streaming",
        "show_caption_above_media",
        "disable_web_page_preview",
        "allow_paid_broadcast",
        "only_if_banned",
        "revoke_messages",
        "for_channels",
        "is_anonymous",
        "remove_caption",
        "is_personal",
    }
)
INT_FIELDS = frozenset(
    {
        "message_id",
        "message_thread_id",
        "offset",
        "limit",
        "timeout",
        "duration",
        "width",
        "height",
        "icon_color",
        "user_id",
        "max_connections",
        "cache_time",
        "until_date",
        "direct_messages_topic_id",
    }
)
CHAT_ID_FIELDS = frozenset({"chat_id", "from_chat_id"})


class ApiError(Exception):
    """A Bot API failure: becomes HTTP `status` with `{"ok": false, "error_code", "description"}`."""

    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> dict[str, Any]:
        """The JSON body, keys in the real server's order."""
        data: dict[str, Any] = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            data["parameters"] = self.parameters
        return data


def bad_request(text: str) -> ApiError:
    """400 `Bad Request: <text>`."""
    return ApiError(400, f"Bad Request: {text}")


def forbidden(text: str) -> ApiError:
    """403 `Forbidden: <text>`."""
    return ApiError(403, f"Forbidden: {text}")


@dataclass
class Upload:
    """A file part of a multipart request."""

    data: bytes
    filename: str | None = None
    content_type: str | None = None


class Params:
    """Request parameters decoded the way the real server reads aiogram's form fields.

    `values` maps names to decoded values: JSON fields as objects, booleans, integers, chat ids as int
    (or "@username"), everything else as the string sent. Uploads stay in `files` (by part name) and
    fields sent as file parts directly appear in `values` as `Upload`.
    """

    def __init__(self, raw: dict[str, Any], files: dict[str, Upload] | None = None) -> None:
        self.files = files or {}
        self.values: dict[str, Any] = {name: _decode(name, value) for name, value in raw.items()}

    def get(self, name: str, default: Any = None) -> Any:
        value = self.values.get(name)
        return default if value is None or value == "" else value

    def has(self, name: str) -> bool:
        return name in self.values

    def text(self, name: str, default: str | None = None) -> str | None:
        value = self.values.get(name)
        return default if value is None else str(value)

    def integer(self, name: str, default: int | None = None, *, missing: str | None = None) -> int | None:
        """An integer parameter; `missing` is the error text when it is required and absent."""
        value = self.get(name)
        if value is None:
            if missing is not None:
                raise bad_request(missing)
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            try:
                return int(str(value))
            except ValueError:
                raise bad_request(f"invalid {name} specified") from None
        return value

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.get(name)
        if value is None:
            return default
        if isinstance(value, str):
            return value.lower() in ("true", "1")
        return bool(value)

    def json(self, name: str, default: Any = None) -> Any:
        value = self.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {name} JSON object") from None
        return default if value is None else value

    def recorded(self) -> dict[str, Any]:
        """The decoded parameters as `calls()` reports them: attach:// references become bytes."""
        out: dict[str, Any] = {}
        attached: set[str] = set()
        for name, value in self.values.items():
            if isinstance(value, Upload):
                value = value.data
            elif isinstance(value, str) and value.startswith("attach://") and value[9:] in self.files:
                attached.add(value[9:])
                value = self.files[value[9:]].data
            out[name] = value
        for name, upload in self.files.items():
            if name not in attached and name not in out:
                out[name] = upload.data  # a file part sent under the field name itself
        return out


def _decode(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        if name in JSON_FIELDS:
            return json.loads(value)
        if name in BOOL_FIELDS:
            return value.lower() == "true"
        if name in INT_FIELDS or (name in CHAT_ID_FIELDS and not value.startswith("@")):
            return int(value)
    except ValueError:
        return value
    return value


@dataclass
class FakeBot:
    """A bot known to the fake: identity, update queue, webhook and settings."""

    id: int
    token: str
    username: str
    first_name: str
    can_join_groups: bool = True
    can_read_all_group_messages: bool = False
    updates: list[dict[str, Any]] = field(default_factory=list)
    next_update_id: int = 1
    allowed_updates: list[str] | None = None
    webhook_url: str = ""
    webhook_secret: str | None = None
    webhook_max_connections: int = 40
    webhook_last_error: tuple[int, str] | None = None
    webhook_delivered: list[int] = field(default_factory=list)
    webhook_task: asyncio.Task[None] | None = None
    waiters: list[asyncio.Future[None]] = field(default_factory=list)
    poll_generation: int = 0
    supports_inline_queries: bool = False  # inline mode, switched on in BotFather (/setinline)

    def user_json(self) -> dict[str, Any]:
        """The bot as a `User` (what `from` shows on its messages)."""
        return {"id": self.id, "is_bot": True, "first_name": self.first_name, "username": self.username}

    def accepts(self, update_type: str) -> bool:
        """Whether the current allowed_updates setting lets this type through."""
        if not self.allowed_updates:
            return update_type not in OPT_IN_UPDATES
        return update_type in self.allowed_updates


@dataclass
class Member:
    """A user's (or bot's) membership in a group."""

    user: dict[str, Any]
    status: str  # creator | administrator | member | left | kicked
    rights: dict[str, bool] = field(default_factory=dict)

    def json(self) -> dict[str, Any]:
        """The ChatMember object."""
        data: dict[str, Any] = {"user": dict(self.user), "status": self.status}
        if self.status == "creator":
            data["is_anonymous"] = False
        elif self.status == "administrator":
            data |= {"can_be_edited": False, "is_anonymous": False}
            data |= {name: bool(self.rights.get(name, False)) for name in ADMIN_RIGHT_NAMES}
        elif self.status == "kicked":
            data["until_date"] = 0
        return data

    def has_right(self, right: str) -> bool:
        return self.status == "creator" or (self.status == "administrator" and bool(self.rights.get(right)))

    @property
    def present(self) -> bool:
        return self.status in ("creator", "administrator", "member")


@dataclass
class Topic:
    """A forum topic; its id is the message id of its forum_topic_created service message."""

    id: int
    name: str
    icon_color: int
    icon_custom_emoji_id: str | None = None
    creator_id: int | None = None
    closed: bool = False
    deleted: bool = False
    icon_changes: list[str] = field(default_factory=list)  # icon ids set by editForumTopic, "" = removed

    def json(self) -> dict[str, Any]:
        """The ForumTopic object."""
        data: dict[str, Any] = {
            "message_thread_id": self.id,
            "name": self.name,
            "icon_color": self.icon_color,
        }
        if self.icon_custom_emoji_id:
            data["icon_custom_emoji_id"] = self.icon_custom_emoji_id
        return data

    def info(self) -> dict[str, Any]:
        """ForumTopic plus the fake's flags, for test inspection."""
        return self.json() | {"closed": self.closed, "deleted": self.deleted, "creator_id": self.creator_id}


@dataclass
class Stored:
    """A message in a chat's history with the bookkeeping the JSON does not show."""

    message: dict[str, Any]
    seq: int
    sender_id: int
    by_bot: bool
    thread_id: int | None
    service: bool = False
    deleted: bool = False


@dataclass
class Chat:
    """A private chat (one per bot and user), a basic group or a supergroup."""

    id: int
    type: str  # private | group | supergroup
    title: str | None = None
    is_forum: bool = False
    username: str | None = None
    user: dict[str, Any] | None = None  # the other side of a private chat
    bot_id: int | None = None  # the bot of a private chat
    blocked: bool = False
    members: dict[int, Member] = field(default_factory=dict)
    messages: dict[int, Stored] = field(default_factory=dict)
    next_message_id: int = 1
    topics: dict[int, Topic] = field(default_factory=dict)
    pinned: list[int] = field(default_factory=list)
    reactions: dict[int, dict[int, list[dict[str, Any]]]] = field(default_factory=dict)
    deleted_ids: list[int] = field(default_factory=list)
    migrated_to: int | None = None
    available_reactions: list[str] | None = None
    rate_per_minute: int | None = None
    send_times: list[float] = field(default_factory=list)

    def json(self) -> dict[str, Any]:
        """The short Chat object used inside messages and updates."""
        if self.type == "private":
            user = self.user or {}
            data = {"id": self.id, "first_name": user.get("first_name", "")}
            for key in ("last_name", "username"):
                if user.get(key):
                    data[key] = user[key]
            return data | {"type": "private"}
        data = {"id": self.id, "title": self.title}
        if self.username:
            data["username"] = self.username
        if self.type == "supergroup" and self.is_forum:
            data["is_forum"] = True
        return data | {"type": self.type}

    def member(self, user_id: int) -> Member | None:
        return self.members.get(user_id)

    def allocate_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id


@dataclass
class StoredFile:
    """A file the fake knows: uploaded bytes, or a URL it never downloads."""

    file_id: str
    file_unique_id: str
    kind: str  # photo | voice | audio | document | video | sticker | animation
    file_path: str
    data: bytes | None = None
    url: str | None = None
    file_name: str | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None
    group: list[str] = field(default_factory=list)  # all PhotoSize file ids of one photo

    def file_json(self) -> dict[str, Any]:
        """The File object getFile returns."""
        data: dict[str, Any] = {"file_id": self.file_id, "file_unique_id": self.file_unique_id}
        if self.data is not None:
            data["file_size"] = len(self.data)
        if self.data is None or len(self.data) <= DOWNLOAD_LIMIT:
            data["file_path"] = self.file_path
        return data


def user_json(user: dict[str, Any]) -> dict[str, Any]:
    """A `User` object from a stored user (drops the fake's own keys)."""
    keys = ("id", "is_bot", "first_name", "last_name", "username", "language_code", "is_premium")
    return {key: user[key] for key in keys if user.get(key) is not None}


def strip_reply(message: dict[str, Any]) -> dict[str, Any]:
    """A message as embedded in another (reply_to_message, pinned_message): one level deep."""
    return {key: value for key, value in message.items() if key not in ("reply_to_message", "pinned_message")}


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of PNG, GIF or JPEG bytes, or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return width, height
    if data.startswith(b"\xff\xd8"):
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return width, height
            (length,) = struct.unpack(">H", data[i + 2 : i + 4])
            i += 2 + length
    return None


def audio_mime(data: bytes | None, filename: str | None, default: str) -> str:
    """MIME type of audio bytes by their magic number, then by file name."""
    if data:
        if data.startswith(b"OggS"):
            return "audio/ogg"
        if data.startswith(b"ID3") or data[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
            return "audio/mpeg"
        if data[4:8] == b"ftyp":
            return "audio/mp4"
    return guess_mime(filename) or default


def guess_mime(filename: str | None) -> str | None:
    """MIME type from a file name."""
    return mimetypes.guess_type(filename)[0] if filename else None
