"""Avito accounts in the cabinet: adding (with every kind of refusal), linking to a bot, the card,
pause and resume, remove."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text

from tests.bot.conftest import Cabinet, Person
from tests.fakes.avito import FakeAccount
from tuberry.storage.models import AccountStatus, AuditEntry, AvitoAccount


async def add_account(person: Person, client_id: str, secret: str) -> dict:
    await person.menu("Аккаунты Авито", "Avito accounts")
    await person.press(person.says("Добавить аккаунт", "Add an account"))
    await person.send(client_id)
    return await person.send(secret)


async def accounts(cabinet: Cabinet) -> list[AvitoAccount]:
    async with cabinet.db.session() as session:
        return list(await session.scalars(select(AvitoAccount).order_by(AvitoAccount.id)))


async def test_adding_an_account_links_the_only_bot_and_starts_polling(
    cabinet: Cabinet, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    anna = cabinet.user("Анна")
    await anna.connect_bot(cabinet.tg.add_bot(username="anna_shop_bot"))
    shop: FakeAccount = cabinet.avito.add_account(name="Магазин Анны")

    await anna.menu("Аккаунты Авито", "Avito accounts")
    assert "Пока ни одного аккаунта" in anna.text()
    await anna.press("Добавить аккаунт")
    assert "client_id" in anna.text() and "основным аккаунтом компании" in anna.text()
    typed_id = await anna.send(shop.client_id)
    assert f"client_id: <code>{shop.client_id}</code>" not in anna.text()  # rendered, not raw HTML
    assert shop.client_id in anna.text() and "client_secret" in anna.text()
    assert typed_id["message_id"] not in cabinet.tg.deleted_messages(anna.id)  # client_id is no secret

    typed_secret = await anna.send(shop.client_secret)
    assert typed_secret["message_id"] in cabinet.tg.deleted_messages(anna.id)
    card = anna.text()
    assert "Аккаунт «Магазин Анны» добавлен" in card
    assert "Бот: @anna_shop_bot" in card
    assert "Статус: ✅ работает" in card
    assert "Последний успешный опрос: ещё не было" in card

    [row] = await accounts(cabinet)
    assert (row.avito_user_id, row.name, row.status) == (shop.user_id, "Магазин Анны", AccountStatus.ACTIVE)
    assert row.client_secret == shop.client_secret and row.access_token
    assert cabinet.queue.polls == [row.id]  # polling starts within one interval
    async with cabinet.db.session() as session:
        raw = (await session.execute(text("SELECT client_secret FROM avito_accounts"))).scalar_one()
        assert shop.client_secret not in raw  # encrypted at rest
        assert "account.add" in list(await session.scalars(select(AuditEntry.action)))
    assert all(shop.client_secret not in record.getMessage() for record in caplog.records)


async def test_with_several_bots_the_owner_picks_one(cabinet: Cabinet) -> None:
    john = cabinet.user("John", "en")
    await john.connect_bot(cabinet.tg.add_bot(username="first_bot"))
    await john.connect_bot(cabinet.tg.add_bot(username="second_bot"))
    shop = cabinet.avito.add_account(name="John's shop")
    await add_account(john, shop.client_id, shop.client_secret)
    assert "Account “John's shop” is added" in john.text()
    assert "Which bot should relay" in john.text()
    assert cabinet.queue.polls == []
    await john.press("@second_bot")
    assert "Bot: @second_bot" in john.text()
    [row] = await accounts(cabinet)
    assert cabinet.queue.polls == [row.id]

    await john.press("Change bot")
    await john.press("@first_bot")
    assert "Bot: @first_bot" in john.text()


async def test_without_a_bot_the_card_says_so(cabinet: Cabinet) -> None:
    anna = cabinet.user("Анна")
    shop = cabinet.avito.add_account(name="Без бота")
    await add_account(anna, shop.client_id, shop.client_secret)
    assert "Бот не выбран" in anna.text()
    assert cabinet.queue.polls == []
    await anna.press("Сменить бота")
    assert "Сначала подключите бота" in anna.text()


async def test_wrong_secret_gets_a_clear_answer_and_a_retry(cabinet: Cabinet) -> None:
    anna = cabinet.user("Анна")
    shop = cabinet.avito.add_account(name="Магазин")
    typed = await add_account(anna, shop.client_id, "definitely-not-the-secret")
    assert typed["message_id"] in cabinet.tg.deleted_messages(anna.id)
    assert "Авито не принял эту пару client_id и client_secret" in anna.text()
    assert await accounts(cabinet) == []
    await anna.send(shop.client_secret)  # still asked for the secret: a second try works
    assert "добавлен" in anna.text()


async def test_malformed_client_id_is_refused(cabinet: Cabinet) -> None:
    anna = cabinet.user("Анна")
    await anna.menu("Аккаунты Авито", "Avito accounts")
    await anna.press("Добавить аккаунт")
    await anna.send("my id is 42")
    assert "не похоже на client_id" in anna.text()


async def test_no_messenger_tariff_and_payment_required_are_explained(cabinet: Cabinet) -> None:
    john = cabinet.user("John", "en")
    no_tariff = cabinet.avito.add_account(name="No tariff", no_messenger=True)
    await add_account(john, no_tariff.client_id, no_tariff.client_secret)
    text_403 = john.text()
    assert "error 403" in text_403 and "Messenger API" in text_403 and "main account" in text_403

    unpaid = cabinet.avito.add_account(name="Unpaid", payment_required=True)
    await john.press("Change client_id")
    await john.send(unpaid.client_id)
    await john.send(unpaid.client_secret)
    assert "Payment required" in john.text()
    assert await accounts(cabinet) == []


async def test_an_account_of_another_workspace_is_refused(cabinet: Cabinet) -> None:
    shop = cabinet.avito.add_account(name="Общий")
    anna, boris = cabinet.user("Анна"), cabinet.user("Борис")
    await add_account(anna, shop.client_id, shop.client_secret)
    await add_account(boris, shop.client_id, shop.client_secret)
    assert "уже подключён в другом кабинете" in boris.text()
    assert len(await accounts(cabinet)) == 1


async def test_card_pause_resume_and_remove(cabinet: Cabinet) -> None:
    anna = cabinet.user("Анна")
    await anna.connect_bot(cabinet.tg.add_bot(username="anna_bot"))
    shop = cabinet.avito.add_account(name="Магазин")
    await add_account(anna, shop.client_id, shop.client_secret)
    [row] = await accounts(cabinet)

    async with cabinet.db.session() as session:  # what the poller leaves behind
        stored = await session.get(AvitoAccount, row.id)
        assert stored is not None
        stored.last_success_at = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
        stored.last_error, stored.last_error_at = "forbidden", datetime(2025, 3, 1, 9, 31, tzinfo=UTC)
        stored.unread_backlog = 7
        await session.commit()
    await anna.menu("Аккаунты Авито", "Avito accounts")
    await anna.press("Магазин")
    card = anna.text()
    assert "Последний успешный опрос: 01.03.2025 09:30 UTC" in card
    assert "Последняя ошибка (01.03.2025 09:31 UTC): нет доступа к Мессенджеру (403)" in card
    assert "Непрочитанных на Авито: 7" in card
    assert "опрос (long polling)" in card

    await anna.press("Пауза")
    assert "Аккаунт на паузе" in anna.text() and "Статус: ⏸ на паузе" in anna.text()
    assert (await accounts(cabinet))[0].status == AccountStatus.PAUSED
    polls = len(cabinet.queue.polls)
    await anna.press("Возобновить")
    assert "снова работает" in anna.text()
    assert (await accounts(cabinet))[0].status == AccountStatus.ACTIVE
    assert len(cabinet.queue.polls) == polls + 1

    await anna.press("Удалить аккаунт")
    assert "Удалить аккаунт «Магазин» из Tuberry?" in anna.text()
    await anna.press("Отмена")
    assert (await accounts(cabinet))[0].status == AccountStatus.ACTIVE
    await anna.press("Удалить аккаунт")
    await anna.press("Да, удалить")
    assert "Аккаунт «Магазин» удалён" in anna.text()
    [removed] = await accounts(cabinet)
    assert removed.status == AccountStatus.REMOVED and removed.client_secret == "" and removed.bot_id is None
    async with cabinet.db.session() as session:
        actions = list(await session.scalars(select(AuditEntry.action)))
    assert {"account.pause", "account.resume", "account.remove"} <= set(actions)

    # Added again later: the same row comes back to life.
    await add_account(anna, shop.client_id, shop.client_secret)
    assert "добавлен" in anna.text()
    [again] = await accounts(cabinet)
    assert again.id == row.id and again.status == AccountStatus.ACTIVE
