import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.domain.strategies import THOROUGH
from tuberry.domain.textutil import utf16_len
from tuberry.domain.topic_card import CardField, card_fields, topic_title


@pytest.mark.parametrize(
    ("buyer", "item", "fallback", "title"),
    [
        ("Анна", "Велосипед Stels", "Чат", "Анна · Велосипед Stels"),
        ("Анна", None, "Чат", "Анна"),
        (None, "Велосипед", "Чат", "Велосипед"),
        ("  ", "", "Чат u2u-abc", "Чат u2u-abc"),
        (None, None, "", "Avito"),
        ("Анна\nМария", "Стол\t дубовый", "x", "Анна Мария · Стол дубовый"),
        ("\x00\u200b", "Стол", "x", "Стол"),
    ],
)
def test_titles(buyer: str | None, item: str | None, fallback: str, title: str) -> None:
    assert topic_title(buyer, item, fallback) == title


def test_long_item_title_is_cut_at_a_word_with_an_ellipsis() -> None:
    item = "Продаю отличный горный велосипед Stels Navigator 700 " * 4
    title = topic_title("Анна", item, "x")
    assert len(title) <= 128 and title.startswith("Анна · Продаю") and title.endswith("…")
    assert not title[:-1].endswith(" ")
    assert title[:-1].split()[-1] in item.split()  # no half word


def test_long_name_keeps_a_share_and_item_gets_the_rest() -> None:
    title = topic_title("Б" * 200, "И" * 200, "x")
    name, item = title.split(" · ")
    assert utf16_len(title) <= 128
    assert len(name) == 40 and name.endswith("…") and item.endswith("…")


def test_long_name_with_short_item_uses_the_room() -> None:
    title = topic_title("Б" * 200, "Стол", "x")
    assert title.endswith(" · Стол") and utf16_len(title) == 128


def test_emoji_count_twice() -> None:
    title = topic_title("😀" * 100, None, "x")
    assert utf16_len(title) <= 128 and title.endswith("…")


def test_card_fields_in_order_skipping_missing() -> None:
    assert card_fields("Стол", None, "https://avito.ru/1", " Анна ") == [
        CardField("item", "Стол"),
        CardField("link", "https://avito.ru/1"),
        CardField("buyer", "Анна"),
    ]
    assert [f.key for f in card_fields("a", "1 ₽", "u", "b")] == [
        "render-card-item",
        "render-card-price",
        "render-card-link",
        "render-card-buyer",
    ]


@THOROUGH
@given(st.none() | st.text(max_size=300), st.none() | st.text(max_size=300), st.text(max_size=300))
def test_title_is_never_empty_and_fits(buyer: str | None, item: str | None, fallback: str) -> None:
    title = topic_title(buyer, item, fallback)
    assert title.strip() and 1 <= utf16_len(title) <= 128
    assert "\n" not in title
