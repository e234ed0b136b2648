"""Numbers a person can type or forge (typed ids, `/start` payloads, command arguments, callback data).

`str.isdigit()` accepts "²" and other digits `int()` refuses or reads (Arabic-Indic, full-width), so
numbers are read from ASCII digits only, and only within the range of what they are compared with.
"""

from __future__ import annotations

import re

ROW_ID_MAX = 2**31 - 1  # INTEGER primary keys (PostgreSQL int4)
TELEGRAM_ID_MAX = 2**52  # Telegram user ids fit in 52 bits
_ASCII_DIGITS = re.compile(r"[0-9]+")


def parse_number(text: str | None, maximum: int) -> int | None:
    """A whole number from 0 to `maximum` written in ASCII digits (spaces around allowed); else None."""
    value = (text or "").strip()
    if not _ASCII_DIGITS.fullmatch(value) or len(value) > len(str(maximum)):
        return None
    number = int(value)
    return number if number <= maximum else None


def parse_id(text: str | None) -> int | None:
    """A row id such as `5` or `#5`; None for anything that cannot be one."""
    number = parse_number((text or "").strip().removeprefix("#"), ROW_ID_MAX)
    return number if number else None
