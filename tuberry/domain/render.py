"""How an Avito message looks in a Telegram topic.

``render_message`` turns the raw message dict (API notes §3.3; webhook values have the same
``type``/``content``) into a ``Rendering``: what to send (text, photo by URL, or voice by
Avito voice id) and which Fluent message of ``render.ftl`` makes its text or caption. Avito
fills only the content member matching ``type`` and documents several members as nullable, so
every field is optional here: anything missing or of the wrong type degrades to a plainer
rendering, and no input raises.

Args are raw user text of any length; ``compose`` builds the plain text and escapes it last (for
Telegram's HTML parse mode), so a cut never splits an escape sequence and the buyer's text is never
shortened: a long text is split into several messages by the sender.
"""

from __future__ import annotations

import math
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from tuberry.domain.textutil import clean_line, clean_text, shorten, utf16_len

TEXT_LIMIT = 4096  # Telegram sendMessage text
CAPTION_LIMIT = 1024  # Telegram photo/voice caption
QUOTE_LIMIT = 200  # characters of the quoted message shown above a reply
_FIELD_LIMIT = 500  # one title/description/address inside a rendering
SYSTEM_LIMIT = 200  # Avito's own notice: one short line in the topic, the whole text is in the Avito app
# fluent.runtime refuses a placeable longer than 2500 characters (resolver.MAX_PART_LENGTH) and
# renders the whole message as "{???}"; longer arguments go in after formatting (translate_long_args).
FLUENT_PART_LIMIT = 2500

Kind = Literal["text", "photo", "voice"]
Arg = str | int | float
Translate = Callable[[str, Mapping[str, Arg]], str]
Escape = Callable[[str], str]

_SIZE_RE = re.compile(r"^\s*([0-9]{1,6})\s*[xXхХ×]\s*([0-9]{1,6})\s*$")
_UNSUPPORTED = {"file": "render-file", "video": "render-video", "appCall": "render-app-call"}


@dataclass(frozen=True, slots=True)
class Rendering:
    """What to send for one Avito message.

    ``kind`` picks the Telegram method: ``text`` (sendMessage), ``photo`` (``media_url``, the
    largest image) or ``voice`` (``voice_id`` for Avito's getVoiceFiles). ``key``/``args`` are the
    Fluent message of the text or caption. Use ``compose`` to build the final string.
    """

    kind: Kind
    key: str
    args: dict[str, Arg] = field(hash=False)
    media_url: str | None = None
    voice_id: str | None = None
    quote: Rendering | None = None  # the quoted message, rendered as text (no media)
    outgoing: bool = False  # direction "out": written by the seller's side

    @property
    def limit(self) -> int:
        return TEXT_LIMIT if self.kind == "text" else CAPTION_LIMIT


def render_message(message: object) -> Rendering:
    """Rendering of one Avito message dict. Never raises."""
    try:
        return _render(message, with_quote=True)
    except Exception:  # a relay must not stop on one odd message; the fuzz test asserts this stays unused
        return _text("render-broken", type=_type_name(message))


def compose(
    rendering: Rendering,
    translate: Translate,
    *,
    from_app: bool = False,
    auto_reply: bool = False,
    escape: Escape = str,
) -> str:
    """Final text or caption: optional "from the Avito app" mark, quote line, body, auto-reply frame.

    ``translate(key, args)`` is the caller's Fluent lookup of plain text (use_isolating off is
    recommended); ``escape`` turns the composed plain text into the wire format (``html.escape`` for
    Telegram's HTML). A text is never cut: it may exceed ``TEXT_LIMIT`` and the sender splits it. A
    caption is cut in plain text until its escaped form fits ``CAPTION_LIMIT``.
    """

    def tr(key: str, args: Mapping[str, Arg]) -> str:
        return translate_long_args(translate, key, args)

    lines: list[str] = []
    if from_app:
        lines.append(tr("render-from-app", {}))
    if rendering.quote is not None:
        quoted = " ".join(tr(rendering.quote.key, rendering.quote.args).split())
        lines.append(tr("render-quote", {"text": shorten(quoted, QUOTE_LIMIT)}))
    lines.append(tr(rendering.key, rendering.args))
    text = "\n".join(line for line in lines if line.strip()).strip()
    if auto_reply:
        text = tr("render-auto-reply", {"text": text})
    if rendering.kind == "text":
        return escape(text)
    return _fit(text, rendering.limit, escape)


def translate_long_args(translate: Translate, key: str, args: Mapping[str, Arg]) -> str:
    """``translate(key, args)``, with string arguments longer than Fluent accepts put in afterwards.

    Each long argument goes to Fluent as a short placeholder with a random nonce (no text can
    forge it), replaced in one pass after formatting. Short arguments, which selectors use, go as
    they are.
    """
    long_args = {name: v for name, v in args.items() if isinstance(v, str) and len(v) > FLUENT_PART_LIMIT}
    if not long_args:
        return translate(key, args)
    nonce = secrets.token_hex(8)
    marks = {f"\u2063{nonce}{index}\u2063": name for index, name in enumerate(long_args)}
    formatted = translate(key, {**args, **{name: mark for mark, name in marks.items()}})
    pattern = re.compile("|".join(re.escape(mark) for mark in marks))
    return pattern.sub(lambda found: long_args[marks[found[0]]], formatted)


def _fit(text: str, limit: int, escape: Escape) -> str:
    """The escaped ``text``, cut (in plain text, so no escape sequence is split) until it fits ``limit``."""
    if utf16_len(escape(text)) <= limit:
        return escape(text)
    low, high, best = 1, limit, escape(shorten(text, 1))
    while low <= high:  # the longest plain cut whose escaped form fits
        middle = (low + high) // 2
        candidate = escape(shorten(text, middle))
        if utf16_len(candidate) <= limit:
            best, low = candidate, middle + 1
        else:
            high = middle - 1
    return best


def _render(message: object, *, with_quote: bool) -> Rendering:
    kind = _get(message, "type")
    content = _get(message, "content")
    rendering = _render_content(kind, content)
    quote = _get(message, "quote")
    if with_quote and isinstance(_get(quote, "type"), str):
        quoted = _render(quote, with_quote=False)
        rendering = replace(
            rendering, quote=replace(quoted, kind="text", media_url=None, voice_id=None, outgoing=False)
        )
    if _get(message, "direction") == "out":
        rendering = replace(rendering, outgoing=True)
    return rendering


def _render_content(kind: object, content: object) -> Rendering:
    if kind == "text":
        text = clean_text(_get(content, "text"))
        return _text("render-text", text=text) if text else _text("render-text-empty")
    if kind == "image":
        url = _largest(_get(_get(content, "image"), "sizes"))
        if url is None:
            return _text("render-image-missing")
        return Rendering("photo", "render-image", {"url": url}, media_url=url)
    if kind == "voice":
        voice_id = clean_line(_get(_get(content, "voice"), "voice_id"))
        if not voice_id:
            return _text("render-voice-missing")
        return Rendering("voice", "render-voice", {}, voice_id=voice_id)
    if kind == "link":
        return _link(_get(content, "link"))
    if kind == "item":
        return _item(_get(content, "item"))
    if kind == "location":
        return _location(_get(content, "location"))
    if kind == "call":
        status = clean_line(_get(_get(content, "call"), "status"))
        if status == "missed":
            return _text("render-call-missed")
        return _text("render-call-status", status=status) if status else _text("render-call")
    if kind == "system":
        text = shorten(" ".join(clean_text(_get(content, "text")).split()), SYSTEM_LIMIT)
        flow = clean_line(_get(content, "flow_id"))
        if text:
            return _text("render-system", text=text)
        return _text("render-system-flow", flow=flow) if flow else _text("render-system-empty")
    if kind == "deleted":
        return _text("render-deleted")
    if isinstance(kind, str) and kind in _UNSUPPORTED:
        return _text(_UNSUPPORTED[kind])
    return _text("render-unknown", type=_type_name({"type": kind}))


def _link(link: object) -> Rendering:
    preview = _get(link, "preview")
    url = _line(_get(link, "url")) or _line(_get(preview, "url")) or _line(_get(link, "text"))
    title = _line(_get(preview, "title"))
    description = _line(_get(preview, "description"))
    if title and description:
        return _text("render-link-preview", url=url, title=title, description=description)
    if title:
        return _text("render-link-titled", url=url, title=title)
    return _text("render-link", url=url)


def _item(item: object) -> Rendering:
    title = _line(_get(item, "title"))
    url = _line(_get(item, "item_url"))
    price = _line(_get(item, "price_string"))
    if price:
        return _text("render-item-price", title=title, price=price, url=url)
    return _text("render-item", title=title, url=url)


def _location(location: object) -> Rendering:
    title, text = _line(_get(location, "title")), _line(_get(location, "text"))
    address = title if not text or text == title else (f"{title}, {text}" if title else text)
    lat, lon = _coordinate(_get(location, "lat"), 90), _coordinate(_get(location, "lon"), 180)
    if lat is not None and lon is not None:
        # Yandex Maps: the map Avito's buyers and sellers use; pt is "lon,lat".
        map_url = f"https://yandex.ru/maps/?pt={lon},{lat}&z=16&l=map"
        if address:
            return _text("render-location", address=address, lat=lat, lon=lon, map=map_url)
        return _text("render-location-point", lat=lat, lon=lon, map=map_url)
    if address:
        return _text("render-location-address", address=address)
    return _text("render-location-unknown")


def _largest(sizes: object) -> str | None:
    """URL of the biggest W×H entry; unreadable size keys rank below every readable one."""
    best: tuple[int, str] | None = None
    if not isinstance(sizes, Mapping):
        return None
    for size, url in sizes.items():
        if not isinstance(url, str) or not url.startswith(("https://", "http://")) or _has_space(url):
            continue
        match = _SIZE_RE.match(size) if isinstance(size, str) else None
        area = int(match[1]) * int(match[2]) if match else -1
        if best is None or area > best[0]:
            best = (area, url.strip())
    return best[1] if best else None


def _coordinate(value: object, bound: int) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    if not math.isfinite(number) or abs(number) > bound:
        return None
    return f"{number:.6f}".rstrip("0").rstrip(".")


def _get(mapping: object, key: str) -> object:
    return mapping.get(key) if isinstance(mapping, Mapping) else None


def _line(value: object) -> str:
    return shorten(clean_line(value), _FIELD_LIMIT)


def _has_space(text: str) -> bool:
    return any(ch.isspace() for ch in text.strip())


def _type_name(message: object) -> str:
    return shorten(clean_line(_get(message, "type")), 64) or "?"


def _text(key: str, **args: Arg) -> Rendering:
    return Rendering("text", key, dict(args))
