"""Auto-reply (placeholder until the full editor lands): shows whether it is on and in which mode."""

from __future__ import annotations

from typing import Any

from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.kbd import Cancel

from tuberry.bot.master.dialogs.common import services_of, t_of, workspace_of
from tuberry.bot.master.states import AutoReplySG
from tuberry.bot.master.widgets import Blocks, T
from tuberry.storage.repos import WorkspaceRepo

ID_BACK = "back"


async def get_autoreply(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    t = t_of(dialog_manager)
    workspace_id = workspace_of(dialog_manager)
    workspace = None
    if workspace_id is not None:
        async with services_of(dialog_manager).db.session() as session:
            workspace = await WorkspaceRepo(session).get(workspace_id)
    enabled = bool(workspace and workspace.auto_reply_enabled)
    mode = workspace.auto_reply_mode if workspace else "schedule"
    return {
        "state": t("cabinet-autoreply-on" if enabled else "cabinet-autoreply-off"),
        "mode": t("cabinet-autoreply-mode-always" if mode == "always" else "cabinet-autoreply-mode-schedule"),
        "text": (workspace.auto_reply_text if workspace else "") or "",
    }


def autoreply_dialog() -> Dialog:
    """The Auto-reply screen (a new instance per dispatcher)."""
    return Dialog(
        Window(
            Blocks(T("cabinet-autoreply-title"), T("cabinet-autoreply-text", when="text")),
            Cancel(T("cabinet-back"), id=ID_BACK),
            state=AutoReplySG.main,
            getter=get_autoreply,
        ),
    )
