"""What the admin reads: the totals (/admin), the workspaces page by page, one workspace in detail."""

from __future__ import annotations

import html
import logging
from datetime import datetime, timedelta
from typing import Any

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession

from tuberry.app.i18n import Translator
from tuberry.app.services import Services
from tuberry.bot.master.dialogs.common import when
from tuberry.storage.models import AccountStatus, Workspace
from tuberry.storage.repos import AccountRepo, AdminRepo, AuditRepo, BotRepo, WorkspaceRepo
from tuberry.storage.types import utcnow

log = logging.getLogger(__name__)

PAGE_SIZE = 10
DAY = timedelta(hours=24)


class WorkspacesPage(CallbackData, prefix="adm-ws"):
    page: int


# -- /admin ---------------------------------------------------------------------------------------


async def totals_text(t: Translator, services: Services) -> str:
    now = utcnow()
    async with services.db.session() as session:
        totals = await AdminRepo(session).totals(now - DAY)
    try:
        queue: Any = await services.queue.depth()
    except (RedisError, OSError) as exc:
        log.warning("queue depth unavailable: %s", exc)
        queue = t("admin-queue-unknown")
    oldest = totals.oldest_success
    return t(
        "admin-totals",
        workspaces=totals.workspaces,
        blocked=totals.blocked,
        bots_active=totals.bots_active,
        bots=totals.bots,
        accounts_active=totals.accounts.get(AccountStatus.ACTIVE, 0),
        accounts_paused=totals.accounts.get(AccountStatus.PAUSED, 0),
        accounts_error=totals.accounts.get(AccountStatus.ERROR, 0),
        dialogs=totals.dialogs,
        messages_in=totals.messages_in,
        messages_out=totals.messages_out,
        # arq keeps no results (keep_result=0 frees the _job_id), so "failed jobs" are read from what
        # they leave behind: messages that ended `failed` on either side.
        failed=totals.failed,
        queue=queue,
        lag=t("admin-lag-none") if oldest is None else duration(t, now - oldest),
        never_polled=totals.never_polled,
    )


def duration(t: Translator, delta: timedelta) -> str:
    """Two largest units: `3 h 5 min`, `42 s`."""
    seconds = max(0, int(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return t("admin-duration-d", d=days, h=hours)
    if hours:
        return t("admin-duration-h", h=hours, m=minutes)
    if minutes:
        return t("admin-duration-m", m=minutes, s=seconds)
    return t("admin-duration-s", s=seconds)


# -- /workspaces [page] -----------------------------------------------------------------------------


async def workspaces_page(
    t: Translator, services: Services, page: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    async with services.db.session() as session:
        total = await WorkspaceRepo(session).count()
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(page, 1), pages)
        rows = await AdminRepo(session).workspaces((page - 1) * PAGE_SIZE, PAGE_SIZE)
    if not rows:
        return t("admin-workspaces-empty"), None
    lines = [t("admin-workspaces-title", page=page, pages=pages, total=total), ""]
    for row in rows:
        line = t(
            "admin-workspaces-line",
            id=str(row.id),
            owner_id=str(row.owner_telegram_id),
            name=html.escape(row.owner_name),
            bots=row.bots,
            accounts=row.accounts,
        )
        lines.append(f"{line} · {t('admin-blocked-mark')}" if row.blocked else line)
    lines += ["", t("admin-workspaces-hint")]
    keyboard = InlineKeyboardBuilder()
    if page > 1:
        keyboard.button(text=t("admin-page-prev"), callback_data=WorkspacesPage(page=page - 1))
    if page < pages:
        keyboard.button(text=t("admin-page-next"), callback_data=WorkspacesPage(page=page + 1))
    return "\n".join(lines), keyboard.as_markup() if pages > 1 else None


# -- /workspace <id> --------------------------------------------------------------------------------


async def workspace_text(t: Translator, services: Services, workspace_id: int) -> str:
    now = utcnow()
    async with services.db.session() as session:
        workspace = await WorkspaceRepo(session).get(workspace_id)
        if workspace is None:
            return t("admin-not-found", id=str(workspace_id))
        return await workspace_details(t, session, workspace, now)


async def workspace_details(t: Translator, session: AsyncSession, workspace: Workspace, now: datetime) -> str:
    owner = await WorkspaceRepo(session).user(workspace.owner_telegram_id)
    admin = AdminRepo(session)
    incoming, outgoing = await admin.messages_of(workspace.id, now - DAY)
    reason = html.escape(workspace.blocked_reason or "") or t("admin-no-reason")
    parts = [
        t(
            "admin-workspace",
            id=str(workspace.id),
            owner_id=str(workspace.owner_telegram_id),
            name=html.escape(owner.name if owner is not None else workspace.title),
            created=when(t, workspace.created_at),
            status=t("admin-status-blocked", reason=reason)
            if workspace.blocked
            else t("admin-status-active"),
            dialogs=await admin.dialogs_of(workspace.id),
            messages_in=incoming,
            messages_out=outgoing,
        )
    ]
    bots = [
        t(
            "admin-bot-line",
            username=html.escape(bot.username),
            status=t(f"bot-status-{bot.status}"),
            group=t("admin-group-bound", title=html.escape(bot.group_title or str(bot.group_chat_id)))
            if bot.group_chat_id is not None
            else t("admin-group-none"),
        )
        for bot in await BotRepo(session).list(workspace.id)
    ]
    accounts = [
        t(
            "admin-account-line",
            name=html.escape(account.name or str(account.avito_user_id)),
            status=t(f"account-status-{account.status}"),
            last_poll=when(t, account.last_poll_at),
            last_success=when(t, account.last_success_at),
            error=f"<code>{html.escape(account.last_error)}</code> ({when(t, account.last_error_at)})"
            if account.last_error
            else t("admin-no-error"),
        )
        for account in await AccountRepo(session).list(workspace.id)
    ]
    audit = [
        t(
            "admin-audit-line",
            when=when(t, entry.created_at),
            action=entry.action,
            actor=str(entry.actor_telegram_id or "—"),
        )
        for entry in await AuditRepo(session).recent(workspace.id, limit=5)
    ]
    for title, lines in (
        ("admin-bots-title", bots),
        ("admin-accounts-title", accounts),
        ("admin-audit-title", audit),
    ):
        parts.append("\n".join([t(title), *(lines or [t("admin-none")])]))
    return "\n\n".join(parts)
