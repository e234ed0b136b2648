"""Stored messages and dialogs as Telegram texts, in the owner's language (HTML parse mode)."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from tuberry.app.i18n import Translator
from tuberry.domain.render import TEXT_LIMIT, compose, render_message
from tuberry.domain.textsplit import split_text
from tuberry.domain.topic_card import card_fields, topic_title
from tuberry.storage.models import Dialog, Direction, Message, Origin


@dataclass(frozen=True)
class Outgoing:
    """What to post for one stored message: a text, or a photo / voice with a caption."""

    kind: str  # text | photo | voice
    text: str
    media_url: str | None = None
    voice_id: str | None = None


def escape_html(text: str) -> str:
    """Plain text for Telegram's HTML parse mode: only `<`, `>` and `&` must be escaped outside tags."""
    return html.escape(text, quote=False)


def outgoing(t: Translator, message: Message) -> Outgoing:
    """The message as HTML: a text of any length (``send_text`` splits it), a caption that fits."""
    rendering = render_message(
        {"type": message.kind, "content": message.content or {}, "direction": message.direction}
    )

    def translate(key: str, args: Mapping[str, Any]) -> str:
        return t(key, **args)

    auto = message.is_auto_reply or message.origin == Origin.AUTO
    notice = message.kind == "system"  # Avito's own: neither the buyer's nor the seller's
    from_app = message.direction == "out" and not auto and not notice
    body = compose(rendering, translate, from_app=from_app, auto_reply=auto, escape=escape_html)
    if notice:
        body = f"<i>{body}</i>"  # one short line set apart from what people wrote
    return Outgoing(rendering.kind, body, rendering.media_url, rendering.voice_id)


@dataclass(frozen=True)
class Combined:
    """One Telegram text carrying several stored messages, each under its time and sender line."""

    text: str
    messages: tuple[Message, ...]


def text_run(t: Translator, messages: Sequence[Message]) -> list[Message]:
    """The buyer's plain-text messages at the head of `messages`: what one Telegram text may carry (a photo,
    a voice note, Avito's own notice or a message from the seller's side ends the run)."""
    run: list[Message] = []
    for message in messages:
        if (
            message.direction != Direction.IN
            or message.kind == "system"
            or outgoing(t, message).kind != "text"
        ):
            break
        run.append(message)
    return run


def combined(t: Translator, messages: Sequence[Message], buyer: str | None, zone: ZoneInfo) -> list[Combined]:
    """`messages` (a text run) as few Telegram texts as fit the limit, in order. Each part is rendered as
    its own message would be, under a line with its time and sender; parts are packed whole, so a part
    longer than the limit goes alone (the sender splits it) and every message is carried by one text."""
    sender = buyer or t("render-part-buyer")
    texts: list[Combined] = []
    text = ""
    carried: tuple[Message, ...] = ()
    for message in messages:
        header = escape_html(t("render-part-header", time=_time_of(message, zone), sender=sender))
        part = f"{header}\n{outgoing(t, message).text}"
        joined = f"{text}\n\n{part}" if text else part
        if text and len(split_text(joined, TEXT_LIMIT, html=True)) > 1:
            texts.append(Combined(text, carried))
            text, carried = part, (message,)
        else:
            text, carried = joined, (*carried, message)
    if carried:
        texts.append(Combined(text, carried))
    return texts


def _time_of(message: Message, zone: ZoneInfo) -> str:
    """When the buyer wrote it, in the owner's zone: "14:05", with the date when it is not today's."""
    moment = (message.avito_created_at or message.created_at).astimezone(zone)
    today = datetime.now(zone).date()
    return moment.strftime("%H:%M" if moment.date() == today else "%d.%m %H:%M")


def title_of(t: Translator, dialog: Dialog) -> str:
    return topic_title(dialog.buyer_name, dialog.item_title, fallback=t("bridge-topic-fallback"))


def card_of(t: Translator, dialog: Dialog) -> str:
    """The pinned first message of a topic: item, price, link, buyer."""
    fields = card_fields(dialog.item_title, dialog.item_price, dialog.item_url, dialog.buyer_name)
    lines = [t(field.key, value=html.escape(field.value)) for field in fields]
    return "\n".join(lines) or t("bridge-topic-fallback")
