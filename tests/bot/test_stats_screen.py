"""The Stats screen through the fake Telegram server, in Russian and English, on a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.bot.conftest import Cabinet, Person
from tuberry.app.i18n import LANGUAGES, translator
from tuberry.bot.master.dialogs import stats
from tuberry.storage.db import Database
from tuberry.storage.models import (
    AvitoAccount,
    AvitoState,
    Dialog,
    Direction,
    Message,
    Origin,
    TgState,
    Workspace,
)

NOW = datetime(2025, 3, 14, 9, 0, tzinfo=UTC)  # 12:00 in Moscow
PNG = b"\x89PNG\r\n\x1a\n"
MINUTE, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stats, "_now", lambda: NOW)


class Shop:
    """Accounts, dialogs and messages of one owner's workspace, written straight into the database."""

    _avito_ids = iter(range(70_000, 80_000))

    def __init__(self, db: Database, workspace_id: int) -> None:
        self.db, self.workspace_id = db, workspace_id

    @classmethod
    async def of(cls, cab: Cabinet, person: Person) -> Shop:
        async with cab.db.session() as session:
            workspace_id = await session.scalar(
                select(Workspace.id).where(Workspace.owner_telegram_id == person.id)
            )
        assert workspace_id is not None
        return cls(cab.db, workspace_id)

    async def set_zone(self, name: str) -> None:
        async with self.db.session() as session:
            workspace = await session.get(Workspace, self.workspace_id)
            assert workspace is not None
            workspace.auto_reply_schedule = {"timezone": name, "days": [None] * 7}
            await session.commit()

    async def account(self, name: str) -> int:
        async with self.db.session() as session:
            row = AvitoAccount(
                workspace_id=self.workspace_id,
                client_id="cid",
                client_secret="secret",
                avito_user_id=next(self._avito_ids),
                name=name,
                webhook_secret="s",
            )
            session.add(row)
            await session.commit()
            return row.id

    async def dialog(self, account_id: int, *messages: tuple[str, datetime], closed: bool = False) -> None:
        """Messages as (who, when): "buyer", "manager" (in the topic), "app" (the seller on Avito), "auto";
        the dialog waits (domain.ticket) from its first buyer message after the last human answer."""
        async with self.db.session() as session:
            dialog = Dialog(account_id=account_id, avito_chat_id=f"chat-{next(self._avito_ids)}")
            dialog.closed_at = NOW if closed else None
            session.add(dialog)
            await session.flush()
            for who, when in messages:
                if who == "buyer":
                    dialog.waiting_since = dialog.waiting_since or when
                elif who != "auto":
                    dialog.waiting_since = None
                origin = {"buyer": Origin.AVITO, "app": Origin.AVITO, "manager": Origin.MANAGER}.get(
                    who, Origin.AUTO
                )
                session.add(
                    Message(
                        dialog_id=dialog.id,
                        direction=Direction.IN if who == "buyer" else Direction.OUT,
                        origin=origin,
                        kind="text",
                        avito_created_at=when if origin == Origin.AVITO else None,
                        created_at=when,
                        tg_state=TgState.DELIVERED,
                        avito_state=AvitoState.RECEIVED if who == "buyer" else AvitoState.SENT,
                        is_auto_reply=who == "auto",
                    )
                )
            await session.commit()


def block(text: str, name: str) -> list[str]:
    """The lines of the block that starts with this name."""
    found = [part.splitlines() for part in text.split("\n\n") if part.startswith(name)]
    assert found, f"no block {name!r} in:\n{text}"
    return found[0][1:]


def figures(
    new: int, incoming: int, out: int, auto: int, median: str, p90: str, waiting: int, oldest: str = ""
) -> list[str]:
    return [
        f"Новых диалогов: {new}",
        f"Сообщений от покупателей: {incoming}",
        f"Ответов людей: {out}",
        f"Автоответов: {auto}",
        f"Первый ответ: медиана {median}, p90 {p90}",
        f"Ждут ответа сейчас: {waiting}" + (f", дольше всех {oldest}" if oldest else ""),
    ]


async def _seed_anna(cab: Cabinet, anna: Person) -> None:
    shop = await Shop.of(cab, anna)
    north, store = await shop.account("Магазин <Север>"), await shop.account("Склад")
    await shop.dialog(north, ("buyer", NOW - 2 * HOUR), ("manager", NOW - 2 * HOUR + 4 * MINUTE))
    await shop.dialog(north, ("buyer", NOW - 30 * MINUTE), ("auto", NOW - 29 * MINUTE))  # still waiting
    await shop.dialog(north, ("buyer", NOW - 3 * DAY), ("manager", NOW - 3 * DAY + 2 * DAY + 3 * HOUR))
    await shop.dialog(store, ("buyer", NOW - 3 * HOUR), ("app", NOW - 3 * HOUR + 80 * MINUTE))
    await shop.dialog(store, ("buyer", NOW - 20 * DAY), ("manager", NOW - 20 * DAY + 10 * MINUTE))
    await shop.dialog(store, ("buyer", NOW - 40 * DAY), closed=True)  # closed: nobody waits for an answer


async def test_russian_owner_sees_figures_per_account_and_switches_periods(cabinet: Cabinet) -> None:
    anna = cabinet.user("Анна", "ru")
    await anna.send("/start")
    await _seed_anna(cabinet, anna)
    await anna.press("Статистика")

    text = anna.text()
    assert "Статистика за сегодня" in text
    assert "С 00:00 до сейчас · часовой пояс Europe/Moscow" in text
    assert block(text, "Магазин <Север>") == figures(2, 2, 1, 1, "4 мин", "4 мин", 1, "30 мин")
    assert block(text, "Склад") == figures(1, 1, 1, 0, "1 ч 20 мин", "1 ч 20 мин", 0)
    # Total: times 4 and 80 minutes: median 42 min, p90 = 4 + 0.9 * 76 = 72.4 min.
    assert block(text, "Всего") == figures(3, 3, 2, 1, "42 мин", "1 ч 12 мин", 1, "30 мин")
    labels = [b["text"] for b in anna.buttons()]
    assert "• Сегодня •" in labels and "7 дней" in labels and "30 дней" in labels
    assert not any("График" in label for label in labels)  # one day: nothing to chart
    assert all(len(b.get("callback_data", "").encode()) <= 64 for b in anna.buttons())

    await anna.press("7 дней")
    text = anna.text()
    assert "Статистика за 7 дней" in text and "С 08.03 00:00" in text
    # 4 min and 51 h: median 25.5 h, p90 = 0.07 + 0.9 * 50.93 = 45.9 h.
    assert block(text, "Магазин <Север>") == figures(3, 3, 2, 1, "1 д 2 ч", "1 д 22 ч", 1, "30 мин")
    assert block(text, "Склад") == figures(1, 1, 1, 0, "1 ч 20 мин", "1 ч 20 мин", 0)
    assert "• 7 дней •" in [b["text"] for b in anna.buttons()]

    await anna.press("30 дней")
    text = anna.text()
    assert "Статистика за 30 дней" in text and "С 13.02 00:00" in text
    # 80 and 10 minutes: median 45 min, p90 = 10 + 0.9 * 70 = 73 min.
    assert block(text, "Склад") == figures(2, 2, 2, 0, "45 мин", "1 ч 13 мин", 0)

    await anna.press("Сегодня")
    assert "Статистика за сегодня" in anna.text()


async def test_chart_is_a_png_photo_and_the_window_follows_it(cabinet: Cabinet) -> None:
    anna = cabinet.user("Анна", "ru")
    await anna.send("/start")
    await _seed_anna(cabinet, anna)
    await anna.press("Статистика")
    await anna.press("7 дней")
    await anna.press("График по дням")

    messages = anna.bot_messages()
    photos = [m for m in messages if m.get("photo")]
    assert len(photos) == 1
    assert "Сообщения по дням за 7 дней, часовой пояс Europe/Moscow" in photos[0]["caption"]
    assert cabinet.tg.file_bytes(photos[0]["photo"][-1]["file_id"]).startswith(PNG)
    assert messages[-1] is not photos[0] and "Статистика за 7 дней" in anna.text()  # buttons stay below


async def test_english_owner_in_their_own_time_zone(cabinet: Cabinet) -> None:
    john = cabinet.user("John", "en")
    await john.send("/start")
    shop = await Shop.of(cabinet, john)
    await shop.set_zone("Asia/Vladivostok")  # 19:00 there: "today" began at 14:00 UTC yesterday
    north = await shop.account("North")
    # 15:00 UTC yesterday is today in Vladivostok (yesterday in Moscow).
    yesterday_utc = datetime(2025, 3, 13, 15, 0, tzinfo=UTC)
    await shop.dialog(north, ("buyer", yesterday_utc), ("manager", yesterday_utc + timedelta(seconds=45)))
    await shop.dialog(north, ("buyer", NOW - HOUR))
    await shop.dialog(north, ("buyer", NOW - 10 * DAY), ("app", NOW - 10 * DAY + 2 * DAY + 3 * HOUR))
    await john.press("Stats")

    text = john.text()
    assert "Stats for today" in text and "Since 00:00 until now · time zone Asia/Vladivostok" in text
    assert block(text, "North") == [
        "New dialogs: 2",
        "Messages from buyers: 2",
        "Human replies: 1",
        "Auto-replies: 0",
        "First response: median 45 s, p90 45 s",
        "Waiting for an answer now: 1, the longest for 1 h",
    ]
    assert "Total" not in text  # one account: its block is the total

    await john.press("30 days")
    text = john.text()
    assert "Stats for the last 30 days" in text and "Since 13.02 00:00" in text
    assert "First response: median 1 d 2 h, p90 1 d 22 h" in text  # 45 s and 51 h

    await john.press("Chart by day")
    photo = [m for m in john.bot_messages() if m.get("photo")][-1]
    assert "Messages per day for the last 30 days, time zone Asia/Vladivostok" in photo["caption"]
    assert cabinet.tg.file_bytes(photo["photo"][-1]["file_id"]).startswith(PNG)


async def test_each_owner_sees_only_their_own(cabinet: Cabinet) -> None:
    anna = cabinet.user("Анна", "ru")
    await anna.send("/start")
    await _seed_anna(cabinet, anna)

    boris = cabinet.user("Борис", "ru")
    await boris.send("/start")
    await boris.press("Статистика")
    assert "Пока нет данных" in boris.text()
    assert [b["text"] for b in boris.buttons()] == ["‹ Назад"]

    shop = await Shop.of(cabinet, boris)
    await shop.account("Лавка")
    await boris.press("Назад")
    await boris.press("Статистика")
    text = boris.text()
    assert block(text, "Лавка") == figures(0, 0, 0, 0, "—", "—", 0)
    assert "За этот период сообщений не было" in text
    assert "Север" not in text and "Склад" not in text and "Всего" not in text
    await boris.press("30 дней")
    assert "Склад" not in boris.text() and not any("График" in b["text"] for b in boris.buttons())

    # A forged period id is no period: the screen falls back to today (callback data carries no workspace).
    data = boris.button("30 дней")["callback_data"].replace("p:30", "p:9999")
    await boris.press_data(boris.screen()["message_id"], data)
    assert "Статистика за сегодня" in boris.text() and "Склад" not in boris.text()


# ---------------------------------------------------------------- the pure parts


@pytest.mark.parametrize(
    ("seconds", "ru", "en"),
    [
        (None, "—", "—"),
        (0, "0 с", "0 s"),
        (45.4, "45 с", "45 s"),
        (59.6, "1 мин", "1 min"),
        (4 * 60 + 10, "4 мин", "4 min"),
        (59 * 60 + 50, "1 ч", "1 h"),
        (80 * 60, "1 ч 20 мин", "1 h 20 min"),
        (23 * 3600 + 59 * 60 + 50, "1 д", "1 d"),
        (2 * 86400 + 3 * 3600 + 600, "2 д 3 ч", "2 d 3 h"),
    ],
)
def test_durations_read_naturally(seconds: float | None, ru: str, en: str) -> None:
    assert stats.duration_text(translator("ru"), seconds) == ru
    assert stats.duration_text(translator("en"), seconds) == en


def test_periods_start_at_local_midnight() -> None:
    today = stats.period_of(1, "Europe/Moscow", NOW)
    assert today.since == datetime(2025, 3, 13, 21, 0, tzinfo=UTC) and today.until == NOW
    week = stats.period_of(7, "Asia/Vladivostok", NOW)
    assert week.since == datetime(2025, 3, 7, 14, 0, tzinfo=UTC)
    assert (week.first_day.isoformat(), week.last_day.isoformat()) == ("2025-03-08", "2025-03-14")
    # Across a DST change the period still starts at local midnight (Berlin went to UTC+2 on 30 March).
    spring = stats.period_of(7, "Europe/Berlin", datetime(2025, 4, 2, 12, 0, tzinfo=UTC))
    assert spring.since.astimezone(ZoneInfo("Europe/Berlin")).hour == 0
    assert spring.since == datetime(2025, 3, 26, 23, 0, tzinfo=UTC)


def test_zone_falls_back_to_moscow() -> None:
    assert stats.zone_of(None) == "Europe/Moscow"
    assert stats.zone_of(Workspace(auto_reply_schedule={"timezone": "Nowhere/Atlantis"})) == "Europe/Moscow"
    assert (
        stats.zone_of(Workspace(auto_reply_schedule={"timezone": "asia/vladivostok"})) == "Asia/Vladivostok"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_period_texts_exist(language: str) -> None:
    t = translator(language)
    assert all(t.has(f"stats-period-{days}") and t.has(f"stats-span-{days}") for days in stats.PERIODS)
