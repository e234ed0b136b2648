"""Waiting dialogs (domain.ticket): who to alert about, what the digest lists, what the Stats screen counts.

A dialog *waits* while `waiting_since` is set and it is not closed. An alert is due when the wait is older
than its workspace's threshold, has not been alerted (`waiting_alerted_at` older than `waiting_since` means
an earlier wait's alert), was not auto-replied during the wait, and the dialog has a topic in its bot's group.
Every query starts from the `waiting_since` index, so the sweep reads the waiting dialogs, never all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tuberry.storage.models import AccountStatus, AvitoAccount, ClientBot, Dialog, Workspace
from tuberry.storage.repos.accounts import runnable


@dataclass(frozen=True)
class WaitingDialog:
    dialog_id: int
    buyer_name: str | None
    item_title: str | None
    topic_id: int
    waiting_since: datetime
    alerted_at: datetime | None  # this wait's alert was posted then; None: not yet

    def alerted_after(self, moment: datetime | None) -> bool:
        return self.alerted_at is not None and (moment is None or self.alerted_at > moment)


@dataclass(frozen=True)
class WaitingNow:
    """One account's waiting dialogs right now, for the Stats screen."""

    count: int = 0
    oldest: datetime | None = None


def _not_alerted() -> ColumnElement[bool]:
    return or_(Dialog.waiting_alerted_at.is_(None), Dialog.waiting_alerted_at < Dialog.waiting_since)


def _alertable() -> ColumnElement[bool]:
    """Waiting, open, in its bot's group, and not auto-replied since the wait began."""
    return and_(
        Dialog.waiting_since.is_not(None),
        Dialog.closed_at.is_(None),
        Dialog.topic_id.is_not(None),
        Dialog.topic_chat_id == ClientBot.group_chat_id,
        or_(Dialog.last_auto_reply_at.is_(None), Dialog.last_auto_reply_at < Dialog.waiting_since),
        Workspace.waiting_alerts_enabled.is_(True),
    )


def _this_wait(alerted_at: datetime | None, waiting_since: datetime) -> datetime | None:
    return alerted_at if alerted_at is not None and alerted_at >= waiting_since else None


class WaitingRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def bots_due(self, now: datetime) -> list[int]:
        """Bots with an alert due, or with an alert posted since their group's last digest once a threshold
        has passed since that digest. One query per distinct threshold in use (a handful), each a range on
        the `waiting_since` index; working hours are the job's to check."""
        thresholds = await self.session.scalars(
            select(Workspace.waiting_alert_minutes)
            .where(Workspace.waiting_alerts_enabled.is_(True))
            .distinct()
        )
        due: set[int] = set()
        for minutes in thresholds:
            cut = now - timedelta(minutes=minutes)
            digest_due = and_(
                Dialog.waiting_alerted_at >= Dialog.waiting_since,
                or_(ClientBot.waiting_digest_at.is_(None), ClientBot.waiting_digest_at <= cut),
                or_(
                    ClientBot.waiting_digest_at.is_(None),
                    Dialog.waiting_alerted_at > ClientBot.waiting_digest_at,
                ),
            )
            query = (
                select(ClientBot.id)
                .select_from(Dialog)
                .join(AvitoAccount, AvitoAccount.id == Dialog.account_id)
            )
            rows = await self.session.scalars(
                runnable(query)
                .where(
                    Workspace.waiting_alert_minutes == minutes,
                    Dialog.waiting_since <= cut,
                    _alertable(),
                    or_(_not_alerted(), digest_due),
                )
                .distinct()
            )
            due.update(rows)
        return sorted(due)

    async def of_bot(self, bot_id: int, waited_since: datetime) -> list[WaitingDialog]:
        """The bot's alertable dialogs waiting since `waited_since` or earlier, oldest wait first."""
        query = (
            select(Dialog, ClientBot.id)
            .select_from(Dialog)
            .join(AvitoAccount, AvitoAccount.id == Dialog.account_id)
        )
        rows = await self.session.execute(
            runnable(query)
            .where(ClientBot.id == bot_id, Dialog.waiting_since <= waited_since, _alertable())
            .order_by(Dialog.waiting_since, Dialog.id)
        )
        return [
            WaitingDialog(
                dialog.id,
                dialog.buyer_name,
                dialog.item_title,
                dialog.topic_id,
                dialog.waiting_since,
                _this_wait(dialog.waiting_alerted_at, dialog.waiting_since),
            )
            for dialog, _ in rows
        ]

    async def alerted(self, dialog_id: int, waiting_since: datetime, at: datetime) -> None:
        """The alert of this wait was posted (a wait that ended meanwhile is left alone)."""
        dialog = await self.session.get(Dialog, dialog_id)
        if dialog is not None and dialog.waiting_since == waiting_since:
            dialog.waiting_alerted_at = at

    async def digest_posted(self, bot_id: int, at: datetime) -> None:
        bot = await self.session.get(ClientBot, bot_id)
        if bot is not None:
            bot.waiting_digest_at = at

    async def now_per_account(self, workspace_id: int) -> dict[int, WaitingNow]:
        """Per account id of the workspace (removed ones left out): dialogs waiting now and the oldest wait.
        Every open wait counts, off-hours and auto-replied ones included: the buyer has no human answer."""
        rows = await self.session.execute(
            select(Dialog.account_id, func.count(), func.min(Dialog.waiting_since))
            .join(AvitoAccount, AvitoAccount.id == Dialog.account_id)
            .where(
                AvitoAccount.workspace_id == workspace_id,
                AvitoAccount.status != AccountStatus.REMOVED,
                Dialog.waiting_since.is_not(None),
                Dialog.closed_at.is_(None),
            )
            .group_by(Dialog.account_id)
        )
        return {account_id: WaitingNow(int(count), oldest) for account_id, count, oldest in rows}
