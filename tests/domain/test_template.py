from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.domain.strategies import FAST, THOROUGH
from tuberry.domain.template import (
    PLACEHOLDER_LENGTHS,
    VARIABLES,
    TemplateProblem,
    next_open_args,
    render_template,
    template_problems,
)

VALUES = {"item_title": "Велосипед Stels", "buyer_name": "Анна", "next_open": "завтра в 09:00"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Здравствуйте, {buyer_name}!", "Здравствуйте, Анна!"),
        (
            "{buyer_name}, по «{item_title}» ответим {next_open}.",
            "Анна, по «Велосипед Stels» ответим завтра в 09:00.",
        ),
        ("{ Buyer_Name }!", "Анна!"),  # spaces and case inside braces are forgiven
        ("Цены {{от 100}} — {item_title}", "Цены {от 100} — Велосипед Stels"),
        ("a } b { c", "a } b { c"),  # stray braces stay as typed
        ("{{buyer_name}}", "{buyer_name}"),
        ("Без переменных.\nВторая строка.", "Без переменных.\nВторая строка."),
    ],
)
def test_render_with_values(text: str, expected: str) -> None:
    assert render_template(text, VALUES) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Здравствуйте, {buyer_name}!", "Здравствуйте!"),
        ("Здравствуйте, {buyer_name}! Спасибо", "Здравствуйте! Спасибо"),
        ("{buyer_name}, добрый день!", "добрый день!"),
        ("Привет, {buyer_name}, спасибо за интерес", "Привет, спасибо за интерес"),
        ("Вопрос про {item_title} получили.", "Вопрос про получили."),
        ("Вопрос по «{item_title}» получили.", "Вопрос по получили."),
        ("Ответим {next_open}.", "Ответим."),
        ("{buyer_name} {item_title}", ""),
        ("Спасибо!\n{buyer_name}\nМагазин", "Спасибо!\n\nМагазин"),
        ("Hi {unknown}!", "Hi!"),
    ],
)
def test_missing_values_vanish_tidily(text: str, expected: str) -> None:
    assert render_template(text, {}) == expected


def test_none_and_blank_values_count_as_missing_and_values_are_one_line() -> None:
    values = {"buyer_name": None, "item_title": "  Стол\n  дубовый ", "next_open": "   "}
    assert render_template("Здравствуйте, {buyer_name}! {item_title}", values) == "Здравствуйте! Стол дубовый"  # type: ignore[dict-item]


def test_values_are_not_expanded_again() -> None:
    assert render_template("{item_title}", {"item_title": "{buyer_name} {{x}}"}) == "{buyer_name} {{x}}"


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        ("Здравствуйте, {buyer_name}!", []),
        ("", [TemplateProblem("empty")]),
        ("  \n ", [TemplateProblem("empty")]),
        ("Hi {name}", [TemplateProblem("unknown_variable", variable="name", position=3)]),
        (
            "{x} {x} {y}",
            [TemplateProblem("unknown_variable", "x", 0), TemplateProblem("unknown_variable", "y", 8)],
        ),
        ("Hi {}", [TemplateProblem("unknown_variable", variable="", position=3)]),
        ("Hi {buyer_name", [TemplateProblem("unbalanced_braces", position=3)]),
        ("Hi buyer_name}", [TemplateProblem("unbalanced_braces", position=13)]),
        ("{a {buyer_name}", [TemplateProblem("unbalanced_braces", position=0)]),
        ("Цены {{от 100}}", []),
    ],
)
def test_template_problems(text: str, problems: list[TemplateProblem]) -> None:
    assert template_problems(text) == problems


def test_too_long_is_estimated_with_generous_placeholders() -> None:
    base = "x" * 901
    assert template_problems(base) == []
    estimate = 901 + PLACEHOLDER_LENGTHS["item_title"]
    assert template_problems(base + "{item_title}") == [TemplateProblem("too_long", length=estimate)]
    assert template_problems("x" * 1001) == [TemplateProblem("too_long", length=1001)]
    assert template_problems("x" * 20, limit=10) == [TemplateProblem("too_long", length=20)]


# --- next_open ------------------------------------------------------------------------------

MSK = ZoneInfo("Europe/Moscow")
NOW = datetime(2025, 6, 2, 20, 0, tzinfo=MSK)  # Monday evening


@pytest.mark.parametrize(
    ("opening", "expected"),
    [
        (NOW + timedelta(hours=2), {"when": "today", "weekday": 0, "time": "22:00", "date": "02.06"}),
        (NOW + timedelta(hours=13), {"when": "tomorrow", "weekday": 1, "time": "09:00", "date": "03.06"}),
        (NOW + timedelta(days=3, hours=13), {"when": "week", "weekday": 4, "time": "09:00", "date": "06.06"}),
        (None, {"when": "never", "weekday": 0, "time": "", "date": ""}),
    ],
)
def test_next_open_args(opening: datetime | None, expected: dict[str, object]) -> None:
    assert next_open_args(opening, NOW) == expected


def test_next_open_args_use_the_schedule_zone() -> None:
    opening = datetime(2025, 6, 3, 9, tzinfo=MSK)
    now_utc = NOW.astimezone(ZoneInfo("UTC"))
    assert next_open_args(opening, now_utc)["when"] == "tomorrow"


# --- properties -------------------------------------------------------------------------------

brace_text = st.lists(st.sampled_from([*"ab {}_,.!\n", *VARIABLES]), max_size=40).map("".join)
any_text = st.text(max_size=200) | brace_text
value_maps = st.dictionaries(st.sampled_from([*VARIABLES, "other"]), st.none() | st.text(max_size=30))


@THOROUGH
@given(any_text, value_maps)
def test_render_never_raises(text: str, values: dict[str, str]) -> None:
    assert isinstance(render_template(text, values), str)
    assert isinstance(template_problems(text), list)


@FAST
@given(st.text(alphabet=st.characters(blacklist_characters="{}\x00"), max_size=200), value_maps)
def test_text_without_braces_is_unchanged(text: str, values: dict[str, str]) -> None:
    assert render_template(text, values) == text


@FAST
@given(
    st.lists(
        st.sampled_from(["hello ", "{buyer_name}", "{item_title}", "{next_open}", "{{", "}}", ". "]),
        max_size=30,
    )
)
def test_valid_templates_fit_when_values_are_within_the_estimate(pieces: list[str]) -> None:
    text = "ok " + "".join(pieces)
    problems = template_problems(text, limit=200)
    values = {name: "й" * length for name, length in PLACEHOLDER_LENGTHS.items()}
    if not problems:
        assert len(render_template(text, values)) <= 200
    else:
        assert [p.code for p in problems] == ["too_long"]
