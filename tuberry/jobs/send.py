"""send_to_avito: a manager's message from a topic to the Avito chat, once, with backoff on failures.

The reaction on the manager's message says Avito accepted it; a permanent refusal gets a reply saying why.
"""

from __future__ import annotations

import html
import logging
from typing import Any

from aiogram import Bot
from aiogram.types import ReactionTypeEmoji, ReplyParameters
from arq import Retry

from tuberry.avito import AvitoBadRequest, AvitoError, AvitoForbidden, AvitoPaymentRequired, AvitoRateLimited
from tuberry.bot.common.avito_access import account_session
from tuberry.bot.common.i18n import Translator
from tuberry.bot.common.metrics import MESSAGES
from tuberry.bot.common.owner import owner_translator
from tuberry.jobs.outbound import send_message
from tuberry.jobs.runtime import backoff, runtime
from tuberry.storage.models import AvitoAccount, AvitoState, ClientBot, Dialog, Message
from tuberry.storage.repos import MessageRepo

log = logging.getLogger(__name__)

MAX_TRIES = 25  # with backoff capped at five minutes: about two hours of retrying before giving up
ACCEPTED = "👍"


async def send_to_avito(ctx: dict[str, Any], dialog_id: int, tg_message_id: int) -> str:
    rt = runtime(ctx)
    async with rt.services.db.session() as session:
        dialog = await session.get(Dialog, dialog_id)
        account = await session.get(AvitoAccount, dialog.account_id) if dialog else None
        client = await session.get(ClientBot, account.bot_id) if account and account.bot_id else None
        parts = await MessageRepo(session).parts_of(dialog_id, tg_message_id)
        t = await owner_translator(session, account.workspace_id) if account else None
    if dialog is None or account is None or client is None or t is None:
        return "no dialog"
    todo = [part for part in parts if part.avito_state in (AvitoState.PENDING, AvitoState.SENDING)]
    if not todo:
        return "nothing to send"
    bot = rt.services.bots.get(client.token)
    api = account_session(rt.services.avito, rt.services.db, account)
    job_try = int(ctx.get("job_try", 1))
    for part in todo:
        try:
            await send_message(rt.services.db, api, bot, account, dialog, part)
        except AvitoError as exc:
            if exc.retryable and job_try < MAX_TRIES:
                delay = exc.retry_after if isinstance(exc, AvitoRateLimited) and exc.retry_after else None
                raise Retry(defer=delay or backoff(job_try)) from exc
            await _fail(rt.services.db, todo, exc)
            await _tell(bot, dialog, tg_message_id, t, exc)
            return f"failed: {exc}"
    await _react(bot, dialog, tg_message_id)
    return f"sent {len(todo)} part(s)"


async def _fail(db: Any, parts: list[Message], error: AvitoError) -> None:
    MESSAGES.labels("to_avito", "failed").inc(len(parts))
    async with db.session() as session:
        for part in parts:
            row = await session.get(Message, part.id)
            if row is not None and row.avito_state != AvitoState.SENT:
                row.avito_state, row.error = AvitoState.FAILED, str(error)[:500]
        await session.commit()


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
