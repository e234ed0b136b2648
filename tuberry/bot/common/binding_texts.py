"""How a binding outcome reads, in the cabinet and in a client bot's chats alike (`binding.ftl`)."""

from __future__ import annotations

import html

from tuberry.app.binding import MANAGE_TOPICS, BindResult
from tuberry.app.i18n import Translator


def rights_text(t: Translator, rights: list[str] | tuple[str, ...]) -> str:
    return ", ".join(t(f"bind-right-{right}") for right in rights)


def render_bind_result(t: Translator, result: BindResult, *, master_username: str = "") -> str:
    """The answer to the owner (in the group or in a chat with a bot), from `binding.ftl`."""
    nice_to_have = [right for right in result.missing if right != MANAGE_TOPICS]
    text = t(
        f"bind-{result.status.value}",
        title=html.escape(result.title, quote=False),
        bot=result.bot_username,
        master=master_username,
        missing=rights_text(t, nice_to_have),
    )
    if result.ok and nice_to_have:
        text += "\n\n" + t("bind-bound-missing", missing=rights_text(t, nice_to_have))
    return text
