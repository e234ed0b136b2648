"""Stored messages and dialogs as Telegram texts, in the owner's language (HTML parse mode)."""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tuberry.app.i18n import Translator
from tuberry.domain.render import compose, render_message
from tuberry.domain.topic_card import card_fields, topic_title
from tuberry.storage.models import Dialog, Message, Origin


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
    from_app = message.direction == "out" and not auto
    body = compose(rendering, translate, from_app=from_app, auto_reply=auto, escape=escape_html)
    return Outgoing(rendering.kind, body, rendering.media_url, rendering.voice_id)


def title_of(t: Translator, dialog: Dialog) -> str:
    return topic_title(dialog.buyer_name, dialog.item_title, fallback=t("bridge-topic-fallback"))


def card_of(t: Translator, dialog: Dialog) -> str:
    """The pinned first message of a topic: item, price, link, buyer."""
    fields = card_fields(dialog.item_title, dialog.item_price, dialog.item_url, dialog.buyer_name)
    lines = [t(field.key, value=html.escape(field.value)) for field in fields]
    return "\n".join(lines) or t("bridge-topic-fallback")
