"""Sending one stored message to Avito exactly once, even across a crash between the send and the commit.

Before a send the row is marked `sending` and committed. If a retry finds it still `sending`, the send may
or may not have happened: the chat's newest messages are read back and an own message with the same content
that we do not know yet is adopted instead of sending again (an image only if it is the one we uploaded).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import update

from tuberry.app.metrics import DELIVERY_LAG, MESSAGES
from tuberry.avito import AvitoSession
from tuberry.avito import Message as AvitoMessage
from tuberry.domain.inbound import when
from tuberry.storage.db import Database
from tuberry.storage.models import AvitoAccount, AvitoState, Dialog, Message
from tuberry.storage.repos import MessageRepo
from tuberry.storage.types import utcnow

log = logging.getLogger(__name__)

READ_BACK_WINDOW = timedelta(minutes=10)


def needs_image(message: Message) -> bool:
    """An image not uploaded to Avito yet: `send_message` needs its bytes. (One uploaded before a crash is
    sent by its stored id; one never uploaded cannot have been sent, so no read-back can adopt it.)"""
    return (
        message.kind == "image"
        and message.avito_state != AvitoState.SENT
        and not (message.content or {}).get("image_id")
    )


async def send_message(
    db: Database,
    api: AvitoSession,
    account: AvitoAccount,
    dialog: Dialog,
    message: Message,
    image: bytes | None = None,
) -> None:
    """Send `message` unless it is already sent, `image` being its bytes when `needs_image`; raises AvitoError
    (the caller decides on retry)."""
    if message.avito_state == AvitoState.SENT:
        return
    if message.avito_state == AvitoState.SENDING:
        adopted = await _read_back(db, api, account, dialog, message)
        if adopted:
            return
    await _set(
        db, message.id, avito_state=AvitoState.SENDING, attempts=message.attempts + 1, sent_at=utcnow()
    )
    if message.kind == "image":
        image_id = message.content.get("image_id")
        if not image_id:
            assert image is not None, "an image not uploaded yet needs its bytes"
            uploaded = await api.upload(account.avito_user_id, image)
            image_id = uploaded.id
            # Remember the upload: a retry sends this image instead of uploading a second copy, and a
            # read-back recognises it by its URLs.
            content = {**message.content, "image_id": image_id, "image_urls": sorted(uploaded.urls)}
            await _set(db, message.id, content=content)
        sent = await api.send_image(account.avito_user_id, dialog.avito_chat_id, image_id)
    else:
        sent = await api.send_text(account.avito_user_id, dialog.avito_chat_id, message.text or "")
    await _sent(db, message, sent)


async def _read_back(
    db: Database, api: AvitoSession, account: AvitoAccount, dialog: Dialog, message: Message
) -> bool:
    since = (message.sent_at or utcnow()) - timedelta(seconds=5)
    recent = await api.list_messages(account.avito_user_id, dialog.avito_chat_id, limit=20)
    async with db.session() as session:
        known = await MessageRepo(session).known_avito_ids(dialog.id, [m.id for m in recent])
    for candidate in reversed(recent):  # oldest first: parts were sent in order
        if candidate.id in known or candidate.direction not in (None, "out"):
            continue
        created = when(candidate.created)
        if created is None or created < since:
            continue
        if _same(candidate, message):
            log.info("message %s was sent before a crash; adopting Avito id %s", message.id, candidate.id)
            await _sent(db, message, candidate)
            return True
    return False


def _same(candidate: AvitoMessage, message: Message) -> bool:
    if message.kind == "image":
        return candidate.type == "image" and _our_image(candidate, message.content or {})
    return candidate.type == "text" and (candidate.content or {}).get("text") == message.text


def _our_image(candidate: AvitoMessage, content: dict[str, object]) -> bool:
    """The image we uploaded, not one the seller sent from the Avito app meanwhile: a sent image shows the
    URLs uploadImages gave for it (and Avito's image URLs carry the image id)."""
    image = candidate.content.get("image")
    sizes = image.get("sizes") if isinstance(image, dict) else None
    urls = {url for url in sizes.values() if isinstance(url, str)} if isinstance(sizes, dict) else set()
    ours = content.get("image_urls")
    image_id = content.get("image_id")
    if isinstance(ours, list) and urls & set(ours):
        return True
    return isinstance(image_id, str) and bool(image_id) and any(image_id in url for url in urls)


async def _sent(db: Database, message: Message, sent: AvitoMessage) -> None:
    MESSAGES.labels("to_avito", "sent").inc()
    DELIVERY_LAG.labels("to_avito").observe((utcnow() - message.created_at).total_seconds())
    await _set(
        db,
        message.id,
        avito_state=AvitoState.SENT,
        avito_message_id=sent.id,
        avito_created_at=when(sent.created),
        error=None,
    )


async def _set(db: Database, message_id: int, **values: object) -> None:
    async with db.session() as session:
        await session.execute(update(Message).where(Message.id == message_id).values(**values))
        await session.commit()
