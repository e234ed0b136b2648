"""Every button and every typed id is scoped to the caller's workspace: another owner gets a refusal and
no data, whether the callback is replayed as is, forged into their own dialog, or an id is typed."""

from __future__ import annotations

from aiogram import Dispatcher
from aiogram_dialog.api.entities import Stack
from sqlalchemy import select

from tests.bot.conftest import Cabinet, Person
from tuberry.bot.master import setup_master
from tuberry.bot.master.states import MenuSG
from tuberry.storage.models import AvitoAccount, BotStatus, ClientBot

SEP = "\x1d"  # aiogram-dialog: "<intent id><SEP><widget id>:<item id>"


async def two_owners(cabinet: Cabinet) -> tuple[Person, Person]:
    anna, boris = cabinet.user("Анна"), cabinet.user("Борис")
    await anna.connect_bot(cabinet.tg.add_bot(username="anna_secret_bot"))
    await boris.connect_bot(cabinet.tg.add_bot(username="boris_bot"))
    return anna, boris


def assert_nothing_of_anna(boris: Person) -> None:
    for message in boris.bot_messages():
        assert "anna_secret_bot" not in str(message)
        assert "Магазин Анны" not in str(message)


async def test_a_replayed_callback_of_another_owner_is_refused(cabinet: Cabinet) -> None:
    anna, boris = await two_owners(cabinet)
    await anna.menu("Боты", "Bots")
    anna_button = anna.button("@anna_secret_bot")["callback_data"]
    await boris.menu("Боты", "Bots")

    # Anna's button pressed in Boris's chat: Boris's storage has no such dialog.
    await boris.press_data(boris.screen()["message_id"], anna_button)
    assert any("устарела" in alert for alert in boris.alerts())
    assert "Tuberry — кабинет" in boris.text()
    assert_nothing_of_anna(boris)


async def test_a_forged_item_id_in_own_dialog_is_refused(cabinet: Cabinet) -> None:
    anna, boris = await two_owners(cabinet)
    await anna.menu("Боты", "Bots")
    _, anna_item = anna.button("@anna_secret_bot")["callback_data"].split(SEP)
    await boris.menu("Боты", "Bots")
    boris_intent, _ = boris.button("@boris_bot")["callback_data"].split(SEP)

    await boris.press_data(boris.screen()["message_id"], f"{boris_intent}{SEP}{anna_item}")
    assert any("Не нашлось" in alert for alert in boris.alerts())
    assert "Ваши боты" in boris.text()
    assert_nothing_of_anna(boris)


async def test_a_typed_bot_id_of_another_workspace_is_refused(cabinet: Cabinet) -> None:
    anna, boris = await two_owners(cabinet)
    async with cabinet.db.session() as session:
        anna_bot = await session.scalar(select(ClientBot).where(ClientBot.username == "anna_secret_bot"))
    assert anna_bot is not None

    await boris.menu("Боты", "Bots")
    await boris.send(str(anna_bot.id))
    assert any("Не нашлось" in m.get("text", "") for m in boris.bot_messages()[-2:])
    assert_nothing_of_anna(boris)

    # And the owner's own id still works.
    await anna.menu("Боты", "Bots")
    await anna.send(str(anna_bot.id))
    assert "Бот @anna_secret_bot" in anna.text()


async def test_accounts_are_scoped_too(cabinet: Cabinet) -> None:
    anna, boris = await two_owners(cabinet)
    shop = cabinet.avito.add_account(name="Магазин Анны")
    await anna.menu("Аккаунты Авито", "Avito accounts")
    await anna.press("Добавить аккаунт")
    await anna.send(shop.client_id)
    await anna.send(shop.client_secret)
    async with cabinet.db.session() as session:
        account = await session.scalar(select(AvitoAccount))
    assert account is not None

    await anna.menu("Аккаунты Авито", "Avito accounts")
    _, anna_item = anna.button("Магазин Анны")["callback_data"].split(SEP)
    await boris.menu("Аккаунты Авито", "Avito accounts")
    boris_intent, _ = boris.button("Добавить аккаунт")["callback_data"].split(SEP)
    await boris.press_data(boris.screen()["message_id"], f"{boris_intent}{SEP}{anna_item}")
    assert any("Не нашлось" in alert for alert in boris.alerts())

    await boris.send(str(account.id))
    await boris.send(f"/start acc_{account.id}")
    assert_nothing_of_anna(boris)
    async with cabinet.db.session() as session:
        still = await session.get(AvitoAccount, account.id)
        bots = list(await session.scalars(select(ClientBot.status)))
    assert still is not None and still.status == "active"
    assert bots == [BotStatus.ACTIVE, BotStatus.ACTIVE]


def test_dialogs_started_within_one_second_get_distinct_ids() -> None:
    """A shared id lets one dialog's context overwrite another's, or another owner's button pass."""
    setup_master(Dispatcher())
    ids = [Stack().push(MenuSG.main, None).id for _ in range(1000)]  # far quicker than a second
    assert len(set(ids)) == len(ids)
