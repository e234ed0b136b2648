"""Blocking and unblocking a workspace: the audited change in one transaction, then its consequences
(the workspace's bots stopped or started, the owner told) and the admin's reply."""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError

from tuberry.app.i18n import Translator, pick_language, translator
from tuberry.app.services import Services
from tuberry.storage.models import BotStatus
from tuberry.storage.repos import AuditRepo, BotRepo, WorkspaceRepo

log = logging.getLogger(__name__)

REASON_LIMIT = 500  # characters kept of a block reason: it is repeated in the owner's menu


@dataclass(frozen=True)
class Change:
    """What blocking or unblocking did, for the admin's reply and the owner's message."""

    changed: bool
    reason: str | None
    owner_id: int
    owner_language: str
    bot_ids: list[int]


async def set_blocked(
    services: Services, workspace_id: int, admin_id: int, *, blocked: bool, reason: str | None = None
) -> Change | None:
    """Block or unblock one workspace, with an audit entry. None if it does not exist."""
    async with services.db.session() as session:
        repo = WorkspaceRepo(session)
        workspace = await repo.get(workspace_id)
        if workspace is None:
            return None
        changed = workspace.blocked != blocked
        if changed:
            workspace.blocked, workspace.blocked_reason = blocked, reason if blocked else None
            AuditRepo(session).record(
                workspace_id, admin_id, "admin.block" if blocked else "admin.unblock", reason=reason
            )
        owner = await repo.user(workspace.owner_telegram_id)
        change = Change(
            changed=changed,
            reason=workspace.blocked_reason,
            owner_id=workspace.owner_telegram_id,
            # The owner's own choice, else Russian: their Telegram language is not known outside an update.
            owner_language=pick_language(owner.language if owner is not None else None, None),
            bot_ids=[
                bot.id for bot in await BotRepo(session).list(workspace_id) if bot.status == BotStatus.ACTIVE
            ],
        )
        await session.commit()
    return change


async def carry_out(
    t: Translator,
    services: Services,
    bot: Bot,
    workspace_id: int,
    change: Change | None,
    *,
    blocked: bool,
) -> str:
    """Stop or start the workspace's bots and tell the owner; returns what to tell the admin."""
    number = str(workspace_id)
    if change is None:
        return t("admin-not-found", id=number)
    reason = html.escape(change.reason or "") or t("admin-no-reason")
    if not change.changed:
        key = "admin-block-already" if blocked else "admin-unblock-not-blocked"
        return t(key, id=number, reason=reason)
    lines = [t("admin-blocked", id=number, reason=reason) if blocked else t("admin-unblocked", id=number)]
    if services.receivers is None:
        lines.append(t("admin-receivers-elsewhere"))
    else:
        # At once here; other `tuberry bot` processes follow at their next sync (BotRepo.receiving).
        for bot_id in change.bot_ids:
            await (services.receivers.stop if blocked else services.receivers.start)(bot_id)
        key = "admin-bots-stopped" if blocked else "admin-bots-started"
        lines.append(t(key, count=len(change.bot_ids)))
    owner_t = translator(change.owner_language)
    owner_reason = html.escape(change.reason or "") or owner_t("admin-no-reason")
    text = (
        owner_t("admin-owner-blocked", reason=owner_reason) if blocked else owner_t("admin-owner-unblocked")
    )
    try:
        await bot.send_message(change.owner_id, text)
        lines.append(t("admin-owner-told"))
    except TelegramAPIError as exc:
        log.warning("could not tell the owner of workspace %s: %s", workspace_id, exc)
        lines.append(t("admin-owner-not-told"))
    return "\n".join(lines)
