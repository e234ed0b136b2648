"""render.ftl exists in every language with the same messages and the same variables."""

import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fluent.runtime import FluentBundle, FluentResource
from fluent.syntax import FluentParser, ast
from fluent.syntax.visitor import Visitor

import tuberry.domain.render as render_module
from tuberry.domain.template import NEXT_OPEN_KEY, next_open_args
from tuberry.domain.topic_card import CardField, card_fields

LOCALES = Path(__file__).resolve().parents[2] / "tuberry" / "locales"
LANGS = ("ru", "en")


class _Variables(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def visit_VariableReference(self, node: ast.VariableReference) -> None:
        self.names.add(node.id.name)


def messages(lang: str) -> dict[str, set[str]]:
    resource = FluentParser().parse((LOCALES / lang / "render.ftl").read_text(encoding="utf-8"))
    assert not [entry for entry in resource.body if isinstance(entry, ast.Junk)], f"{lang}: syntax error"
    result: dict[str, set[str]] = {}
    for entry in resource.body:
        if isinstance(entry, ast.Message):
            visitor = _Variables()
            visitor.visit(entry)
            result[entry.id.name] = visitor.names
    return result


def test_same_messages_and_variables_in_every_language() -> None:
    ru, en = messages("ru"), messages("en")
    assert ru.keys() == en.keys()
    for key in ru:
        assert ru[key] == en[key], key


def test_every_key_the_code_uses_exists() -> None:
    source = Path(render_module.__file__).read_text(encoding="utf-8")
    used = set(re.findall(r'"(render-[a-z-]+)"', source))
    used |= {CardField(name, "x").key for name in ("item", "price", "link", "buyer")}
    used.add(NEXT_OPEN_KEY)
    for lang in LANGS:
        missing = used - messages(lang).keys()
        assert not missing, f"{lang}: {sorted(missing)}"


@pytest.mark.parametrize("lang", LANGS)
def test_keys_are_prefixed_by_area(lang: str) -> None:
    assert all(key.startswith("render-") for key in messages(lang))


@pytest.mark.parametrize("lang", LANGS)
def test_next_open_and_card_format_without_errors(lang: str) -> None:
    bundle = FluentBundle([lang], use_isolating=False)
    bundle.add_resource(FluentResource((LOCALES / lang / "render.ftl").read_text(encoding="utf-8")))

    def fmt(key: str, args: dict[str, object]) -> str:
        text, errors = bundle.format_pattern(bundle.get_message(key).value, args)
        assert not errors, (key, errors)
        return text

    now = datetime(2025, 6, 2, 20, tzinfo=ZoneInfo("Europe/Moscow"))
    phrases = {fmt(NEXT_OPEN_KEY, next_open_args(now + timedelta(hours=h), now)) for h in range(1, 24 * 7, 5)}
    phrases.add(fmt(NEXT_OPEN_KEY, next_open_args(None, now)))
    assert len(phrases) > 10 and all(phrase.strip() and "{" not in phrase for phrase in phrases)
    for card in card_fields("Стол", "1 000 ₽", "https://avito.ru/1", "Анна"):
        assert card.value in fmt(card.key, {"value": card.value})
