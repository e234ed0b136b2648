"""Why a buyer is blocked: a manager's free words (`/block мошенник`) as one of Avito's blacklist reasons.

Avito knows four reasons (postBlacklistV2 `reason_id`): 1 spam, 2 fraud, 3 insults, 4 other. The first word
of the manager's text decides, by its stem, in Russian or English; anything else (or nothing) is "other".
The whole text is kept in the audit log, so nothing the manager wrote is lost.
"""

from __future__ import annotations

from enum import IntEnum


class BlockReason(IntEnum):
    SPAM = 1
    FRAUD = 2
    INSULT = 3
    OTHER = 4


# Stems, matched at the start of the first word (lower case).
_STEMS: tuple[tuple[BlockReason, tuple[str, ...]], ...] = (
    (BlockReason.SPAM, ("spam", "спам", "реклам", "advert", "ads")),
    (BlockReason.FRAUD, ("fraud", "scam", "мошен", "обман", "развод", "кидал", "фрод", "скам")),
    (BlockReason.INSULT, ("insult", "rude", "abus", "оскорб", "хам", "груб")),
)


def block_reason(text: str | None) -> BlockReason:
    """The reason the first word names; OTHER for none or an unknown one."""
    words = (text or "").strip().lower().split()
    if not words:
        return BlockReason.OTHER
    first = words[0].strip(".,!?:;«»\"'()")
    for reason, stems in _STEMS:
        if first.startswith(stems):
            return reason
    return BlockReason.OTHER
