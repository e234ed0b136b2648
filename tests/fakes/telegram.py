"""A fake Telegram Bot API server for tests.

`FakeTelegram` serves `/bot<token>/<method>` and `/file/bot<token>/<path>` on 127.0.0.1 with a random
port, so a real aiogram `Bot` talks to it through
`AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url))`. It keeps bots, users, chats, forum
topics, message histories, files and per-bot update queues, and answers like the real server
(API-NOTES PART II): real HTTP status codes, the exact error texts, `message_thread_id` /
`is_topic_message` / implicit `reply_to_message` in topics, long polling, webhooks with
`X-Telegram-Bot-Api-Secret-Token`.

Tests drive the "human" side with sync controls (`user_sends`, `user_presses`, `add_bot_to_group`,
`delete_topic`...) and inspect what bots did (`sent`, `topics`, `pinned`, `calls`...). Start the fake
in the test's own event loop (an async fixture): controls wake long polls and webhook deliveries on it.

Behaviour worth knowing when writing tests:
- Groups apply privacy mode: a bot sees every message only as an admin (the default of
  `add_bot_to_group`) or with `can_read_all_group_messages`; otherwise commands and replies to it.
- Service messages reach member bots as `message` updates: new_chat_members when a bot is added,
  forum_topic_created (also for the bot's own topics), closed/reopened/edited, pinned_message.
- `sent()` lists bots' messages without service messages and without deleted ones.
- Updates stay queued until a getUpdates `offset` confirms them (or a webhook delivery succeeds;
  after `webhook_attempts` failures an update is dropped, as Telegram eventually does).

Layers: telegram_state.py (records, parameters, JSON shapes), telegram_text.py (parse modes and
entities), telegram_core.py (`FakeCore`: lookups, checks, messages, queues, webhooks),
telegram_api.py (`BotApiMethods`: the Bot API methods), this module (server and test controls).
Only aiohttp and the standard library are imported: the fake must not share code (or mistakes) with
the client under test.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import re
import socket
from collections.abc import Callable
from typing import Any

from aiohttp import ClientSession, ClientTimeout, web

from .chaos import Chaos
from .telegram_api import BotApiMethods
from .telegram_core import json_response, read_request
from .telegram_state import (
    DEFAULT_ADMIN_RIGHTS,
    DOWNLOAD_LIMIT,
    GENERAL_TOPIC_ID,
    UPLOAD_LIMIT,
    ApiError,
    Chat,
    FakeBot,
    Member,
    Params,
    Stored,
    audio_mime,
    guess_mime,
    user_json,
)
from .telegram_text import detect_entities

__all__ = ["FakeBot", "FakeTelegram"]

_STATUS_TEXT = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    413: "Request Entity Too Large",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


class FakeTelegram(BotApiMethods):
    """In-process fake of api.telegram.org.

    Lifecycle: `await start()`, `base_url`, `await stop()` (or `async with FakeTelegram() as tg`).
    Everything else is sync and runs on the test's event loop. Constructor options (keyword only):
    `seed` (ids and tokens), `clock` (message dates, group rate limit), `echo_service_messages`,
    `webhook_attempts`, `webhook_retry_delay`.
    """

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Listen on 127.0.0.1 with a random port."""
        app = web.Application(client_max_size=UPLOAD_LIMIT + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_route("*", "/{tail:.*}", self._handle_unknown)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        await web.SockSite(self._runner, sock).start()
        self._port = sock.getsockname()[1]
        self._session = ClientSession(timeout=ClientTimeout(total=10))
        self._loop = asyncio.get_running_loop()
        self._closing = False
        for bot in self._bots.values():
            self._wake(bot)

    async def stop(self) -> None:
        """Release long polls, stop webhook deliveries and close the server."""
        self._closing = True
        tasks = []
        for bot in self._bots.values():
            self._wake(bot)
            if bot.webhook_task is not None and not bot.webhook_task.done():
                bot.webhook_task.cancel()
                tasks.append(bot.webhook_task)
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT`, for `TelegramAPIServer.from_base` or TELEGRAM_API_BASE."""
        if self._port is None:
            raise RuntimeError("FakeTelegram is not started")
        return f"http://127.0.0.1:{self._port}"

    # ------------------------------------------------------------------ HTTP layer

    chaos: Chaos | None = None  # random faults (inject_faults); None: every call answered normally

    async def _handle_api(self, request: web.Request) -> web.Response:
        if self._take_drop(request.match_info["method"]) and request.transport is not None:
            request.transport.close()  # the client sees the server disconnect: no answer, nothing done
            return web.Response()
        raw, files = await read_request(request)
        bot = self._bots_by_token.get(request.match_info["token"])
        if bot is None:
            return json_response(ApiError(401, "Unauthorized").body(), 401)
        chaos = self.chaos if self.chaos is not None and bot.id in self._chaos_bots else None
        fault = chaos.draw(request.match_info["method"]) if chaos is not None else None
        if fault is not None and (status := Chaos.status(fault)) is not None:
            retry_after = 1 if status == 429 else None
            description = _STATUS_TEXT.get(status, "Error") + (": retry after 1" if retry_after else "")
            extra = {"retry_after": retry_after} if retry_after else None
            return json_response(ApiError(status, description, extra).body(), status)
        if chaos is not None and fault is not None and not Chaos.works(fault):
            return await chaos.lose(request, fault)
        status, body = await self._invoke(bot, request.match_info["method"], raw, files)
        if chaos is not None and fault is not None:
            return await chaos.lose(request, fault)
        return json_response(body, status)

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] not in self._bots_by_token:
            return json_response(ApiError(401, "Unauthorized").body(), 401)
        stored = self._files_by_path.get(request.match_info["path"])
        if stored is None or (stored.data is not None and len(stored.data) > DOWNLOAD_LIMIT):
            return json_response(ApiError(404, "Not Found").body(), 404)
        return web.Response(
            body=stored.data or b"", content_type=stored.mime_type or "application/octet-stream"
        )

    async def _handle_unknown(self, request: web.Request) -> web.Response:
        return json_response(ApiError(404, "Not Found").body(), 404)

    # ================================================================== test controls: setup

    def add_bot(
        self,
        token: str | None = None,
        username: str | None = None,
        *,
        first_name: str | None = None,
        can_join_groups: bool = True,
        can_read_all_group_messages: bool = False,
    ) -> FakeBot:
        """Register a bot; a realistic `<10 digits>:<35 chars>` token is generated when None."""
        number = next(self._ids)
        if token is None:
            token = f"{7_100_000_000 + number}:AA{self._random(33)}"
        match = re.fullmatch(r"(\d+):[A-Za-z0-9_-]+", token)
        if match is None:
            raise ValueError(f"malformed bot token {token!r}")
        if token in self._bots_by_token:
            raise ValueError("bot token already registered")
        bot = FakeBot(
            id=int(match.group(1)),
            token=token,
            username=(username or f"fake_{number}_bot").lstrip("@"),
            first_name=first_name or f"Fake Bot {number}",
            can_join_groups=can_join_groups,
            can_read_all_group_messages=can_read_all_group_messages,
            next_update_id=self._rng.randint(10**8, 9 * 10**8),
        )
        self._bots_by_token[token] = bot
        self._bots[bot.id] = bot
        return bot

    def revoke_token(self, bot: FakeBot) -> None:
        """The token stops working (401 Unauthorized), as after /revoke in BotFather."""
        self._bots_by_token.pop(bot.token, None)

    def add_user(
        self,
        first_name: str,
        language_code: str | None = "ru",
        username: str | None = None,
        last_name: str | None = None,
    ) -> dict[str, Any]:
        """Register a human user; returns the `User` dict (use it or its id in the other controls)."""
        user_id = 100_000_000 + next(self._ids)
        user = {"id": user_id, "is_bot": False, "first_name": first_name}
        for key, value in (
            ("last_name", last_name),
            ("username", username),
            ("language_code", language_code),
        ):
            if value:
                user[key] = value
        self._users[user_id] = user
        return dict(user)

    def create_group(
        self,
        title: str,
        is_forum: bool = True,
        owner: dict[str, Any] | int | None = None,
        *,
        supergroup: bool = True,
        username: str | None = None,
    ) -> int:
        """Create a supergroup (id -100xxxxxxxxxx; a forum unless is_forum=False) or, with
        supergroup=False, a basic group (never a forum). `owner` becomes its creator."""
        creator = self._user(owner) if owner is not None else self._users[self.add_user("Owner")["id"]]
        number = next(self._ids)
        chat_id = -(1_000_000_000_000 + 2_100_000_000 + number) if supergroup else -(4_000_000_000 + number)
        chat = Chat(
            id=chat_id,
            type="supergroup" if supergroup else "group",
            title=title,
            is_forum=is_forum and supergroup,
            username=username,
            next_message_id=2,
        )
        chat.members[creator["id"]] = Member(user_json(creator), "creator")
        self._groups[chat_id] = chat
        return chat_id

    def set_forum(self, chat_id: int, is_forum: bool) -> None:
        """Switch Topics on or off for a supergroup (no update is sent, as on the real server)."""
        chat = self._group(chat_id)
        if chat.type != "supergroup":
            raise ValueError("only supergroups can be forums; use migrate_group first")
        chat.is_forum = is_forum

    def set_available_reactions(self, chat_id: int, emojis: list[str] | None) -> None:
        """Restrict the reactions a group allows (None: all)."""
        self._group(chat_id).available_reactions = None if emojis is None else list(emojis)

    def add_member(
        self,
        chat_id: int,
        user: dict[str, Any] | int,
        *,
        admin: bool = False,
        rights: dict[str, bool] | None = None,
    ) -> None:
        """Make a human a member (or admin) of a group, silently."""
        person = user_json(self._user(user))
        status = "administrator" if admin else "member"
        self._group(chat_id).members[person["id"]] = Member(
            person, status, DEFAULT_ADMIN_RIGHTS | (rights or {})
        )

    def add_bot_to_group(
        self,
        bot: FakeBot,
        chat_id: int,
        by_user: dict[str, Any] | int | None = None,
        admin: bool = True,
        rights: dict[str, bool] | None = None,
    ) -> None:
        """Add `bot` (as admin with DEFAULT_ADMIN_RIGHTS | rights, or as a member). Queues
        `my_chat_member` (left → administrator/member) and a `new_chat_members` service message."""
        chat = self._group(chat_id)
        by = self._user(by_user) if by_user is not None else self._owner(chat)
        old = chat.members.get(bot.id)
        if admin:
            new = Member(bot.user_json(), "administrator", DEFAULT_ADMIN_RIGHTS | (rights or {}))
        else:
            new = Member(bot.user_json(), "member")
        chat.members[bot.id] = new
        self._member_update(bot, chat, by, old, new)
        if old is None or not old.present:
            self._service(chat, user_json(by), {"new_chat_members": [bot.user_json()]})

    def set_bot_rights(
        self,
        bot: FakeBot,
        chat_id: int,
        rights: dict[str, bool] | None = None,
        *,
        admin: bool = True,
        by_user: dict[str, Any] | int | None = None,
    ) -> None:
        """Promote, change rights (merged over the current ones) or demote (admin=False);
        queues `my_chat_member` old → new."""
        chat = self._group(chat_id)
        old = chat.members.get(bot.id)
        if old is None or not old.present:
            raise ValueError("the bot is not in the group; use add_bot_to_group")
        by = self._user(by_user) if by_user is not None else self._owner(chat)
        if admin:
            base = old.rights if old.status == "administrator" else DEFAULT_ADMIN_RIGHTS
            new = Member(bot.user_json(), "administrator", dict(base) | (rights or {}))
        else:
            new = Member(bot.user_json(), "member")
        chat.members[bot.id] = new
        self._member_update(bot, chat, by, old, new)

    def remove_bot_from_group(
        self, bot: FakeBot, chat_id: int, by_user: dict[str, Any] | int | None = None, *, kicked: bool = False
    ) -> None:
        """Remove the bot (status left, or kicked); queues `my_chat_member` and tells other bots."""
        chat = self._group(chat_id)
        by = self._user(by_user) if by_user is not None else self._owner(chat)
        old = chat.members.get(bot.id)
        new = Member(bot.user_json(), "kicked" if kicked else "left")
        chat.members[bot.id] = new
        self._member_update(bot, chat, by, old, new)
        self._service(chat, user_json(by), {"left_chat_member": bot.user_json()})

    def migrate_group(self, old_chat_id: int, *, is_forum: bool = True) -> int:
        """Upgrade a group to a new supergroup (members and bots move along). The old id then
        fails with 400 "group chat was upgraded..." and parameters.migrate_to_chat_id."""
        old = self._group(old_chat_id)
        number = next(self._ids)
        new_id = -(1_000_000_000_000 + 2_100_000_000 + number)
        new = Chat(id=new_id, type="supergroup", title=old.title, is_forum=is_forum, next_message_id=2)
        new.members = {uid: Member(m.user, m.status, dict(m.rights)) for uid, m in old.members.items()}
        self._groups[new_id] = new
        owner = user_json(self._owner(old))
        self._service(old, owner, {"migrate_to_chat_id": new_id})
        old.migrated_to = new_id
        self._service(new, owner, {"migrate_from_chat_id": old.id})
        return new_id

    def user_blocks_bot(self, bot: FakeBot, user: dict[str, Any] | int, *, blocked: bool = True) -> None:
        """The user blocks (or unblocks) the bot: `my_chat_member` in the private chat."""
        person = user_json(self._user(user))
        chat = self._chat_of(bot, person["id"], person)
        chat.blocked = blocked
        old = Member(bot.user_json(), "kicked" if not blocked else "member")
        new = Member(bot.user_json(), "kicked" if blocked else "member")
        payload = {"chat": chat.json(), "from": person, "date": self._now()}
        self._queue(
            bot, "my_chat_member", payload | {"old_chat_member": old.json(), "new_chat_member": new.json()}
        )

    # ================================================================== test controls: users act

    def user_sends(
        self,
        bot: FakeBot | None,
        chat_id: int,
        user: dict[str, Any] | int,
        text: str | None = None,
        *,
        thread_id: int | None = None,
        photo: bytes | None = None,
        caption: str | None = None,
        voice: bytes | None = None,
        document: bytes | None = None,
        file_name: str = "document.pdf",
        video: bytes | None = None,
        sticker: bool = False,
        reply_to: int | None = None,
        entities: list[dict[str, Any]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A user writes. Private chat: `chat_id` is the user's id and `bot` the bot. Group: `bot`
        None delivers to every member bot that would see it (privacy mode), a bot only to that bot.
        In a topic the message gets message_thread_id, is_topic_message and the implicit reply."""
        person = user_json(self._user(user))
        if chat_id > 0 and chat_id != person["id"]:
            raise ValueError("a private chat id is the user's id")
        chat = self._chat_of(bot, chat_id, person)
        if chat.type != "private" and person["id"] not in chat.members:
            chat.members[person["id"]] = Member(person, "member")
        content: dict[str, Any] = {}
        if text is not None:
            content["text"] = text
            found = entities if entities is not None else detect_entities(text, [])
            if found:
                content["entities"] = found
        if photo is not None:
            content["photo"] = self._photo_sizes(self._new_file("photo", data=photo, mime_type="image/jpeg"))
        if voice is not None:
            mime = audio_mime(voice, None, "audio/ogg")
            content["voice"] = self._media_json(self._new_file("voice", data=voice, mime_type=mime))
        if document is not None:
            stored = self._new_file(
                "document", data=document, file_name=file_name, mime_type=guess_mime(file_name)
            )
            content["document"] = self._media_json(stored)
        if video is not None:
            content["video"] = self._media_json(self._new_file("video", data=video, mime_type="video/mp4"))
        if sticker:
            stored = self._new_file("sticker", data=b"RIFF\x00\x00\x00\x00WEBPVP8 ", mime_type="image/webp")
            content["sticker"] = self._media_json(stored, Params({"emoji": "👍"}))
        if caption is not None:
            content["caption"] = caption
            if found := detect_entities(caption, []):
                content["caption_entities"] = found
        content |= extra or {}
        if not content:
            raise ValueError("user_sends needs text, media or extra content")
        reply = None
        if reply_to is not None:
            reply = chat.messages.get(reply_to)
            if reply is None or reply.deleted:
                raise ValueError(f"no message {reply_to} to reply to in {chat_id}")
            thread_id = thread_id or reply.thread_id
        topic = None
        if thread_id is not None and thread_id != GENERAL_TOPIC_ID:
            topic = chat.topics.get(thread_id)
            if not chat.is_forum or topic is None or topic.deleted:
                raise ValueError(f"no topic {thread_id} in chat {chat_id}")
        stored = self._store(chat, person, content, by_bot=False, topic=topic, reply=reply)
        self._broadcast(chat, stored, only=bot if chat.type != "private" else None)
        return copy.deepcopy(stored.message)

    def user_edits(
        self, bot: FakeBot | None, chat_id: int, user: dict[str, Any] | int, message_id: int, text: str
    ) -> dict[str, Any]:
        """A user edits their text message: `edited_message` for the bots that saw it."""
        chat = self._chat_of(bot, chat_id)
        stored = chat.messages[message_id]
        if stored.sender_id != user_json(self._user(user))["id"]:
            raise ValueError("users edit only their own messages")
        stored.message["text"] = text
        stored.message.pop("entities", None)
        if found := detect_entities(text, []):
            stored.message["entities"] = found
        stored.message["edit_date"] = self._now()
        self._broadcast(chat, stored, "edited_message", only=bot if chat.type != "private" else None)
        return copy.deepcopy(stored.message)

    def user_presses(
        self, bot: FakeBot, chat_id: int, user: dict[str, Any] | int, message_id: int, data: str
    ) -> str:
        """A user presses an inline button: queues `callback_query` with the message as stored."""
        person = user_json(self._user(user))
        chat = self._chat_of(bot, chat_id, person)
        stored = chat.messages.get(message_id)
        if stored is None or stored.deleted:
            raise ValueError(f"no message {message_id} in chat {chat_id}")
        query_id = str(self._rng.randint(10**18, 9 * 10**18))
        self._callbacks[query_id] = {"bot_id": bot.id, "answered": False, "data": data}
        query = {
            "id": query_id,
            "from": person,
            "message": stored.message,
            "chat_instance": str(-(abs(chat.id) * 7919 + bot.id) % 10**19),
            "data": data,
        }
        self._queue(bot, "callback_query", query)
        return query_id

    def enable_inline_mode(self, bot: FakeBot, enabled: bool = True) -> None:
        """The owner switches inline mode on in BotFather (/setinline): users may then type `@bot words`."""
        bot.supports_inline_queries = enabled

    def user_types_inline(
        self, bot: FakeBot, user: dict[str, Any] | int, query: str, *, chat_type: str = "supergroup"
    ) -> str:
        """A user types `@bot <query>` in a chat of `chat_type` ("sender", "private", "group", "supergroup",
        "channel"): an `inline_query` update, which (like the real one) says nothing of the chat or topic.
        Returns the query id."""
        if not bot.supports_inline_queries:
            raise ValueError("the bot has no inline mode: Telegram clients do not send it inline queries")
        person = user_json(self._user(user))
        query_id = str(self._rng.randint(10**18, 9 * 10**18))
        self._inline_queries[query_id] = {"bot_id": bot.id, "user_id": person["id"], "answered": False}
        payload = {"id": query_id, "from": person, "query": query, "offset": "", "chat_type": chat_type}
        self._queue(bot, "inline_query", payload)
        return query_id

    def user_chooses_inline_result(
        self,
        bot: FakeBot,
        chat_id: int,
        user: dict[str, Any] | int,
        query_id: str,
        result_id: str,
        *,
        thread_id: int | None = None,
    ) -> dict[str, Any]:
        """The user taps a result the bot answered to their inline query: Telegram posts its
        input_message_content as the user's own message "via @bot" where they typed (here: `chat_id`,
        `thread_id`), and member bots get it as a message with `via_bot`."""
        answer = next((a for a in self._inline_answers if a["inline_query_id"] == query_id), None)
        if answer is None or answer["bot_id"] != bot.id:
            raise ValueError(f"inline query {query_id} was not answered by this bot")
        result = next((r for r in answer["results"] if str(r.get("id")) == result_id), None)
        if result is None:
            raise ValueError(f"no result {result_id!r} in the answer to {query_id}")
        person = user_json(self._user(user))
        chat = self._group(chat_id)
        if person["id"] not in chat.members:
            chat.members[person["id"]] = Member(person, "member")
        content = self._inline_text_content(result["input_message_content"]) | {"via_bot": bot.user_json()}
        topic = None
        if thread_id is not None and thread_id != GENERAL_TOPIC_ID:
            topic = chat.topics.get(thread_id)
            if not chat.is_forum or topic is None or topic.deleted:
                raise ValueError(f"no topic {thread_id} in chat {chat_id}")
        stored = self._store(chat, person, content, by_bot=False, topic=topic)
        self._broadcast(chat, stored)
        return copy.deepcopy(stored.message)

    def user_shares_chat(
        self,
        bot: FakeBot,
        user: dict[str, Any] | int,
        request_id: int,
        chat_id: int,
        *,
        title: str | None = None,
    ) -> dict[str, Any]:
        """The user picks a chat with a KeyboardButtonRequestChat button: `chat_shared` message."""
        person = user_json(self._user(user))
        chat = self._chat_of(bot, person["id"], person)
        shared: dict[str, Any] = {"request_id": request_id, "chat_id": chat_id}
        if title:
            shared["title"] = title
        stored = self._store(chat, person, {"chat_shared": shared}, by_bot=False, service=True)
        self._queue(bot, "message", stored.message)
        return copy.deepcopy(stored.message)

    def create_topic(
        self,
        chat_id: int,
        name: str,
        by_user: dict[str, Any] | int | None = None,
        *,
        icon_color: int | None = None,
    ) -> int:
        """A human creates a topic; returns its thread id (member bots get forum_topic_created)."""
        chat = self._group(chat_id)
        creator = user_json(self._user(by_user)) if by_user is not None else user_json(self._owner(chat))
        return self._add_topic(chat, creator, name, icon_color, None).id

    def delete_topic(self, chat_id: int, thread_id: int) -> None:
        """A human deletes a topic with all its messages; bots get no update (API-NOTES §6.2)."""
        chat = self._group(chat_id)
        self._drop_topic(chat, chat.topics[thread_id])

    def close_topic(self, chat_id: int, thread_id: int, by_user: dict[str, Any] | int | None = None) -> None:
        """A human closes a topic (service message forum_topic_closed)."""
        self._human_toggle(chat_id, thread_id, by_user, closed=True)

    def reopen_topic(self, chat_id: int, thread_id: int, by_user: dict[str, Any] | int | None = None) -> None:
        """A human reopens a topic (service message forum_topic_reopened)."""
        self._human_toggle(chat_id, thread_id, by_user, closed=False)

    def _human_toggle(self, chat_id: int, thread_id: int, by_user: Any, *, closed: bool) -> None:
        chat = self._group(chat_id)
        topic = chat.topics[thread_id]
        topic.closed = closed
        who = user_json(self._user(by_user)) if by_user is not None else user_json(self._owner(chat))
        self._service(
            chat, who, {"forum_topic_closed" if closed else "forum_topic_reopened": {}}, topic=topic
        )

    # ================================================================== test controls: failures

    def fail_next(
        self,
        method: str,
        status: int = 400,
        description: str | None = None,
        *,
        retry_after: int | None = None,
        times: int = 1,
        parameters: dict[str, Any] | None = None,
    ) -> None:
        """The next `times` calls of `method` ("*" = any method) fail with this error. The
        description defaults to the status text ("Too Many Requests: retry after N" for 429)."""
        if description is None:
            description = _STATUS_TEXT.get(status, "Error")
            if status == 429 and retry_after is not None:
                description += f": retry after {retry_after}"
        extra = dict(parameters or {}) | ({"retry_after": retry_after} if retry_after is not None else {})
        errors = [ApiError(status, description, extra or None) for _ in range(times)]
        self._failures.setdefault(method.lower(), []).extend(errors)

    def drop_connection_next(self, method: str, *, times: int = 1) -> None:
        """The next `times` calls of `method` ("*" = any method) lose their connection before the
        request is read: the client gets no answer (aiogram: TelegramNetworkError) and nothing is done."""
        self._drops[method.lower()] = self._drops.get(method.lower(), 0) + times

    def stall_url(self, url: str) -> None:
        """Calls passing `url` as a file (a photo by URL) hang as if Telegram's fetch of a slow host never
        ends, so the client's request timeout ends them; nothing is sent. Uploads are not affected."""
        self._stalled_urls.add(url)

    def lose_files(self) -> None:
        """Every file stored so far answers 404 at `/file/bot<token>/<path>`; getFile still works."""
        self._files_by_path.clear()

    def inject_faults(self, chaos: Chaos | None, bots: list[FakeBot] | None = None) -> None:
        """Play `chaos` on the Bot API calls of `bots` (default: every bot); None stops the faults."""
        self.chaos = chaos
        self._chaos_bots = {b.id for b in (bots if bots is not None else self._bots.values())}

    def rate_limit_group(self, chat_id: int, per_minute: int | None) -> None:
        """Bot messages into the group beyond `per_minute` in 60 s get 429 with retry_after."""
        chat = self._group(chat_id)
        chat.rate_per_minute = per_minute or None
        chat.send_times.clear()

    # ================================================================== inspection

    def sent(
        self,
        chat_id: int,
        thread_id: int | None = None,
        *,
        bot: FakeBot | None = None,
        include_deleted: bool = False,
    ) -> list[dict[str, Any]]:
        """Messages bots sent into a chat (not service messages), oldest first, as currently stored
        (edits applied). thread_id=None: all threads; 1: the General topic only."""
        records = [
            s
            for chat in self._chats_with_id(chat_id)
            for s in chat.messages.values()
            if s.by_bot and not s.service and (include_deleted or not s.deleted)
        ]
        return self._select(records, thread_id, bot)

    def messages(
        self,
        chat_id: int,
        thread_id: int | None = None,
        *,
        bot: FakeBot | None = None,
        include_deleted: bool = False,
    ) -> list[dict[str, Any]]:
        """The whole history (users', bots' and service messages), oldest first. For a private chat
        (chat_id = user id) `bot` picks that bot's chat; None merges all bots' chats."""
        records = [
            s
            for chat in self._chats_with_id(chat_id, bot)
            for s in chat.messages.values()
            if include_deleted or not s.deleted
        ]
        return self._select(records, thread_id, None)

    def _select(
        self, records: list[Stored], thread_id: int | None, bot: FakeBot | None
    ) -> list[dict[str, Any]]:
        if bot is not None:
            records = [s for s in records if s.sender_id == bot.id]
        if thread_id is not None:
            records = [s for s in records if (s.thread_id or GENERAL_TOPIC_ID) == thread_id]
        return [copy.deepcopy(s.message) for s in sorted(records, key=lambda s: s.seq)]

    def message(self, chat_id: int, message_id: int, *, bot: FakeBot | None = None) -> dict[str, Any] | None:
        """One stored message (None when unknown or deleted)."""
        for chat in self._chats_with_id(chat_id, bot):
            stored = chat.messages.get(message_id)
            if stored is not None and not stored.deleted:
                return copy.deepcopy(stored.message)
        return None

    def topics(self, chat_id: int, *, include_deleted: bool = False) -> list[dict[str, Any]]:
        """Topics of a forum: ForumTopic fields plus `closed`, `deleted`, `creator_id`."""
        chat = self._group(chat_id)
        return [t.info() for t in chat.topics.values() if include_deleted or not t.deleted]

    def topic_icon(self, chat_id: int, thread_id: int) -> str | None:
        """The custom emoji id a topic shows as its icon now (None: the default icon)."""
        return self._group(chat_id).topics[thread_id].icon_custom_emoji_id

    def icon_changes(self, chat_id: int, thread_id: int) -> list[str]:
        """Icons editForumTopic set on a topic, in order ("" = removed); the icon it was created with is not
        one of them."""
        return list(self._group(chat_id).topics[thread_id].icon_changes)

    def pinned(self, chat_id: int) -> list[int]:
        """Pinned message ids, oldest pin first."""
        return [m for chat in self._chats_with_id(chat_id) for m in chat.pinned]

    def reactions(self, chat_id: int, message_id: int) -> list[str]:
        """Reactions bots set on a message: emoji (or custom emoji ids)."""
        found: list[str] = []
        for chat in self._chats_with_id(chat_id):
            for reaction in chat.reactions.get(message_id, {}).values():
                found += [r.get("emoji") or r.get("custom_emoji_id") or r["type"] for r in reaction]
        return found

    def calls(
        self, method: str | None = None, *, bot: FakeBot | None = None
    ) -> list[tuple[str, dict[str, Any]]]:
        """Every API call received, in order: (method, decoded params); uploads appear as bytes."""
        return [
            (name, params)
            for name, params, bot_id in self._calls
            if (method is None or name.lower() == method.lower()) and (bot is None or bot_id == bot.id)
        ]

    @property
    def answered_callbacks(self) -> list[dict[str, Any]]:
        """answerCallbackQuery calls: callback_query_id, bot_id, data, text, show_alert, url, cache_time."""
        return [dict(a) for a in self._answered]

    def inline_answers(self, bot: FakeBot | None = None) -> list[dict[str, Any]]:
        """answerInlineQuery calls that Telegram accepted: inline_query_id, bot_id, user_id, results,
        cache_time, is_personal, next_offset, button."""
        return [copy.deepcopy(a) for a in self._inline_answers if bot is None or a["bot_id"] == bot.id]

    def deleted_messages(self, chat_id: int) -> list[int]:
        """Ids deleted with deleteMessage(s), in order (topic deletion not included)."""
        return [m for chat in self._chats_with_id(chat_id) for m in chat.deleted_ids]

    def file_bytes(self, file_id: str) -> bytes:
        """The bytes behind a file id (b"" for files sent by URL)."""
        return self._files[file_id].data or b""

    def file_info(self, file_id: str) -> dict[str, Any]:
        """What the fake knows about a file: kind, file_path, url (for URL sends), name, MIME type."""
        f = self._files[file_id]
        keys = (
            "file_id",
            "file_unique_id",
            "kind",
            "file_path",
            "url",
            "file_name",
            "mime_type",
            "width",
            "height",
        )
        return {key: getattr(f, key) for key in keys} | {"size": len(f.data) if f.data is not None else None}

    def webhook(self, bot: FakeBot) -> dict[str, Any]:
        """Webhook state: url, secret_token, allowed_updates, pending, last_error, delivered update ids."""
        return {
            "url": bot.webhook_url,
            "secret_token": bot.webhook_secret,
            "allowed_updates": bot.allowed_updates,
            "max_connections": bot.webhook_max_connections,
            "pending_update_count": len(bot.updates),
            "last_error": bot.webhook_last_error,
            "delivered": list(bot.webhook_delivered),
        }

    def pending_updates(self, bot: FakeBot) -> list[dict[str, Any]]:
        """Updates queued for the bot and not yet confirmed (getUpdates offset) or delivered."""
        return copy.deepcopy(bot.updates)

    def member(self, chat_id: int, user: FakeBot | dict[str, Any] | int) -> dict[str, Any] | None:
        """The ChatMember object of a user or bot in a group (None when never a member)."""
        user_id = user.id if isinstance(user, FakeBot) else user if isinstance(user, int) else user["id"]
        member = self._group(chat_id).member(user_id)
        return member.json() if member else None

    async def wait_until(
        self,
        predicate: Callable[[], Any],
        timeout: float = 10.0,
        *,
        message: str | None = None,
    ) -> Any:
        """Poll a sync predicate every 20 ms; return its first truthy value or fail with AssertionError."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = predicate()
            if result:
                return result
            if loop.time() >= deadline:
                recent = ", ".join(name for name, _, _ in self._calls[-8:]) or "none"
                what = message or getattr(predicate, "__name__", repr(predicate))
                raise AssertionError(
                    f"wait_until timed out after {timeout} s: {what} (last API calls: {recent})"
                )
            await asyncio.sleep(0.02)
