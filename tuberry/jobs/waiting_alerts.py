"""waiting_alerts: tell a bot's group that buyers wait for an answer (queued by the sweep, one job per bot).

During the workspace's working hours (its auto-reply schedule), each dialog whose buyer has waited longer
than the workspace's threshold within the current working period gets ONE alert in its topic, mentioning the
bot's managers (the owner when no list is set); then, if any alert was posted since the group's last digest
and a threshold has passed since it, the General topic gets a digest of every such dialog. Off-hours,
auto-replied and closed dialogs are not alerted (storage.repos.waiting).

Each post goes through the pacing (jobs/topic_sender) and is recorded right after Telegram accepts it; a
post that fails is retried by the job and, failing that, by the next sweep, which finds it still due. Only a
crash between Telegram's answer and the one-row commit, or an answer lost on the way, posts it twice.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from arq import Retry

from tuberry.app.autoreply_settings import settings_of
from tuberry.app.i18n import Translator
from tuberry.app.managers import Manager, managers_of
from tuberry.app.owner_language import owner_translator
from tuberry.app.waiting_texts import alert_text, digest_text
from tuberry.domain.schedule import opened_at
from tuberry.domain.ticket import alert_due
from tuberry.jobs.leases import check_lease
from tuberry.jobs.runtime import Runtime, backoff, runtime
from tuberry.jobs.topic_sender import TopicSender
from tuberry.storage.db import durably
from tuberry.storage.models import BotStatus, ClientBot, Workspace
from tuberry.storage.repos import WorkspaceRepo
from tuberry.storage.repos.waiting import WaitingDialog, WaitingRepo
from tuberry.storage.types import utcnow
from tuberry.telegram.forum import GroupUnusable, RateLimited, Thread, TopicError, Transient

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Round:
    """What one run of the job works from, read in one session."""

    bot_id: int
    token: str
    chat_id: int
    t: Translator
    people: list[Manager]
    threshold: timedelta
    digest_at: datetime | None
    due: list[WaitingDialog]


async def waiting_alerts(ctx: dict[str, Any], bot_id: int) -> str:
    rt = runtime(ctx)
    now = utcnow()
    work = await _load(rt, bot_id, now)
    if isinstance(work, str):
        return work
    posted = 0
    try:
        for dialog in work.due:
            if dialog.alerted_at is None:
                check_lease(ctx)
                await _alert(rt, work, dialog, now)
                posted += 1
        fresh = posted or any(dialog.alerted_after(work.digest_at) for dialog in work.due)
        if fresh and (work.digest_at is None or work.digest_at <= now - work.threshold):
            check_lease(ctx)
            await _digest(rt, work, now)
    except RateLimited as limited:
        await rt.pacer.penalise(work.chat_id, limited.retry_after)
        raise Retry(defer=limited.retry_after) from limited
    except Transient as exc:
        raise Retry(defer=backoff(int(ctx.get("job_try", 1)))) from exc
    except GroupUnusable as exc:  # the delivery job tells the owner through the bot card
        return f"group unusable: {exc.reason}"
    return f"{posted} alert(s)"


async def _load(rt: Runtime, bot_id: int, now: datetime) -> Round | str:
    async with rt.services.db.session() as session:
        bot = await session.get(ClientBot, bot_id)
        if bot is None or bot.status != BotStatus.ACTIVE or bot.group_chat_id is None:
            return "no group"
        workspace = await session.get(Workspace, bot.workspace_id)
        if workspace is None or workspace.blocked or not workspace.waiting_alerts_enabled:
            return "alerts off"
        opened = opened_at(settings_of(workspace, default_text="").schedule, now)
        if opened is None:
            return "off-hours"
        threshold = timedelta(minutes=workspace.waiting_alert_minutes)
        waiting = await WaitingRepo(session).of_bot(bot_id, now - threshold)
        due = [dialog for dialog in waiting if alert_due(dialog.waiting_since, opened, now, threshold)]
        if not due:
            return "nothing due"
        people = managers_of(bot)
        if not people:
            owner = await WorkspaceRepo(session).user(workspace.owner_telegram_id)
            people = [Manager(workspace.owner_telegram_id, owner.name if owner else "")]
        t = await owner_translator(session, workspace.id)
        return Round(bot_id, bot.token, bot.group_chat_id, t, people, threshold, bot.waiting_digest_at, due)


def _sender(rt: Runtime, work: Round, topic_id: int | None) -> TopicSender:
    return TopicSender(
        rt.pacer, work.bot_id, Thread(rt.services.bots.get(work.token), work.chat_id, topic_id)
    )


async def _alert(rt: Runtime, work: Round, dialog: WaitingDialog, now: datetime) -> None:
    text = alert_text(work.t, now - dialog.waiting_since, work.people)
    try:
        await _sender(rt, work, dialog.topic_id).message(text)
    except (RateLimited, Transient, GroupUnusable):
        raise
    except TopicError as exc:  # the topic is gone or closed, or the text refused: the alert is a courtesy
        log.info("waiting alert of dialog %s not posted: %s", dialog.dialog_id, exc)

    async def store() -> None:
        async with rt.services.db.session() as session:
            await WaitingRepo(session).alerted(dialog.dialog_id, dialog.waiting_since, utcnow())
            await session.commit()

    await asyncio.shield(durably(store))


async def _digest(rt: Runtime, work: Round, now: datetime) -> None:
    try:
        await _sender(rt, work, None).message(digest_text(work.t, work.chat_id, work.due, now))
    except (RateLimited, Transient, GroupUnusable):
        raise
    except TopicError as exc:
        log.info("waiting digest of bot %s not posted: %s", work.bot_id, exc)

    async def store() -> None:
        async with rt.services.db.session() as session:
            await WaitingRepo(session).digest_posted(work.bot_id, utcnow())
            await session.commit()

    await asyncio.shield(durably(store))
