"""Tests of the fake Telegram Bot API server, driven through aiogram's real Bot and session.

Every call goes through aiogram's form encoding and response parsing, so a response shape aiogram
cannot parse fails here (ClientDecodeError) before it can mislead a test of Tuberry.
"""

from __future__ import annotations

import asyncio
import io
import json
import struct
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import (
    BufferedInputFile,
    ChatFullInfo,
    ChatMemberAdministrator,
    ChatMemberMember,
    ChatMemberUpdated,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Message,
    ReactionTypeEmoji,
    ReplyParameters,
)
from aiohttp import web

from tests.fakes.telegram import FakeBot, FakeTelegram


def _png(width: int, height: int) -> bytes:
    """A tiny valid PNG header + IDAT, enough for the fake to read the size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    raw = b"".join(b"\x00" + b"\x00\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


@dataclass
class World:
    """A started fake, one bot (admin in a forum group) and its aiogram client."""

    tg: FakeTelegram
    fake_bot: FakeBot
    bot: Bot
    owner: dict[str, Any]
    chat_id: int


class _Session(AiohttpSession):
    """aiogram's session without the 250 ms TLS grace sleep on close (plain HTTP here)."""

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


def _client(tg: FakeTelegram, token: str) -> Bot:
    return Bot(token, session=_Session(api=TelegramAPIServer.from_base(tg.base_url)))


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    fake = FakeTelegram()
    await fake.start()
    yield fake
    await fake.stop()
    assert fake.internal_errors == []


@pytest.fixture
async def world(tg: FakeTelegram) -> AsyncIterator[World]:
    fake_bot = tg.add_bot(username="shop_bot")
    owner = tg.add_user("Olga", username="olga")
    chat_id = tg.create_group("Shop", owner=owner)
    tg.add_bot_to_group(fake_bot, chat_id, owner)
    bot = _client(tg, fake_bot.token)
    # Drop the setup updates (my_chat_member, new_chat_members).
    await bot.get_updates(offset=-1)
    pending = await bot.get_updates()
    if pending:
        await bot.get_updates(offset=pending[-1].update_id + 1)
    yield World(tg, fake_bot, bot, owner, chat_id)
    await bot.session.close()


# ---------------------------------------------------------------------- identity


async def test_get_me_and_wrong_token(tg: FakeTelegram) -> None:
    fake_bot = tg.add_bot(username="tuberry_test_bot")
    assert len(fake_bot.token.split(":")[1]) == 35
    bot = _client(tg, fake_bot.token)
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (fake_bot.id, "tuberry_test_bot", True)
    assert me.can_join_groups is True and me.can_read_all_group_messages is False
    stranger = _client(tg, "123456789:AAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")
    with pytest.raises(TelegramUnauthorizedError):
        await stranger.get_me()
    with pytest.raises(TelegramNotFound, match="method not found"):
        await bot.get_business_connection("unmodelled-method")
    tg.revoke_token(fake_bot)
    with pytest.raises(TelegramUnauthorizedError):
        await bot.get_me()
    await bot.session.close()
    await stranger.session.close()


async def test_raw_http_shapes(tg: FakeTelegram) -> None:
    fake_bot = tg.add_bot()
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{tg.base_url}/bot{fake_bot.token}/noSuchMethod") as resp:
            assert resp.status == 404
            assert await resp.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found: method not found",
            }
        async with http.get(f"{tg.base_url}/bot{fake_bot.token}/GETME") as resp:
            body = await resp.json()
            assert resp.status == 200 and body["ok"] is True and body["result"]["id"] == fake_bot.id
        async with http.get(f"{tg.base_url}/bot1:wrong/getMe") as resp:
            assert resp.status == 401
            assert await resp.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}


async def test_json_body_and_plain_file_part(world: World) -> None:
    tg, token = world.tg, world.fake_bot.token
    async with aiohttp.ClientSession() as http:
        payload = {"chat_id": world.chat_id, "text": "json body", "disable_notification": True}
        async with http.post(f"{tg.base_url}/bot{token}/sendMessage", json=payload) as resp:
            assert resp.status == 200
        form = aiohttp.FormData()
        form.add_field("chat_id", str(world.chat_id))
        form.add_field("document", b"%PDF-1.4 data", filename="invoice.pdf")
        async with http.post(f"{tg.base_url}/bot{token}/sendDocument", data=form) as resp:
            document = (await resp.json())["result"]["document"]
    assert document["file_name"] == "invoice.pdf" and document["mime_type"] == "application/pdf"
    assert tg.file_bytes(document["file_id"]) == b"%PDF-1.4 data"
    assert tg.calls("sendMessage")[-1][1] == payload
    assert tg.calls("sendDocument")[-1][1]["document"] == b"%PDF-1.4 data"


# ---------------------------------------------------------------------- topics


async def test_create_topic_and_send_in_it(world: World) -> None:
    tg, bot = world.tg, world.bot
    topic = await bot.create_forum_topic(world.chat_id, "Ivan · Bike")
    assert topic.icon_color in (7322096, 16766590, 13338331, 9367192, 16749490, 16478047)
    sent = await bot.send_message(world.chat_id, "hello", message_thread_id=topic.message_thread_id)
    assert sent.message_thread_id == topic.message_thread_id and sent.is_topic_message is True
    assert sent.reply_to_message is not None
    assert sent.reply_to_message.message_id == topic.message_thread_id
    assert sent.reply_to_message.forum_topic_created is not None
    assert sent.reply_to_message.forum_topic_created.name == "Ivan · Bike"
    assert sent.chat.is_forum is True and sent.from_user is not None and sent.from_user.is_bot
    general = await bot.send_message(world.chat_id, "general")
    assert general.message_thread_id is None and general.is_topic_message is None
    assert [m["text"] for m in tg.sent(world.chat_id, topic.message_thread_id)] == ["hello"]
    assert [m["text"] for m in tg.sent(world.chat_id, 1)] == ["general"]
    assert tg.topics(world.chat_id)[0]["name"] == "Ivan · Bike"
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_message(world.chat_id, "to general by id", message_thread_id=1)
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_message(world.chat_id, "no such", message_thread_id=sent.message_id)


async def test_deleted_topic_is_thread_not_found(world: World) -> None:
    topic = await world.bot.create_forum_topic(world.chat_id, "Dialog")
    await world.bot.send_message(world.chat_id, "first", message_thread_id=topic.message_thread_id)
    world.tg.delete_topic(world.chat_id, topic.message_thread_id)
    with pytest.raises(TelegramBadRequest) as error:
        await world.bot.send_message(world.chat_id, "again", message_thread_id=topic.message_thread_id)
    assert error.value.message == "Bad Request: message thread not found"
    assert world.tg.sent(world.chat_id, topic.message_thread_id) == []
    assert world.tg.topics(world.chat_id) == []
    world.tg.deleted_topic_error = "TOPIC_DELETED"
    with pytest.raises(TelegramBadRequest, match="TOPIC_DELETED"):
        await world.bot.send_message(world.chat_id, "again", message_thread_id=topic.message_thread_id)


async def test_closed_topic_and_reopen(world: World) -> None:
    topic = await world.bot.create_forum_topic(world.chat_id, "Dialog")
    world.tg.close_topic(world.chat_id, topic.message_thread_id)
    with pytest.raises(TelegramBadRequest) as error:
        await world.bot.send_message(world.chat_id, "hi", message_thread_id=topic.message_thread_id)
    assert error.value.message == "Bad Request: TOPIC_CLOSED"
    assert await world.bot.reopen_forum_topic(world.chat_id, topic.message_thread_id) is True
    with pytest.raises(TelegramBadRequest, match="TOPIC_NOT_MODIFIED"):
        await world.bot.reopen_forum_topic(world.chat_id, topic.message_thread_id)
    await world.bot.send_message(world.chat_id, "hi", message_thread_id=topic.message_thread_id)
    world.tg.close_topic(world.chat_id, topic.message_thread_id)
    assert world.tg.topics(world.chat_id)[0]["closed"] is True
    world.tg.delete_topic(world.chat_id, topic.message_thread_id)
    with pytest.raises(TelegramBadRequest, match="TOPIC_ID_INVALID"):
        await world.bot.reopen_forum_topic(world.chat_id, topic.message_thread_id)


async def test_topic_rights_and_non_forum(world: World) -> None:
    tg = world.tg
    plain = tg.create_group("Plain", is_forum=False, owner=world.owner)
    tg.add_bot_to_group(world.fake_bot, plain, world.owner)
    with pytest.raises(TelegramBadRequest, match="the chat is not a forum"):
        await world.bot.create_forum_topic(plain, "x")
    weak = tg.create_group("Weak", owner=world.owner)
    tg.add_bot_to_group(
        world.fake_bot, weak, world.owner, rights={"can_manage_topics": False, "can_pin_messages": False}
    )
    with pytest.raises(TelegramBadRequest) as error:
        await world.bot.create_forum_topic(weak, "x")
    assert error.value.message == "Bad Request: not enough rights to create a topic"
    message = await world.bot.send_message(weak, "card")
    with pytest.raises(TelegramBadRequest) as error:
        await world.bot.pin_chat_message(weak, message.message_id)
    assert error.value.message == "Bad Request: not enough rights to manage pinned messages in the chat"
    # In a plain supergroup the thread id is ignored, as by the real server.
    assert (await world.bot.send_message(plain, "x", message_thread_id=777)).message_thread_id is None


# ---------------------------------------------------------------------- sending and errors


async def test_send_errors(world: World) -> None:
    bot, chat_id = world.bot, world.chat_id
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(chat_id, "x" * 4097)
    await bot.send_message(chat_id, "x" * 4096)
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(chat_id, "   ")
    photo = BufferedInputFile(_png(2, 2), "p.png")
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.send_photo(chat_id, photo, caption="c" * 1025)
    with pytest.raises(TelegramBadRequest) as error:
        await bot.send_message(-1009999999999, "x")
    assert error.value.message == "Bad Request: chat not found"
    other = world.tg.create_group("Other", owner=world.owner)
    with pytest.raises(TelegramForbiddenError) as forbidden:
        await bot.send_message(other, "x")
    assert forbidden.value.message == "Forbidden: bot is not a member of the supergroup chat"
    stranger = world.tg.add_user("Stranger")
    with pytest.raises(TelegramForbiddenError, match="bot can't initiate conversation with a user"):
        await bot.send_message(stranger["id"], "x")
    with pytest.raises(TelegramBadRequest, match="message to be replied not found"):
        await bot.send_message(chat_id, "x", reply_parameters=ReplyParameters(message_id=424242))
    with pytest.raises(TelegramBadRequest, match="can't parse entities: Unsupported start tag"):
        await bot.send_message(chat_id, "price < 5 <x>", parse_mode=ParseMode.HTML)
    with pytest.raises(TelegramBadRequest, match=r"Character '\.' is reserved"):
        await bot.send_message(chat_id, "end.", parse_mode=ParseMode.MARKDOWN_V2)


async def test_html_entities_and_reply_markup(world: World) -> None:
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Open", callback_data="open:1")]]
    )
    message = await world.bot.send_message(
        world.chat_id,
        "<b>Bike</b> — 5 000 ₽ &lt;new&gt; 🚲 <a href='https://avito.ru/1'>link</a>",
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard,
    )
    assert message.text == "Bike — 5 000 ₽ <new> 🚲 link"
    assert [(e.type, e.offset, e.length) for e in message.entities or []] == [
        ("bold", 0, 4),
        ("text_link", 24, 4),  # UTF-16 offsets: 🚲 counts as 2
    ]
    assert message.reply_markup is not None
    assert message.reply_markup.model_dump() == keyboard.model_dump()
    bad = {"inline_keyboard": [[{"text": "x", "callback_data": "y" * 65}]]}
    async with aiohttp.ClientSession() as http:
        url = f"{world.tg.base_url}/bot{world.fake_bot.token}/sendMessage"
        payload = {"chat_id": world.chat_id, "text": "t", "reply_markup": json.dumps(bad)}
        async with http.post(url, data=payload) as resp:
            assert (
                resp.status == 400
                and (await resp.json())["description"] == "Bad Request: BUTTON_DATA_INVALID"
            )


async def test_edit_and_delete(world: World) -> None:
    bot, chat_id = world.bot, world.chat_id
    message = await bot.send_message(chat_id, "v1")
    edited = await bot.edit_message_text(text="v2", chat_id=chat_id, message_id=message.message_id)
    assert isinstance(edited, Message) and edited.text == "v2" and edited.edit_date is not None
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(text="v2", chat_id=chat_id, message_id=message.message_id)
    with pytest.raises(TelegramBadRequest) as error:
        await bot.edit_message_text(text="x", chat_id=chat_id, message_id=99999)
    assert error.value.message == "Bad Request: message to edit not found"
    assert await bot.delete_message(chat_id, message.message_id) is True
    with pytest.raises(TelegramBadRequest) as error:
        await bot.delete_message(chat_id, message.message_id)
    assert error.value.message == "Bad Request: message to delete not found"
    assert world.tg.deleted_messages(chat_id) == [message.message_id]
    assert world.tg.sent(chat_id) == []


async def test_send_photo_roundtrip(world: World) -> None:
    data = _png(1600, 1200)
    message = await world.bot.send_photo(world.chat_id, BufferedInputFile(data, "photo.png"), caption="Look")
    assert message.photo is not None and len(message.photo) >= 3
    largest = message.photo[-1]
    assert (largest.width, largest.height) == (1600, 1200)
    assert [p.width for p in message.photo] == sorted(p.width for p in message.photo)
    file = await world.bot.get_file(largest.file_id)
    assert file.file_path is not None and file.file_size == len(data)
    downloaded = await world.bot.download(largest.file_id)
    assert isinstance(downloaded, io.BytesIO) and downloaded.getvalue() == data
    assert world.tg.file_bytes(largest.file_id) == data
    assert world.tg.sent(world.chat_id)[0]["caption"] == "Look"
    again = await world.bot.send_photo(world.chat_id, largest.file_id)
    assert again.photo is not None and again.photo[-1].file_id == largest.file_id
    by_url = await world.bot.send_photo(world.chat_id, "https://img.avito.st/1.jpg")
    assert by_url.photo is not None
    assert world.tg.file_info(by_url.photo[-1].file_id)["url"] == "https://img.avito.st/1.jpg"
    with pytest.raises(TelegramBadRequest, match="wrong file identifier/HTTP URL specified"):
        await world.bot.send_photo(world.chat_id, "nonexistent-file-id")


async def test_voice_document_and_chat_action(world: World) -> None:
    bot, chat_id = world.bot, world.chat_id
    voice = await bot.send_voice(chat_id, BufferedInputFile(b"OggS\x00voice", "v.ogg"), duration=3)
    assert voice.voice is not None and voice.voice.mime_type == "audio/ogg" and voice.voice.duration == 3
    document = await bot.send_document(chat_id, BufferedInputFile(b"hello", "notes.txt"), caption="doc")
    assert document.document is not None and document.document.file_name == "notes.txt"
    assert world.tg.message(chat_id, document.message_id)["caption"] == "doc"
    await bot.send_chat_action(chat_id, "typing")
    assert [name for name, _ in world.tg.calls()][-1] == "sendChatAction"


async def test_reactions_and_pins(world: World) -> None:
    bot, chat_id = world.bot, world.chat_id
    topic = await bot.create_forum_topic(world.chat_id, "Dialog")
    user_message = world.tg.user_sends(None, chat_id, world.owner, "hi", thread_id=topic.message_thread_id)
    assert await bot.set_message_reaction(
        chat_id, user_message["message_id"], [ReactionTypeEmoji(emoji="👍")]
    )
    assert world.tg.reactions(chat_id, user_message["message_id"]) == ["👍"]
    with pytest.raises(TelegramBadRequest) as error:
        await bot.set_message_reaction(chat_id, user_message["message_id"], [ReactionTypeEmoji(emoji="✅")])
    assert error.value.message == "Bad Request: REACTION_INVALID"
    await bot.set_message_reaction(chat_id, user_message["message_id"], [])
    assert world.tg.reactions(chat_id, user_message["message_id"]) == []
    card = await bot.send_message(chat_id, "card", message_thread_id=topic.message_thread_id)
    assert await bot.pin_chat_message(chat_id, card.message_id, disable_notification=True)
    assert world.tg.pinned(chat_id) == [card.message_id]


async def test_chat_info_and_members(world: World) -> None:
    bot, chat_id = world.bot, world.chat_id
    chat = await bot.get_chat(chat_id)
    assert isinstance(chat, ChatFullInfo)
    assert (chat.type, chat.title, chat.is_forum, chat.max_reaction_count) == ("supergroup", "Shop", True, 11)
    me = await bot.get_chat_member(chat_id, world.fake_bot.id)
    assert isinstance(me, ChatMemberAdministrator) and me.can_manage_topics is True
    manager = world.tg.add_user("Max")
    world.tg.add_member(chat_id, manager)
    assert isinstance(await bot.get_chat_member(chat_id, manager["id"]), ChatMemberMember)
    assert (await bot.get_chat_member(chat_id, world.tg.add_user("Nobody")["id"])).status == "left"


async def test_migrated_group(tg: FakeTelegram) -> None:
    fake_bot = tg.add_bot()
    owner = tg.add_user("Olga")
    group = tg.create_group("Old", owner=owner, supergroup=False)
    tg.add_bot_to_group(fake_bot, group, owner)
    new_id = tg.migrate_group(group)
    bot = _client(tg, fake_bot.token)
    with pytest.raises(TelegramMigrateToChat) as error:
        await bot.send_message(group, "x")
    assert error.value.migrate_to_chat_id == new_id and str(new_id).startswith("-100")
    assert (await bot.get_chat(new_id)).is_forum is True
    updates = await bot.get_updates()
    assert [u.message.migrate_to_chat_id for u in updates if u.message and u.message.migrate_to_chat_id] == [
        new_id
    ]
    await bot.session.close()


# ---------------------------------------------------------------------- updates


async def test_long_poll_delivers_user_message(world: World) -> None:
    topic = await world.bot.create_forum_topic(world.chat_id, "Dialog")
    created = await world.bot.get_updates()  # the bot sees its own topic's service message
    assert created[-1].message is not None and created[-1].message.forum_topic_created is not None
    offset = created[-1].update_id + 1
    manager = world.tg.add_user("Max", language_code="en")
    poll = asyncio.create_task(world.bot.get_updates(offset=offset, timeout=5))
    await asyncio.sleep(0.05)
    assert not poll.done()
    world.tg.user_sends(None, world.chat_id, manager, "answer", thread_id=topic.message_thread_id)
    updates = await asyncio.wait_for(poll, 2)
    assert len(updates) == 1 and updates[0].update_id == offset
    message = updates[0].message
    assert isinstance(message, Message)
    assert message.text == "answer" and message.message_thread_id == topic.message_thread_id
    assert message.is_topic_message is True and message.chat.is_forum is True
    assert message.from_user is not None and message.from_user.id == manager["id"]
    assert message.reply_to_message is not None and message.reply_to_message.forum_topic_created is not None
    # An offset confirms; a short poll with nothing pending returns at once.
    assert await world.bot.get_updates(offset=offset + 1, timeout=0) == []
    assert world.tg.pending_updates(world.fake_bot) == []


async def test_private_chat_command_and_privacy(tg: FakeTelegram) -> None:
    fake_bot = tg.add_bot(username="client_bot")
    quiet = tg.add_bot(username="quiet_bot")  # privacy mode, plain member
    owner = tg.add_user("Olga")
    bot = _client(tg, fake_bot.token)
    sent = tg.user_sends(fake_bot, owner["id"], owner, "/start abc")
    assert sent["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    [update] = await bot.get_updates()
    assert update.message is not None and update.message.chat.type == "private"
    reply = await bot.send_message(
        owner["id"], "welcome", reply_parameters=ReplyParameters(message_id=sent["message_id"])
    )
    assert reply.reply_to_message is not None and reply.reply_to_message.text == "/start abc"
    assert [m["text"] for m in tg.sent(owner["id"])] == ["welcome"]
    chat_id = tg.create_group("Shop", owner=owner)
    tg.add_bot_to_group(quiet, chat_id, owner, admin=False)
    tg.user_sends(None, chat_id, owner, "plain text")
    tg.user_sends(None, chat_id, owner, "/getid@quiet_bot")
    texts = [u["message"].get("text") for u in tg.pending_updates(quiet) if "message" in u]
    assert texts == [None, "/getid@quiet_bot"]  # new_chat_members service message, then the command
    await bot.session.close()


async def test_callback_query(world: World) -> None:
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Yes", callback_data="confirm:7")]]
    )
    message = await world.bot.send_message(world.chat_id, "Sure?", reply_markup=keyboard)
    query_id = world.tg.user_presses(
        world.fake_bot, world.chat_id, world.owner, message.message_id, "confirm:7"
    )
    [update] = await world.bot.get_updates(timeout=1)
    query = update.callback_query
    assert query is not None and query.id == query_id and query.data == "confirm:7"
    assert isinstance(query.message, Message) and query.message.message_id == message.message_id
    assert query.message.reply_markup is not None
    assert query.message.reply_markup.model_dump() == keyboard.model_dump()
    assert await world.bot.answer_callback_query(query_id, text="Done")
    assert world.tg.answered_callbacks[0]["text"] == "Done"
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await world.bot.answer_callback_query(query_id)


async def test_inline_query_answer_and_chosen_result(world: World) -> None:
    tg, fake_bot = world.tg, world.fake_bot
    with pytest.raises(ValueError, match="no inline mode"):
        tg.user_types_inline(fake_bot, world.owner, "hi")
    tg.enable_inline_mode(fake_bot)
    assert (await world.bot.get_me()).supports_inline_queries
    query_id = tg.user_types_inline(fake_bot, world.owner, "addr", chat_type="group")
    [update] = await world.bot.get_updates(timeout=1)
    query = update.inline_query
    assert query is not None and query.id == query_id and query.query == "addr"
    assert query.chat_type == "group" and query.from_user.id == world.owner["id"]
    assert "chat" not in update.model_dump(exclude_none=True)["inline_query"]  # never the chat

    def article(result_id: str, text: str, title: str = "Address") -> InlineQueryResultArticle:
        content = InputTextMessageContent(message_text=text, parse_mode=None)
        return InlineQueryResultArticle(id=result_id, title=title, input_message_content=content)

    with pytest.raises(TelegramBadRequest, match="RESULT_ID_DUPLICATE"):
        await world.bot.answer_inline_query(query_id, [article("1", "a"), article("1", "b")])
    with pytest.raises(TelegramBadRequest, match="RESULTS_TOO_MUCH"):
        await world.bot.answer_inline_query(query_id, [article(str(i), "a") for i in range(51)])
    assert await world.bot.answer_inline_query(
        query_id, [article("7", "Moscow, <Tverskaya> 1")], cache_time=0, is_personal=True
    )
    [answer] = tg.inline_answers(fake_bot)
    assert answer["is_personal"] and answer["cache_time"] == 0 and answer["user_id"] == world.owner["id"]
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await world.bot.answer_inline_query(query_id, [])

    posted = tg.user_chooses_inline_result(fake_bot, world.chat_id, world.owner, query_id, "7")
    assert posted["text"] == "Moscow, <Tverskaya> 1" and posted["via_bot"]["id"] == fake_bot.id
    assert posted["from"]["id"] == world.owner["id"]
    [update] = await world.bot.get_updates(offset=update.update_id + 1, timeout=1)
    assert update.message is not None and update.message.via_bot is not None
    assert update.message.via_bot.id == fake_bot.id


async def test_my_chat_member_updates(tg: FakeTelegram) -> None:
    fake_bot = tg.add_bot()
    owner = tg.add_user("Olga")
    chat_id = tg.create_group("Shop", owner=owner)
    bot = _client(tg, fake_bot.token)
    tg.add_bot_to_group(fake_bot, chat_id, owner, rights={"can_manage_topics": False})
    tg.set_bot_rights(fake_bot, chat_id, {"can_manage_topics": True})
    updates = await bot.get_updates(allowed_updates=["my_chat_member"])
    changes = [u.my_chat_member for u in updates]
    assert len(changes) == 2 and all(isinstance(c, ChatMemberUpdated) for c in changes)
    first, second = changes
    assert first is not None and second is not None
    assert first.old_chat_member.status == "left" and first.from_user.id == owner["id"]
    assert isinstance(first.new_chat_member, ChatMemberAdministrator)
    assert first.new_chat_member.can_manage_topics is False and first.chat.is_forum is True
    assert isinstance(second.new_chat_member, ChatMemberAdministrator)
    assert second.new_chat_member.can_manage_topics is True
    # allowed_updates is remembered: a message is dropped for this bot.
    tg.user_sends(None, chat_id, owner, "hello")
    assert await bot.get_updates(offset=updates[-1].update_id + 1) == []
    tg.remove_bot_from_group(fake_bot, chat_id, owner)
    [removed] = await bot.get_updates()
    assert removed.my_chat_member is not None and removed.my_chat_member.new_chat_member.status == "left"
    await bot.session.close()


async def test_second_poller_conflicts(world: World) -> None:
    first = asyncio.create_task(world.bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    second = asyncio.create_task(world.bot.get_updates(timeout=0))
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates request"):
        await asyncio.wait_for(first, 2)
    assert await second == []


# ---------------------------------------------------------------------- failures


async def test_retry_after_and_injected_failures(world: World) -> None:
    world.tg.rate_limit_group(world.chat_id, 2)
    await world.bot.send_message(world.chat_id, "1")
    await world.bot.send_message(world.chat_id, "2")
    with pytest.raises(TelegramRetryAfter) as error:
        await world.bot.send_message(world.chat_id, "3")
    assert 1 <= error.value.retry_after <= 60
    assert f"Too Many Requests: retry after {error.value.retry_after}" in error.value.message
    world.tg.rate_limit_group(world.chat_id, None)
    world.tg.fail_next("sendMessage", 429, retry_after=7)
    with pytest.raises(TelegramRetryAfter) as error:
        await world.bot.send_message(world.chat_id, "4")
    assert error.value.retry_after == 7
    world.tg.fail_next("*", 502, times=2)
    for _ in range(2):
        with pytest.raises(TelegramServerError):
            await world.bot.get_me()
    assert (await world.bot.send_message(world.chat_id, "5")).text == "5"


async def test_dropped_connections_and_stalled_urls(world: World) -> None:
    world.tg.drop_connection_next("sendMessage")
    with pytest.raises(TelegramNetworkError):
        await world.bot.send_message(world.chat_id, "lost")
    assert (await world.bot.send_message(world.chat_id, "next")).text == "next"
    world.tg.stall_url("https://slow.example/a.jpg")
    with pytest.raises(TelegramNetworkError, match="timeout"):
        await world.bot.send_photo(world.chat_id, "https://slow.example/a.jpg", request_timeout=1)
    uploaded = BufferedInputFile(_png(4, 4), "a.png")
    assert (await world.bot.send_photo(world.chat_id, uploaded)).photo
    assert [m.get("text") for m in world.tg.sent(world.chat_id)] == ["next", None]


async def test_wait_until(world: World) -> None:
    async def later() -> None:
        await asyncio.sleep(0.05)
        world.tg.user_sends(world.fake_bot, world.chat_id, world.owner, "ping")

    task = asyncio.create_task(later())
    assert await world.tg.wait_until(lambda: world.tg.pending_updates(world.fake_bot), timeout=2)
    await task
    with pytest.raises(AssertionError, match="never true"):
        await world.tg.wait_until(lambda: False, timeout=0.05, message="never true")


# ---------------------------------------------------------------------- webhooks


async def test_webhook_delivery_with_secret_and_retry(world: World) -> None:
    received: list[tuple[str | None, dict[str, Any]]] = []
    answers = [500]

    async def handler(request: web.Request) -> web.Response:
        received.append((request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json()))
        return web.Response(
            status=answers.pop(0) if answers else 200, text="{}", content_type="application/json"
        )

    app = web.Application()
    app.router.add_post("/tg/hook", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        url = f"http://127.0.0.1:{port}/tg/hook"
        assert await world.bot.set_webhook(url, secret_token="s3cr3t-_X", allowed_updates=["message"])
        info = world.tg.webhook(world.fake_bot)
        assert info["url"] == url and info["allowed_updates"] == ["message"]
        with pytest.raises(
            TelegramConflictError, match="can't use getUpdates method while webhook is active"
        ):
            await world.bot.get_updates()
        sent = world.tg.user_sends(None, world.chat_id, world.owner, "via webhook")
        await world.tg.wait_until(lambda: world.tg.webhook(world.fake_bot)["delivered"], timeout=3)
        assert [secret for secret, _ in received] == ["s3cr3t-_X", "s3cr3t-_X"]  # 500, then the retry
        assert received[-1][1]["message"]["message_id"] == sent["message_id"]
        assert world.tg.webhook(world.fake_bot)["pending_update_count"] == 0
        assert await world.bot.delete_webhook()
        assert await world.bot.get_updates() == []
    finally:
        await runner.cleanup()
