"""Stats: today / 7 days / 30 days per Avito account and in total, and a chart of messages per day.

A period is whole local calendar days up to now, today included: "today" starts at local midnight in
the workspace's time zone (the auto-reply schedule's, else Moscow), "7 days" six midnights earlier.
Counts are aggregated by `StatsRepo` (its docstring says which message counts and what its moment is);
first-response times come from the period's events through `domain.stats`. Waiting dialogs and the
oldest wait are as of now, whatever the period, by the rule of `domain.ticket` (`dialogs.waiting_since`, not
closed): off-hours and auto-replied waits are included, since the buyer still has no human answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from aiogram import F
from aiogram.enums import ChatAction
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BufferedInputFile, CallbackQuery
from aiogram_dialog import Dialog, DialogManager, ShowMode, Window
from aiogram_dialog.widgets.kbd import Button, Cancel, ManagedRadio, Radio
from aiogram_dialog.widgets.text import Format

from tuberry.app.i18n import Translator
from tuberry.bot.master.charts import ChartTexts, messages_per_day
from tuberry.bot.master.dialogs.common import services_of, t_of, workspace_of
from tuberry.bot.master.states import StatsSG
from tuberry.bot.master.widgets import Blocks, Html, T
from tuberry.domain.errors import InvalidTimezone
from tuberry.domain.stats import Event, daily_counts, first_response_times, percentile
from tuberry.domain.timezones import validate_timezone
from tuberry.storage.db import Database
from tuberry.storage.models import Workspace
from tuberry.storage.repos import AccountRepo, StatsRepo, WorkspaceRepo
from tuberry.storage.repos.stats import Counts
from tuberry.storage.repos.waiting import WaitingNow, WaitingRepo

ID_PERIOD, ID_CHART, ID_BACK = "p", "ch", "back"
PERIODS = (1, 7, 30)  # days; also the Radio's item ids, so a button's callback data is "p:7"
DEFAULT_ZONE = "Europe/Moscow"


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Period:
    days: int
    zone: ZoneInfo
    since: datetime  # local midnight `days - 1` days ago
    until: datetime  # now

    @property
    def first_day(self) -> date:
        return self.since.astimezone(self.zone).date()

    @property
    def last_day(self) -> date:
        return self.until.astimezone(self.zone).date()


def period_of(days: int, zone_name: str, now: datetime) -> Period:
    zone = ZoneInfo(zone_name)
    first = now.astimezone(zone).date() - timedelta(days=days - 1)
    return Period(days, zone, datetime.combine(first, time(0), tzinfo=zone), now)


def zone_of(workspace: Workspace | None) -> str:
    """The auto-reply schedule's time zone when it has a valid one, else Moscow."""
    schedule = workspace.auto_reply_schedule if workspace is not None else None
    name = schedule.get("timezone") if isinstance(schedule, dict) else None
    if not name:
        return DEFAULT_ZONE
    try:
        return validate_timezone(name)
    except InvalidTimezone:
        return DEFAULT_ZONE


def duration_text(t: Translator, seconds: float | None) -> str:
    """ "45 с", "4 мин", "1 ч 20 мин", "2 д 3 ч"; "—" without data. Rounded to the last unit shown."""
    if seconds is None:
        return t("stats-none")
    whole = round(seconds)
    if whole < 60:
        return t("stats-dur-s", s=whole)
    minutes = round(seconds / 60)
    if minutes < 60:
        return t("stats-dur-m", m=minutes)
    if minutes < 24 * 60:
        hours, minutes = divmod(minutes, 60)
        return t("stats-dur-hm", h=hours, m=minutes) if minutes else t("stats-dur-h", h=hours)
    days, hours = divmod(round(seconds / 3600), 24)
    return t("stats-dur-dh", d=days, h=hours) if hours else t("stats-dur-d", d=days)


@dataclass
class Figures:
    """One block of the screen: an account, or the total."""

    name: str
    counts: Counts = field(default_factory=Counts)
    times: list[float] = field(default_factory=list)  # first-response times, seconds
    waiting: int = 0
    oldest: datetime | None = None  # the longest wait's start

    def add(self, other: Figures) -> None:
        c, o = self.counts, other.counts
        self.counts = Counts(
            c.new_dialogs + o.new_dialogs,
            c.messages_in + o.messages_in,
            c.messages_out + o.messages_out,
            c.auto_replies + o.auto_replies,
        )
        self.times += other.times
        self.waiting += other.waiting
        starts = [start for start in (self.oldest, other.oldest) if start is not None]
        self.oldest = min(starts) if starts else None


@dataclass(frozen=True)
class Report:
    period: Period
    zone_name: str
    accounts: list[Figures]
    events: list[Event]  # every account's, for the chart


def _radio(manager: DialogManager) -> ManagedRadio[str]:
    return cast("ManagedRadio[str]", manager.find(ID_PERIOD))


def _days(manager: DialogManager) -> int:
    """The chosen period; a forged item id falls back to today."""
    checked = _radio(manager).get_checked()
    return int(checked) if checked in {str(days) for days in PERIODS} else PERIODS[0]


async def _report(manager: DialogManager) -> Report | None:
    """The caller's figures for the chosen period; None for a stranger."""
    workspace_id = workspace_of(manager)
    if workspace_id is None:
        return None
    return await build_report(services_of(manager).db, workspace_id, _days(manager), _now())


async def build_report(db: Database, workspace_id: int, days: int, now: datetime) -> Report:
    """The workspace's figures for the period of `days` up to `now` (bench/stats_query.py times this)."""
    async with db.session() as session:
        zone_name = zone_of(await WorkspaceRepo(session).get(workspace_id))
        period = period_of(days, zone_name, now)
        accounts = await AccountRepo(session).list(workspace_id)
        repo = StatsRepo(session)
        counts = await repo.counts(workspace_id, period.since, period.until)
        events = await repo.events(workspace_id, period.since, period.until)
        waiting = await WaitingRepo(session).now_per_account(workspace_id)
    figures = [
        Figures(
            name=account.name or str(account.avito_user_id),
            counts=counts.get(account.id, Counts()),
            times=first_response_times(events.get(account.id, []), since=period.since, until=period.until),
            waiting=waiting.get(account.id, WaitingNow()).count,
            oldest=waiting.get(account.id, WaitingNow()).oldest,
        )
        for account in accounts
    ]
    every = [event for account in accounts for event in events.get(account.id, [])]
    return Report(period, zone_name, figures, every)


def _block(t: Translator, figures: Figures, now: datetime) -> str:
    c = figures.counts
    oldest = figures.oldest
    longest = (
        t("stats-waiting-oldest", waited=duration_text(t, (now - oldest).total_seconds())) if oldest else ""
    )
    return t(
        "stats-block",
        name=html.escape(figures.name, quote=False),
        new=c.new_dialogs,
        incoming=c.messages_in,
        outgoing=c.messages_out,
        auto=c.auto_replies,
        median=duration_text(t, percentile(figures.times, 50)),
        p90=duration_text(t, percentile(figures.times, 90)),
        waiting=figures.waiting,
        oldest=longest,
    )


def _has_messages(report: Report) -> bool:
    return any(event.at >= report.period.since for event in report.events)


# ---------------------------------------------------------------- getters


async def get_stats(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    t = t_of(dialog_manager)
    periods = [{"id": str(days), "label": t(f"stats-period-{days}")} for days in PERIODS]
    report = await _report(dialog_manager)
    if report is None or not report.accounts:
        return {"empty": True, "quiet": False, "has_chart": False, "periods": periods}
    now = report.period.until
    blocks = [_block(t, figures, now) for figures in report.accounts]
    if len(report.accounts) > 1:
        total = Figures(t("stats-total"))
        for figures in report.accounts:
            total.add(figures)
        blocks.append(_block(t, total, now))
    period = report.period
    active = _has_messages(report)
    return {
        "empty": False,
        "quiet": not active,
        "periods": periods,
        "span": t(f"stats-span-{period.days}"),
        "since": period.since.strftime("%H:%M" if period.days == 1 else "%d.%m %H:%M"),
        "zone": report.zone_name,
        "blocks": Html("\n\n".join(blocks)),
        # One day's chart would be a single pair of bars: the chart is offered where it tells something.
        "has_chart": period.days > 1 and active,
    }


# ---------------------------------------------------------------- handlers


async def on_chart(callback: CallbackQuery, _: Button, manager: DialogManager) -> None:
    t = t_of(manager)
    report = await _report(manager)
    if report is None or not _has_messages(report) or callback.message is None or callback.bot is None:
        await callback.answer(t("stats-chart-empty"), show_alert=True)
        return
    await callback.answer()
    chat_id = callback.message.chat.id
    with contextlib.suppress(TelegramAPIError):  # drawing takes a moment
        await callback.bot.send_chat_action(chat_id, ChatAction.UPLOAD_PHOTO)
    period = report.period
    days = daily_counts(report.events, first=period.first_day, last=period.last_day, zone=period.zone)
    span = t(f"stats-span-{period.days}")
    texts = ChartTexts(
        title=t("stats-chart-title", span=span, zone=report.zone_name),
        incoming=t("stats-chart-in"),
        outgoing=t("stats-chart-out"),
        auto=t("stats-chart-auto"),
    )
    png = await asyncio.to_thread(messages_per_day, days, texts)
    await callback.bot.send_photo(
        chat_id,
        BufferedInputFile(png, filename="tuberry-stats.png"),
        caption=t("stats-chart-caption", span=span, zone=report.zone_name),
    )
    # The window follows the picture, so its buttons stay at the bottom of the chat.
    manager.show_mode = ShowMode.DELETE_AND_SEND


async def on_start(_: Any, manager: DialogManager) -> None:
    await _radio(manager).set_checked(str(PERIODS[0]))


# ---------------------------------------------------------------- windows


def stats_dialog() -> Dialog:
    """The Stats screen (a new instance per dispatcher)."""
    return Dialog(
        Window(
            Blocks(
                T("stats-title", when=~F["empty"]),
                T("stats-empty", when="empty"),
                T("stats-quiet", when="quiet"),
                Format("{blocks}", when=~F["empty"]),
                T("stats-legend", when=~F["empty"]),
            ),
            Radio(
                Format("• {item[label]} •"),
                Format("{item[label]}"),
                id=ID_PERIOD,
                item_id_getter=lambda item: item["id"],
                items="periods",
                when=~F["empty"],
            ),
            Button(T("stats-chart"), id=ID_CHART, on_click=on_chart, when="has_chart"),
            Cancel(T("cabinet-back"), id=ID_BACK),
            state=StatsSG.main,
            getter=get_stats,
        ),
        on_start=on_start,
    )
