"""Forum topic titles and the fields of the pinned card of a dialog topic."""

from __future__ import annotations

from dataclasses import dataclass

from tuberry.domain.textutil import clean_line, shorten, utf16_len

TOPIC_TITLE_LIMIT = 128  # Telegram: forum topic name is 1-128 characters
SEPARATOR = " · "
LAST_RESORT_TITLE = "Avito"
# When both parts do not fit, the buyer name keeps at least this much (it is what managers
# scan the topic list for); the item title takes the rest.
_NAME_SHARE = 40


@dataclass(frozen=True, slots=True)
class CardField:
    """One line of the dialog card; ``key`` is its Fluent message id (arg ``$value``)."""

    name: str  # "item" | "price" | "link" | "buyer"
    value: str

    @property
    def key(self) -> str:
        return f"render-card-{self.name}"


def topic_title(buyer_name: str | None, item_title: str | None, fallback: str) -> str:
    """``"Buyer · Item"``, or whichever part exists, or ``fallback``; never empty, ≤ 128.

    Length is counted in UTF-16 code units (an emoji counts twice), which is never more
    generous than Telegram's own count.
    """
    name, item = clean_line(buyer_name), clean_line(item_title)
    if name and item:
        return _fit_pair(name, item)
    single = name or item or clean_line(fallback) or LAST_RESORT_TITLE
    return shorten(single, TOPIC_TITLE_LIMIT)


def card_fields(
    item_title: str | None, price: str | None, url: str | None, buyer_name: str | None
) -> list[CardField]:
    """Card lines in display order, skipping the missing ones."""
    fields = [("item", item_title), ("price", price), ("link", url), ("buyer", buyer_name)]
    return [CardField(name, text) for name, value in fields if (text := clean_line(value))]


def _fit_pair(name: str, item: str) -> str:
    room = TOPIC_TITLE_LIMIT - len(SEPARATOR)
    if utf16_len(name) + utf16_len(item) <= room:
        return f"{name}{SEPARATOR}{item}"
    name_room = max(min(utf16_len(name), _NAME_SHARE), room - utf16_len(item))
    short_name = shorten(name, name_room)
    short_item = shorten(item, room - utf16_len(short_name))
    return f"{short_name}{SEPARATOR}{short_item}"
