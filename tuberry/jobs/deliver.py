"""deliver_to_telegram: a dialog's pending messages into its forum topic, in order, paced, once each.

One job per dialog (`_job_id`), so messages of one topic never overtake each other. Each message is marked
delivered right after Telegram accepts it; the Avito chat is marked read only when nothing is left.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot
from arq import Retry

from tuberry.avito import AvitoError
from tuberry.bot.common.avito_access import account_session
from tuberry.bot.common.metrics import DELIVERY_LAG, MESSAGES, TELEGRAM_RETRY_AFTER
from tuberry.bot.common.owner import owner_translator
from tuberry.bot.common.rendering import (
    card_of,
    outgoing,
    title_of,
)
from tuberry.bot.common.topics import (
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
from tuberry.jobs.posting import Target, call, post, send_text
from tuberry.jobs.runtime import Runtime, backoff, pace, runtime
from tuberry.storage.models import (
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

log = logging.getLogger(__name__)

BATCH = 20
MAX_ROUNDS = 20  # topic recreated / reopened / migrated: try again, but never loop forever


async def deliver_to_telegram(ctx: dict[str, Any], dialog_id: int) -> str:
    rt = runtime(ctx)
    reopen = False
    for _ in range(MAX_ROUNDS):
        target = await _target(rt, dialog_id, int(ctx.get("job_try", 1)))
        if target is None:
            return "no target"
        async with rt.services.db.session() as session:
            pending = await MessageRepo(session).pending_delivery(dialog_id, BATCH)
        if not pending:
            await _mark_read(rt, target)
            return "done"
        bot = rt.services.bots.get(target.bot.token)
        try:
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
            for message in pending:
                await _deliver(rt, bot, target, message)
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
            raise Retry(defer=backoff(ctx.get("job_try", 1))) from exc
        except GroupUnusable as exc:
            await _note_unusable(rt, target.bot.id, exc)
            return f"group unusable: {exc.reason}"
    return "gave up this round"


async def _target(rt: Runtime, dialog_id: int, attempt: int) -> Target | None:
    async with rt.services.db.session() as session:
        dialog = await session.get(Dialog, dialog_id)
        if dialog is None:
            return None
        account = await session.get(AvitoAccount, dialog.account_id)
        if account is None or account.bot_id is None:
            return None
        bot = await session.get(ClientBot, account.bot_id)
        workspace = await session.get(Workspace, account.workspace_id)
        if bot is None or bot.status != BotStatus.ACTIVE or bot.group_chat_id is None:
            return None
        if workspace is None or workspace.blocked:
            return None
        t = await owner_translator(session, workspace.id)
        return Target(dialog, account, bot, bot.group_chat_id, t, attempt)


async def _open_topic(rt: Runtime, bot: Bot, target: Target) -> None:
    """Create the topic, remember it at once, then post and pin the card."""
    await pace(rt, target.chat_id, target.bot.id)
    topic_id = await create_topic(bot, target.chat_id, title_of(target.t, target.dialog))
    async with rt.services.db.session() as session:
        dialog = await session.get(Dialog, target.dialog.id)
        assert dialog is not None
        dialog.topic_id, dialog.topic_chat_id, dialog.card_message_id = topic_id, target.chat_id, None
        await session.commit()
    target.dialog.topic_id, target.dialog.topic_chat_id = topic_id, target.chat_id
    await pace(rt, target.chat_id, target.bot.id)
    card = await call(
        bot.send_message(target.chat_id, card_of(target.t, target.dialog), message_thread_id=topic_id)
    )
    async with rt.services.db.session() as session:
        dialog = await session.get(Dialog, target.dialog.id)
        assert dialog is not None
        dialog.card_message_id = card.message_id
        await session.commit()
    try:
        await call(bot.pin_chat_message(target.chat_id, card.message_id, disable_notification=True))
    except (GroupUnusable, Rejected) as exc:  # no pin right: the card stays, unpinned
        log.info("cannot pin the card in %s: %s", target.chat_id, exc)


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
    async with rt.services.db.session() as session:
        row = await session.get(Message, message.id)
        assert row is not None
        row.tg_state, row.tg_message_id, row.delivered_at, row.error = state, sent_id, utcnow(), error
        await session.commit()
    MESSAGES.labels("to_telegram", "delivered").inc()
    DELIVERY_LAG.labels("to_telegram").observe((utcnow() - message.created_at).total_seconds())


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
