"""How managers read, in the cabinet and in a client bot's group alike (`managers.ftl`)."""

from __future__ import annotations

import html

from tuberry.app.i18n import Translator
from tuberry.app.managers import Manager


def who(name: str, user_id: int) -> str:
    """A person in HTML: their name as last seen (escaped) or, never seen, their id."""
    return html.escape(name, quote=False) if name else f"<code>{user_id}</code>"


def render_list(t: Translator, listed: list[Manager]) -> str:
    """One HTML line per manager: name as last seen and Telegram id."""
    lines = []
    for manager in listed:
        if manager.name:
            name = html.escape(manager.name, quote=False)
            lines.append(t("managers-list-item", name=name, id=str(manager.user_id)))
        else:
            lines.append(t("managers-list-item-unnamed", id=str(manager.user_id)))
    return "\n".join(lines)
