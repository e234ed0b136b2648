"""deliver_to_telegram: a dialog's pending messages into its forum topic, in order, paced, once each.

One job per dialog (`_job_id`) under the dialog's lease, so messages of one topic never overtake each other.
Each round first completes the topic's set-up steps (topic, card, pin), each stored as it succeeds, then posts
messages. Each message is marked delivered right after Telegram accepts it; a run hands over to a fresh one
after its time budget; the Avito chat is marked read only when nothing is left.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiogram import Bot
from arq import Retry

from tuberry.app.avito_access import account_session
from tuberry.app.metrics import DELIVERY_LAG, MESSAGES, TELEGRAM_RETRY_AFTER
from tuberry.app.owner_language import owner_translator
from tuberry.app.topic_texts import (
    card_of,
    outgoing,
    title_of,
)
from tuberry.avito import AvitoError
from tuberry.jobs.leases import check_lease
from tuberry.jobs.posting import Target, call, post, send_text
from tuberry.jobs.runtime import Budget, Runtime, backoff, pace, runtime
from tuberry.storage.db import durably
from tuberry.storage.models import (
    AccountStatus,
    AvitoAccount,
    BotStatus,
    ClientBot,
    Dialog,
    Message,
    TgState,
    Workspace,
)
from tuberry.storage.repos import MessageRepo
from tuberry.storage.types import utcnow
from tuberry.telegram.forum import (
    ChatMigrated,
    GroupUnusable,
    RateLimited,
    Rejected,
    TopicClosed,
    TopicGone,
    Transient,
    create_topic,
    reopen_topic,
)

log = logging.getLogger(__name__)

BATCH = 20
MAX_ROUNDS = 20  # topic recreated / reopened / migrated: try again, but never loop forever


async def deliver_to_telegram(ctx: dict[str, Any], dialog_id: int) -> str:
    rt = runtime(ctx)
    budget = Budget(rt.budget)
    reopen = False
    for _ in range(MAX_ROUNDS):
        target = await _target(rt, dialog_id)
        if target is None:
            return "no target"
        async with rt.services.db.session() as session:
            pending = await MessageRepo(session).pending_delivery(dialog_id, BATCH)
        if not pending:
            await _mark_read(rt, target)
            return "done"
        # Media that keeps failing gives way to a text line after a few tries of the message at the head.
        target.attempt = pending[0].attempts + 1
        bot = rt.services.bots.get(target.bot.token)
        try:
            check_lease(ctx)
            if reopen and target.dialog.topic_id is not None:
                reopen = False
                try:
                    await reopen_topic(bot, target.chat_id, target.dialog.topic_id)
                except (GroupUnusable, Rejected) as exc:  # e.g. no right to reopen: a new topic does as well
                    log.info("cannot reopen the topic of dialog %s (%s): creating a new one", dialog_id, exc)
                    await _forget_topic(rt, dialog_id)
                    continue
            if target.dialog.topic_id is None or target.dialog.topic_chat_id != target.chat_id:
                await _open_topic(rt, bot, target)
            # The card and its pin are steps of their own: a 429 on either is retried by the next round.
            if target.dialog.card_message_id is None:
                await _post_card(rt, bot, target)
            if not target.dialog.card_pinned:
                await _pin_card(rt, bot, target)
            for message in pending:
                check_lease(ctx)
                target.attempt = message.attempts + 1
                await _deliver(rt, bot, target, message)
                if budget.spent:
                    raise Retry()  # hand over to a fresh run well before the job's timeout
        except TopicGone:
            log.info("topic of dialog %s is gone: recreating it", dialog_id)
            await _forget_topic(rt, dialog_id)
        except TopicClosed:
            reopen = True
        except ChatMigrated as migrated:
            await _migrate(rt, target.bot.id, target.chat_id, migrated.new_chat_id)
        except RateLimited as limited:
            TELEGRAM_RETRY_AFTER.inc()
            await rt.pacer.penalise(target.chat_id, limited.retry_after)
            raise Retry(defer=limited.retry_after) from limited
        except Transient as exc:
            tries = await _count_try(rt, dialog_id)
            raise Retry(defer=backoff(tries)) from exc
        except GroupUnusable as exc:
            await _note_unusable(rt, target.bot.id, exc)
            return f"group unusable: {exc.reason}"
    return "gave up this round"


async def _target(rt: Runtime, dialog_id: int) -> Target | None:
    async with rt.services.db.session() as session:
        dialog = await session.get(Dialog, dialog_id)
        if dialog is None:
            return None
        account = await session.get(AvitoAccount, dialog.account_id)
        # Paused or broken: messages wait in the database, as the sweep leaves them (AccountRepo.runnable).
        if account is None or account.bot_id is None or account.status != AccountStatus.ACTIVE:
            return None
        bot = await session.get(ClientBot, account.bot_id)
        workspace = await session.get(Workspace, account.workspace_id)
        if bot is None or bot.status != BotStatus.ACTIVE or bot.group_chat_id is None:
            return None
        if workspace is None or workspace.blocked:
            return None
        t = await owner_translator(session, workspace.id)
        return Target(dialog, account, bot, bot.group_chat_id, t, attempt=1)


async def _open_topic(rt: Runtime, bot: Bot, target: Target) -> None:
    """Create the topic and remember it at once; its card and pin are the next steps."""
    await pace(rt, target.chat_id, target.bot.id)
    topic_id = await create_topic(bot, target.chat_id, title_of(target.t, target.dialog))
    # Telegram made the topic: store it even through a short database outage, or a retry makes a second one.
    chat_id = target.chat_id
    await durably(
        lambda: _update_dialog(
            rt, target, topic_id=topic_id, topic_chat_id=chat_id, card_message_id=None, card_pinned=False
        )
    )


async def _post_card(rt: Runtime, bot: Bot, target: Target) -> None:
    await pace(rt, target.chat_id, target.bot.id)
    card = await call(
        bot.send_message(
            target.chat_id, card_of(target.t, target.dialog), message_thread_id=target.dialog.topic_id
        )
    )
    await asyncio.shield(
        durably(lambda: _update_dialog(rt, target, card_message_id=card.message_id, card_pinned=False))
    )


async def _pin_card(rt: Runtime, bot: Bot, target: Target) -> None:
    assert target.dialog.card_message_id is not None
    try:
        await call(
            bot.pin_chat_message(target.chat_id, target.dialog.card_message_id, disable_notification=True)
        )
    except (GroupUnusable, Rejected) as exc:  # no pin right: the card stays, unpinned, and this step is done
        log.info("cannot pin the card in %s: %s", target.chat_id, exc)
    await _update_dialog(rt, target, card_pinned=True)


async def _update_dialog(rt: Runtime, target: Target, **values: object) -> None:
    """Store a step of the topic's set-up, in the database and in this round's copy of the dialog."""
    async with rt.services.db.session() as session:
        dialog = await session.get(Dialog, target.dialog.id)
        assert dialog is not None
        for key, value in values.items():
            setattr(dialog, key, value)
            setattr(target.dialog, key, value)
        await session.commit()


async def _count_try(rt: Runtime, dialog_id: int) -> int:
    """A transient failure counts against the message at the head of the topic's queue (kept in the database,
    not arq's job_try, which hand-overs and deferrals also raise)."""
    async with rt.services.db.session() as session:
        pending = await MessageRepo(session).pending_delivery(dialog_id, 1)
        if not pending:
            return 1
        pending[0].attempts += 1
        await session.commit()
        return pending[0].attempts


async def _deliver(rt: Runtime, bot: Bot, target: Target, message: Message) -> None:
    out = outgoing(target.t, message)
    await pace(rt, target.chat_id, target.bot.id)
    try:
        sent_id = await post(rt, bot, target, out)
        state, error = TgState.DELIVERED, None
    except Rejected as exc:
        # Telegram refuses this content as it is (e.g. a broken image): say so in words instead.
        log.warning("message %s rejected by Telegram: %s", message.id, exc)
        fallback = target.t("bridge-undeliverable", body=out.text)  # whole: send_text splits it
        await pace(rt, target.chat_id, target.bot.id)
        sent_id = await send_text(bot, target, fallback)
        state, error = TgState.DELIVERED, str(exc)
    # Telegram accepted it: store that before anything else can happen (shielded from the job's cancellation,
    # retried through a short database outage); only a crash between the two, or an answer Telegram sent that
    # never reached us, re-posts it (the Bot API has no idempotency key).
    await asyncio.shield(durably(lambda: _delivered(rt, message.id, state, sent_id, error)))
    MESSAGES.labels("to_telegram", "delivered").inc()
    DELIVERY_LAG.labels("to_telegram").observe((utcnow() - message.created_at).total_seconds())


async def _delivered(rt: Runtime, message_id: int, state: TgState, sent_id: int, error: str | None) -> None:
    async with rt.services.db.session() as session:
        row = await session.get(Message, message_id)
        assert row is not None
        row.tg_state, row.tg_message_id, row.delivered_at, row.error = state, sent_id, utcnow(), error
        await session.commit()


async def _mark_read(rt: Runtime, target: Target) -> None:
    if not target.dialog.read_pending:
        return
    api = account_session(rt.services.avito, rt.services.db, target.account)
    try:
        await api.mark_read(target.account.avito_user_id, target.dialog.avito_chat_id)
    except AvitoError as exc:
        # Reading is cosmetic on Avito's side; the next delivery or poll tries again.
        log.warning("mark read failed for dialog %s: %s", target.dialog.id, exc)
        return
    async with rt.services.db.session() as session:
        dialog = await session.get(Dialog, target.dialog.id)
        if dialog is not None:
            dialog.read_pending = False
            await session.commit()


async def _forget_topic(rt: Runtime, dialog_id: int) -> None:
    async with rt.services.db.session() as session:
        dialog = await session.get(Dialog, dialog_id)
        if dialog is not None:
            dialog.topic_id = dialog.card_message_id = None
            dialog.card_pinned = False
            await session.commit()


async def _migrate(rt: Runtime, bot_id: int, old_chat_id: int, new_chat_id: int) -> None:
    """The group became a supergroup with a new id: topics do not survive, so they are recreated there."""
    async with rt.services.db.session() as session:
        bot = await session.get(ClientBot, bot_id)
        if bot is not None and bot.group_chat_id == old_chat_id:
            bot.group_chat_id = new_chat_id
            await session.commit()


async def _note_unusable(rt: Runtime, bot_id: int, error: GroupUnusable) -> None:
    """Keep the messages pending and tell the owner, through the bot card, what to fix."""
    async with rt.services.db.session() as session:
        bot = await session.get(ClientBot, bot_id)
        if bot is None:
            return
        bot.status_detail = error.reason
        if error.reason == "unauthorized":
            bot.status = BotStatus.DISABLED
        await session.commit()
    log.warning("bot %s cannot post into its group: %s", bot_id, error)
