"""Core of the fake Telegram Bot API server: state, lookups, access checks, message building,
update queues and webhook delivery.

The layers: `FakeCore` (this module) → `BotApiMethods` (telegram_api.py, the Bot API methods) →
`FakeTelegram` (telegram.py, the HTTP server and the test controls). Only aiohttp and the standard
library are imported.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import math
import random
import string
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from aiohttp import ClientError, ClientSession, MultipartReader, web

from .telegram_state import (
    CALLBACK_DATA_LIMIT,
    CAPTION_LIMIT,
    GENERAL_TOPIC_ID,
    TEXT_LIMIT,
    UPLOAD_LIMIT,
    ApiError,
    Chat,
    FakeBot,
    Member,
    Params,
    Stored,
    StoredFile,
    Topic,
    Upload,
    audio_mime,
    bad_request,
    forbidden,
    guess_mime,
    image_size,
    strip_reply,
    user_json,
)
from .telegram_text import EntityParseError, UnsupportedParseMode, format_text

_dumps = partial(json.dumps, ensure_ascii=False)
_TOKEN_ALPHABET = string.ascii_letters + string.digits + "_-"
_FILE_ID_PREFIX = {
    "photo": "AgACAgIAAxkBAAI",
    "voice": "AwACAgIAAxkBAAI",
    "audio": "CQACAgIAAxkBAAI",
    "document": "BQACAgIAAxkBAAI",
    "video": "BAACAgIAAxkBAAI",
    "animation": "CgACAgIAAxkBAAI",
    "sticker": "CAACAgIAAxkBAAI",
}
_FILE_FOLDER = {
    "photo": ("photos", ".jpg"),
    "voice": ("voice", ".oga"),
    "audio": ("music", ".mp3"),
    "document": ("documents", ""),
    "video": ("videos", ".mp4"),
    "animation": ("animations", ".mp4"),
    "sticker": ("stickers", ".webp"),
}
_PHOTO_SIDES = (90, 320, 800, 1280, 2560)
STALL_SECONDS = 120.0  # how long a call with a stalled URL hangs before Telegram gives up on the fetch

Handler = Callable[..., Awaitable[Any]]  # (self, bot: FakeBot, params: Params) -> result
_API: dict[str, tuple[str, Handler]] = {}


def api(name: str) -> Callable[[Handler], Handler]:
    """Register a method handler under its Bot API name (looked up case-insensitively)."""

    def register(func: Handler) -> Handler:
        _API[name.lower()] = (name, func)
        return func

    return register


@dataclass
class Described:
    """A result with the optional `description` the real server adds (setWebhook, deleteWebhook)."""

    result: Any
    description: str


class FakeCore:
    """State of the fake and the building blocks the Bot API methods and the test controls share."""

    def __init__(
        self,
        *,
        seed: int = 0,
        clock: Callable[[], float] = time.time,
        echo_service_messages: bool = True,
        webhook_attempts: int = 3,
        webhook_retry_delay: float = 0.05,
    ) -> None:
        """`clock` feeds message dates and the group rate limit; `echo_service_messages` delivers
        service messages (topic created/closed, pins, new members) to the member bots."""
        self._rng = random.Random(seed)
        self._clock = clock
        self.echo_service_messages = echo_service_messages
        self.webhook_attempts = webhook_attempts
        self.webhook_retry_delay = webhook_retry_delay
        self.deleted_topic_error = "message thread not found"  # or "TOPIC_DELETED" (API-NOTES §6.2)
        self._bots_by_token: dict[str, FakeBot] = {}
        self._bots: dict[int, FakeBot] = {}
        self._users: dict[int, dict[str, Any]] = {}
        self._groups: dict[int, Chat] = {}
        self._privates: dict[tuple[int, int], Chat] = {}
        self._files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._callbacks: dict[str, dict[str, Any]] = {}
        self._answered: list[dict[str, Any]] = []
        self._inline_queries: dict[str, dict[str, Any]] = {}  # query id -> bot_id, user, chat_type, answered
        self._inline_answers: list[dict[str, Any]] = []
        self._calls: list[tuple[str, dict[str, Any], int]] = []
        self._failures: dict[str, list[ApiError]] = {}
        self._drops: dict[str, int] = {}  # method (lower case, "*" = any) -> connections still to drop
        self._stalled_urls: set[str] = set()  # file URLs whose fetch never ends
        self._seq = itertools.count(1)
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._session: ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._port: int | None = None
        self._closing = False
        self.internal_errors: list[str] = []

    async def _invoke(
        self, bot: FakeBot, method: str, raw: dict[str, Any], files: dict[str, Upload]
    ) -> tuple[int, dict[str, Any]]:
        """Run one Bot API method; returns (HTTP status, JSON body)."""
        entry = _API.get(method.lower())
        name = entry[0] if entry else method
        params = Params(raw, files)
        self._calls.append((name, params.recorded(), bot.id))
        try:
            await self._stall_on_urls(raw)
            self._raise_injected(name)
            if entry is None:
                raise ApiError(404, "Not Found: method not found")
            result = await entry[1](self, bot, params)
        except ApiError as error:
            return error.status, error.body()
        except Exception as error:  # a bug in the fake: make it loud, not a hang
            self.internal_errors.append(f"{name}: {error!r}")
            return 500, ApiError(500, f"Internal Server Error: fake Telegram failed: {error!r}").body()
        if isinstance(result, Described):
            return 200, {"ok": True, "result": result.result, "description": result.description}
        return 200, {"ok": True, "result": result}

    async def _stall_on_urls(self, raw: dict[str, Any]) -> None:
        """A file passed by a stalled URL: Telegram's fetch hangs, the caller's timeout ends the wait first.
        Telegram gives up in the end and sends nothing."""
        if self._stalled_urls.intersection(v for v in raw.values() if isinstance(v, str)):
            await asyncio.sleep(STALL_SECONDS)
            raise bad_request("failed to get HTTP URL content")

    def _take_drop(self, method: str) -> bool:
        for key in (method.lower(), "*"):
            if self._drops.get(key):
                self._drops[key] -= 1
                return True
        return False

    def _raise_injected(self, name: str) -> None:
        for key in (name.lower(), "*"):
            queue = self._failures.get(key)
            if queue:
                raise queue.pop(0)

    # ------------------------------------------------------------------ helpers: time, ids, lookups

    def _now(self) -> int:
        return int(self._clock())

    def _random(self, length: int, alphabet: str = _TOKEN_ALPHABET) -> str:
        return "".join(self._rng.choices(alphabet, k=length))

    def _user(self, user: dict[str, Any] | int) -> dict[str, Any]:
        user_id = user if isinstance(user, int) else user["id"]
        if user_id in self._users:
            return self._users[user_id]
        if user_id in self._bots:
            return self._bots[user_id].user_json()
        raise ValueError(f"unknown user {user_id}")

    def _group(self, chat_id: int) -> Chat:
        chat = self._groups.get(chat_id)
        if chat is None:
            raise ValueError(f"unknown group {chat_id}")
        return chat

    def _chat_of(self, bot: FakeBot | None, chat_id: int, user: dict[str, Any] | None = None) -> Chat:
        """A chat for the test controls: a group, or the private chat of `bot` with user `chat_id`."""
        if chat_id < 0:
            return self._group(chat_id)
        if bot is None:
            raise ValueError("a private chat needs the bot")
        chat = self._privates.get((bot.id, chat_id))
        if chat is None:
            other = user or self._user(chat_id)
            chat = Chat(id=chat_id, type="private", user=other, bot_id=bot.id)
            self._privates[(bot.id, chat_id)] = chat
        return chat

    def _chats_with_id(self, chat_id: int, bot: FakeBot | None = None) -> list[Chat]:
        if chat_id > 0:
            return [
                chat
                for (bot_id, user_id), chat in self._privates.items()
                if user_id == chat_id and (bot is None or bot_id == bot.id)
            ]
        return [self._groups[chat_id]] if chat_id in self._groups else []

    def _member_bots(self, chat: Chat) -> list[FakeBot]:
        if chat.type == "private":
            return [self._bots[chat.bot_id]] if chat.bot_id in self._bots else []
        return [self._bots[uid] for uid, m in chat.members.items() if uid in self._bots and m.present]

    def _owner(self, chat: Chat) -> dict[str, Any]:
        for member in chat.members.values():
            if member.status == "creator":
                return member.user
        raise ValueError(f"group {chat.id} has no owner")

    # ------------------------------------------------------------------ helpers: access checks

    def _chat_for(self, bot: FakeBot, ref: Any, *, write: bool = True) -> Chat:
        """Resolve `chat_id` for `bot` with the real server's access errors."""
        if ref is None or ref == "":
            raise bad_request("chat_id is empty")
        if isinstance(ref, str) and ref.startswith("@"):
            found = [
                c for c in self._groups.values() if c.username and "@" + c.username.lower() == ref.lower()
            ]
            if not found:
                raise bad_request("chat not found")
            ref = found[0].id
        try:
            chat_id = int(ref)
        except ValueError:
            raise bad_request("chat not found") from None
        if chat_id > 0:
            if chat_id not in self._users:
                raise bad_request("chat not found")
            private = self._privates.get((bot.id, chat_id))
            if private is None:
                if write:
                    raise forbidden("bot can't initiate conversation with a user")
                raise bad_request("chat not found")
            if private.blocked and write:
                raise forbidden("bot was blocked by the user")
            return private
        chat = self._groups.get(chat_id)
        if chat is None:
            raise bad_request("chat not found")
        if chat.migrated_to is not None and write:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        member = chat.member(bot.id)
        kind = "supergroup" if chat.type == "supergroup" else "group"
        if member is not None and member.status == "kicked":
            raise forbidden(f"bot was kicked from the {kind} chat")
        if (member is None or not member.present) and (write or chat.type == "supergroup"):
            raise forbidden(f"bot is not a member of the {kind} chat")
        return chat

    def _require_right(self, bot: FakeBot, chat: Chat, right: str, error: str) -> None:
        if chat.type == "private":
            return
        member = chat.member(bot.id)
        if member is None or not member.has_right(right):
            raise bad_request(error)

    def _forum(self, bot: FakeBot, p: Params) -> Chat:
        chat = self._chat_for(bot, p.get("chat_id"))
        if chat.type != "supergroup" or not chat.is_forum:
            raise bad_request("the chat is not a forum")
        return chat

    def _topic(self, chat: Chat, p: Params) -> Topic:
        thread_id = p.integer("message_thread_id")
        if not thread_id or thread_id <= 0:
            raise bad_request("invalid message thread identifier specified")
        topic = chat.topics.get(thread_id)
        if topic is None or topic.deleted:
            raise bad_request("TOPIC_ID_INVALID")
        return topic

    def _manage_topic(self, bot: FakeBot, chat: Chat, topic: Topic, error: str) -> None:
        if topic.creator_id != bot.id:
            self._require_right(bot, chat, "can_manage_topics", error)

    def _thread_for_send(self, chat: Chat, thread_id: int | None, reply: Stored | None) -> Topic | None:
        """The topic a send goes to; the real server ignores thread ids outside forums."""
        if chat.type == "private":
            if thread_id:
                raise bad_request("message thread not found")
            return None
        if chat.type != "supergroup" or not chat.is_forum:
            return None
        if not thread_id:
            if reply is None or reply.thread_id is None:
                return None
            thread_id = reply.thread_id
        if thread_id == GENERAL_TOPIC_ID:
            raise bad_request("message thread not found")
        topic = chat.topics.get(thread_id)
        if topic is None:
            raise bad_request("message thread not found")
        if topic.deleted:
            raise bad_request(self.deleted_topic_error)
        if topic.closed:
            raise bad_request("TOPIC_CLOSED")
        return topic

    def _reply_target(self, chat: Chat, p: Params) -> Stored | None:
        options = p.json("reply_parameters") or {}
        message_id = options.get("message_id") or p.integer("reply_to_message_id")
        if not message_id:
            return None
        stored = chat.messages.get(int(message_id))
        if stored is None or stored.deleted:
            if options.get("allow_sending_without_reply", p.flag("allow_sending_without_reply")):
                return None
            raise bad_request("message to be replied not found")
        return stored

    def _check_rate(self, chat: Chat) -> None:
        if not chat.rate_per_minute:
            return
        now = self._clock()
        chat.send_times = [t for t in chat.send_times if now - t < 60]
        if len(chat.send_times) >= chat.rate_per_minute:
            retry_after = max(1, math.ceil(60 - (now - chat.send_times[0])))
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})
        chat.send_times.append(now)

    # ------------------------------------------------------------------ helpers: content

    def _format(self, text: str, p: Params, entities_field: str) -> tuple[str, list[dict[str, Any]]]:
        try:
            return format_text(text, p.text("parse_mode"), p.json(entities_field))
        except EntityParseError as error:
            raise bad_request(f"can't parse entities: {error}") from None
        except UnsupportedParseMode:
            raise bad_request("unsupported parse_mode") from None

    def _text_content(self, p: Params) -> dict[str, Any]:
        text = p.text("text") or ""
        plain, entities = self._format(text, p, "entities") if text.strip() else ("", [])
        if not plain.strip():
            raise bad_request("message text is empty")
        if len(plain) > TEXT_LIMIT:
            raise bad_request("message is too long")
        content: dict[str, Any] = {"text": plain}
        if entities:
            content["entities"] = entities
        if preview := p.json("link_preview_options"):
            content["link_preview_options"] = preview
        return content

    def _caption_content(self, p: Params) -> dict[str, Any]:
        content: dict[str, Any] = {}
        caption = p.text("caption")
        if caption:
            plain, entities = self._format(caption, p, "caption_entities")
            if len(plain) > CAPTION_LIMIT:
                raise bad_request("message caption is too long")
            content["caption"] = plain
            if entities:
                content["caption_entities"] = entities
        if p.flag("has_spoiler"):
            content["has_media_spoiler"] = True
        if p.flag("show_caption_above_media"):
            content["show_caption_above_media"] = True
        return content

    def _reply_markup(self, p: Params) -> dict[str, Any] | None:
        """Validate reply_markup; returns it when it attaches to the message (inline keyboards only)."""
        markup = p.json("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad_request("object expected as reply markup")
        if "inline_keyboard" not in markup:
            return None
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request(
                'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
            )
        for button in itertools.chain.from_iterable(rows):
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise bad_request('can\'t parse inline keyboard button: Field "text" must be of type String')
            if not set(button) - {"text", "style", "icon_custom_emoji_id"}:
                raise bad_request(
                    "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
                )
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= CALLBACK_DATA_LIMIT:
                raise bad_request("BUTTON_DATA_INVALID")
        return markup

    def _new_file(self, kind: str, **fields: Any) -> StoredFile:
        number = next(self._ids)
        folder, ext = _FILE_FOLDER[kind]
        name = fields.get("file_name") or ""
        if kind == "document" and "." in name:
            ext = name[name.rindex(".") :]
        stored = StoredFile(
            file_id=_FILE_ID_PREFIX[kind] + self._random(48),
            file_unique_id="AgAD" + self._random(12, string.ascii_letters + string.digits),
            kind=kind,
            file_path=f"{folder}/file_{number}{ext}",
            **fields,
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def _resolve_file(self, value: Any, files: dict[str, Upload], kind: str) -> StoredFile:
        """An InputFile as sent: upload (attach:// or a direct part), URL, or file_id."""
        if isinstance(value, str) and value.startswith("attach://"):
            value = files.get(value[len("attach://") :])
        if value is None or value == "":
            raise bad_request(f"there is no {kind} in the request")
        if isinstance(value, Upload):
            if not value.data:
                raise bad_request("file must be non-empty")
            if len(value.data) > UPLOAD_LIMIT:
                raise ApiError(413, "Request Entity Too Large")
            mime = guess_mime(value.filename) or (value.content_type or "").split(";")[0].strip() or None
            if kind in ("voice", "audio"):
                mime = audio_mime(
                    value.data, value.filename, "audio/ogg" if kind == "voice" else "audio/mpeg"
                )
            return self._new_file(kind, data=value.data, file_name=value.filename, mime_type=mime)
        value = str(value)
        if value.startswith(("http://", "https://")):
            return self._new_file(kind, url=value, file_name=value.rsplit("/", 1)[-1] or None)
        existing = self._files.get(value)
        if existing is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if existing.kind != kind and not (kind == "document" and existing.kind != "photo"):
            raise bad_request(f"can't use file of type {existing.kind.capitalize()} as {kind.capitalize()}")
        return existing

    def _input_file(self, p: Params, field: str, kind: str) -> StoredFile:
        value = p.values.get(field)
        if value is None or value == "":
            value = p.files.get(field)
        return self._resolve_file(value, p.files, kind)

    def _photo_sizes(self, source: StoredFile) -> list[dict[str, Any]]:
        """PhotoSize[] of a photo, smallest first, each size with its own file id."""
        if not source.group:
            width, height = (image_size(source.data) if source.data else None) or (1280, 960)
            longest = max(width, height)
            sizes: list[StoredFile] = []
            for side in _PHOTO_SIDES:
                if side >= longest:
                    break
                scale = side / longest
                sizes.append(
                    self._new_file(
                        "photo",
                        data=source.data,
                        url=source.url,
                        mime_type="image/jpeg",
                        width=max(1, round(width * scale)),
                        height=max(1, round(height * scale)),
                    )
                )
            source.width, source.height, source.mime_type = width, height, source.mime_type or "image/jpeg"
            sizes.append(source)
            group = [s.file_id for s in sizes]
            for size in sizes:
                size.group = group
        result = []
        for file_id in source.group:
            size = self._files[file_id]
            item: dict[str, Any] = {"file_id": size.file_id, "file_unique_id": size.file_unique_id}
            if size.data is not None:
                largest = self._files[source.group[-1]]
                ratio = (
                    (size.width or 1)
                    * (size.height or 1)
                    / max(1, (largest.width or 1) * (largest.height or 1))
                )
                item["file_size"] = max(1, round(len(size.data) * ratio))
            result.append(item | {"width": size.width, "height": size.height})
        return result

    def _media_json(self, stored: StoredFile, p: Params | None = None) -> dict[str, Any]:
        """Voice / Audio / Document / Video / Animation / Sticker object of a file."""
        base: dict[str, Any] = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
        if stored.data is not None:
            base["file_size"] = len(stored.data)
        opt = p or Params({})
        duration = opt.integer("duration") or 1
        named = {"file_name": stored.file_name} if stored.file_name else {}
        if stored.kind == "voice":
            return {"duration": duration, "mime_type": stored.mime_type or "audio/ogg"} | base
        if stored.kind == "audio":
            extra = {k: opt.text(k) for k in ("performer", "title") if opt.text(k)}
            return (
                {"duration": duration}
                | extra
                | named
                | {"mime_type": stored.mime_type or "audio/mpeg"}
                | base
            )
        if stored.kind == "document":
            mime = {"mime_type": stored.mime_type} if stored.mime_type else {}
            return named | mime | base
        if stored.kind in ("video", "animation"):
            width = opt.integer("width") or stored.width or 640
            height = opt.integer("height") or stored.height or 360
            dims = {"duration": duration, "width": width, "height": height}
            return dims | named | {"mime_type": stored.mime_type or "video/mp4"} | base
        emoji = {"emoji": opt.text("emoji")} if opt.text("emoji") else {}
        return (
            {"width": 512, "height": 512}
            | emoji
            | {"is_animated": False, "is_video": False, "type": "regular"}
            | base
        )

    # ------------------------------------------------------------------ helpers: messages and updates

    def _store(
        self,
        chat: Chat,
        sender: dict[str, Any],
        content: dict[str, Any],
        *,
        by_bot: bool,
        topic: Topic | None = None,
        reply: Stored | None = None,
        markup: dict[str, Any] | None = None,
        service: bool = False,
    ) -> Stored:
        """Append a message to a chat's history, shaped as the real server shows it."""
        message_id = chat.allocate_id()
        message: dict[str, Any] = {
            "message_id": message_id,
            "from": dict(sender),
            "chat": chat.json(),
            "date": self._now(),
        }
        if topic is not None:
            message |= {"message_thread_id": topic.id, "is_topic_message": True}
            root = chat.messages.get(topic.id)
            if reply is None and root is not None and message_id != topic.id:
                reply = root  # the implicit reply to the topic's root service message
        if reply is not None:
            message["reply_to_message"] = strip_reply(reply.message)
        message |= copy.deepcopy(content)
        if markup is not None:
            message["reply_markup"] = copy.deepcopy(markup)
        stored = Stored(message, next(self._seq), sender["id"], by_bot, topic.id if topic else None, service)
        chat.messages[message_id] = stored
        return stored

    def _deliver(self, bot: FakeBot, p: Params, content: dict[str, Any]) -> Stored:
        """The common part of every send method: checks, then store the bot's message."""
        chat = self._chat_for(bot, p.get("chat_id"))
        reply = self._reply_target(chat, p)
        topic = self._thread_for_send(chat, p.integer("message_thread_id"), reply)
        markup = self._reply_markup(p)
        self._check_rate(chat)
        return self._store(
            chat, bot.user_json(), content, by_bot=True, topic=topic, reply=reply, markup=markup
        )

    def _queue(self, bot: FakeBot, kind: str, payload: dict[str, Any]) -> None:
        """Add an update to a bot's queue (dropped when allowed_updates excludes its type)."""
        if not bot.accepts(kind):
            return
        bot.updates.append({"update_id": bot.next_update_id, kind: copy.deepcopy(payload)})
        bot.next_update_id += 1
        self._wake(bot)

    def _wake(self, bot: FakeBot) -> None:
        """Release long polls of `bot` and start webhook delivery when needed."""
        for waiter in bot.waiters:
            if not waiter.done():
                waiter.set_result(None)
        bot.waiters.clear()
        if (
            bot.webhook_url
            and bot.updates
            and self._loop is not None
            and not self._closing
            and (bot.webhook_task is None or bot.webhook_task.done())
        ):
            bot.webhook_task = self._loop.create_task(self._webhook_loop(bot))

    def _sees(self, bot: FakeBot, chat: Chat, stored: Stored) -> bool:
        """Privacy mode: admins and bots with privacy off see everything in groups."""
        if chat.type == "private":
            return chat.bot_id == bot.id and not chat.blocked
        member = chat.member(bot.id)
        if member is None or not member.present or stored.sender_id == bot.id:
            return False
        if stored.service or bot.can_read_all_group_messages or member.status in ("creator", "administrator"):
            return True
        message = stored.message
        text = message.get("text") or message.get("caption") or ""
        if text.startswith("/"):
            target = text.split(maxsplit=1)[0].partition("@")[2]
            return not target or target.lower() == bot.username.lower()
        reply = message.get("reply_to_message") or {}
        implicit = "forum_topic_created" in reply
        return not implicit and reply.get("from", {}).get("id") == bot.id

    def _broadcast(
        self, chat: Chat, stored: Stored, kind: str = "message", *, only: FakeBot | None = None
    ) -> None:
        """Queue a user's or a service message for the bots that would receive it."""
        if stored.service and not self.echo_service_messages:
            return
        bots = [only] if only is not None else self._member_bots(chat)
        for bot in bots:
            # A bot also gets the forum_topic_created message of its own topic (API-NOTES §6.3).
            own_topic = stored.sender_id == bot.id and "forum_topic_created" in stored.message
            if self._sees(bot, chat, stored) or own_topic:
                self._queue(bot, kind, stored.message)

    def _service(self, chat: Chat, sender: dict[str, Any], content: dict[str, Any], **kwargs: Any) -> Stored:
        stored = self._store(chat, sender, content, by_bot=bool(sender.get("is_bot")), service=True, **kwargs)
        self._broadcast(chat, stored)
        return stored

    def _member_update(
        self, bot: FakeBot, chat: Chat, by: dict[str, Any], old: Member | None, new: Member
    ) -> None:
        old_json = old.json() if old else Member(bot.user_json(), "left").json()
        payload = {
            "chat": chat.json(),
            "from": user_json(by),
            "date": self._now(),
            "old_chat_member": old_json,
            "new_chat_member": new.json(),
        }
        self._queue(bot, "my_chat_member", payload)

    # ------------------------------------------------------------------ webhooks

    async def _webhook_loop(self, bot: FakeBot) -> None:
        while bot.webhook_url and bot.updates and not self._closing:
            update = bot.updates[0]
            kind = next(key for key in update if key != "update_id")
            delivered = bot.accepts(kind) and await self._post_update(bot, update)
            if bot.updates and bot.updates[0] is update:
                bot.updates.pop(0)
            if delivered:
                bot.webhook_delivered.append(update["update_id"])

    async def _post_update(self, bot: FakeBot, update: dict[str, Any]) -> bool:
        """POST one update, retrying non-2xx answers; False when every attempt failed."""
        assert self._session is not None
        headers = {"Content-Type": "application/json"}
        if bot.webhook_secret:
            headers["X-Telegram-Bot-Api-Secret-Token"] = bot.webhook_secret
        for attempt in range(self.webhook_attempts):
            try:
                async with self._session.post(
                    bot.webhook_url, data=_dumps(update).encode(), headers=headers
                ) as resp:
                    if 200 <= resp.status < 300:
                        await self._webhook_reply(bot, resp)
                        return True
                    error = f"Wrong response from the webhook: {resp.status} {resp.reason}"
            except (ClientError, TimeoutError) as exc:
                error = f"Connection failed: {type(exc).__name__}"
            bot.webhook_last_error = (self._now(), error)
            await asyncio.sleep(self.webhook_retry_delay * (attempt + 1))
        return False

    async def _webhook_reply(self, bot: FakeBot, resp: Any) -> None:
        """A webhook answer may carry a method call (aiogram's handle_in_background=False)."""
        with contextlib.suppress(ValueError, ClientError, KeyError):
            if resp.content_type == "application/json":
                data = await resp.json()
                if isinstance(data, dict) and data.get("method"):
                    method = data.pop("method")
                    await self._invoke(bot, method, data, {})
            elif resp.content_type.startswith("multipart/"):
                fields, files = await read_multipart(MultipartReader(resp.headers, resp.content))
                method = fields.pop("method", None)
                if method:
                    await self._invoke(bot, method, fields, files)


# ---------------------------------------------------------------------- request parsing


async def read_request(request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
    """Query string plus body: JSON, x-www-form-urlencoded or multipart/form-data."""
    raw: dict[str, Any] = dict(request.query)
    files: dict[str, Upload] = {}
    if not request.can_read_body:
        return raw, files
    content_type = request.content_type
    with contextlib.suppress(ValueError):
        if content_type == "application/json":
            body = await request.json()
            if isinstance(body, dict):
                raw.update(body)
        elif content_type.startswith("multipart/"):
            fields, files = await read_multipart(await request.multipart())
            raw.update(fields)
        else:
            form = await request.post()
            raw.update({key: value for key, value in form.items() if isinstance(value, str)})
    return raw, files


async def read_multipart(reader: MultipartReader) -> tuple[dict[str, str], dict[str, Upload]]:
    """Text parts become fields; parts with a filename become uploads keyed by part name."""
    fields: dict[str, str] = {}
    files: dict[str, Upload] = {}
    while (part := await reader.next()) is not None:
        if isinstance(part, MultipartReader):
            continue
        name = part.name or ""
        if part.filename is not None:
            files[name] = Upload(
                bytes(await part.read(decode=True)), part.filename, part.headers.get("Content-Type")
            )
        else:
            fields[name] = await part.text()
    return fields, files


def json_response(body: dict[str, Any], status: int) -> web.Response:
    return web.Response(text=_dumps(body), status=status, content_type="application/json")
