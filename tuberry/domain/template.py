"""The auto-reply text: ``{variable}`` placeholders, ``{{``/``}}`` for literal braces.

Checking (``template_problems``) is strict, because the seller sees the result in the cabinet.
Rendering (``render_template``) never raises: a stray brace stays as typed, and a variable
without a value disappears together with the space or comma that only made sense around it
("Здравствуйте, {buyer_name}!" → "Здравствуйте!").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from tuberry.domain.textsplit import AVITO_TEXT_LIMIT

VARIABLES = ("item_title", "buyer_name", "next_open")
# Quick replies (managers' templates) know the item's price and link too.
QUICK_REPLY_VARIABLES = (*VARIABLES, "item_price", "item_url")
# Lengths assumed for the length check, on the generous side: Avito caps item titles at 50
# characters (100 here), buyer names are short (60), and the longest Russian next-opening
# phrase ("в воскресенье в 09:00") is about 25 (40 here).
# Prices read like "1 250 000 ₽" (30 here); item links are about 80 characters (150 here).
PLACEHOLDER_LENGTHS: Mapping[str, int] = {
    "item_title": 100,
    "buyer_name": 60,
    "next_open": 40,
    "item_price": 30,
    "item_url": 150,
}
NEXT_OPEN_KEY = "render-next-open"

_EMPTY = "\x00"  # marks a variable that rendered empty, until the tidy-up removes it


@dataclass(frozen=True, slots=True)
class TemplateProblem:
    """One thing wrong with a template.

    ``code``: ``"empty"``, ``"unknown_variable"`` (``variable`` set), ``"unbalanced_braces"``
    (``position`` of the brace), ``"too_long"`` (``length`` = estimated rendered length).
    """

    code: str
    variable: str | None = None
    position: int | None = None
    length: int | None = None


@dataclass(frozen=True, slots=True)
class _Var:
    name: str
    position: int


def template_problems(
    text: str, limit: int = AVITO_TEXT_LIMIT, variables: tuple[str, ...] = VARIABLES
) -> list[TemplateProblem]:
    """Everything that stops ``text`` from being a good auto-reply (or, with ``variables`` =
    ``QUICK_REPLY_VARIABLES``, a good quick reply); empty list = fine."""
    if not text.strip():
        return [TemplateProblem("empty")]
    pieces, problems = _scan(text)
    seen: set[str] = set()
    for piece in pieces:
        if isinstance(piece, _Var) and piece.name not in variables and piece.name not in seen:
            seen.add(piece.name)
            problems.append(TemplateProblem("unknown_variable", variable=piece.name, position=piece.position))
    problems.sort(key=lambda p: p.position if p.position is not None else -1)
    estimate = sum(PLACEHOLDER_LENGTHS.get(p.name, 0) if isinstance(p, _Var) else len(p) for p in pieces)
    if estimate > limit:
        problems.append(TemplateProblem("too_long", length=estimate))
    return problems


def render_template(text: str, values: Mapping[str, str]) -> str:
    """Substitute variables; missing, None or blank values vanish tidily. Never raises."""
    lookup = {str(key).lower(): _clean_value(value) for key, value in values.items()}
    pieces, _ = _scan(text.replace(_EMPTY, ""))
    rendered = "".join((lookup.get(p.name) or _EMPTY) if isinstance(p, _Var) else p for p in pieces)
    return _tidy(rendered) if _EMPTY in rendered else rendered


def next_open_args(next_open: datetime | None, now: datetime) -> dict[str, str | int]:
    """Arguments of the ``render-next-open`` Fluent message ("завтра в 09:00").

    ``when`` is ``today``/``tomorrow``/``week``/``never``; ``weekday`` 0 = Monday; ``time``
    ``HH:MM`` and ``date`` ``DD.MM`` are in ``next_open``'s own zone (the schedule's).
    """
    if next_open is None:
        return {"when": "never", "weekday": 0, "time": "", "date": ""}
    local_now = now.astimezone(next_open.tzinfo)
    days_ahead = (next_open.date() - local_now.date()).days
    when = "today" if days_ahead <= 0 else "tomorrow" if days_ahead == 1 else "week"
    return {
        "when": when,
        "weekday": next_open.weekday(),
        "time": f"{next_open.hour:02d}:{next_open.minute:02d}",
        "date": f"{next_open.day:02d}.{next_open.month:02d}",
    }


def _scan(text: str) -> tuple[list[str | _Var], list[TemplateProblem]]:
    """Split into literal text and variables; lone braces stay literal and are reported."""
    pieces: list[str | _Var] = []
    problems: list[TemplateProblem] = []
    literal: list[str] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char in "{}" and text.startswith(char * 2, i):
            literal.append(char)
            i += 2
            continue
        if char == "}":
            problems.append(TemplateProblem("unbalanced_braces", position=i))
            literal.append(char)
            i += 1
            continue
        if char == "{":
            close = text.find("}", i + 1)
            reopen = text.find("{", i + 1)
            if close == -1 or -1 < reopen < close:
                problems.append(TemplateProblem("unbalanced_braces", position=i))
                literal.append(char)
                i += 1
                continue
            if literal:
                pieces.append("".join(literal))
                literal = []
            pieces.append(_Var(text[i + 1 : close].strip().lower(), i))
            i = close + 1
            continue
        literal.append(char)
        i += 1
    if literal:
        pieces.append("".join(literal))
    return pieces, problems


def _clean_value(value: object) -> str:
    if value is None:
        return ""
    return " ".join(str(value).replace(_EMPTY, "").split())


# Applied in order, only around the marker of an empty value.
_TIDY_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(f"{_EMPTY}(?:[ \\t]*{_EMPTY})+"), _EMPTY),  # several empty values in a row
    (re.compile(f"[«\"“„'(\\[]{_EMPTY}[»\"”')\\]]"), _EMPTY),  # «{item_title}» → nothing
    (re.compile(f"(?m)^[ \\t]*{_EMPTY}[ \\t]*[,;:]?[ \\t]*"), ""),  # at the start of a line
    # "Здравствуйте, {buyer_name}!" → "Здравствуйте!"; "Привет, {x}, ..." → "Привет, ..."
    (re.compile(f"[ \\t]*,?[ \\t]*{_EMPTY}[ \\t]*(?=[.!?…,;:)]|\\n|$)"), ""),
    (re.compile(f"[ \\t]+{_EMPTY}[ \\t]+"), " "),  # between words
    (re.compile(_EMPTY), ""),
)


def _tidy(text: str) -> str:
    for pattern, replacement in _TIDY_RULES:
        text = pattern.sub(replacement, text)
    return text
