"""The Bot API methods of the fake Telegram server (registered with `@api`, looked up
case-insensitively). Each takes the calling bot and the decoded parameters, and returns the `result`
or raises `ApiError` with the real server's status and text (API-NOTES PART II).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import re
from typing import Any

from .telegram_core import Described, FakeCore, api
from .telegram_state import (
    ALLOWED_REACTIONS,
    DOWNLOAD_LIMIT,
    FORUM_ICONS,
    INLINE_RESULTS_LIMIT,
    TEXT_LIMIT,
    TOPIC_COLORS,
    TOPIC_NAME_LIMIT,
    ApiError,
    Chat,
    FakeBot,
    Member,
    Params,
    Stored,
    Topic,
    bad_request,
    strip_reply,
    user_json,
)

_CHAT_ACTIONS = frozenset(
    (
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    )
)


class BotApiMethods(FakeCore):
    """Bot API method handlers on top of the fake's core."""

    # ================================================================== Bot API methods

    @api("getMe")
    async def _get_me(self, bot: FakeBot, p: Params) -> Any:
        return bot.user_json() | {
            "can_join_groups": bot.can_join_groups,
            "can_read_all_group_messages": bot.can_read_all_group_messages,
            "supports_inline_queries": bot.supports_inline_queries,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    # --- updates

    @api("getUpdates")
    async def _get_updates(self, bot: FakeBot, p: Params) -> Any:
        if bot.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        if p.has("allowed_updates"):
            bot.allowed_updates = p.json("allowed_updates") or []
        offset = p.integer("offset") or 0
        if offset < 0:
            del bot.updates[: max(0, len(bot.updates) + offset)]
        elif offset:
            bot.updates = [u for u in bot.updates if u["update_id"] >= offset]
        limit = min(max(p.integer("limit") or 100, 1), 100)
        timeout = max(p.integer("timeout") or 0, 0)
        bot.poll_generation += 1
        generation = bot.poll_generation
        self._wake(bot)  # an older long poll of this bot ends with 409
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            bot.updates = [u for u in bot.updates if bot.accepts(next(k for k in u if k != "update_id"))]
            if bot.updates or self._closing or loop.time() >= deadline:
                return copy.deepcopy(bot.updates[:limit])
            waiter = loop.create_future()
            bot.waiters.append(waiter)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waiter, deadline - loop.time())
            if bot.poll_generation != generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )

    @api("setWebhook")
    async def _set_webhook(self, bot: FakeBot, p: Params) -> Any:
        url = p.text("url") or ""
        if url and not re.match(r"https?://[^/\s]+", url):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = p.text("secret_token") or None
        if secret is not None:
            if len(secret) > 256:
                raise bad_request("secret token is too long")
            if not re.fullmatch(r"[A-Za-z0-9_-]+", secret):
                raise bad_request("secret token contains unallowed characters")
        if p.flag("drop_pending_updates"):
            bot.updates.clear()
        if p.has("allowed_updates"):
            bot.allowed_updates = p.json("allowed_updates") or []
        bot.webhook_max_connections = p.integer("max_connections") or 40
        was = bot.webhook_url
        bot.webhook_url, bot.webhook_secret, bot.webhook_last_error = url, secret, None
        self._wake(bot)
        if not url:
            return Described(True, "Webhook was deleted" if was else "Webhook is already deleted")
        return Described(True, "Webhook is already set" if was == url else "Webhook was set")

    @api("deleteWebhook")
    async def _delete_webhook(self, bot: FakeBot, p: Params) -> Any:
        if p.flag("drop_pending_updates"):
            bot.updates.clear()
        was = bot.webhook_url
        bot.webhook_url, bot.webhook_secret = "", None
        return Described(True, "Webhook was deleted" if was else "Webhook is already deleted")

    # --- sending

    @api("sendMessage")
    async def _send_message(self, bot: FakeBot, p: Params) -> Any:
        return copy.deepcopy(self._deliver(bot, p, self._text_content(p)).message)

    @api("sendPhoto")
    async def _send_photo(self, bot: FakeBot, p: Params) -> Any:
        content = {"photo": self._photo_sizes(self._input_file(p, "photo", "photo"))} | self._caption_content(
            p
        )
        return copy.deepcopy(self._deliver(bot, p, content).message)

    async def _send_media(self, bot: FakeBot, p: Params, kind: str) -> Any:
        stored = self._input_file(p, kind, kind)
        content = {kind: self._media_json(stored, p)} | self._caption_content(p)
        return copy.deepcopy(self._deliver(bot, p, content).message)

    @api("sendVoice")
    async def _send_voice(self, bot: FakeBot, p: Params) -> Any:
        return await self._send_media(bot, p, "voice")

    @api("sendAudio")
    async def _send_audio(self, bot: FakeBot, p: Params) -> Any:
        return await self._send_media(bot, p, "audio")

    @api("sendDocument")
    async def _send_document(self, bot: FakeBot, p: Params) -> Any:
        return await self._send_media(bot, p, "document")

    @api("sendChatAction")
    async def _send_chat_action(self, bot: FakeBot, p: Params) -> Any:
        chat = self._chat_for(bot, p.get("chat_id"))
        if p.text("action") not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self._thread_for_send(chat, p.integer("message_thread_id"), None)
        return True

    # --- editing and deleting

    def _editable(self, bot: FakeBot, p: Params) -> tuple[Chat, Stored]:
        if p.get("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        chat = self._chat_for(bot, p.get("chat_id"))
        message_id = p.integer("message_id", missing="message identifier is not specified")
        stored = chat.messages.get(message_id or 0)
        if stored is None or stored.deleted:
            raise bad_request("message to edit not found")
        if stored.sender_id != bot.id or stored.service:
            raise bad_request("message can't be edited")
        return chat, stored

    def _apply_edit(self, stored: Stored, changes: dict[str, Any], markup: dict[str, Any] | None) -> Any:
        message = stored.message
        same = all(message.get(k) == v for k, v in changes.items()) and message.get("reply_markup") == markup
        if same:
            raise bad_request(
                "message is not modified: specified new message content and reply markup are exactly the "
                "same as a current content and reply markup of the message"
            )
        for key, value in changes.items():
            if value is None:
                message.pop(key, None)
            else:
                message[key] = value
        if markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = markup
        message["edit_date"] = self._now()
        return copy.deepcopy(message)

    @api("editMessageText")
    async def _edit_message_text(self, bot: FakeBot, p: Params) -> Any:
        _, stored = self._editable(bot, p)
        if "text" not in stored.message:
            raise bad_request("there is no text in the message to edit")
        content = self._text_content(p)
        changes = {"text": content["text"], "entities": content.get("entities")}
        return self._apply_edit(stored, changes, self._reply_markup(p))

    @api("editMessageReplyMarkup")
    async def _edit_message_reply_markup(self, bot: FakeBot, p: Params) -> Any:
        _, stored = self._editable(bot, p)
        return self._apply_edit(stored, {}, self._reply_markup(p))

    def _delete(self, bot: FakeBot, chat: Chat, message_id: int) -> None:
        stored = chat.messages.get(message_id)
        if stored is None or stored.deleted:
            raise bad_request("message to delete not found")
        if "forum_topic_created" in stored.message:
            raise bad_request("message can't be deleted")
        if chat.type != "private" and stored.sender_id != bot.id:
            self._require_right(bot, chat, "can_delete_messages", "message can't be deleted")
        stored.deleted = True
        chat.deleted_ids.append(message_id)
        if message_id in chat.pinned:
            chat.pinned.remove(message_id)

    @api("deleteMessage")
    async def _delete_message(self, bot: FakeBot, p: Params) -> Any:
        chat = self._chat_for(bot, p.get("chat_id"))
        self._delete(bot, chat, p.integer("message_id", missing="message identifier is not specified") or 0)
        return True

    # --- callbacks

    @api("answerCallbackQuery")
    async def _answer_callback_query(self, bot: FakeBot, p: Params) -> Any:
        query_id = p.text("callback_query_id") or ""
        pending = self._callbacks.get(query_id)
        if pending is None or pending["answered"] or pending["bot_id"] != bot.id:
            raise bad_request("query is too old and response timeout expired or query ID is invalid")
        pending["answered"] = True
        self._answered.append(
            {
                "callback_query_id": query_id,
                "bot_id": bot.id,
                "data": pending["data"],
                "text": p.text("text"),
                "show_alert": p.flag("show_alert"),
                "url": p.text("url"),
                "cache_time": p.integer("cache_time"),
            }
        )
        return True

    # --- inline mode

    @api("answerInlineQuery")
    async def _answer_inline_query(self, bot: FakeBot, p: Params) -> Any:
        query_id = p.text("inline_query_id") or ""
        pending = self._inline_queries.get(query_id)
        if pending is None or pending["answered"] or pending["bot_id"] != bot.id:
            raise bad_request("query is too old and response timeout expired or query ID is invalid")
        results = p.json("results")
        if not isinstance(results, list):
            raise bad_request("can't parse results JSON object")
        if len(results) > INLINE_RESULTS_LIMIT:
            raise bad_request("RESULTS_TOO_MUCH")
        seen: set[str] = set()
        for result in results:
            result_id = str(result.get("id") or "") if isinstance(result, dict) else ""
            if not 1 <= len(result_id.encode()) <= 64:
                raise bad_request("RESULT_ID_INVALID")
            if result_id in seen:
                raise bad_request("RESULT_ID_DUPLICATE")
            seen.add(result_id)
            if result.get("type") != "article":  # the only type the fake knows
                raise bad_request("RESULT_TYPE_INVALID")
            if not str(result.get("title") or "").strip():
                raise bad_request("RESULT_TITLE_EMPTY")
            content = result.get("input_message_content")
            if not isinstance(content, dict) or not str(content.get("message_text") or "").strip():
                raise bad_request("MESSAGE_EMPTY")
            if len(str(content["message_text"])) > TEXT_LIMIT:
                raise bad_request("MESSAGE_TOO_LONG")
            self._inline_text_content(content)  # a parse_mode error is refused now, as Telegram does
        pending["answered"] = True
        self._inline_answers.append(
            {
                "inline_query_id": query_id,
                "bot_id": bot.id,
                "user_id": pending["user_id"],
                "results": copy.deepcopy(results),
                "cache_time": p.integer("cache_time"),
                "is_personal": p.flag("is_personal"),
                "next_offset": p.text("next_offset"),
                "button": p.json("button"),
            }
        )
        return True

    def _inline_text_content(self, content: dict[str, Any]) -> dict[str, Any]:
        """An InputTextMessageContent as the message text it becomes (parse_mode and entities applied)."""
        raw = {"text": str(content.get("message_text") or "")}
        if content.get("parse_mode"):
            raw["parse_mode"] = str(content["parse_mode"])
        params = Params(raw)
        if isinstance(content.get("entities"), list):
            params.values["entities"] = content["entities"]
        return self._text_content(params)

    # --- forum topics

    @api("createForumTopic")
    async def _create_forum_topic(self, bot: FakeBot, p: Params) -> Any:
        chat = self._forum(bot, p)
        self._require_right(bot, chat, "can_manage_topics", "not enough rights to create a topic")
        name = " ".join((p.text("name") or "").split())[:TOPIC_NAME_LIMIT]
        if not name:
            raise bad_request("title must be non-empty")
        color = p.integer("icon_color")
        if color is not None and not 0 <= color <= 0xFFFFFF:
            raise bad_request("invalid icon color specified")
        topic = self._add_topic(chat, bot.user_json(), name, color, p.text("icon_custom_emoji_id") or None)
        return topic.json()

    def _add_topic(
        self, chat: Chat, creator: dict[str, Any], name: str, color: int | None, emoji_id: str | None
    ) -> Topic:
        color = color if color is not None else TOPIC_COLORS[len(chat.topics) % len(TOPIC_COLORS)]
        topic = Topic(chat.next_message_id, name, color, emoji_id, creator["id"])
        chat.topics[topic.id] = topic
        created = {"name": name, "icon_color": color} | (
            {"icon_custom_emoji_id": emoji_id} if emoji_id else {}
        )
        self._service(chat, creator, {"forum_topic_created": created}, topic=topic)
        return topic

    @api("reopenForumTopic")
    async def _reopen_forum_topic(self, bot: FakeBot, p: Params) -> Any:
        chat = self._forum(bot, p)
        topic = self._topic(chat, p)
        self._manage_topic(bot, chat, topic, "not enough rights to close or open the topic")
        if not topic.closed:
            raise bad_request("TOPIC_NOT_MODIFIED")
        topic.closed = False
        self._service(chat, bot.user_json(), {"forum_topic_reopened": {}}, topic=topic)
        return True

    @api("closeForumTopic")
    async def _close_forum_topic(self, bot: FakeBot, p: Params) -> Any:
        chat = self._forum(bot, p)
        topic = self._topic(chat, p)
        self._manage_topic(bot, chat, topic, "not enough rights to close or open the topic")
        if topic.closed:
            raise bad_request("TOPIC_NOT_MODIFIED")
        topic.closed = True
        self._service(chat, bot.user_json(), {"forum_topic_closed": {}}, topic=topic)
        return True

    @api("editForumTopic")
    async def _edit_forum_topic(self, bot: FakeBot, p: Params) -> Any:
        """Name (empty or absent keeps it) and icon ("" removes it; absent keeps it); a closed topic can be
        edited. The error text for missing rights follows the close/reopen one (?)."""
        chat = self._forum(bot, p)
        topic = self._topic(chat, p)
        self._manage_topic(bot, chat, topic, "not enough rights to edit the topic")
        name = " ".join((p.text("name") or "").split())
        if len(name) > TOPIC_NAME_LIMIT:
            raise bad_request("TOPIC_TITLE_TOO_LONG")
        icon = p.text("icon_custom_emoji_id")
        edited: dict[str, Any] = {}
        if name and name != topic.name:
            topic.name = edited["name"] = name
        if icon is not None and icon != (topic.icon_custom_emoji_id or ""):
            topic.icon_custom_emoji_id = icon or None
            topic.icon_changes.append(icon)
            edited["icon_custom_emoji_id"] = icon
        if not edited:
            raise bad_request("TOPIC_NOT_MODIFIED")
        self._service(chat, bot.user_json(), {"forum_topic_edited": edited}, topic=topic)
        return True

    @api("getForumTopicIconStickers")
    async def _get_forum_topic_icon_stickers(self, bot: FakeBot, p: Params) -> Any:
        return [
            {
                "file_id": f"CAACAgIAAxUAAWTopicIcon{emoji_id}",
                "file_unique_id": f"AgAD{emoji_id[-8:]}",
                "type": "custom_emoji",
                "width": 512,
                "height": 512,
                "is_animated": True,
                "is_video": False,
                "emoji": emoji,
                "set_name": "Topics",
                "custom_emoji_id": emoji_id,
            }
            for emoji_id, emoji in FORUM_ICONS
        ]

    def _drop_topic(self, chat: Chat, topic: Topic) -> None:
        topic.deleted = True
        for stored in chat.messages.values():
            if stored.thread_id == topic.id:
                stored.deleted = True
        chat.pinned = [m for m in chat.pinned if chat.messages[m].thread_id != topic.id]

    # --- pins and reactions

    @api("pinChatMessage")
    async def _pin_chat_message(self, bot: FakeBot, p: Params) -> Any:
        chat = self._chat_for(bot, p.get("chat_id"))
        self._require_right(
            bot, chat, "can_pin_messages", "not enough rights to manage pinned messages in the chat"
        )
        message_id = p.integer("message_id", missing="message identifier is not specified") or 0
        stored = chat.messages.get(message_id)
        if stored is None or stored.deleted:
            raise bad_request("message to pin not found")
        if message_id in chat.pinned:
            chat.pinned.remove(message_id)
        chat.pinned.append(message_id)
        topic = chat.topics.get(stored.thread_id) if stored.thread_id else None
        self._service(chat, bot.user_json(), {"pinned_message": strip_reply(stored.message)}, topic=topic)
        return True

    @api("setMessageReaction")
    async def _set_message_reaction(self, bot: FakeBot, p: Params) -> Any:
        chat = self._chat_for(bot, p.get("chat_id"), write=False)
        message_id = p.integer("message_id", missing="message identifier is not specified") or 0
        stored = chat.messages.get(message_id)
        if stored is None or stored.deleted:
            raise bad_request("message to react not found")
        reaction = p.json("reaction") or []
        if not isinstance(reaction, list):
            raise bad_request("expected an Array of ReactionType")
        if len(reaction) > 1:
            raise bad_request("REACTIONS_TOO_MANY")
        for item in reaction:
            kind = item.get("type") if isinstance(item, dict) else None
            if kind not in ("emoji", "custom_emoji", "paid"):
                raise bad_request("invalid reaction type specified")
            emoji = item.get("emoji")
            allowed = chat.available_reactions
            if (
                kind != "emoji"
                or emoji not in ALLOWED_REACTIONS
                or (allowed is not None and emoji not in allowed)
            ):
                raise bad_request("REACTION_INVALID")
        by_bot = chat.reactions.setdefault(message_id, {})
        if reaction:
            by_bot[bot.id] = reaction
        else:
            by_bot.pop(bot.id, None)
        return True

    # --- chats and members

    @api("getChat")
    async def _get_chat(self, bot: FakeBot, p: Params) -> Any:
        chat = self._chat_for(bot, p.get("chat_id"), write=False)
        info = chat.json() | {
            "accent_color_id": abs(chat.id) % 7,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }
        if chat.available_reactions is not None:
            info["available_reactions"] = [{"type": "emoji", "emoji": e} for e in chat.available_reactions]
        if chat.type != "private":
            info["permissions"] = {
                "can_send_messages": True,
                "can_pin_messages": False,
                "can_manage_topics": False,
            }
        return info

    @api("getChatMember")
    async def _get_chat_member(self, bot: FakeBot, p: Params) -> Any:
        chat = self._chat_for(bot, p.get("chat_id"), write=False)
        user_id = p.integer("user_id", missing="invalid user_id specified") or 0
        if chat.type == "private":
            if user_id not in (chat.id, bot.id):
                raise bad_request("user not found")
            return Member(user_json(self._user(user_id)), "member").json()
        member = chat.member(user_id)
        if member is None:
            try:
                return Member(user_json(self._user(user_id)), "left").json()
            except ValueError:
                raise bad_request("user not found") from None
        return member.json()

    # --- files

    @api("getFile")
    async def _get_file(self, bot: FakeBot, p: Params) -> Any:
        file_id = p.text("file_id")
        if not file_id:
            raise bad_request("file_id not specified")
        stored = self._files.get(file_id)
        if stored is None:
            raise bad_request("wrong file_id or the file is temporarily unavailable")
        if stored.data is not None and len(stored.data) > DOWNLOAD_LIMIT:
            raise bad_request("file is too big")
        return stored.file_json()

    # --- bot settings
