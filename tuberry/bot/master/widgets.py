"""Widgets that render Fluent messages in the caller's language."""

from __future__ import annotations

import html
from datetime import datetime
from decimal import Decimal
from typing import Any

from aiogram.fsm.state import State
from aiogram_dialog import DialogManager, Window
from aiogram_dialog.widgets.common import WhenCondition
from aiogram_dialog.widgets.kbd import Button, Row, Select, SwitchTo
from aiogram_dialog.widgets.text import Format, Multi, Text

from tuberry.app.i18n import Translator, translator


class Html(str):
    """A value that is already safe HTML (built from other Fluent texts): not escaped again."""


def translator_of(manager: DialogManager) -> Translator:
    t = manager.middleware_data.get("t")
    return t if isinstance(t, Translator) else translator(manager.middleware_data.get("lang", "ru"))


def fluent_args(data: dict[str, Any]) -> dict[str, Any]:
    """Window data as Fluent arguments: strings HTML-escaped (they may come from users), numbers kept."""
    args: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, Html):
            args[key] = str(value)
        elif isinstance(value, str):
            args[key] = html.escape(value, quote=False)
        elif isinstance(value, bool):
            args[key] = "yes" if value else "no"
        elif isinstance(value, int | float | Decimal | datetime):
            args[key] = value
    return args


class T(Text):
    """`T("bots-title")`: the Fluent message of that key, formatted with the window data.

    Extra keyword arguments are fixed Fluent arguments that win over the window data.
    """

    def __init__(self, key: str, when: WhenCondition = None, **args: Any) -> None:
        super().__init__(when=when)
        self.key = key
        self.args = args

    async def _render_text(self, data: dict[str, Any], manager: DialogManager) -> str:
        args = fluent_args(data)
        args.update(self.args)
        return translator_of(manager)(self.key, **args)


def Blocks(*texts: Text, when: WhenCondition = None) -> Multi:
    """Paragraphs: non-empty texts separated by a blank line."""
    return Multi(*texts, sep="\n\n", when=when)


def choice(widget_id: str, items: str, on_click: Any, **kwargs: Any) -> Select[Any]:
    """One button per item of the getter's `items` list, each shaped {"id": int, "label": str}: ids stay
    short integers in callback data (64 bytes at most), the label is already rendered."""
    return Select(
        Format("{item[label]}"),
        id=widget_id,
        item_id_getter=lambda item: item["id"],
        items=items,
        on_click=on_click,
        **kwargs,
    )


def confirmation(
    question: str, yes: str, yes_id: str, on_yes: Any, *, state: State, back_to: State, getter: Any
) -> Window:
    """A "Are you sure?" window: the question, a Yes that acts, and Cancel back to where the owner was."""
    return Window(
        T(question),
        Row(
            Button(T(yes), id=yes_id, on_click=on_yes),
            SwitchTo(T("cabinet-cancel"), id="no", state=back_to),
        ),
        state=state,
        getter=getter,
    )
