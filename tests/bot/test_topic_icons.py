"""The cabinet's Topic icons screen: one of Telegram's forum topic icons per status, or the default."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.bot.conftest import Cabinet
from tuberry.storage.models import AuditEntry, Workspace

FIRE = "5312241539987020022"  # 🔥
STAR = "5235579393115438657"  # ⭐️

RU = {
    "menu": "Иконки тем",
    "waiting": "Ждёт ответа",
    "closed": "Закрыта",
    "default": "По умолчанию",
    "back": "Назад",
    "waiting_default": "Ждёт ответа: ❗️ (по умолчанию)",
    "waiting_fire": "Ждёт ответа: 🔥",
    "answered_default": "Отвечено: ✅ (по умолчанию)",
    "closed_default": "Закрыта: 🏁 (по умолчанию)",
}
EN = {
    "menu": "Topic icons",
    "waiting": "Waiting",
    "closed": "Closed",
    "default": "Default",
    "back": "Back",
    "waiting_default": "Waiting: ❗️ (default)",
    "waiting_fire": "Waiting: 🔥",
    "answered_default": "Answered: ✅ (default)",
    "closed_default": "Closed: 🏁 (default)",
}


async def _choice(cabinet: Cabinet, owner_id: int) -> dict[str, str] | None:
    async with cabinet.db.session() as session:
        workspace = await session.scalar(select(Workspace).where(Workspace.owner_telegram_id == owner_id))
        assert workspace is not None
        return workspace.topic_icons


@pytest.mark.parametrize(("language", "says"), [("ru", RU), ("en", EN)])
async def test_the_owner_picks_an_icon_per_status_and_resets_it(
    cabinet: Cabinet, language: str, says: dict[str, str]
) -> None:
    olga = cabinet.user("Ольга", language)
    await olga.send("/start")
    await olga.press(says["menu"])
    for line in ("waiting_default", "answered_default", "closed_default"):
        assert says[line] in olga.text()

    await olga.press(says["waiting"])
    emoji = {b["text"] for b in olga.buttons()}
    assert {"❗️", "🔥", "✅", "🏁", "💬"} <= emoji  # Telegram's icons, as buttons with their emoji
    await olga.press("🔥")
    assert says["waiting_fire"] in olga.text()
    await olga.press(says["closed"])
    await olga.press("⭐️")
    assert await _choice(cabinet, olga.id) == {"waiting": FIRE, "closed": STAR}
    assert says["answered_default"] in olga.text()

    await olga.press(says["waiting"])
    await olga.press(says["default"])
    assert says["waiting_default"] in olga.text()
    assert await _choice(cabinet, olga.id) == {"closed": STAR}
    async with cabinet.db.session() as session:
        query = select(AuditEntry.action).where(AuditEntry.actor_telegram_id == olga.id)
        actions = list(await session.scalars(query))
    assert actions.count("topic_icons.choose") == 3

    await olga.press(says["back"])
    assert any(says["menu"] in b["text"] for b in olga.buttons())  # back in the main menu
