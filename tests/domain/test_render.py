import html
import random
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from fluent.runtime import FluentBundle, FluentResource
from hypothesis import given
from hypothesis import strategies as st

from tests.domain.strategies import THOROUGH
from tuberry.domain.render import (
    CAPTION_LIMIT,
    TEXT_LIMIT,
    Rendering,
    compose,
    render_message,
)
from tuberry.domain.textsplit import split_text
from tuberry.domain.textutil import utf16_len

LOCALES = Path(__file__).resolve().parents[2] / "tuberry" / "locales"
IMAGE = "https://img.k.avito.ru/chat/{}/5083651369.jpg"


def bundle(lang: str) -> FluentBundle:
    result = FluentBundle([lang], use_isolating=False)
    result.add_resource(FluentResource((LOCALES / lang / "render.ftl").read_text(encoding="utf-8")))
    return result


BUNDLES = {lang: bundle(lang) for lang in ("ru", "en")}


def translate(lang: str):
    fluent = BUNDLES[lang]

    def lookup(key: str, args: Mapping[str, Any]) -> str:
        message = fluent.get_message(key)
        text, errors = fluent.format_pattern(message.value, dict(args))
        assert not errors, (key, errors)
        return text

    return lookup


def text(key: str, **args: object) -> Rendering:
    return Rendering("text", key, dict(args))  # type: ignore[arg-type]


LOCATION = {"lat": 55.599799, "lon": 37.603954, "kind": "street", "text": "Москва, Варшавское шоссе"}
MAP = "https://yandex.ru/maps/?pt=37.603954,55.599799&z=16&l=map"


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            {"type": "text", "content": {"text": "Здравствуйте, актуально?"}},
            text("render-text", text="Здравствуйте, актуально?"),
        ),
        ({"type": "text", "content": {"text": "  "}}, text("render-text-empty")),
        ({"type": "text", "content": None}, text("render-text-empty")),
        ({"type": "image", "content": {"image": {"sizes": {}}}}, text("render-image-missing")),
        (
            {"type": "image", "content": {"image": {"sizes": {"640x480": "ftp://x"}}}},
            text("render-image-missing"),
        ),
        ({"type": "voice", "content": {"voice": {"voice_id": ""}}}, text("render-voice-missing")),
        (
            {"type": "link", "content": {"link": {"text": "habr.com", "url": "habr.com", "preview": None}}},
            text("render-link", url="habr.com"),
        ),
        (
            {
                "type": "link",
                "content": {
                    "link": {
                        "url": "habr.com",
                        "preview": {"title": "Хабр", "description": "Лучшее", "url": "https://habr.com/ru/"},
                    }
                },
            },
            text("render-link-preview", url="habr.com", title="Хабр", description="Лучшее"),
        ),
        (
            {
                "type": "link",
                "content": {"link": {"preview": {"title": "Хабр", "url": "https://habr.com/ru/"}}},
            },
            text("render-link-titled", url="https://habr.com/ru/", title="Хабр"),
        ),
        (
            {
                "type": "item",
                "content": {
                    "item": {
                        "title": "Mazda 3",
                        "item_url": "https://avito.ru/1",
                        "price_string": "300 000 ₽",
                    }
                },
            },
            text("render-item-price", title="Mazda 3", price="300 000 ₽", url="https://avito.ru/1"),
        ),
        (
            {
                "type": "item",
                "content": {
                    "item": {"title": "Mazda 3", "item_url": "https://avito.ru/1", "price_string": None}
                },
            },
            text("render-item", title="Mazda 3", url="https://avito.ru/1"),
        ),
        (
            {"type": "location", "content": {"location": {**LOCATION, "title": "Москва, Варшавское шоссе"}}},
            text(
                "render-location",
                address="Москва, Варшавское шоссе",
                lat="55.599799",
                lon="37.603954",
                map=MAP,
            ),
        ),
        (
            {"type": "location", "content": {"location": {**LOCATION, "title": "ТЦ «Мега»"}}},
            text(
                "render-location",
                address="ТЦ «Мега», Москва, Варшавское шоссе",
                lat="55.599799",
                lon="37.603954",
                map=MAP,
            ),
        ),
        (
            {"type": "location", "content": {"location": {"lat": 55.599799, "lon": 37.603954}}},
            text("render-location-point", lat="55.599799", lon="37.603954", map=MAP),
        ),
        (
            {"type": "location", "content": {"location": {"lat": 91, "lon": 10, "text": "Где-то"}}},
            text("render-location-address", address="Где-то"),
        ),
        (
            {"type": "location", "content": {"location": {"lat": True, "lon": float("nan")}}},
            text("render-location-unknown"),
        ),
        (
            {"type": "call", "content": {"call": {"status": "missed", "target_user_id": 1}}},
            text("render-call-missed"),
        ),
        (
            {"type": "call", "content": {"call": {"status": "answered"}}},
            text("render-call-status", status="answered"),
        ),
        ({"type": "call", "content": {}}, text("render-call")),
        (
            {"type": "system", "content": {"text": "Покупатель предложил цену", "flow_id": "x"}},
            text("render-system", text="Покупатель предложил цену"),
        ),
        (
            {"type": "system", "content": {"flow_id": "seller_audience_discount"}},
            text("render-system-flow", flow="seller_audience_discount"),
        ),
        ({"type": "system", "content": {}}, text("render-system-empty")),
        ({"type": "deleted", "content": {}}, text("render-deleted")),
        ({"type": "deleted"}, text("render-deleted")),
        ({"type": "file", "content": {}}, text("render-file")),
        ({"type": "video", "content": {}}, text("render-video")),
        ({"type": "appCall", "content": {}}, text("render-app-call")),
        ({"type": "sticker", "content": {"sticker": 1}}, text("render-unknown", type="sticker")),
        ({"content": {"text": "no type"}}, text("render-unknown", type="?")),
        ({"type": 42}, text("render-unknown", type="42")),
        (None, text("render-unknown", type="?")),
        ("text", text("render-unknown", type="?")),
    ],
)
def test_render_table(message: object, expected: Rendering) -> None:
    assert render_message(message) == expected


def test_image_takes_the_largest_size() -> None:
    sizes = {size: IMAGE.format(size) for size in ("1280x960", "140x105", "32x32", "640x480", "960x1280x")}
    rendering = render_message({"type": "image", "content": {"image": {"sizes": sizes}}})
    assert rendering.kind == "photo" and rendering.key == "render-image"
    assert rendering.media_url == IMAGE.format("1280x960")
    assert rendering.args == {"url": IMAGE.format("1280x960")}


def test_image_compares_area_not_text() -> None:
    sizes = {"999x1": IMAGE.format("a"), "100x100": IMAGE.format("b"), "bad": IMAGE.format("c")}
    assert render_message(
        {"type": "image", "content": {"image": {"sizes": sizes}}}
    ).media_url == IMAGE.format("b")
    only_bad = {"original": IMAGE.format("c")}
    assert render_message(
        {"type": "image", "content": {"image": {"sizes": only_bad}}}
    ).media_url == IMAGE.format("c")


def test_voice() -> None:
    rendering = render_message({"type": "voice", "content": {"voice": {"voice_id": "abc123"}}})
    assert (rendering.kind, rendering.key, rendering.voice_id) == ("voice", "render-voice", "abc123")


def test_quote_and_direction() -> None:
    message = {
        "type": "text",
        "direction": "out",
        "content": {"text": "Да, актуально"},
        "quote": {"type": "image", "content": {"image": {"sizes": {"10x10": IMAGE.format("q")}}}},
    }
    rendering = render_message(message)
    assert rendering.outgoing
    assert rendering.quote == text("render-image", url=IMAGE.format("q"))
    assert render_message({**message, "quote": {"content": {}}}).quote is None
    nested = {"type": "text", "content": {"text": "a"}, "quote": {**message, "direction": "in"}}
    assert render_message(nested).quote == text("render-text", text="Да, актуально")  # one level only


def test_text_is_cleaned_of_control_characters() -> None:
    rendering = render_message({"type": "text", "content": {"text": "a\x00b\u202ec\n\td\ud800"}})
    assert rendering.args == {"text": "abc\n\td"}


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_compose_with_prefixes(lang: str) -> None:
    message = {
        "type": "text",
        "content": {"text": "Да"},
        "quote": {"type": "text", "content": {"text": "Актуально?\nСрочно"}},
    }
    composed = compose(render_message(message), translate(lang), from_app=True)
    lines = composed.split("\n")
    assert len(lines) == 3 and lines[2] == "Да"
    assert "Актуально? Срочно" in lines[1]


def html_escape(text: str) -> str:
    return html.escape(text, quote=False)


def awkward_text(length: int, seed: int = 8) -> str:
    """Buyer text dense in what HTML escaping lengthens, mixed with Cyrillic, without spaces to cut at."""
    rng = random.Random(seed)
    return "".join(rng.choice("<>&\"'<>&\"'ёжЩ") for _ in range(length))


@pytest.mark.parametrize("lang", ["ru", "en"])
@pytest.mark.parametrize("spaced", [False, True])
def test_a_long_text_full_of_html_characters_arrives_whole(lang: str, spaced: bool) -> None:
    words = awkward_text(4000)
    buyer = " ".join(words[i : i + 7] for i in range(0, len(words), 7)) if spaced else words
    for auto_reply in (False, True):
        rendering = render_message({"type": "text", "content": {"text": buyer}})
        composed = compose(rendering, translate(lang), auto_reply=auto_reply, escape=html_escape)
        parts = split_text(composed, TEXT_LIMIT, html=True)
        shown = [html.unescape(part) for part in parts]
        assert all(len(text) <= TEXT_LIMIT for text in shown)
        assert len(parts) == (2 if spaced else 1)  # Telegram counts what it shows, not the escapes
        assert [html_escape(text) for text in shown] == parts  # no escape sequence was cut
        body = (" " if spaced else "").join(shown)
        if auto_reply:
            header = translate(lang)("render-auto-reply", {"text": ""}).strip()
            assert body.startswith(header)
            body = body.removeprefix(header).strip()
        assert body == buyer


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_a_caption_fits_once_escaped_and_keeps_whole_escapes(lang: str) -> None:
    photo = Rendering(
        "photo",
        "render-image",
        {"url": IMAGE.format("x")},
        media_url=IMAGE.format("x"),
        quote=Rendering("text", "render-text", {"text": "&" * 3000}),
    )
    caption = compose(photo, translate(lang), from_app=True, escape=html_escape)
    assert utf16_len(caption) <= CAPTION_LIMIT
    assert html_escape(html.unescape(caption)) == caption
    long_caption = Rendering("photo", "render-text", {"text": "<ё>&" * 600}, media_url=IMAGE.format("y"))
    caption = compose(long_caption, translate(lang), escape=html_escape)
    assert utf16_len(caption) <= CAPTION_LIMIT and caption.endswith("…")
    assert html_escape(html.unescape(caption)) == caption


# --- fuzzing ------------------------------------------------------------------------------------

TYPES = [
    "text",
    "image",
    "voice",
    "link",
    "item",
    "location",
    "call",
    "system",
    "deleted",
    "file",
    "video",
    "appCall",
]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
known_keys = st.sampled_from(
    [
        "text",
        "image",
        "sizes",
        "voice",
        "voice_id",
        "link",
        "url",
        "preview",
        "title",
        "description",
        "item",
        "item_url",
        "price_string",
        "location",
        "lat",
        "lon",
        "call",
        "status",
        "flow_id",
        "1280x960",
        "640x480",
    ]
)
content_like = st.recursive(
    st.none() | st.integers() | st.floats() | st.text(max_size=20) | st.just("https://x.ru/a.jpg"),
    lambda inner: st.dictionaries(known_keys, inner, max_size=5),
    max_leaves=15,
)
messages = st.fixed_dictionaries(
    {"type": st.sampled_from(TYPES) | json_values, "content": content_like},
    optional={
        "direction": st.sampled_from(["in", "out"]) | json_values,
        "quote": json_values
        | st.fixed_dictionaries({"type": st.sampled_from(TYPES), "content": content_like}),
    },
)
FTL_KEYS = {key for key in BUNDLES["ru"]._messages}


@THOROUGH
@given(messages | json_values)
def test_render_never_raises_and_always_formats(message: object) -> None:
    rendering = render_message(message)
    assert rendering.key != "render-broken"
    assert rendering.key in FTL_KEYS
    assert all(isinstance(k, str) and type(v) in (str, int, float) for k, v in rendering.args.items())
    if rendering.kind == "photo":
        assert rendering.media_url is not None and rendering.media_url.startswith(("https://", "http://"))
    if rendering.kind == "voice":
        assert rendering.voice_id
    for lang in BUNDLES:
        composed = compose(rendering, translate(lang), from_app=rendering.outgoing, escape=html_escape)
        assert composed.strip()
        if rendering.kind != "text":  # a text of any length is split by the sender
            assert utf16_len(composed) <= rendering.limit
