"""Binding the owner's forum group: my_chat_member, /bind, "choose forum group", migration, re-check."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from tests.bot.conftest import Cabinet, Person
from tests.fakes.telegram import FakeBot
from tuberry.app import binding
from tuberry.bot.client.membership import REQUEST_FORUM
from tuberry.storage.models import AuditEntry, ClientBot


@dataclass
class Shop:
    cab: Cabinet
    owner: Person
    bot: FakeBot
    row_id: int

    def answers(self, chat_id: int) -> list[str]:
        return [m.get("text", "") for m in self.cab.tg.sent(chat_id, bot=self.bot)]

    async def next_answer(self, chat_id: int, seen: int) -> str:
        """Wait for the bot's next message in a chat after `seen` earlier ones."""
        await self.cab.until(lambda: len(self.answers(chat_id)) > seen, f"an answer in {chat_id}")
        return self.answers(chat_id)[seen]

    async def row(self) -> ClientBot:
        async with self.cab.db.session() as session:
            row = await session.get(ClientBot, self.row_id)
            assert row is not None
            return row

    async def open_card(self) -> str:
        await self.owner.send("/start")
        await self.owner.press(self.owner.says("Боты", "Bots"))
        await self.owner.press(f"@{self.bot.username}")
        return self.owner.text()


async def connect_shop(cabinet: Cabinet, language: str = "ru") -> Shop:
    owner = cabinet.user("Ольга" if language == "ru" else "Olga", language)
    bot = cabinet.tg.add_bot(username=f"shop_{owner.id}_bot")
    await owner.send("/start")
    await owner.press(owner.says("Боты", "Bots"))
    await owner.press(owner.says("Подключить бота", "Connect a bot"))
    await owner.send(bot.token)
    async with cabinet.db.session() as session:
        row = await session.scalar(select(ClientBot).where(ClientBot.telegram_bot_id == bot.id))
    assert row is not None
    await cabinet.until(lambda: row.id in cabinet.receivers.running, "the bot receiving")
    return Shop(cabinet, owner, bot, row.id)


@pytest.fixture
async def shop(cabinet: Cabinet) -> Shop:
    return await connect_shop(cabinet)


async def test_owner_adds_the_bot_to_a_forum_as_admin(shop: Shop) -> None:
    tg = shop.cab.tg
    group = tg.create_group("Продажи", is_forum=True, owner=shop.owner.user)
    tg.add_bot_to_group(shop.bot, group, by_user=shop.owner.user, admin=True)

    answer = await shop.next_answer(group, 0)
    assert "Группа «Продажи» подключена к @" in answer
    assert "права" not in answer  # nothing missing
    row = await shop.row()
    assert (row.group_chat_id, row.group_title, row.missing_rights) == (group, "Продажи", [])

    card = await shop.open_card()
    assert "Группа: <b>" not in card and "Группа: Продажи" in card
    assert str(group) in card
    assert "Стоит исправить" not in card
    async with shop.cab.db.session() as session:
        assert "group.bind" in list(await session.scalars(select(AuditEntry.action)))


async def test_without_manage_topics_the_owner_is_told_then_promotion_binds(shop: Shop) -> None:
    tg = shop.cab.tg
    group = tg.create_group("Продажи", is_forum=True, owner=shop.owner.user)
    tg.add_bot_to_group(shop.bot, group, by_user=shop.owner.user, rights={"can_manage_topics": False})
    answer = await shop.next_answer(group, 0)
    assert "не хватает права «Управление темами»" in answer
    assert (await shop.row()).group_chat_id is None

    tg.set_bot_rights(shop.bot, group, {"can_manage_topics": True}, by_user=shop.owner.user)
    assert "подключена" in await shop.next_answer(group, 1)
    assert (await shop.row()).group_chat_id == group


async def test_nice_to_have_rights_are_reported_but_do_not_block(shop: Shop) -> None:
    tg = shop.cab.tg
    group = tg.create_group("Продажи", is_forum=True, owner=shop.owner.user)
    tg.add_bot_to_group(shop.bot, group, by_user=shop.owner.user, rights={"can_pin_messages": False})
    answer = await shop.next_answer(group, 0)
    assert "подключена" in answer and "«Закрепление сообщений»" in answer
    assert (await shop.row()).missing_rights == ["pin_messages"]
    assert "Стоит исправить: «Закрепление сообщений»" in await shop.open_card()


async def test_a_group_without_topics_is_refused_until_topics_are_on(shop: Shop) -> None:
    tg = shop.cab.tg
    group = tg.create_group("Болталка", is_forum=False, owner=shop.owner.user)
    tg.add_bot_to_group(shop.bot, group, by_user=shop.owner.user)
    assert "не включены темы" in await shop.next_answer(group, 0)
    assert (await shop.row()).group_chat_id is None

    tg.set_forum(group, True)
    tg.user_sends(shop.bot, group, shop.owner.user, "/bind")
    assert "подключена" in await shop.next_answer(group, 1)
    assert (await shop.row()).group_chat_id == group


async def test_someone_else_adding_the_bot_does_not_bind(shop: Shop) -> None:
    tg = shop.cab.tg
    stranger = tg.add_user("Чужой")
    group = tg.create_group("Чужая группа", is_forum=True, owner=stranger)
    tg.add_bot_to_group(shop.bot, group, by_user=stranger)
    assert "только владелец" in await shop.next_answer(group, 0)
    tg.user_sends(shop.bot, group, stranger, "/bind")
    assert "только владелец" in await shop.next_answer(group, 1)
    assert (await shop.row()).group_chat_id is None


async def test_basic_group_that_switches_topics_on_migrates_and_binds(shop: Shop) -> None:
    tg = shop.cab.tg
    old = tg.create_group("Старая", is_forum=False, owner=shop.owner.user, supergroup=False)
    tg.add_bot_to_group(shop.bot, old, by_user=shop.owner.user)
    assert "не включены темы" in await shop.next_answer(old, 0)

    new = tg.migrate_group(old, is_forum=True)
    answer = await shop.next_answer(new, 0)
    assert "подключена" in answer
    assert (await shop.row()).group_chat_id == new


async def test_a_bound_group_id_follows_the_migration_message(shop: Shop) -> None:
    tg = shop.cab.tg
    old = tg.create_group("Старая", is_forum=False, owner=shop.owner.user, supergroup=False)
    tg.add_bot_to_group(shop.bot, old, by_user=shop.owner.user)
    await shop.next_answer(old, 0)
    async with shop.cab.db.session() as session:
        row = await session.get(ClientBot, shop.row_id)
        assert row is not None
        row.group_chat_id = old  # as if it had been bound before the upgrade
        await session.commit()
    new = tg.migrate_group(old, is_forum=False)
    assert "не включены темы" in await shop.next_answer(new, 0)
    row = await shop.row()
    assert row.group_chat_id == new and row.missing_rights == ["forum"]


async def test_a_stored_group_id_follows_the_migration_error(shop: Shop) -> None:
    """A call with the old id answers "upgraded to a supergroup": the stored id moves to the new one."""
    tg = shop.cab.tg
    new = tg.create_group("Продажи", is_forum=True, owner=shop.owner.user)
    tg.add_bot_to_group(shop.bot, new, by_user=shop.owner.user)
    await shop.next_answer(new, 0)
    old = -4_000_000_999
    async with shop.cab.db.session() as session:
        row = await session.get(ClientBot, shop.row_id)
        assert row is not None
        row.group_chat_id = old  # as if it had been bound before the upgrade
        await session.commit()
    tg.fail_next(
        "getChat",
        400,
        "Bad Request: group chat was upgraded to a supergroup chat",
        parameters={"migrate_to_chat_id": new},
    )
    result = await binding.bind_group(shop.cab.services, shop.row_id, old, shop.owner.id)
    assert result.ok and result.chat_id == new
    assert (await shop.row()).group_chat_id == new


async def test_choose_forum_group_button_in_the_private_chat(shop: Shop) -> None:
    tg = shop.cab.tg
    tg.user_sends(shop.bot, shop.owner.id, shop.owner.user, "/start")
    await shop.cab.until(lambda: shop.answers(shop.owner.id), "the bot's greeting")
    assert "Нажмите «Выбрать группу с темами»" in shop.answers(shop.owner.id)[-1]
    # A reply keyboard is not part of the stored message: read it from the request.
    _, params = tg.calls("sendMessage", bot=shop.bot)[-1]
    markup = params["reply_markup"]
    markup = json.loads(markup) if isinstance(markup, str) else markup
    [[button]] = markup["keyboard"]
    assert button["text"] == "Выбрать группу с темами"
    request = button["request_chat"]
    assert request["chat_is_forum"] is True and request["chat_is_channel"] is False
    for side in ("bot_administrator_rights", "user_administrator_rights"):
        rights = request[side]
        assert rights["can_manage_topics"] and rights["can_pin_messages"] and rights["can_delete_messages"]
        assert not rights["can_promote_members"]

    group = tg.create_group("Продажи", is_forum=True, owner=shop.owner.user)
    tg.add_bot_to_group(shop.bot, group, by_user=shop.owner.user)  # what the Telegram app does on share
    await shop.next_answer(group, 0)
    tg.user_shares_chat(shop.bot, shop.owner.user, REQUEST_FORUM, group, title="Продажи")
    answer = await shop.next_answer(shop.owner.id, 1)
    assert "подключена" in answer
    assert (await shop.row()).group_chat_id == group


async def test_a_stranger_in_the_private_chat_gets_a_short_answer(shop: Shop) -> None:
    tg = shop.cab.tg
    stranger = tg.add_user("Покупатель")
    tg.user_sends(shop.bot, stranger["id"], stranger, "/start")
    answer = await shop.next_answer(stranger["id"], 0)
    assert "Здесь ничего делать не нужно" in answer


async def test_recheck_unbind_and_losing_the_group_from_the_card(shop: Shop) -> None:
    tg = shop.cab.tg
    group = tg.create_group("Продажи", is_forum=True, owner=shop.owner.user)
    tg.add_bot_to_group(shop.bot, group, by_user=shop.owner.user)
    await shop.next_answer(group, 0)
    await shop.open_card()

    tg.set_forum(group, False)  # no update comes for this: only a re-check notices
    await shop.owner.press("Проверить")
    text = shop.owner.text()
    assert "не включены темы" in text and "включить «Темы» в группе" in text
    tg.set_forum(group, True)
    await shop.owner.press("Проверить")
    assert "подключена" in shop.owner.text()

    await shop.owner.press("Отвязать группу")
    assert "Отвязать группу «Продажи»" in shop.owner.text()
    await shop.owner.press("Отмена")
    assert (await shop.row()).group_chat_id == group
    await shop.owner.press("Отвязать группу")
    await shop.owner.press("Да, отвязать")
    assert "Группа отвязана" in shop.owner.text()
    assert (await shop.row()).group_chat_id is None

    tg.user_sends(shop.bot, group, shop.owner.user, "/bind")
    await shop.next_answer(group, 1)
    tg.remove_bot_from_group(shop.bot, group, by_user=shop.owner.user)
    await shop.cab.until(lambda: _unbound(shop), "the binding to go")


async def _unbound(shop: Shop) -> bool:
    return (await shop.row()).group_chat_id is None


async def test_one_group_serves_one_bot(cabinet: Cabinet) -> None:
    first, second = await connect_shop(cabinet), await connect_shop(cabinet)
    tg = cabinet.tg
    group = tg.create_group("Продажи", is_forum=True, owner=first.owner.user)
    tg.add_bot_to_group(first.bot, group, by_user=first.owner.user)
    await first.next_answer(group, 0)
    tg.add_member(group, second.owner.user, admin=True)
    tg.add_bot_to_group(second.bot, group, by_user=second.owner.user)
    assert "уже подключена к другому боту" in await second.next_answer(group, 0)
    assert (await second.row()).group_chat_id is None


async def test_group_answers_speak_the_owner_language(cabinet: Cabinet) -> None:
    shop = await connect_shop(cabinet, "en")
    tg = cabinet.tg
    group = tg.create_group("Sales", is_forum=True, owner=shop.owner.user)
    tg.add_bot_to_group(shop.bot, group, by_user=shop.owner.user, rights={"can_manage_topics": False})
    assert "I lack the “Manage topics” right" in await shop.next_answer(group, 0)
    # The owner's own choice in the cabinet wins, whoever acts in the group.
    await shop.owner.send("/start")
    await shop.owner.press("Language")
    await shop.owner.press("Русский")
    stranger = tg.add_user("Stranger", "en")
    tg.user_sends(shop.bot, group, stranger, "/bind")
    assert "только владелец" in await shop.next_answer(group, 1)
