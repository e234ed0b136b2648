"""The fake's forum topic icons, edits and closing (API-NOTES §6.1–6.2), through aiogram's real Bot."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram.exceptions import TelegramBadRequest

from tests.fakes.telegram import FakeTelegram
from tests.fakes.test_fake_telegram import World, _client

FIRE = "5312241539987020022"
CHECK = "5237699328843200968"


@pytest.fixture
async def world() -> AsyncIterator[World]:
    """A started fake and one bot, admin of a forum group (no updates are read here)."""
    async with FakeTelegram() as fake:
        fake_bot = fake.add_bot(username="shop_bot")
        owner = fake.add_user("Olga", username="olga")
        chat_id = fake.create_group("Shop", owner=owner)
        fake.add_bot_to_group(fake_bot, chat_id, owner)
        bot = _client(fake, fake_bot.token)
        yield World(fake, fake_bot, bot, owner, chat_id)
        await bot.session.close()
        assert fake.internal_errors == []


async def test_icon_stickers_are_custom_emoji_of_the_topics_set(world: World) -> None:
    stickers = await world.bot.get_forum_topic_icon_stickers()
    assert stickers and all(s.type == "custom_emoji" and s.custom_emoji_id and s.emoji for s in stickers)
    assert {"🔥": FIRE, "✅": CHECK}.items() <= {s.emoji: s.custom_emoji_id for s in stickers}.items()


async def test_edit_the_icon_of_an_own_topic_and_close_it(world: World) -> None:
    bot, chat_id, tg = world.bot, world.chat_id, world.tg
    topic = await bot.create_forum_topic(chat_id, "Dialog", icon_custom_emoji_id=FIRE)
    thread = topic.message_thread_id
    assert topic.icon_custom_emoji_id == FIRE and tg.topic_icon(chat_id, thread) == FIRE

    assert await bot.edit_forum_topic(chat_id, thread, icon_custom_emoji_id=CHECK) is True
    with pytest.raises(TelegramBadRequest) as error:
        await bot.edit_forum_topic(chat_id, thread, icon_custom_emoji_id=CHECK)
    assert error.value.message == "Bad Request: TOPIC_NOT_MODIFIED"

    assert await bot.close_forum_topic(chat_id, thread) is True
    with pytest.raises(TelegramBadRequest, match="TOPIC_NOT_MODIFIED"):
        await bot.close_forum_topic(chat_id, thread)
    assert tg.topics(chat_id)[0]["closed"] is True
    await bot.edit_forum_topic(chat_id, thread, icon_custom_emoji_id=FIRE)  # a closed topic is edited too
    assert tg.topic_icon(chat_id, thread) == FIRE
    assert tg.icon_changes(chat_id, thread) == [CHECK, FIRE]
    assert tg.topics(chat_id)[0]["name"] == "Dialog"


async def test_editing_someone_elses_topic_needs_the_right(world: World) -> None:
    tg = world.tg
    weak = tg.create_group("Weak", owner=world.owner)
    tg.add_bot_to_group(world.fake_bot, weak, world.owner, rights={"can_manage_topics": False})
    thread = tg.create_topic(weak, "By hand", world.owner)
    with pytest.raises(TelegramBadRequest) as error:
        await world.bot.edit_forum_topic(weak, thread, icon_custom_emoji_id=FIRE)
    assert error.value.message == "Bad Request: not enough rights to edit the topic"
    with pytest.raises(TelegramBadRequest, match="not enough rights to close or open the topic"):
        await world.bot.close_forum_topic(weak, thread)
    assert tg.icon_changes(weak, thread) == []
