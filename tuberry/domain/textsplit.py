"""Splitting a long text into messages that fit a length limit (Avito: 1000 characters).

Each part is cut at the best boundary in its window, in this order of preference: a paragraph
break, a line break, the end of a sentence, any whitespace, and only then a hard cut inside a
word. Boundaries in the first half of the window are ignored while a better-placed one exists,
so a short first line does not become a lonely message. Whitespace at the cut and around the
whole text is dropped (messengers trim it anyway); every other character survives in order.
Lengths are counted in code points, like Avito's ``maxLength``.

Telegram texts are HTML: a hard cut never falls inside a character reference such as ``&amp;``,
and with ``html=True`` a reference counts as the one character Telegram shows for it (Telegram's
limits apply after parsing), so an escaped text is not split earlier than its plain form would be.
"""

from __future__ import annotations

import re
import unicodedata

AVITO_TEXT_LIMIT = 1000

# Each pattern matches the whitespace to cut at; the part ends where the match starts.
_BOUNDARIES = (
    re.compile(r"\n[^\S\n]*\n\s*"),  # paragraph
    re.compile(r"\n\s*"),  # line
    re.compile(r"(?<=[.!?…])\s+"),  # sentence
    re.compile(r"\s+"),  # word
)
_JOINERS = frozenset({"\u200d"})  # zero width joiner glues emoji sequences
# What Telegram's HTML parse mode decodes: numeric references and four named ones.
_CHAR_REFERENCE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|lt|gt|amp|quot);")
_REFERENCE_REACH = 12  # longer than any reference _CHAR_REFERENCE matches


def split_text(text: str, limit: int = AVITO_TEXT_LIMIT, *, html: bool = False) -> list[str]:
    """Parts of at most ``limit`` characters, stripped and non-empty; [] for a blank text.

    ``html``: the text is Telegram HTML without tags (escaped plain text); its character references
    count as one character each.
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    parts: list[str] = []
    rest = text.strip()
    while rest:
        window = _shown_window(rest, limit) if html else limit  # the index where `limit` characters end
        if len(rest) <= window:
            parts.append(rest)
            break
        cut = _cut_point(rest, window)
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return parts


def _shown_window(text: str, limit: int) -> int:
    """Index in ``text`` after its first ``limit`` shown characters (a reference shows as one)."""
    index = shown = 0
    while index < len(text) and shown < limit:
        reference = _CHAR_REFERENCE.match(text, index) if text[index] == "&" else None
        index = reference.end() if reference else index + 1
        shown += 1
    return index


def _cut_point(text: str, limit: int) -> int:
    """Index to cut ``text`` (longer than ``limit``, no leading whitespace) at; 1..limit."""
    # The character right after the window may be the whitespace that makes a clean cut.
    window = text[: limit + 1]
    fallback = 0
    for pattern in _BOUNDARIES:
        starts = [m.start() for m in pattern.finditer(window) if 0 < m.start() <= limit]
        if not starts:
            continue
        if starts[-1] >= limit // 2:
            return starts[-1]
        fallback = max(fallback, starts[-1])
    if fallback:
        return fallback
    return _hard_cut(text, limit)


def _hard_cut(text: str, limit: int) -> int:
    """Cut inside a word, but not between a character and its combining marks or joiners, nor
    inside a character reference."""
    cut = limit
    while cut > 1 and (_glued(text, cut) or _in_reference(text, cut)):
        cut -= 1
    return cut if cut > 1 or not (_glued(text, cut) or _in_reference(text, cut)) else limit


def _in_reference(text: str, cut: int) -> bool:
    amp = text.rfind("&", max(cut - _REFERENCE_REACH, 0), cut)
    found = _CHAR_REFERENCE.match(text, amp) if amp >= 0 else None
    return found is not None and found.end() > cut


def _glued(text: str, cut: int) -> bool:
    after, before = text[cut], text[cut - 1]
    return (
        unicodedata.combining(after) > 0
        or unicodedata.category(after) == "Mn"
        or after in _JOINERS
        or before in _JOINERS
        or 0xFE00 <= ord(after) <= 0xFE0F  # variation selectors
    )
