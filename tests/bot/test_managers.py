"""Who may answer buyers, in the cabinet: the Managers window of a bot, remove, allow everyone, isolation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from tests.bot.conftest import Cabinet, Person
from tests.fakes.telegram import FakeBot
from tuberry.storage.models import AuditEntry, ClientBot

SEP = "\x1d"  # aiogram-dialog: "<intent id><SEP><widget id>:<item id>"


@dataclass
class Shop:
    cab: Cabinet
    owner: Person
    bot: FakeBot
    row_id: int
    group_id: int | None = None

    async def row(self) -> ClientBot:
        async with self.cab.db.session() as session:
            row = await session.get(ClientBot, self.row_id)
            assert row is not None
            return row

    async def open_managers(self) -> str:
        await self.owner.menu("Боты", "Bots")
        await self.owner.press(f"@{self.bot.username}")
        await self.owner.press(self.owner.says("Менеджеры", "Managers"))
        return self.owner.text()

    def answers(self) -> list[str]:
        assert self.group_id is not None
        return [m.get("text", "") for m in self.cab.tg.sent(self.group_id, bot=self.bot)]

    async def make_manager(self, person: dict[str, Any]) -> None:
        """The person writes in the group; the owner replies /manager to it; the bot confirms."""
        assert self.group_id is not None
        tg = self.cab.tg
        said = tg.user_sends(self.bot, self.group_id, person, "Я тут")
        seen = len(self.answers())
        tg.user_sends(self.bot, self.group_id, self.owner.user, "/manager", reply_to=said["message_id"])
        await self.cab.until(lambda: len(self.answers()) > seen, "the bot's answer")
        assert person["first_name"] in self.answers()[-1]


async def open_shop(
    cabinet: Cabinet, name: str = "Анна", language: str = "ru", *, group: bool = True
) -> Shop:
    owner = cabinet.user(name, language)
    bot = cabinet.tg.add_bot(username=f"shop_{owner.id}_bot")
    await owner.connect_bot(bot)
    async with cabinet.db.session() as session:
        row = await session.scalar(select(ClientBot).where(ClientBot.telegram_bot_id == bot.id))
    assert row is not None
    await cabinet.until(lambda: row.id in cabinet.receivers.running, "the bot receiving")
    shop = Shop(cabinet, owner, bot, row.id)
    if group:
        shop.group_id = cabinet.tg.create_group("Продажи", is_forum=True, owner=owner.user)
        cabinet.tg.add_bot_to_group(bot, shop.group_id, by_user=owner.user, admin=True)
        await cabinet.until(lambda: shop.answers(), "the group bound")
    return shop


async def seed_managers(shop: Shop, names: dict[int, str]) -> None:
    """As if the owner had listed them in the group."""
    async with shop.cab.db.session() as session:
        row = await session.get(ClientBot, shop.row_id)
        assert row is not None
        row.manager_ids = list(names)
        row.manager_names = {str(user_id): name for user_id, name in names.items()}
        await session.commit()


async def audit(cabinet: Cabinet) -> list[AuditEntry]:
    async with cabinet.db.session() as session:
        entries = await session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [e for e in entries if e.action.startswith("bot.managers")]


async def test_managers_chosen_in_the_group_are_shown_and_removed_in_the_cabinet(cabinet: Cabinet) -> None:
    shop = await open_shop(cabinet)
    anna = shop.owner
    tg = cabinet.tg
    maxim = tg.add_user("Максим", username="max_sells")
    irina = tg.add_user("Ирина", last_name="Соколова")

    text = await shop.open_managers()
    assert "любой участник группы" in text
    assert "/manager" in text and "Продажи" in text  # how to add, in which group
    assert "Разрешить всем" not in str(anna.buttons())

    await shop.make_manager(maxim)
    await shop.make_manager(irina)
    row = await shop.row()
    assert row.manager_ids == [maxim["id"], irina["id"]]

    await anna.press("Назад")
    assert "только менеджеры из списка (2)" in anna.text()  # the card says it too
    await anna.press("Менеджеры")
    text = anna.text()
    assert "только эти люди (2)" in text
    assert f"Максим (@max_sells) — {maxim['id']}" in text
    assert f"Ирина Соколова — {irina['id']}" in text
    assert "Вас в списке нет" in text
    for button in anna.buttons():
        assert len(button["callback_data"].encode()) <= 64
    assert anna.button("✖ Максим (@max_sells)")

    await anna.press("✖ Максим")
    text = anna.text()
    assert "Максим (@max_sells) больше не в списке" in text
    assert "только эти люди (1)" in text and "Максим" not in text.split("больше не в списке")[1]
    row = await shop.row()
    assert row.manager_ids == [irina["id"]] and str(maxim["id"]) not in (row.manager_names or {})

    await anna.press("Разрешить всем")
    assert "Список менеджеров (1) будет очищен" in anna.text()
    await anna.press("Отмена")
    assert "только эти люди (1)" in anna.text()
    assert (await shop.row()).manager_ids == [irina["id"]]

    await anna.press("Разрешить всем")
    await anna.press("Да, разрешить всем")
    text = anna.text()
    assert "Теперь покупателям может отвечать любой участник группы" in text
    assert "Сейчас: любой участник группы" in text
    assert not any("✖" in b["text"] for b in anna.buttons())
    row = await shop.row()
    assert row.manager_ids == [] and row.manager_names == {}

    entries = await audit(cabinet)
    assert [e.action for e in entries] == [
        "bot.managers.add",
        "bot.managers.add",
        "bot.managers.remove",
        "bot.managers.clear",
    ]
    assert {e.actor_telegram_id for e in entries} == {anna.id}
    assert entries[2].details["user_id"] == maxim["id"]
    assert entries[3].details["user_ids"] == [irina["id"]]


async def test_removing_the_last_manager_says_everyone_answers_again(cabinet: Cabinet) -> None:
    shop = await open_shop(cabinet, "John", "en", group=False)
    await seed_managers(shop, {555_000_111: "Max"})
    text = await shop.open_managers()
    assert "No group connected yet" in text
    assert "only these people (1)" in text and "Max — 555000111" in text
    await shop.owner.press("✖ Max")
    text = shop.owner.text()
    assert "Max is no longer on the list" in text
    assert "every member of the group may answer buyers now" in text
    assert (await shop.row()).manager_ids == []


async def test_ids_listed_without_a_name_show_as_ids(cabinet: Cabinet) -> None:
    shop = await open_shop(cabinet, group=False)
    async with cabinet.db.session() as session:
        row = await session.get(ClientBot, shop.row_id)
        assert row is not None
        row.manager_ids = [777_000_222]  # listed before names were kept
        await session.commit()
    text = await shop.open_managers()
    assert "777000222" in text
    await shop.owner.press("✖ 777000222")
    assert (await shop.row()).manager_ids == []


async def test_another_owners_manager_cannot_be_removed_by_a_forged_button(cabinet: Cabinet) -> None:
    anna_shop = await open_shop(cabinet, "Анна", group=False)
    boris_shop = await open_shop(cabinet, "Борис", group=False)
    anna, boris = anna_shop.owner, boris_shop.owner
    await seed_managers(anna_shop, {555_000_111: "Максим Аннин"})
    await seed_managers(boris_shop, {555_000_999: "Пётр"})

    await anna_shop.open_managers()
    anna_data = anna.button("✖ Максим Аннин")["callback_data"]
    _, anna_item = anna_data.split(SEP)
    await boris_shop.open_managers()
    boris_intent, _ = boris.button("Назад")["callback_data"].split(SEP)
    screen = boris.screen()["message_id"]

    # Anna's item in Boris's own dialog: his bot has no such manager.
    await boris.press_data(screen, f"{boris_intent}{SEP}{anna_item}")
    assert any("Не нашлось" in alert for alert in boris.alerts())
    # Anna's whole button replayed in Boris's chat: no such dialog there.
    await boris.press_data(boris.screen()["message_id"], anna_data)
    assert any("устарела" in alert for alert in boris.alerts())
    # Garbage instead of an id: a refusal, not a crash.
    await boris_shop.open_managers()
    boris_intent, _ = boris.button("Назад")["callback_data"].split(SEP)
    refusals = sum("Не нашлось" in alert for alert in boris.alerts())
    await boris.press_data(boris.screen()["message_id"], f"{boris_intent}{SEP}mrm:abc")
    assert sum("Не нашлось" in alert for alert in boris.alerts()) == refusals + 1
    assert "Пётр" in boris.text()

    for message in boris.bot_messages():
        assert "Аннин" not in str(message) and "555000111" not in str(message)
    assert (await anna_shop.row()).manager_ids == [555_000_111]
    assert (await boris_shop.row()).manager_ids == [555_000_999]
    assert await audit(cabinet) == []

    # Anna's own button still works.
    await anna_shop.open_managers()
    await anna.press("✖ Максим Аннин")
    assert (await anna_shop.row()).manager_ids == []
