"""What a waiting alert and the General topic's digest say (HTML, in the owner's language)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime, timedelta

from tuberry.app.i18n import Translator
from tuberry.app.managers import Manager
from tuberry.storage.repos.waiting import WaitingDialog

DIGEST_LINES = 20  # dialogs listed in one digest; the rest are counted


def waited_text(t: Translator, waited: timedelta) -> str:
    """ "17 мин", "1 ч 5 мин", "2 д 3 ч": whole minutes, at least one."""
    minutes = max(1, int(waited.total_seconds() // 60))
    if minutes < 60:
        return t("waiting-dur-m", m=minutes)
    if minutes < 24 * 60:
        hours, minutes = divmod(minutes, 60)
        return t("waiting-dur-hm", h=hours, m=minutes) if minutes else t("waiting-dur-h", h=hours)
    days, hours = divmod(minutes // 60, 24)
    return t("waiting-dur-dh", d=days, h=hours) if hours else t("waiting-dur-d", d=days)


def mentions(t: Translator, people: Sequence[Manager]) -> str:
    """Text mentions (`tg://user?id=`): they notify the person without needing a @username."""
    return ", ".join(
        f'<a href="tg://user?id={person.user_id}">{html.escape(person.name or t("waiting-manager"))}</a>'
        for person in people
    )


def alert_text(t: Translator, waited: timedelta, people: Sequence[Manager]) -> str:
    return t("waiting-alert", waited=waited_text(t, waited), mentions=mentions(t, people)).strip()


def topic_link(chat_id: int, topic_id: int) -> str | None:
    """A link to a topic of a supergroup (`-100…` ids); None for any other chat."""
    text = str(chat_id)
    return f"https://t.me/c/{text[4:]}/{topic_id}" if text.startswith("-100") else None


def digest_text(t: Translator, chat_id: int, waiting: Sequence[WaitingDialog], now: datetime) -> str:
    lines = [t("waiting-digest-title", count=len(waiting))]
    for dialog in waiting[:DIGEST_LINES]:
        buyer = html.escape(dialog.buyer_name or t("waiting-digest-buyer"))
        link = topic_link(chat_id, dialog.topic_id)
        lines.append(
            t(
                "waiting-digest-line",
                buyer=f'<a href="{link}">{buyer}</a>' if link else buyer,
                item=html.escape(dialog.item_title or t("waiting-digest-no-item")),
                waited=waited_text(t, now - dialog.waiting_since),
            )
        )
    if len(waiting) > DIGEST_LINES:
        lines.append(t("waiting-digest-more", count=len(waiting) - DIGEST_LINES))
    return "\n".join(lines)
