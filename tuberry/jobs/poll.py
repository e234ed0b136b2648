"""poll_account: new Avito messages of one account into the database, then deliveries queued.

An idle account costs one request: the first page of chats (sorted by last update) shows that no chat's last
message differs from the stored one. Changed chats are read newest first down to the last known message.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from arq import Retry
from sqlalchemy.exc import DataError

from tuberry.app.avito_access import account_session
from tuberry.app.metrics import MESSAGES, POLL_SECONDS, POLLS
from tuberry.app.owner_language import stored_owner_translator
from tuberry.avito import (
    AvitoError,
    AvitoForbidden,
    AvitoInvalidCredentials,
    AvitoPaymentRequired,
    AvitoRateLimited,
    AvitoSession,
    AvitoUnauthorized,
    Chat,
)
from tuberry.avito import Message as AvitoMessage
from tuberry.domain import inbound, ticket
from tuberry.domain.autoreply import AutoReplyRules
from tuberry.jobs.alerts import account_stopped
from tuberry.jobs.autoreply import plan_auto_reply, rules_in
from tuberry.jobs.runtime import Runtime, runtime
from tuberry.storage.models import (
    AccountStatus,
    AvitoAccount,
    AvitoState,
    Dialog,
    Direction,
    Message,
    Origin,
    TgState,
)
from tuberry.storage.repos import AccountRepo, DialogRepo, MessageRepo
from tuberry.storage.types import utcnow

log = logging.getLogger(__name__)

PAGE = 100
# Quick re-reads of a chat that waits for one of our sends to be recorded, or whose newest listed message
# the messages endpoint does not show yet.
DEFERRED_TRIES = 5
MAX_OFFSET = 1000  # Avito refuses offsets beyond 1000 (API-NOTES §3.2)
KIND_LENGTH = 32  # messages.kind
PERMANENT = {
    AvitoInvalidCredentials: "invalid_credentials",
    AvitoUnauthorized: "unauthorized",
    AvitoForbidden: "forbidden",
    AvitoPaymentRequired: "payment_required",
}


@dataclass(frozen=True)
class Imported:
    """What reading one chat gave: the dialog if new messages were stored, or that it must be read again."""

    dialog_id: int | None = None
    deferred: bool = False


async def poll_account(ctx: dict[str, Any], account_id: int) -> str:
    rt = runtime(ctx)
    async with rt.services.db.session() as session:
        owned = await AccountRepo(session).with_owner(account_id)
        if owned is None or owned.account.status != AccountStatus.ACTIVE:
            return "inactive"
        account = owned.account
        account.last_poll_at = utcnow()
        await session.commit()
    # Read once a poll, not once a chat: the auto_reply job decides again on the rules as they are then.
    rules = rules_in(owned.workspace, stored_owner_translator(owned.owner_language))
    api = account_session(rt.services.avito, rt.services.db, account)
    try:
        with POLL_SECONDS.time():
            updated, deferred = await _sync(rt, api, account, rules)
    except AvitoError as exc:
        POLLS.labels("error").inc()
        await _record_error(rt, account_id, exc)
        return f"error: {exc}"
    for dialog_id in updated:
        await rt.services.queue.deliver(dialog_id)
    POLLS.labels("ok").inc()
    await _record_success(rt, account_id)
    if deferred and int(ctx.get("job_try", 1)) < DEFERRED_TRIES:
        # A chat waits for one of our sends to be recorded: read it again soon, not one interval later
        # (with webhooks the next poll may be minutes away).
        raise Retry(defer=1.0)
    return f"{len(updated)} dialogs updated"


async def _sync(
    rt: Runtime, api: AvitoSession, account: AvitoAccount, rules: AutoReplyRules
) -> tuple[list[int], bool]:
    """Import every changed chat; returns the dialogs with new messages and whether a chat was deferred."""
    changed, known = await _changed_chats(rt, api, account)
    first_sync = account.last_success_at is None
    updated: list[int] = []
    deferred = False
    for chat in changed:
        try:
            if first_sync and chat.id not in known and inbound.quiet(chat.updated, utcnow()):
                await _remember_cursor(rt, account, chat)
                continue
            result = await _import_chat(rt, api, account, rules, chat, known.get(chat.id))
        except (AvitoError, DataError) as exc:
            if isinstance(exc, AvitoError) and (exc.retryable or isinstance(exc, tuple(PERMANENT))):
                raise  # about the account or Avito as a whole, not this chat
            # One chat Avito answers oddly for must not hold up the others: its cursor stays, so the next
            # poll reads it again.
            log.warning("account %s: chat %s skipped until the next poll: %s", account.id, chat.id, exc)
            continue
        deferred |= result.deferred
        if result.dialog_id is not None:
            updated.append(result.dialog_id)
    return updated, deferred


async def _changed_chats(
    rt: Runtime, api: AvitoSession, account: AvitoAccount
) -> tuple[list[Chat], dict[str, str | None]]:
    """The chats whose last message is not the stored one, and the stored cursors of the chats read (only
    the dialogs of the pages read are loaded: an account's history does not make its polls dearer)."""
    changed: list[Chat] = []
    known: dict[str, str | None] = {}
    offset = 0
    while True:
        page = await api.list_chats(account.avito_user_id, limit=PAGE, offset=offset)
        async with rt.services.db.session() as session:
            known |= await DialogRepo(session).cursors(account.id, [chat.id for chat in page])
        fresh = [chat for chat in page if inbound.changed(chat.id, last_id(chat), known)]
        changed += fresh
        # Chats come most recently updated first, so a page without any change means the rest of the list
        # is unchanged too. (Avito does not document the order; "any change on the page" is the safe side.)
        if len(page) < PAGE or not fresh or offset + PAGE > MAX_OFFSET:
            return changed, known
        offset += PAGE


async def _new_messages(
    api: AvitoSession, user_id: int, chat_id: str, known_last: str | None
) -> list[AvitoMessage]:
    """Messages newer than the last known one, oldest first."""
    collected: list[AvitoMessage] = []
    offset = 0
    while True:
        page = await api.list_messages(user_id, chat_id, limit=PAGE, offset=offset)
        for message in page:
            if message.id == known_last:
                return collected[::-1]
            collected.append(message)
        if len(page) < PAGE or known_last is None or offset + PAGE > MAX_OFFSET:
            return collected[::-1]
        offset += PAGE


async def _remember_cursor(rt: Runtime, account: AvitoAccount, chat: Chat) -> None:
    """A chat that was quiet before Tuberry came: start from its current last message, replay nothing."""
    async with rt.services.db.session() as session:
        dialogs = DialogRepo(session)
        dialog = await dialogs.by_chat(account.id, chat.id) or _new_dialog(account, chat)
        dialogs.add(dialog)
        _describe(dialog, account, chat)
        if chat.last_message is not None:
            # Deliberately skipped: the backfill rule replays nothing older than a day.
            dialog.last_message_id = chat.last_message.id
            dialog.last_message_at = inbound.when(chat.last_message.created) or utcnow()
        await session.commit()


async def _import_chat(
    rt: Runtime,
    api: AvitoSession,
    account: AvitoAccount,
    rules: AutoReplyRules,
    chat: Chat,
    known_last: str | None,
) -> Imported:
    """Store the chat's new messages, or defer the chat while one of our sends to it is unrecorded; plan an
    auto-reply by `rules` (the workspace's as the poll read them).

    The cursor (`last_message_id`) only moves to a message read from the messages endpoint and stored: when
    the chat list shows a last message the messages read does not (Avito's messages lag its chat list, most
    often right after a webhook), the chat is deferred and read again soon, and the next poll sees it as
    changed until that message is stored.
    """
    fresh = await _new_messages(api, account.avito_user_id, chat.id, known_last)
    listed = chat.last_message
    async with rt.services.db.session() as session:
        dialogs, messages = DialogRepo(session), MessageRepo(session)
        read = [m.id for m in fresh]
        asked = read + ([listed.id] if listed else [])
        dialog, stored = await dialogs.by_chat_knowing(account.id, chat.id, asked)
        new = dialog is None  # a new dialog has no message stored or in flight yet
        if dialog is None:
            dialog = _new_dialog(account, chat)
            dialogs.add(dialog)
        _describe(dialog, account, chat)
        unknown = [m for m in fresh if m.id not in stored]
        own = [inbound.is_own(m.direction, m.author_id, account.avito_user_id) for m in unknown]
        if any(own) and not new and await messages.in_flight(dialog.id):
            # One of ours may be among them, sent but not yet recorded: look again rather than show it as
            # written in the Avito app.
            await session.rollback()
            return Imported(deferred=True)
        observed = utcnow()
        speakers = [inbound.speaker(m.type, m.direction, m.author_id, account.avito_user_id) for m in unknown]
        spoke = inbound.turns(speakers, observed)
        dialog.last_buyer_message_at = spoke.buyer_at or dialog.last_buyer_message_at
        dialog.last_manager_reply_at = spoke.seller_at or dialog.last_manager_reply_at
        dialog.waiting_since = ticket.waiting_after(dialog.waiting_since, spoke)
        lagging = listed is not None and listed.id not in read and listed.id not in stored
        if fresh:
            dialog.last_message_id = fresh[-1].id
            dialog.last_message_at = inbound.when(fresh[-1].created) or observed
        elif listed is not None and not lagging:
            dialog.last_message_id = listed.id  # stored already: the list was behind the messages read
        if lagging:
            log.info("chat %s: the chat list shows a message the messages read does not yet", chat.id)
        if not all(own):
            dialog.read_pending = True
        buyer_messages = [m for m, who in zip(unknown, speakers, strict=True) if who is inbound.Speaker.BUYER]
        delay = rt.services.config.auto_reply_delay
        timer = bool(buyer_messages) and plan_auto_reply(
            dialog, rules, inbound.when(buyer_messages[-1].created) or observed, delay
        )
        await session.flush()  # the dialog as it is now, in one statement; a new one gets its id here
        created = inbound.times([m.created for m in unknown], observed)
        for message, mine, at in zip(unknown, own, created, strict=True):
            messages.add(_stored(dialog, message, mine, at))
        await session.commit()
        if timer:
            await rt.services.queue.auto_reply(dialog.id, delay)
    MESSAGES.labels("to_telegram", "stored").inc(len(unknown))
    return Imported(dialog.id if unknown else None, deferred=lagging)


def _new_dialog(account: AvitoAccount, chat: Chat) -> Dialog:
    return Dialog(account_id=account.id, avito_chat_id=chat.id, chat_type=chat.id.split("-", 1)[0][:8])


def _describe(dialog: Dialog, account: AvitoAccount, chat: Chat) -> None:
    buyer = chat.buyer(account.avito_user_id)
    if buyer is not None:
        dialog.buyer_avito_id = buyer.id
        dialog.buyer_name = inbound.cut(buyer.name, 256) or dialog.buyer_name
    dialog.item_id = chat.item_id or dialog.item_id
    dialog.item_title = inbound.cut(chat.item_title, 512) or dialog.item_title
    dialog.item_price = inbound.cut(chat.price_string, 128) or dialog.item_price
    dialog.item_url = chat.item_url if chat.item_url and len(chat.item_url) <= 1024 else dialog.item_url


def last_id(chat: Chat) -> str | None:
    """The id of the chat's last message as the chat list shows it."""
    return chat.last_message.id if chat.last_message is not None else None


def _stored(dialog: Dialog, message: AvitoMessage, own: bool, created: datetime) -> Message:
    content = dict(message.content or {})
    text = content.get("text") if isinstance(content.get("text"), str) else None
    return Message(
        dialog_id=dialog.id,
        direction=Direction.OUT if own else Direction.IN,
        origin=Origin.AVITO,
        kind=message.type[:KIND_LENGTH],  # an odd type still reaches the renderer's fallback line
        text=text,
        content=content,
        avito_message_id=message.id,
        avito_created_at=created,
        tg_state=TgState.PENDING,
        avito_state=AvitoState.RECEIVED,
    )


async def _record_success(rt: Runtime, account_id: int) -> None:
    async with rt.services.db.session() as session:
        await AccountRepo(session).record_success([account_id], utcnow())
        await session.commit()


async def _record_error(rt: Runtime, account_id: int, error: AvitoError) -> None:
    code = next((code for kind, code in PERMANENT.items() if isinstance(error, kind)), None)
    async with rt.services.db.session() as session:
        account = await session.get(AvitoAccount, account_id)
        if account is None:
            return
        account.last_error = code or (
            "rate_limited" if isinstance(error, AvitoRateLimited) else "unavailable"
        )
        account.last_error_at = utcnow()
        stopped = code is not None and account.status == AccountStatus.ACTIVE
        if code is not None:
            account.status = AccountStatus.ERROR  # the owner must act; polling stops until they resume
        elif isinstance(error, AvitoRateLimited) and error.retry_after:
            # Push the next poll back by what Avito asked for.
            account.last_poll_at = utcnow() + timedelta(seconds=error.retry_after)
        await session.commit()
    log.warning("poll of account %s failed: %s", account_id, error)
    if stopped and code is not None:
        await account_stopped(rt, account_id, code)
