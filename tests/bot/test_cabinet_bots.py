"""Bots in the cabinet: connecting by token, the card, re-check, unbind and disconnect."""

from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from tests.bot.conftest import Cabinet, Person
from tests.fakes.telegram import FakeBot
from tuberry.storage.models import AuditEntry, BotStatus, ClientBot


async def open_bots(person: Person) -> None:
    await person.menu("Боты", "Bots")


async def connect(person: Person, bot: FakeBot) -> dict:
    return await person.connect_bot(bot)


async def rows(cabinet: Cabinet) -> list[ClientBot]:
    async with cabinet.db.session() as session:
        return list(await session.scalars(select(ClientBot).order_by(ClientBot.id)))


async def test_connecting_a_bot_step_by_step(cabinet: Cabinet, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    anna = cabinet.user("Анна")
    shop_bot = cabinet.tg.add_bot(username="anna_shop_bot")
    await open_bots(anna)
    assert "Пока ни одного бота" in anna.text()
    await anna.press("Подключить бота")
    assert "@BotFather" in anna.text()

    typed = await anna.send("hello, here is my bot")
    assert "не похоже на токен" in anna.text()
    assert typed["message_id"] in cabinet.tg.deleted_messages(anna.id)

    wrong = "7999999999:AA" + "x" * 33  # well-formed, but Telegram does not know it
    typed = await anna.send(wrong)
    assert "Telegram не принял этот токен" in anna.text()
    assert typed["message_id"] in cabinet.tg.deleted_messages(anna.id)

    typed = await anna.send(shop_bot.token)
    assert typed["message_id"] in cabinet.tg.deleted_messages(anna.id)
    assert cabinet.tg.message(anna.id, typed["message_id"]) is None
    card = anna.text()
    assert "Бот @anna_shop_bot подключён" in card
    assert "Группа ещё не подключена" in card
    assert "опрос (long polling)" in card

    [row] = await rows(cabinet)
    assert row.telegram_bot_id == shop_bot.id and row.status == BotStatus.ACTIVE
    assert cabinet.receivers.log == [("start", row.id)]
    assert row.id in cabinet.receivers.running  # the bot receives at once, without a restart

    # One tap to a correctly configured group: startgroup with exactly the rights needed.
    url = anna.button("Добавить в группу")["url"]
    parts = urlsplit(url)
    assert parts.netloc == "t.me" and parts.path == "/anna_shop_bot"
    assert "admin=manage_topics+pin_messages+delete_messages" in parts.query
    assert "startgroup" in parse_qs(parts.query, keep_blank_values=True)
    assert anna.button("Открыть бота")["url"].startswith("https://t.me/anna_shop_bot?start=")

    await anna.press("Назад")
    assert any("@anna_shop_bot" in b["text"] for b in anna.buttons())

    async with cabinet.db.session() as session:
        actions = list(await session.scalars(select(AuditEntry.action)))
    assert "bot.connect" in actions
    # The token never reaches a log line.
    assert all(shop_bot.token not in record.getMessage() for record in caplog.records)
    assert all(wrong not in record.getMessage() for record in caplog.records)


async def test_token_of_another_workspace_is_refused(cabinet: Cabinet) -> None:
    shop_bot = cabinet.tg.add_bot(username="shared_bot")
    anna, boris = cabinet.user("Анна"), cabinet.user("Борис")
    await connect(anna, shop_bot)
    await connect(boris, shop_bot)
    assert "уже подключён в другом кабинете" in boris.text()
    [row] = await rows(cabinet)
    async with cabinet.db.session() as session:
        from tuberry.storage.repos import WorkspaceRepo

        anna_ws = await WorkspaceRepo(session).by_owner(anna.id)
    assert anna_ws is not None and row.workspace_id == anna_ws.id


async def test_the_master_token_is_refused(cabinet: Cabinet) -> None:
    anna = cabinet.user("Анна")
    await connect(anna, cabinet.master)
    assert "токен самого Tuberry" in anna.text()
    assert await rows(cabinet) == []


async def test_disconnect_asks_first_and_stops_receiving(cabinet: Cabinet) -> None:
    john = cabinet.user("John", "en")
    shop_bot = cabinet.tg.add_bot(username="john_shop_bot")
    await connect(john, shop_bot)
    assert "Bot @john_shop_bot is connected" in john.text()
    [row] = await rows(cabinet)

    await john.press("Disconnect bot")
    assert "Disconnect @john_shop_bot from Tuberry?" in john.text()
    await john.press("Cancel")
    assert "Bot @john_shop_bot" in john.text()
    assert (await rows(cabinet))[0].status == BotStatus.ACTIVE

    await john.press("Disconnect bot")
    await john.press("Yes, disconnect")
    assert "Bot @john_shop_bot is disconnected" in john.text()
    assert "No bots yet" in john.text()
    assert (await rows(cabinet))[0].status == BotStatus.REMOVED
    assert cabinet.receivers.log[-1] == ("stop", row.id)
    assert row.id not in cabinet.receivers.running

    # Connecting it again brings it back (the same row).
    await john.press("Connect a bot")
    await john.send(shop_bot.token)
    assert "Bot @john_shop_bot is connected" in john.text()
    assert [r.status for r in await rows(cabinet)] == [BotStatus.ACTIVE]


async def test_card_shows_webhook_mode_when_public(cabinet: Cabinet) -> None:
    cabinet.services.config = type(cabinet.services.config)(public_url="https://tuberry.example")
    john = cabinet.user("John", "en")
    await connect(john, cabinet.tg.add_bot(username="hook_bot"))
    assert "Receiving updates: webhook" in john.text()


async def test_a_token_pasted_on_the_list_connects_too(cabinet: Cabinet) -> None:
    anna = cabinet.user("Анна")
    shop_bot = cabinet.tg.add_bot(username="quick_bot")
    await open_bots(anna)
    typed = await anna.send(shop_bot.token)
    assert typed["message_id"] in cabinet.tg.deleted_messages(anna.id)
    assert "Бот @quick_bot подключён" in anna.text()
