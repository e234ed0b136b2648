import html
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.domain.strategies import THOROUGH
from tuberry.domain.textsplit import split_text


@pytest.mark.parametrize(
    ("text", "limit", "parts"),
    [
        ("", 10, []),
        ("  \n\t ", 10, []),
        ("  short  ", 10, ["short"]),
        ("exactly10!", 10, ["exactly10!"]),
        ("one two three four", 10, ["one two", "three four"]),
        ("Hello world. This is a test.", 20, ["Hello world.", "This is a test."]),
        ("First para\n\nSecond para", 20, ["First para", "Second para"]),
        ("line one\nline two here", 15, ["line one", "line two here"]),
        ("a" * 25, 10, ["a" * 10, "a" * 10, "a" * 5]),
        ("hi " + "b" * 12, 10, ["hi", "b" * 10, "bb"]),
        ("x\n" + "word " * 3, 12, ["x\nword word", "word"]),
    ],
)
def test_split_table(text: str, limit: int, parts: list[str]) -> None:
    assert split_text(text, limit) == parts


def test_paragraph_boundary_wins_over_a_later_space() -> None:
    text = "Первый абзац довольно длинный.\n\nВторой абзац тоже есть"
    assert split_text(text, 40) == ["Первый абзац довольно длинный.", "Второй абзац тоже есть"]


def test_short_first_line_does_not_become_a_lonely_part() -> None:
    text = "Hi\n" + "word " * 10
    parts = split_text(text, 30)
    assert parts[0].startswith("Hi\nword")


def test_default_limit_is_avitos() -> None:
    text = ("слово " * 400).strip()
    parts = split_text(text)
    assert all(len(part) <= 1000 for part in parts) and len(parts) == 3


def test_hard_cut_keeps_combining_marks_with_their_letter() -> None:
    text = "e\u0301" * 10  # é as e + combining acute
    parts = split_text(text, 5)
    assert all(not part.startswith("\u0301") for part in parts)
    assert "".join(parts) == text


def test_limit_must_be_positive() -> None:
    with pytest.raises(ValueError):
        split_text("abc", 0)


texts = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]) | st.sampled_from(" \n\n.!?"),
    max_size=400,
)


@THOROUGH
@given(texts, st.integers(min_value=1, max_value=60))
def test_parts_fit_and_nothing_is_lost(text: str, limit: int) -> None:
    parts = split_text(text, limit)
    assert all(0 < len(part) <= limit for part in parts)
    assert all(part == part.strip() for part in parts)
    assert "".join("".join(p.split()) for p in parts) == "".join(text.split())


@THOROUGH
@given(st.lists(st.text(alphabet="abcdefghij", min_size=1, max_size=12), max_size=60), st.integers(12, 80))
def test_words_survive_when_no_word_is_longer_than_the_limit(words: list[str], limit: int) -> None:
    text = " ".join(words)
    parts = split_text(text, limit)
    assert " ".join(parts).split() == text.split()
    # Greedy: a part could not have taken the next word.
    for part, following in itertools.pairwise(parts):
        assert len(part) + 1 + len(following.split()[0]) > limit


def test_a_hard_cut_never_splits_a_character_reference() -> None:
    for limit in range(1000, 1005):
        parts = split_text("&amp;" * 300, limit)
        assert all(part.replace("&amp;", "") == "" for part in parts)
        assert "".join(parts) == "&amp;" * 300


def test_html_counts_a_reference_as_the_character_it_shows() -> None:
    parts = split_text("&lt;ж&#39;" * 2000, 4096, html=True)
    assert [len(html.unescape(part)) for part in parts] == [4096, 1904]
    assert "".join(html.unescape(part) for part in parts) == "<ж'" * 2000


@THOROUGH
@given(texts, st.integers(min_value=1, max_value=60))
def test_escaped_parts_fit_once_shown_and_nothing_is_lost(text: str, limit: int) -> None:
    parts = split_text(html.escape(text, quote=False), limit, html=True)
    shown = [html.unescape(part) for part in parts]
    assert all(0 < len(part) <= limit for part in shown)
    assert [html.escape(part, quote=False) for part in shown] == parts  # no reference was cut
    assert "".join("".join(p.split()) for p in shown) == "".join(text.split())
