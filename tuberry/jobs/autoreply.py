"""auto_reply: one deferred answer per dialog outside working hours, re-decided when it runs.

Planning happens when a buyer's message is stored: `auto_reply_due_at` is the durable record and the arq job
(one per dialog by `_job_id`) is the timer; the sweep re-creates the timer if Redis lost it.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from arq import Retry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tuberry.app.autoreply_settings import default_text_of, settings_of
from tuberry.app.avito_access import account_session
from tuberry.app.i18n import Translator
from tuberry.app.owner_language import owner_translator
from tuberry.avito import AvitoError, AvitoRateLimited
from tuberry.domain.autoreply import AutoReplyRules, DialogReplyState, decide, should_plan
from tuberry.domain.schedule import next_open
from tuberry.domain.template import next_open_args, render_template
from tuberry.jobs.leases import check_lease
from tuberry.jobs.outbound import send_message
from tuberry.jobs.runtime import Runtime, backoff, runtime
from tuberry.storage.models import (
    AccountStatus,
    AvitoAccount,
    AvitoState,
    Dialog,
    Direction,
    Message,
    Origin,
    TgState,
    Workspace,
)
from tuberry.storage.repos import AccountRepo
from tuberry.storage.types import utcnow

log = logging.getLogger(__name__)

STALE = timedelta(hours=1)  # a buyer message older than this (a backfill) gets no auto-reply
MAX_TRIES = 25  # sends of one auto-reply (its `attempts`), not runs of the job


async def rules_of(session: AsyncSession, workspace: Workspace) -> tuple[AutoReplyRules, Translator]:
    """The rules as the cabinet shows them (one reading, defaults included), and the owner's translator."""
    t = await owner_translator(session, workspace.id)
    return rules_in(workspace, t), t


def rules_in(workspace: Workspace, t: Translator) -> AutoReplyRules:
    """`rules_of` with the owner's translator at hand."""
    return settings_of(workspace, default_text_of(t)).rules


def plan_auto_reply(dialog: Dialog, rules: AutoReplyRules, buyer_message_at: datetime, delay: float) -> bool:
    """Record that this dialog is due an auto-reply under `rules` (its workspace's, as the poll storing the
    buyer's message read them); True when the caller must start the timer."""
    now = utcnow()
    if now - buyer_message_at > STALE or dialog.auto_reply_due_at is not None:
        return False
    if not should_plan(rules, buyer_message_at):
        return False
    dialog.auto_reply_due_at = now + timedelta(seconds=delay)
    return True


async def auto_reply(ctx: dict[str, Any], dialog_id: int) -> str:
    rt = runtime(ctx)
    message_id = await _prepare(rt, dialog_id)
    if isinstance(message_id, str):
        return message_id
    async with rt.services.db.session() as session:
        message = await session.get(Message, message_id)
        dialog = await session.get(Dialog, dialog_id)
        account = await session.get(AvitoAccount, dialog.account_id) if dialog else None
        held = await AccountRepo(session).on_hold(account.id) if account else None
    if message is None or dialog is None or account is None:
        return "gone"
    if held is not None:  # blocked or paused since it was written: it waits, the sweep sends it later
        return f"on hold: {held}"
    check_lease(ctx)
    api = account_session(rt.services.avito, rt.services.db, account)
    try:
        await send_message(rt.services.db, api, account, dialog, message)
    except AvitoError as exc:
        async with rt.services.db.session() as session:
            row = await session.get(Message, message_id)
            tries = max(1, row.attempts if row is not None else 1)
        if exc.retryable and tries < MAX_TRIES:
            delay = exc.retry_after if isinstance(exc, AvitoRateLimited) and exc.retry_after else None
            raise Retry(defer=delay or backoff(tries)) from exc
        await _give_up(rt, message_id, exc)
        return f"failed: {exc}"
    async with rt.services.db.session() as session:
        row = await session.get(Message, message_id)
        dialog = await session.get(Dialog, dialog_id)
        assert row is not None and dialog is not None
        row.tg_state = TgState.PENDING  # now mirror it into the topic
        dialog.last_auto_reply_at = row.sent_at or utcnow()
        await session.commit()
    await rt.services.queue.deliver(dialog_id)
    return "sent"


async def _prepare(rt: Runtime, dialog_id: int) -> int | str:
    """The auto-reply to send (an unfinished one first), or the reason there is none."""
    async with rt.services.db.session() as session:
        dialog = await session.get(Dialog, dialog_id)
        if dialog is None:
            return "no dialog"
        unfinished = await session.scalar(
            select(Message.id).where(
                Message.dialog_id == dialog_id,
                Message.origin == Origin.AUTO,
                Message.avito_state.in_([AvitoState.PENDING, AvitoState.SENDING]),
            )
        )
        if unfinished is not None:
            return int(unfinished)
        if dialog.auto_reply_due_at is None:
            return "not planned"
        now = utcnow()
        if dialog.auto_reply_due_at - now > timedelta(seconds=1):
            raise Retry(defer=(dialog.auto_reply_due_at - now).total_seconds())
        account = await session.get(AvitoAccount, dialog.account_id)
        workspace = await session.get(Workspace, account.workspace_id) if account else None
        dialog.auto_reply_due_at = None
        if (
            workspace is None
            or workspace.blocked
            or account is None
            or account.status != AccountStatus.ACTIVE
        ):
            await session.commit()
            return "account or workspace not active"
        rules, t = await rules_of(session, workspace)
        state = DialogReplyState(
            dialog.last_buyer_message_at, dialog.last_manager_reply_at, dialog.last_auto_reply_at
        )
        decision = decide(rules, state, now)
        if not decision.send:
            await session.commit()
            return decision.reason
        message = Message(
            dialog_id=dialog_id,
            direction=Direction.OUT,
            origin=Origin.AUTO,
            kind="text",
            text=render_template(rules.text, _values(t, rules, dialog, now)),
            is_auto_reply=True,
            tg_state=TgState.WAITING,
            avito_state=AvitoState.PENDING,
        )
        session.add(message)
        await session.commit()
        return message.id


def _values(t: Translator, rules: AutoReplyRules, dialog: Dialog, now: datetime) -> dict[str, str]:
    opening = next_open(rules.schedule, now) if rules.schedule is not None else None
    return {
        "item_title": dialog.item_title or "",
        "buyer_name": dialog.buyer_name or "",
        "next_open": t("render-next-open", **next_open_args(opening, now)) if opening else "",
    }


async def _give_up(rt: Runtime, message_id: int, error: AvitoError) -> None:
    async with rt.services.db.session() as session:
        row = await session.get(Message, message_id)
        if row is not None:
            row.avito_state, row.error = AvitoState.FAILED, str(error)[:500]
            await session.commit()
    log.warning("auto-reply %s failed: %s", message_id, error)
