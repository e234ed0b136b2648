"""`/start` payloads of the master bot's links that open a cabinet card, e.g. `acc_5` for account 5.

The one place that writes and reads them: the alerts job makes such links, the cabinet's `/start` opens
them. A payload comes from a link anybody can edit, so it is read strictly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from aiogram import Bot
from aiogram.utils.deep_linking import create_start_link

ROW_ID_MAX = 2**31 - 1  # INTEGER primary keys (PostgreSQL int4)
# ASCII digits only: `str.isdigit()` accepts "²" and digits of other scripts that `int()` reads.
_ID = re.compile(r"[0-9]{1,10}")


class Card(StrEnum):
    ACCOUNT = "acc"


@dataclass(frozen=True)
class CardLink:
    card: Card
    item_id: int | None  # None: the id was mangled on the way (the cabinet says the card is not there)


def account_payload(account_id: int) -> str:
    return f"{Card.ACCOUNT.value}_{account_id}"


async def account_link(master: Bot, account_id: int) -> str:
    """`https://t.me/<master>?start=acc_<id>`: opens the account's card in the cabinet."""
    return await create_start_link(master, account_payload(account_id))


def parse_payload(payload: str) -> CardLink | None:
    """The card a `/start` payload opens; None when it names no card (a plain `/start`, an unknown kind)."""
    kind, _, raw_id = payload.partition("_")
    if kind not in tuple(Card):
        return None
    raw_id = raw_id.strip().removeprefix("#")  # as a typed id: "acc_#5" is account 5
    item_id = int(raw_id) if _ID.fullmatch(raw_id) else 0
    return CardLink(Card(kind), item_id if 0 < item_id <= ROW_ID_MAX else None)
