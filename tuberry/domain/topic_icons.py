"""Which icon a dialog's topic shows for its status (domain.ticket): the workspace's choice, else a default.

Icons are custom emoji from Telegram's forum topic icon set (getForumTopicIconStickers). The defaults are
picked by emoji from that set as Telegram returns it, first match wins; an emoji the set lacks is skipped,
and a status none of whose emoji are there gets no icon (""), which never fails a topic (an existing topic
then keeps the icon it has: jobs/topic_icon).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tuberry.domain.ticket import TopicStatus

NO_ICON = ""  # Telegram's default icon

# Preferred emoji per status, best first. Telegram's set has ❗️, 🔥, ✅, 💬 and 🏁; 🔒 and 💤 are there only
# should Telegram add them.
DEFAULT_EMOJI: Mapping[TopicStatus, tuple[str, ...]] = {
    TopicStatus.WAITING: ("❗", "🔥", "‼", "❓"),
    TopicStatus.ANSWERED: ("✅", "💬", "☑", "✔"),
    TopicStatus.CLOSED: ("🔒", "💤", "🏁"),
}


@dataclass(frozen=True)
class Icon:
    """One sticker of Telegram's forum topic icon set."""

    custom_emoji_id: str
    emoji: str


def bare(emoji: str) -> str:
    """The emoji without variation selectors: Telegram writes "❗️" where a keyboard gives "❗"."""
    return emoji.replace("\ufe0f", "").replace("\ufe0e", "")


def default_icon(status: TopicStatus, icons: Sequence[Icon]) -> str:
    by_emoji = {bare(icon.emoji): icon.custom_emoji_id for icon in reversed(icons)}
    for emoji in DEFAULT_EMOJI[status]:
        found = by_emoji.get(bare(emoji))
        if found:
            return found
    return NO_ICON


def wanted_icon(status: TopicStatus, choice: Mapping[str, str] | None, icons: Sequence[Icon]) -> str:
    """The icon id for `status`: the workspace's choice when it is still in Telegram's set, else the
    default."""
    chosen = (choice or {}).get(status.value)
    if chosen and any(icon.custom_emoji_id == chosen for icon in icons):
        return chosen
    return default_icon(status, icons)


def emoji_of(custom_emoji_id: str, icons: Sequence[Icon]) -> str | None:
    return next((icon.emoji for icon in icons if icon.custom_emoji_id == custom_emoji_id), None)
