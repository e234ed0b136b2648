"""The Waiting alerts window, walked as an owner would in Russian and in English: the defaults, on/off, a
threshold button, typed minutes and refused input, each change read back from the database."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.bot.conftest import Cabinet, Person
from tuberry.app.i18n import LANGUAGES
from tuberry.storage.models import AuditEntry, Workspace


@pytest.fixture(params=LANGUAGES)
def language(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def stored(cabinet: Cabinet, person: Person) -> tuple[bool, int]:
    async with cabinet.db.session() as session:
        row = await session.scalar(select(Workspace).where(Workspace.owner_telegram_id == person.id))
    assert row is not None
    return row.waiting_alerts_enabled, row.waiting_alert_minutes


async def test_owner_switches_alerts_and_sets_the_threshold(cabinet: Cabinet, language: str) -> None:
    anna = cabinet.user("Анна", language)
    says = anna.says
    await anna.menu("Ожидание ответа", "Waiting alerts")
    assert says("Оповещения включены", "Alerts are on") in anna.text()
    assert says("дольше 15 мин", "longer than 15 min") in anna.text()
    assert anna.button(says("✓ 15 мин", "✓ 15 min"))
    assert await stored(cabinet, anna) == (True, 15)

    await anna.press(says("30 мин", "30 min"))
    assert says("Напомним через 30 мин", "alert after 30 min") in anna.text()
    assert anna.button(says("✓ 30 мин", "✓ 30 min"))
    assert await stored(cabinet, anna) == (True, 30)

    await anna.press(says("Выключить", "Turn off"))
    assert says("Оповещения выключены", "Alerts are off") in anna.text()
    assert await stored(cabinet, anna) == (False, 30)
    await anna.press(says("Включить", "Turn on"))
    assert await stored(cabinet, anna) == (True, 30)

    await anna.press(says("Своё значение", "Other value"))
    assert says("от 1 до 1440", "from 1 to 1440") in anna.text()
    for bad in ("полчаса", "0", "2000", "-5", "7.5"):
        await anna.send(bad)
        assert says(f"«{bad}» — не подходит", f'"{bad}" will not do') in anna.text(), anna.text()
        assert await stored(cabinet, anna) == (True, 30)
    await anna.send("20")
    assert says("Напомним через 20 мин", "alert after 20 min") in anna.text()
    assert await stored(cabinet, anna) == (True, 20)

    async with cabinet.db.session() as session:
        actions = list(
            await session.scalars(
                select(AuditEntry.action).where(AuditEntry.action.like("waiting.%")).order_by(AuditEntry.id)
            )
        )
    assert actions == ["waiting.minutes", "waiting.disable", "waiting.enable", "waiting.minutes"]
