"""The steps of a delivery (jobs/deliver.py): each does one thing in Telegram and stores it once it is done.

The topic's set-up comes first: the topic, its card, the card's pin. Then each message: text, photo or voice,
and what stands in when media fails. When the group's Telegram budget has no send left for each of the buyer's
texts at the head of the queue, they go together as one Telegram message (app/topic_texts.combined).

Photos go by URL first (Telegram fetches them), then as uploaded bytes; a voice note is fetched from Avito and
remuxed to OGG/Opus, or sent as the original file when that fails. Media that keeps failing gives way to a
text line, so one picture never blocks a topic.
"""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from tuberry.app import topic_status
from tuberry.app.autoreply_settings import settings_of
from tuberry.app.avito_access import account_session
from tuberry.app.i18n import Translator
from tuberry.app.metrics import DELIVERY_LAG, MESSAGES
from tuberry.app.owner_language import stored_owner_translator
from tuberry.app.topic_texts import Combined, Outgoing, card_of, combined, outgoing, text_run, title_of
from tuberry.avito import AvitoError, AvitoNotFound, AvitoSession
from tuberry.domain.render import CAPTION_LIMIT as TELEGRAM_CAPTION_LIMIT
from tuberry.jobs.runtime import Runtime
from tuberry.jobs.topic_sender import TopicSender
from tuberry.storage.db import durably
from tuberry.storage.models import AvitoAccount, BotStatus, ClientBot, Message
from tuberry.storage.repos import DialogRepo, MessageRepo
from tuberry.storage.repos.dialogs import DeliveryContext, TopicTarget
from tuberry.storage.types import utcnow
from tuberry.telegram.forum import GroupUnusable, Rejected, Thread, Transient
from tuberry.telegram.media import MediaError, original_voice_name, voice_to_ogg_opus

log = logging.getLogger(__name__)

MEDIA_TRIES = 4  # tries of a job to fetch media from Avito before a text line stands in for it


@dataclass(frozen=True)
class Delivery:
    """A round of a delivery: the dialog's stored topic target and its texts in the owner's language."""

    target: TopicTarget
    account: AvitoAccount  # as read with the target: for Avito sessions (media, marking the chat read)
    t: Translator
    title: str  # of a new topic
    card: str
    buyer: str | None  # the sender line of texts that go together
    zone: ZoneInfo  # the owner's (the auto-reply schedule's), for the time lines of texts that go together
    closed: bool = False  # a manager closed the topic (/close): the next message reopens it

    def sender(self, rt: Runtime) -> TopicSender:
        target = self.target
        thread = Thread(rt.services.bots.get(target.bot_token), target.chat_id, target.topic_id)
        return TopicSender(rt.pacer, target.bot_id, thread)

    def stored(self, target: TopicTarget) -> Delivery:
        """This round after a step stored its outcome."""
        return replace(self, target=target)


async def load(rt: Runtime, dialog_id: int, batch: int) -> tuple[Delivery, list[Message]] | None:
    """The dialog as it is stored now and the first `batch` of its pending messages; None while its messages
    must wait (see DialogRepo.topic_target)."""
    async with rt.services.db.session() as session:
        context = await DialogRepo(session).delivery_context(dialog_id)
        if context is None:
            return None
        pending = await MessageRepo(session).pending_delivery(dialog_id, batch)
    return _delivery(context), pending


async def anything_pending(rt: Runtime, dialog_id: int) -> bool:
    async with rt.services.db.session() as session:
        return bool(await MessageRepo(session).pending_delivery(dialog_id, 1))


def _delivery(context: DeliveryContext) -> Delivery:
    """A new topic's title and card are rendered from the dialog's row as read with its target."""
    t = stored_owner_translator(context.owner_language)
    dialog = context.dialog
    zone = settings_of(context.workspace, default_text="").schedule.zone
    return Delivery(
        context.target,
        context.account,
        t,
        title_of(t, dialog),
        card_of(t, dialog),
        dialog.buyer_name,
        zone,
        closed=dialog.closed_at is not None,
    )


async def reopen_topic(rt: Runtime, delivery: Delivery) -> bool:
    """Reopen the closed topic; False when that is not allowed and the topic was forgotten for a new one."""
    try:
        await delivery.sender(rt).reopen()
    except (GroupUnusable, Rejected) as exc:  # e.g. no right to reopen: a new topic does as well
        dialog_id = delivery.target.dialog_id
        log.info("cannot reopen the topic of dialog %s (%s): creating a new one", dialog_id, exc)
        await forget_topic(rt, delivery.target.dialog_id)
        return False
    await topic_status.topic_reopened(rt.services, delivery.target.dialog_id)
    return True


async def open_topic(rt: Runtime, delivery: Delivery) -> Delivery:
    """Create the topic, with the icon of the dialog's status, and remember it at once; its card and pin are
    the next steps."""
    icon = await topic_status.creation_icon(rt.services, delivery.target)
    topic_id = await delivery.sender(rt).create_topic(delivery.title, icon)

    async def store() -> TopicTarget:
        async with rt.services.db.session() as session:
            target = await DialogRepo(session).topic_opened(delivery.target, topic_id)
            await session.commit()
            return target

    # Telegram made the topic: store it even through a short database outage, or a retry makes a second one.
    stored = delivery.stored(await durably(store))
    await durably(lambda: topic_status.topic_opened(rt.services, delivery.target.dialog_id, topic_id, icon))
    return replace(stored, closed=False)


async def post_card(rt: Runtime, delivery: Delivery) -> Delivery:
    card_id = await delivery.sender(rt).message(delivery.card)

    async def store() -> TopicTarget:
        async with rt.services.db.session() as session:
            target = await DialogRepo(session).card_posted(delivery.target, card_id)
            await session.commit()
            return target

    return delivery.stored(await asyncio.shield(durably(store)))


async def pin_card(rt: Runtime, delivery: Delivery) -> Delivery:
    card_id = delivery.target.card_message_id
    assert card_id is not None
    try:
        await delivery.sender(rt).pin(card_id)
    except (GroupUnusable, Rejected) as exc:  # no pin right: the card stays, unpinned, and this step is done
        log.info("cannot pin the card in %s: %s", delivery.target.chat_id, exc)
    async with rt.services.db.session() as session:
        target = await DialogRepo(session).card_pinned(delivery.target)
        await session.commit()
    return delivery.stored(target)


async def post_next(rt: Runtime, delivery: Delivery, pending: Sequence[Message]) -> int:
    """Post the head of the topic's queue; returns how many of its messages went.

    One Telegram message per stored message while the group's budget has a send for each of the buyer's texts
    at the head; once it has not, they go together in one send. Asking only whether a slot is free now is not
    enough: under a backlog the slots that free one by one would each go to a single text again, and a burst
    of 60 into one group took three windows (bench/burst.py) instead of one.

    The run is rendered only as far as the question needs (each message of a batch asks it again): two texts
    for whether there is a run, one more than the room for whether it exceeds the room."""
    t = delivery.t
    if len(text_run(t, pending[:2])) == 2:
        room = await rt.pacer.room(delivery.target.chat_id)
        if room is not None and len(text_run(t, pending[: room + 1])) > room:
            run = text_run(t, pending)
            return await post_together(rt, delivery, combined(t, run, delivery.buyer, delivery.zone)[0])
    await post_message(rt, delivery, pending[0])
    return 1


async def post_together(rt: Runtime, delivery: Delivery, together: Combined) -> int:
    """Post several texts as one Telegram message and mark each delivered with its id."""
    sender = delivery.sender(rt)
    try:
        sent_id, error = await sender.text(together.text), None
    except Rejected as exc:
        log.warning("combined text of messages %s rejected by Telegram: %s", _ids(together.messages), exc)
        sent_id = await sender.text(delivery.t("bridge-undeliverable", body=together.text))
        error = str(exc)
    ids = _ids(together.messages)
    await asyncio.shield(durably(lambda: _delivered(rt, ids, sent_id, error)))
    for message in together.messages:
        _count_delivered(message)
    return len(together.messages)


async def post_message(rt: Runtime, delivery: Delivery, message: Message) -> None:
    """Post one stored message into the topic and mark it delivered."""
    out = outgoing(delivery.t, message)
    sender = delivery.sender(rt)
    try:
        sent_id, error = await _post(rt, delivery, sender, out, attempt=message.attempts + 1), None
    except Rejected as exc:
        # Telegram refuses this content as it is (e.g. a broken image): say so in words instead.
        log.warning("message %s rejected by Telegram: %s", message.id, exc)
        sent_id = await sender.text(delivery.t("bridge-undeliverable", body=out.text))
        error = str(exc)
    # Telegram accepted it: store that before anything else can happen (shielded from the job's cancellation,
    # retried through a short database outage); only a crash between the two, or an answer Telegram sent that
    # never reached us, re-posts it (the Bot API has no idempotency key).
    await asyncio.shield(durably(lambda: _delivered(rt, [message.id], sent_id, error)))
    _count_delivered(message)


def _count_delivered(message: Message) -> None:
    MESSAGES.labels("to_telegram", "delivered").inc()
    DELIVERY_LAG.labels("to_telegram").observe((utcnow() - message.created_at).total_seconds())


def _ids(messages: Sequence[Message]) -> list[int]:
    return [message.id for message in messages]


async def _post(rt: Runtime, delivery: Delivery, sender: TopicSender, out: Outgoing, attempt: int) -> int:
    """`attempt` is this message's try: media that keeps failing gives way to a text line, not a stuck
    topic."""
    caption = out.text[:TELEGRAM_CAPTION_LIMIT]
    if out.kind == "photo" and out.media_url:
        return await _photo(rt, delivery, sender, out.media_url, caption, attempt)
    if out.kind == "voice" and out.voice_id:
        return await _voice(rt, delivery, sender, out.voice_id, caption, attempt)
    return await sender.text(out.text)


async def _photo(
    rt: Runtime, delivery: Delivery, sender: TopicSender, url: str, caption: str, attempt: int
) -> int:
    if attempt < MEDIA_TRIES:
        try:  # Telegram fetches the picture itself: no bytes through us
            return await sender.photo(url, caption)
        except Rejected:  # it could not fetch it: upload the bytes
            pass
        # A timeout or a dropped connection (Transient) goes up and the job tries again with back-off; once
        # the tries are spent the bytes go up instead, so a host that always times out never blocks the topic.
    data = await _avito_file(rt, delivery, attempt, lambda api: api.download(url))
    if data is None:
        return await sender.text(delivery.t("render-image-fallback", url=html.escape(url)))
    return await sender.photo(data, caption)


async def _voice(
    rt: Runtime, delivery: Delivery, sender: TopicSender, voice_id: str, caption: str, attempt: int
) -> int:
    """A voice note plays inline as OGG/Opus; a file that cannot be converted goes as it is (Avito's link
    expires within an hour, the file in Telegram does not); only a file that cannot be had becomes a line."""
    user_id = delivery.target.avito_user_id

    async def fetch(api: AvitoSession) -> bytes | None:
        url = (await api.voice_urls(user_id, [voice_id])).get(voice_id)
        return await api.download(url) if url else None

    data = await _avito_file(rt, delivery, attempt, fetch)
    if data is None:
        return await sender.text(delivery.t("render-voice-missing"))
    try:
        note = await asyncio.to_thread(voice_to_ogg_opus, data)
    except MediaError as exc:
        log.warning("voice %s could not be converted, sending the original file: %s", voice_id, exc)
    else:
        return await sender.voice(note, caption)
    name = original_voice_name(data)
    try:  # Telegram's music player plays M4A and MP3
        return await sender.audio(data, name, caption)
    except Rejected:  # not audio Telegram accepts: a document takes any file
        return await sender.document(data, name, caption)


async def _avito_file(
    rt: Runtime, delivery: Delivery, attempt: int, fetch: Callable[[AvitoSession], Awaitable[bytes | None]]
) -> bytes | None:
    """A media file from Avito; None when Avito has none (the text line carries the link) or the tries of
    fetching it are spent."""
    try:
        return await fetch(_avito(rt, delivery))
    except AvitoNotFound:
        return None
    except AvitoError as exc:
        if exc.retryable and attempt < MEDIA_TRIES:
            raise Transient(str(exc)) from exc
        return None


def _avito(rt: Runtime, delivery: Delivery) -> AvitoSession:
    return account_session(rt.services.avito, rt.services.db, delivery.account)


async def _delivered(rt: Runtime, message_ids: list[int], sent_id: int, error: str | None) -> None:
    async with rt.services.db.session() as session:
        await MessageRepo(session).delivered(message_ids, sent_id, error)
        await session.commit()


async def mark_read(rt: Runtime, delivery: Delivery) -> None:
    """Mark the Avito chat read once everything in it reached the topic."""
    target = delivery.target
    if not target.read_pending:
        return
    api = _avito(rt, delivery)
    try:
        await api.mark_read(target.avito_user_id, target.avito_chat_id)
    except AvitoError as exc:
        # Reading is cosmetic on Avito's side; the next delivery or poll tries again.
        log.warning("mark read failed for dialog %s: %s", target.dialog_id, exc)
        return
    async with rt.services.db.session() as session:
        await DialogRepo(session).read_done(target.dialog_id)
        await session.commit()


async def forget_topic(rt: Runtime, dialog_id: int) -> None:
    async with rt.services.db.session() as session:
        await DialogRepo(session).forget_topic(dialog_id)
        await session.commit()


async def count_try(rt: Runtime, dialog_id: int) -> int:
    """A transient failure counts against the message at the head of the topic's queue (kept in the database,
    not arq's job_try, which hand-overs and deferrals also raise)."""
    async with rt.services.db.session() as session:
        head = await MessageRepo(session).pending_delivery(dialog_id, 1)
        if not head:
            return 1
        head[0].attempts += 1
        await session.commit()
        return head[0].attempts


async def migrate(rt: Runtime, bot_id: int, old_chat_id: int, new_chat_id: int) -> None:
    """The group became a supergroup with a new id: topics do not survive, so they are recreated there."""
    async with rt.services.db.session() as session:
        bot = await session.get(ClientBot, bot_id)
        if bot is not None and bot.group_chat_id == old_chat_id:
            bot.group_chat_id = new_chat_id
            await session.commit()


async def note_unusable(rt: Runtime, bot_id: int, error: GroupUnusable) -> None:
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
