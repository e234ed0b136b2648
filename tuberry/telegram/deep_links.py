"""Deep links and their `/start` payloads: the one place that writes and reads them.

The master bot's links open a cabinet card, e.g. `acc_5` for account 5: the alerts job makes them, the
cabinet's `/start` opens them; a payload comes from a link anybody can edit, so it is read strictly.
A client bot's links (`bind`) add it to a group or open a chat with it: any `/start` there answers the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

ROW_ID_MAX = 2**31 - 1  # INTEGER primary keys (PostgreSQL int4)
# ASCII digits only: `str.isdigit()` accepts "²" and digits of other scripts that `int()` reads.
_ID = re.compile(r"[0-9]{1,10}")
BIND = "bind"


class Card(StrEnum):
    ACCOUNT = "acc"


@dataclass(frozen=True)
class CardLink:
    card: Card
    item_id: int | None  # None: the id was mangled on the way (the cabinet says the card is not there)


def account_payload(account_id: int) -> str:
    """For `aiogram.utils.deep_linking.create_start_link`: the link opens the account's card."""
    return f"{Card.ACCOUNT.value}_{account_id}"


def parse_payload(payload: str) -> CardLink | None:
    """The card a `/start` payload opens; None when it names no card (a plain `/start`, an unknown kind)."""
    kind, _, raw_id = payload.partition("_")
    if kind not in tuple(Card):
        return None
    raw_id = raw_id.strip().removeprefix("#")  # as a typed id: "acc_#5" is account 5
    item_id = int(raw_id) if _ID.fullmatch(raw_id) else 0
    return CardLink(Card(kind), item_id if 0 < item_id <= ROW_ID_MAX else None)


def startgroup_link(username: str, rights: Iterable[str]) -> str:
    """Add-to-group link asking for exactly these administrator rights (Telegram joins them with `+`)."""
    return f"https://t.me/{username}?startgroup={BIND}&admin={'+'.join(rights)}"


def private_link(username: str) -> str:
    """A chat with the bot, started with `/start bind`."""
    return f"https://t.me/{username}?start={BIND}"
