"""Small text helpers shared by the renderers: cleaning and length-safe cutting.

Telegram counts message and title lengths in UTF-16 code units (an emoji outside the Basic
Multilingual Plane counts twice), so cutting here measures the same way.
"""

from __future__ import annotations

import unicodedata

ELLIPSIS = "…"
_KEEP_FORMAT = frozenset({"\u200d"})  # zero width joiner: part of emoji sequences


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def clean_text(value: object) -> str:
    """Printable multi-line text: control and lone-surrogate characters removed, ends stripped."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return ""
    text = value if isinstance(value, str) else str(value)
    return "".join(ch for ch in text if _printable(ch) or ch in "\n\t").strip()


def clean_line(value: object) -> str:
    """Like ``clean_text`` but on one line: every whitespace run becomes one space."""
    return " ".join(clean_text(value).split())


def shorten(text: str, limit: int) -> str:
    """Cut to ``limit`` UTF-16 units with a trailing ellipsis, at a word end when one is near."""
    if utf16_len(text) <= limit:
        return text
    budget = max(limit - len(ELLIPSIS), 0)
    cut, used = 0, 0
    while cut < len(text) and used + utf16_len(text[cut]) <= budget:
        used += utf16_len(text[cut])
        cut += 1
    head = text[:cut]
    space = max(head.rfind(" "), head.rfind("\n"))
    if space >= budget * 0.6:  # a word end close enough to the limit
        head = head[:space]
    head = head.rstrip(" \n\t,.;:-–—·")
    return (head or text[:cut]) + ELLIPSIS


def _printable(ch: str) -> bool:
    category = unicodedata.category(ch)
    if category == "Cf":
        return ch in _KEEP_FORMAT
    return category not in {"Cc", "Cs"}
