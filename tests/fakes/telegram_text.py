"""Message text handling for the fake Telegram server: parse modes, entities, UTF-16 offsets.

The real server turns `parse_mode` markup into plain text plus `MessageEntity` objects and rejects bad
markup with `Bad Request: can't parse entities: ...`. It also detects commands, URLs and mentions by
itself. Offsets and lengths are in UTF-16 code units. This module reproduces the common cases: HTML
(the tags listed in the Bot API "Formatting options"), MarkdownV2 with its reserved characters, and
legacy Markdown. Only the standard library is used.
"""

from __future__ import annotations

import re
from typing import Any

MARKDOWN_V2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")

_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "code": "code",
    "pre": "pre",
    "a": "text_link",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_HTML_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_ATTR = re.compile(r"""\s*([A-Za-z_-]+)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
_HTML_CHARREF = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z]+);")

_AUTO_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("bot_command", re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")),
    ("url", re.compile(r"(?<![\w@])(?:https?://|www\.)[^\s<>\"]+[^\s<>\".,;:!?)\]'»]")),
    ("mention", re.compile(r"(?<![\w@/])@[A-Za-z][A-Za-z0-9_]{3,31}(?!\w)")),
)
_MARKDOWN_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "text_link": "TextUrl",
}


class EntityParseError(ValueError):
    """Markup the real server refuses; str(error) follows "Bad Request: can't parse entities: "."""


class UnsupportedParseMode(ValueError):
    """A parse_mode other than HTML, MarkdownV2 and Markdown."""


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


class _Builder:
    """Collects output text and entities while a markup parser walks its source."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.offset = 0
        self.entities: list[dict[str, Any]] = []

    def emit(self, text: str) -> None:
        self.parts.append(text)
        self.offset += utf16_len(text)

    def close(self, kind: str, start: int, **extra: Any) -> None:
        if self.offset > start:
            self.entities.append({"type": kind, "offset": start, "length": self.offset - start, **extra})

    def text(self) -> str:
        return "".join(self.parts)


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Telegram-flavoured HTML → (text, entities); raises EntityParseError on bad markup."""
    out = _Builder()
    stack: list[tuple[str, str, int, dict[str, Any]]] = []  # (tag, entity type, start, extra)
    i = 0
    while i < len(source):
        char = source[i]
        if char == "&":
            match = _HTML_CHARREF.match(source, i)
            decoded = _decode_charref(match.group(1)) if match else None
            if match and decoded is not None:
                out.emit(decoded)
                i = match.end()
                continue
            out.emit("&")
            i += 1
            continue
        if char != "<":
            j = i
            while j < len(source) and source[j] not in "<&":
                j += 1
            out.emit(source[i:j])
            i = j
            continue
        end = source.find(">", i)
        if end == -1:
            raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(source, i)}")
        inner = source[i + 1 : end]
        if inner.startswith("/"):
            name = inner[1:].strip().lower()
            if not stack:
                raise EntityParseError(f"Unexpected end tag at byte offset {_byte_offset(source, i)}")
            tag, kind, start, extra = stack.pop()
            if name != tag:
                raise EntityParseError(
                    f'Unmatched end tag at byte offset {_byte_offset(source, i)}, expected "</{tag}>", '
                    f'found "</{name}>"'
                )
            if kind == "code" and stack and stack[-1][1] == "pre" and "language" in extra:
                stack[-1][3]["language"] = extra["language"]
            elif kind:
                out.close(kind, start, **{k: v for k, v in extra.items() if k != "language" or kind == "pre"})
        else:
            tag, kind, extra = _html_start_tag(inner, _byte_offset(source, i))
            stack.append((tag, kind, out.offset, extra))
        i = end + 1
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return out.text(), sort_entities(out.entities)


def _decode_charref(ref: str) -> str | None:
    if ref.startswith(("#x", "#X")):
        code = int(ref[2:], 16)
    elif ref.startswith("#"):
        code = int(ref[1:])
    else:
        return _HTML_NAMED.get(ref.lower())
    return chr(code) if 0 < code < 0x110000 else None


def _html_start_tag(inner: str, byte_offset: int) -> tuple[str, str, dict[str, Any]]:
    """Parse the inside of `<...>`; returns (tag, entity type or "", entity extras)."""
    match = re.match(r"([A-Za-z][A-Za-z0-9-]*)", inner)
    name = match.group(1).lower() if match else ""
    if name not in _HTML_TAGS:
        raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {byte_offset}')
    attrs = {
        m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) or ""
        for m in _HTML_ATTR.finditer(inner, len(name))
    }
    kind = _HTML_TAGS[name]
    extra: dict[str, Any] = {}
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise EntityParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset}')
    if name == "a":
        href = attrs.get("href", "")
        if href.startswith("tg://user?id="):
            kind, extra = (
                "text_mention",
                {"user": {"id": int(href.split("=", 1)[1] or 0), "is_bot": False, "first_name": ""}},
            )
        elif href:
            extra = {"url": href}
        else:
            kind = ""
    elif name == "code" and attrs.get("class", "").startswith("language-"):
        extra = {"language": attrs["class"][len("language-") :]}
    elif name == "blockquote" and "expandable" in attrs:
        kind = "expandable_blockquote"
    elif name == "tg-emoji":
        extra = {"custom_emoji_id": attrs.get("emoji-id", "")}
    return name, kind, extra


def parse_markdown(source: str, *, v2: bool) -> tuple[str, list[dict[str, Any]]]:
    """MarkdownV2 (v2=True) or legacy Markdown → (text, entities)."""
    out = _Builder()
    stack: list[tuple[str, str, int, int]] = []  # (marker, entity type, start, byte offset)
    markers = {"*": "bold", "_": "italic", "__": "underline", "~": "strikethrough", "||": "spoiler"}
    if not v2:
        markers = {"*": "bold", "_": "italic"}
    i, n = 0, len(source)
    while i < n:
        char = source[i]
        if char == "\\" and i + 1 < n and (v2 or source[i + 1] in "_*`["):
            out.emit(source[i + 1])
            i += 2
            continue
        if char == "`":
            i = _markdown_code(source, i, out, v2)
            continue
        marker = source[i : i + 2] if v2 and source[i : i + 2] in ("__", "||") else char
        if marker in markers:
            open_index = next((k for k in range(len(stack) - 1, -1, -1) if stack[k][0] == marker), None)
            if open_index is None:
                stack.append((marker, markers[marker], out.offset, _byte_offset(source, i)))
            else:
                _, kind, start, _ = stack.pop(open_index)
                out.close(kind, start)
            i += len(marker)
            continue
        if char == "[":
            stack.append(("[", "text_link", out.offset, _byte_offset(source, i)))
            i += 1
            continue
        if char == "]" and stack and stack[-1][0] == "[":
            if source.startswith("(", i + 1):
                close = source.find(")", i + 2)
                while v2 and close > 0 and source[close - 1] == "\\":
                    close = source.find(")", close + 1)
                if close == -1:
                    raise EntityParseError(
                        f"Can't find end of a URL at byte offset {_byte_offset(source, i)}"
                    )
                url = re.sub(r"\\(.)", r"\1", source[i + 2 : close]) if v2 else source[i + 2 : close]
                _, kind, start, _ = stack.pop()
                out.close(kind, start, url=url)
                i = close + 1
                continue
            if v2:
                raise EntityParseError(f"Can't find end of a URL at byte offset {_byte_offset(source, i)}")
        if char == ">" and v2 and (i == 0 or source[i - 1] == "\n"):
            line_end = source.find("\n", i)
            line_end = n if line_end == -1 else line_end
            start = out.offset
            inner_text, inner_entities = parse_markdown(source[i + 1 : line_end], v2=True)
            out.entities.extend({**e, "offset": e["offset"] + start} for e in inner_entities)
            out.emit(inner_text)
            out.close("blockquote", start)
            i = line_end
            continue
        if v2 and char in MARKDOWN_V2_RESERVED:
            raise EntityParseError(
                f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
            )
        out.emit(char)
        i += 1
    if stack:
        marker, kind, _, byte = stack[-1]
        if v2:
            raise EntityParseError(f"Can't find end of {_MARKDOWN_NAMES[kind]} entity at byte offset {byte}")
        raise EntityParseError(f"Can't find end of the entity starting at byte offset {byte}")
    return out.text(), sort_entities(out.entities)


def _markdown_code(source: str, i: int, out: _Builder, v2: bool) -> int:
    """Handle `code` or ```pre``` starting at i; returns the index after it."""
    fence = "```" if source.startswith("```", i) else "`"
    end = source.find(fence, i + len(fence))
    while v2 and end > 0 and source[end - 1] == "\\":
        end = source.find(fence, end + 1)
    if end == -1:
        kind = "Pre" if fence == "```" else "Code"
        where = _byte_offset(source, i)
        if v2:
            raise EntityParseError(f"Can't find end of {kind} entity at byte offset {where}")
        raise EntityParseError(f"Can't find end of the entity starting at byte offset {where}")
    body = source[i + len(fence) : end]
    if v2:
        body = re.sub(r"\\([`\\])", r"\1", body)
    extra: dict[str, Any] = {}
    if fence == "```":
        first, newline, rest = body.partition("\n")
        if newline and first and " " not in first:
            extra["language"], body = first, rest
        elif newline and not first:
            body = rest
    start = out.offset
    out.emit(body)
    out.close("pre" if fence == "```" else "code", start, **extra)
    return end + len(fence)


def detect_entities(text: str, existing: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Entities the server finds by itself: bot commands, URLs, @mentions (outside code and links)."""
    blocked = [
        (e["offset"], e["offset"] + e["length"])
        for e in existing
        if e["type"] in ("code", "pre", "text_link", "url", "bot_command", "mention")
    ]
    found: list[dict[str, Any]] = []
    for kind, pattern in _AUTO_PATTERNS:
        for match in pattern.finditer(text):
            start = utf16_len(text[: match.start()])
            end = start + utf16_len(match.group(0))
            if any(start < b_end and b_start < end for b_start, b_end in blocked):
                continue
            blocked.append((start, end))
            found.append({"type": kind, "offset": start, "length": end - start})
    return found


def sort_entities(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The server's order: by offset, longer first."""
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def format_text(
    text: str, parse_mode: str | None, entities: list[dict[str, Any]] | None
) -> tuple[str, list[dict[str, Any]]]:
    """Apply parse_mode (or explicit entities) and add auto-detected entities.

    Explicit `entities` win over `parse_mode`, as on the real server. Raises EntityParseError or
    UnsupportedParseMode.
    """
    if entities:
        plain, found = text, [dict(e) for e in entities]
    elif not parse_mode:
        plain, found = text, []
    elif parse_mode.lower() == "html":
        plain, found = parse_html(text)
    elif parse_mode.lower() == "markdownv2":
        plain, found = parse_markdown(text, v2=True)
    elif parse_mode.lower() == "markdown":
        plain, found = parse_markdown(text, v2=False)
    else:
        raise UnsupportedParseMode(parse_mode)
    return plain, sort_entities(found + detect_entities(plain, found))
