"""send_to_avito: managers' messages from a topic to the Avito chat, in order, once, with backoff on failures.

The reaction on the manager's message says Avito accepted it; a permanent refusal gets a reply saying why.
Once a batch of replies is sent, the Avito chat is marked read.
"""

from __future__ import annotations

import html
import io
import logging
from datetime import timedelta
from typing import Any

from aiogram import Bot
from aiogram.types import ReactionTypeEmoji, ReplyParameters
from arq import Retry

from tuberry.app.avito_access import account_session
from tuberry.app.i18n import Translator
from tuberry.app.metrics import MESSAGES
from tuberry.app.owner_language import owner_translator
from tuberry.avito import AvitoBadRequest, AvitoError, AvitoForbidden, AvitoPaymentRequired, AvitoRateLimited
from tuberry.jobs.leases import check_lease
from tuberry.jobs.outbound import needs_image, send_message
from tuberry.jobs.runtime import Budget, Runtime, backoff, runtime
from tuberry.storage.db import Database
from tuberry.storage.models import AvitoAccount, AvitoState, Dialog, Message
from tuberry.storage.repos import DialogRepo, MessageRepo
from tuberry.storage.types import utcnow

log = logging.getLogger(__name__)

RETRY_FOR = timedelta(hours=2)  # retry a reply Avito keeps failing on this long, then tell the manager
ACCEPTED = "👍"
BATCH = 20


async def send_to_avito(ctx: dict[str, Any], dialog_id: int) -> str:
    """Send the dialog's pending manager messages oldest first; stop at the first failure, so a retry (with
    backoff) keeps them in the order the managers wrote them."""
    rt = runtime(ctx)
    budget = Budget(rt.budget)
    async with rt.services.db.session() as session:
        loaded = await DialogRepo(session).runnable_with_account(dialog_id)
    if loaded is None:
        # Gone, or blocked, paused or broken: the messages stay pending; the sweep queues them once work can
        # run. A hold that begins during the run is seen by the next run (at most `runtime.BUDGET` later).
        return "no dialog, or on hold"
    dialog, account, client = loaded
    bot = rt.services.bots.get(client.token)
    api = account_session(rt.services.avito, rt.services.db, account)
    sent = 0
    while todo := await _pending(rt.services.db, dialog_id):
        for n, part in enumerate(todo):
            check_lease(ctx)
            try:
                image = await _download(bot, part.content["file_id"]) if needs_image(part) else None
                await send_message(rt.services.db, api, account, dialog, part, image)
            except AvitoError as exc:
                if exc.retryable and utcnow() - part.created_at < RETRY_FOR:
                    delay = exc.retry_after if isinstance(exc, AvitoRateLimited) and exc.retry_after else None
                    raise Retry(defer=delay or backoff(await _tries(rt.services.db, part.id))) from exc
                tg_message_id = part.source_tg_message_id or 0
                await _fail(rt.services.db, dialog_id, tg_message_id, exc)
                async with rt.services.db.session() as session:
                    t = await owner_translator(session, account.workspace_id)
                await _tell(bot, dialog, tg_message_id, t, exc)
                break  # the rest of that Telegram message failed with it; read the queue again
            sent += 1
            if await _last_part(rt.services.db, todo, n):
                await _react(bot, dialog, part.source_tg_message_id or 0)
            if budget.spent:
                raise Retry()  # hand over to a fresh run, which carries on where this one stopped
    if sent:
        await _mark_read(rt, account, dialog)
    return f"sent {sent} message(s)"


async def _pending(db: Database, dialog_id: int) -> list[Message]:
    async with db.session() as session:
        return await MessageRepo(session).outbound_pending(dialog_id, BATCH)


async def _last_part(db: Database, todo: list[Message], n: int) -> bool:
    """Whether `todo[n]`, just sent, completes its manager's Telegram message (each part of a long or mixed
    message is a message on Avito; the reaction waits for the last). Parts are pending oldest first, so the
    batch answers unless it was cut off right after this part."""
    source = todo[n].source_tg_message_id
    if source is None:
        return False
    if n + 1 < len(todo) or len(todo) < BATCH:
        return n + 1 == len(todo) or todo[n + 1].source_tg_message_id != source
    async with db.session() as session:
        parts = await MessageRepo(session).parts_of(todo[n].dialog_id, source)
    return all(part.avito_state == AvitoState.SENT for part in parts)


async def _mark_read(rt: Runtime, account: AvitoAccount, dialog: Dialog) -> None:
    """The managers answered: the chat reads as read in the Avito app too, once per batch of replies. A
    failure never holds up a reply: the chat is left `read_pending` and a delivery run marks it later."""
    api = account_session(rt.services.avito, rt.services.db, account)
    try:
        await api.mark_read(account.avito_user_id, dialog.avito_chat_id)
    except AvitoError as exc:
        log.warning("mark read after a reply failed for dialog %s: %s", dialog.id, exc)
        async with rt.services.db.session() as session:
            row = await session.get(Dialog, dialog.id)
            if row is not None:
                row.read_pending = True
                await session.commit()
        await rt.services.queue.deliver(dialog.id)  # with nothing to post, it only marks the chat read
        return
    async with rt.services.db.session() as session:
        await DialogRepo(session).read_done(dialog.id)
        await session.commit()


class DownloadFailed(Exception):
    """A Telegram file could not be fetched; the text names the file, never its URL."""


async def _download(bot: Bot, file_id: str) -> bytes:
    """The bytes of a photo a manager sent into the topic."""
    data = io.BytesIO()
    try:
        await bot.download(file_id, destination=data)
    except Exception as exc:
        # aiohttp's error text holds the file URL, /file/bot<TOKEN>/...: neither it nor its chain is kept.
        status = getattr(exc, "status", None)
        raise DownloadFailed(
            f"Telegram file {file_id}: {type(exc).__name__} {status or ''}".strip()
        ) from None
    return data.getvalue()


async def _tries(db: Database, message_id: int) -> int:
    async with db.session() as session:
        row = await session.get(Message, message_id)
        return max(1, row.attempts if row is not None else 1)


async def _fail(db: Database, dialog_id: int, tg_message_id: int, error: AvitoError) -> None:
    """Every unsent part of the manager's message fails with it: a half message would mislead the buyer."""
    async with db.session() as session:
        parts = await MessageRepo(session).parts_of(dialog_id, tg_message_id)
        failed = [part for part in parts if part.avito_state in (AvitoState.PENDING, AvitoState.SENDING)]
        for part in failed:
            part.avito_state, part.error = AvitoState.FAILED, str(error)[:500]
        await session.commit()
    MESSAGES.labels("to_avito", "failed").inc(len(failed))


def _reason(t: Translator, error: AvitoError) -> str:
    if isinstance(error, AvitoForbidden | AvitoPaymentRequired):
        return t("bridge-send-failed-access")
    if isinstance(error, AvitoBadRequest):
        # Avito's own words, which may hold "<" or "&": escaped for HTML after the cut, never cut inside.
        return t("bridge-send-failed-rejected", detail=html.escape(error.message[:200], quote=False))
    return t("bridge-send-failed-unavailable")


async def _tell(bot: Bot, dialog: Dialog, tg_message_id: int, t: Translator, error: AvitoError) -> None:
    try:
        await bot.send_message(
            dialog.topic_chat_id or 0,
            t("bridge-send-failed", reason=_reason(t, error)),
            message_thread_id=dialog.topic_id,
            # The manager may have deleted the message meanwhile: say why all the same.
            reply_parameters=ReplyParameters(message_id=tg_message_id, allow_sending_without_reply=True),
        )
    except Exception:  # the failure is stored on the message; telling the manager is best effort
        log.exception("could not report a failed send in dialog %s", dialog.id)


async def _react(bot: Bot, dialog: Dialog, tg_message_id: int) -> None:
    try:
        await bot.set_message_reaction(
            dialog.topic_chat_id or 0, tg_message_id, reaction=[ReactionTypeEmoji(emoji=ACCEPTED)]
        )
    except Exception:  # the reaction is a courtesy: the message is sent and stored as such
        log.warning("could not set the delivery reaction in dialog %s", dialog.id, exc_info=True)
