"""Numbers people type or forge with digits `int()` refuses ("²") or should not read ("５", "١"): a clear
answer, never a crashed handler."""

from __future__ import annotations

import dataclasses

import pytest

from tests.bot.conftest import Cabinet, Person
from tests.bot.test_managers import open_shop, seed_managers
from tuberry.telegram.deep_links import Card, CardLink, account_payload, parse_payload

SEP = "\x1d"  # aiogram-dialog: "<intent id><SEP><widget id>:<item id>"
ODD_DIGITS = ["²", "#²", "５", "١٢", "99999999999999999999"]


def forged(button: dict[str, str], item: str) -> str:
    """The button's callback data with its item id replaced."""
    return button["callback_data"].rsplit(":", 1)[0] + ":" + item


def last_texts(person: Person, count: int = 2) -> str:
    return " ".join(m.get("text", "") for m in person.bot_messages()[-count:])


async def test_a_typed_bot_or_account_number_in_odd_digits_gets_a_hint(cabinet: Cabinet) -> None:
    anna = cabinet.user("Анна")
    await anna.connect_bot(cabinet.tg.add_bot(username="anna_bot"))
    for menu_item in ("Боты", "Аккаунты Авито"):
        await anna.menu(menu_item, menu_item)
        for typed in ODD_DIGITS:
            await anna.send(typed)
            assert "Пришлите номер цифрами" in last_texts(anna), (menu_item, typed)
    await anna.menu("Боты", "Bots")
    await anna.send("1")  # ASCII digits still open the card
    assert "Бот @anna_bot" in anna.text()


async def test_a_start_link_with_odd_digits_opens_the_menu_and_says_not_found(cabinet: Cabinet) -> None:
    anna = cabinet.user("Анна", "en")
    await anna.send("/start")
    for payload in ("acc_²", "acc_١", "acc_99999999999999999999", "acc_0"):
        await anna.send(f"/start {payload}")
        assert "Not found" in last_texts(anna), payload
        assert "Tuberry" in last_texts(anna), payload


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (account_payload(5), CardLink(Card.ACCOUNT, 5)),
        ("acc_#5", CardLink(Card.ACCOUNT, 5)),
        *((f"acc_{odd}", CardLink(Card.ACCOUNT, None)) for odd in [*ODD_DIGITS, "0", ""]),
        ("", None),
        ("bot_5", None),  # no link makes it (any more): a plain /start
        ("bind", None),
    ],
)
def test_start_payloads_are_read_as_strictly_as_typed_ids(payload: str, expected: CardLink | None) -> None:
    assert parse_payload(payload) == expected


async def test_forged_buttons_with_odd_digits_are_refused(cabinet: Cabinet) -> None:
    shop = await open_shop(cabinet, "Анна", group=False)
    anna = shop.owner
    await seed_managers(shop, {555_000_111: "Максим"})

    async def refused(button: dict[str, str]) -> bool:
        before = sum("Не нашлось" in alert for alert in anna.alerts())
        await anna.press_data(anna.screen()["message_id"], forged(button, "²"))
        return sum("Не нашлось" in alert for alert in anna.alerts()) == before + 1

    await anna.menu("Боты", "Bots")
    assert await refused(anna.button("@" + shop.bot.username))
    await shop.open_managers()
    assert await refused(anna.button("✖ Максим"))
    await anna.menu("Автоответ", "Auto-reply")
    await anna.press("Часы работы")
    assert await refused(anna.button("Пн"))
    await anna.press("Назад")
    await anna.press("Часовой пояс")
    assert await refused(anna.button("Москва"))
    assert (await shop.row()).manager_ids == [555_000_111]


@pytest.fixture
def admin(cabinet: Cabinet) -> Person:
    root = cabinet.user("Root", "en")
    cabinet.services.config = dataclasses.replace(cabinet.services.config, admin_ids=frozenset({root.id}))
    return root


async def test_admin_commands_with_odd_digits_answer_their_usage(cabinet: Cabinet, admin: Person) -> None:
    for command in ("/workspace", "/block", "/unblock", "/workspaces"):
        for typed in ODD_DIGITS:
            await admin.send(f"{command} {typed}")
            assert f"Usage: {command}" in admin.text(), (command, typed)
