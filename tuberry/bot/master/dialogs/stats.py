"""Stats (placeholder until the full screen lands): today's dialogs and messages per account."""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import Any

from aiogram import F
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.kbd import Cancel
from aiogram_dialog.widgets.text import Format

from tuberry.bot.master.dialogs.common import services_of, t_of, workspace_of
from tuberry.bot.master.states import StatsSG
from tuberry.bot.master.widgets import Blocks, Html, T
from tuberry.storage.repos import AccountRepo, DialogRepo

ID_BACK = "back"


async def get_stats(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    t = t_of(dialog_manager)
    workspace_id = workspace_of(dialog_manager)
    since = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    lines = []
    if workspace_id is not None:
        async with services_of(dialog_manager).db.session() as session:
            dialogs = DialogRepo(session)
            for account in await AccountRepo(session).list(workspace_id):
                new, incoming, outgoing = await dialogs.activity_since(account.id, since)
                lines.append(
                    t(
                        "cabinet-stats-account",
                        name=html.escape(account.name or str(account.avito_user_id)),
                        dialogs=new,
                        incoming=incoming,
                        outgoing=outgoing,
                    )
                )
    return {"lines": Html("\n\n".join(lines)), "has_lines": bool(lines)}


def stats_dialog() -> Dialog:
    """The Stats screen (a new instance per dispatcher)."""
    return Dialog(
        Window(
            Blocks(
                T("cabinet-stats-title"),
                Format("{lines}", when="has_lines"),
                T("cabinet-stats-empty", when=~F["has_lines"]),
            ),
            Cancel(T("cabinet-back"), id=ID_BACK),
            state=StatsSG.main,
            getter=get_stats,
        ),
    )
