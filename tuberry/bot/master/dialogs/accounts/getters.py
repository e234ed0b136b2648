"""What the accounts windows show: the caller's own accounts, the add prompts, a card, bots to link."""

from __future__ import annotations

from typing import Any

from aiogram_dialog import DialogManager

from tuberry.bot.master.dialogs.common import services_of, t_of, when, workspace_of
from tuberry.bot.master.widgets import Html
from tuberry.storage.models import AccountStatus, AvitoAccount, BotStatus
from tuberry.storage.repos import AccountRepo, BotRepo

ICONS = {AccountStatus.ACTIVE: "✅", AccountStatus.PAUSED: "⏸", AccountStatus.ERROR: "⚠️"}


async def own_account(manager: DialogManager, account_id: int | None) -> AvitoAccount | None:
    """The account if it belongs to the caller's workspace, else None (the handlers refuse it)."""
    workspace_id = workspace_of(manager)
    if workspace_id is None or account_id is None:
        return None
    async with services_of(manager).db.session() as session:
        return await AccountRepo(session).get(workspace_id, account_id)


def _error_text(manager: DialogManager, code: str | None) -> str:
    t = t_of(manager)
    if not code:
        return ""
    key = f"account-error-{code}"
    return t(key) if t.has(key) else t("account-error-other", code=code)


async def get_list(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    workspace_id = workspace_of(dialog_manager)
    items = []
    if workspace_id is not None:
        async with services_of(dialog_manager).db.session() as session:
            for row in await AccountRepo(session).list(workspace_id):
                name = row.name or str(row.avito_user_id)
                items.append({"id": row.id, "label": f"{ICONS.get(row.status, '•')} {name}"})
    return {
        "accounts": items,
        "has_accounts": bool(items),
        "notice": Html(dialog_manager.dialog_data.pop("notice", "")),
    }


async def get_add(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    error = dialog_manager.dialog_data.pop("error", "")
    return {
        "error": Html(t_of(dialog_manager)(error) if error else ""),
        "client_id": dialog_manager.dialog_data.get("client_id", ""),
    }


async def _active_bots(manager: DialogManager) -> list[dict[str, Any]]:
    workspace_id = workspace_of(manager)
    if workspace_id is None:
        return []
    async with services_of(manager).db.session() as session:
        rows = await BotRepo(session).list(workspace_id)
    return [{"id": row.id, "label": f"@{row.username}"} for row in rows if row.status == BotStatus.ACTIVE]


async def get_pick(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    card = await get_card(dialog_manager)
    bots = await _active_bots(dialog_manager)
    return {**card, "bots": bots, "has_bots": bool(bots)}


async def get_card(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    t = t_of(dialog_manager)
    services = services_of(dialog_manager)
    notice = Html(dialog_manager.dialog_data.pop("notice", ""))
    row = await own_account(dialog_manager, dialog_manager.dialog_data.get("account_id"))
    if row is None:
        return {"found": False, "notice": notice}
    bot_name = ""
    if row.bot_id is not None:
        async with services.db.session() as session:
            bot = await BotRepo(session).get(row.workspace_id, row.bot_id)
        bot_name = f"@{bot.username}" if bot else ""
    return {
        "found": True,
        "notice": notice,
        "name": row.name or str(row.avito_user_id),
        "avito_id": str(row.avito_user_id),
        "client_id": row.client_id,
        "status": t(f"account-status-{row.status}"),
        "running": row.status == AccountStatus.ACTIVE,
        "stopped": row.status in (AccountStatus.PAUSED, AccountStatus.ERROR),
        "mode": t("cabinet-mode-webhook" if services.config.public_url else "cabinet-mode-polling"),
        "bot": bot_name,
        "has_bot": bool(bot_name),
        "last_success": when(t, row.last_success_at),
        "has_error": bool(row.last_error),
        "error": _error_text(dialog_manager, row.last_error),
        "error_at": when(t, row.last_error_at),
        "backlog": row.unread_backlog or 0,
    }
