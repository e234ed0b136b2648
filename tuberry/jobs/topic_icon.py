"""set_topic_icon: a dialog's topic shows the icon of its status (app.topic_status), one edit per change.

Queued a moment after a change (storage.queue.TOPIC_ICON_DELAY), it reads the status as it is when it runs,
so a dialog that flips quickly gets one edit, to the latest status. It is the lowest of a group's posts: while
any message waits for the group it steps aside, and its edit takes a send slot like a message (Telegram posts
a service message about it). An edit Telegram refuses for want of the right is settled, not retried: the
topic keeps its icon, messages flow as before, and the next change tries once again.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import Any, TypeVar

from arq import Retry

from tuberry.app import topic_status
from tuberry.app.metrics import TELEGRAM_RETRY_AFTER
from tuberry.domain.topic_icons import NO_ICON, wanted_icon
from tuberry.jobs.leases import check_lease
from tuberry.jobs.runtime import backoff, runtime
from tuberry.jobs.topic_sender import TopicSender
from tuberry.storage.repos import TopicStatusRepo
from tuberry.telegram.forum import (
    GroupUnusable,
    RateLimited,
    Rejected,
    Thread,
    TopicClosed,
    TopicError,
    TopicGone,
    Transient,
)
from tuberry.telegram.topic_icons import icon_set

log = logging.getLogger(__name__)
T = TypeVar("T")

AFTER_MESSAGES = 3.0  # seconds before looking again while messages wait for the group
TRIES = 200  # each a few seconds apart: a group whose messages stay stuck is not watched for ever
TRANSIENT_CAP = 15.0  # a Telegram blip: 1 s doubling to this (tries also count the waits for messages)


async def set_topic_icon(ctx: dict[str, Any], dialog_id: int) -> str:
    rt = runtime(ctx)
    state = await topic_status.icon_state(rt.services, dialog_id)
    if state is None or state.target.topic_id is None:
        return "no topic"
    target, topic_id = state.target, state.target.topic_id
    bot = rt.services.bots.get(target.bot_token)
    try:
        icons = await _retrying(ctx, target.chat_id, icon_set(bot))  # cached for an hour
    except TopicError as exc:
        return f"no icon set: {exc}"
    if not icons:
        return "no icon set"
    wanted = wanted_icon(state.status, state.choice, icons)
    if wanted == state.applied:
        return "unchanged"
    async with rt.services.db.session() as session:
        if await TopicStatusRepo(session).group_has_pending(target.chat_id):
            raise Retry(defer=AFTER_MESSAGES)  # the buyer's messages first
    if wanted == NO_ICON:
        # Telegram's set has none of the status's emoji. Removing a custom icon takes an empty id, which
        # aiogram leaves out of the request: the topic keeps the icon it has.
        log.info(
            "no icon for %s in Telegram's set: topic of dialog %s keeps its icon", state.status, dialog_id
        )
        await topic_status.icon_applied(rt.services, dialog_id, topic_id, wanted)
        return "no icon"
    check_lease(ctx)
    sender = TopicSender(rt.pacer, target.bot_id, Thread(bot, target.chat_id, topic_id))
    try:
        await _retrying(ctx, target.chat_id, sender.set_icon(wanted))
    except TopicGone:
        return "topic gone"  # the next delivery makes a new topic, with the icon of its status
    except GroupUnusable as exc:
        if exc.reason != "no_rights":
            return f"group unusable: {exc.reason}"  # deliveries tell the owner; icons wait for a usable group
        _refused(dialog_id, exc)
    except (Rejected, TopicClosed) as exc:  # e.g. CHAT_ADMIN_REQUIRED, an icon Telegram no longer has
        _refused(dialog_id, exc)
    await topic_status.icon_applied(rt.services, dialog_id, topic_id, wanted)
    return f"icon {state.status.value}"


async def _retrying(ctx: dict[str, Any], chat_id: int, call: Awaitable[T]) -> T:
    """Telegram's rate limit and outages hand the job back to the queue; other errors are the caller's."""
    try:
        return await call
    except RateLimited as limited:
        TELEGRAM_RETRY_AFTER.inc()
        await runtime(ctx).pacer.penalise(chat_id, limited.retry_after)
        raise Retry(defer=limited.retry_after) from limited
    except Transient as exc:
        raise Retry(defer=backoff(int(ctx.get("job_try", 1)), cap=TRANSIENT_CAP)) from exc


def _refused(dialog_id: int, error: Exception) -> None:
    log.warning(
        "cannot set the status icon of the topic of dialog %s (%s): it stays as it is until the next change",
        dialog_id,
        error,
    )
