"""Admin commands in the master bot (SPEC §6): totals, the workspaces, block and unblock.

Only `ADMIN_IDS` pass the router's filter. Anyone else's `/admin` goes on to the cabinet's handlers as if
the command did not exist: no refusal, which would tell a stranger there is something to find.
"""

from __future__ import annotations

import contextlib
import html
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.filters import Command, CommandObject, Filter
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message, TelegramObject, User
from aiogram.utils.keyboard import InlineKeyboardBuilder
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession

from tuberry.bot.common.i18n import Translator, pick_language, translator
from tuberry.bot.common.services import Services
from tuberry.bot.master.dialogs.common import parse_id, when
from tuberry.storage.models import AccountStatus, BotStatus, Workspace
from tuberry.storage.repos import AccountRepo, AdminRepo, AuditRepo, BotRepo, WorkspaceRepo
from tuberry.storage.types import utcnow

__all__ = ["admin_router"]

log = logging.getLogger(__name__)

PAGE_SIZE = 10
DAY = timedelta(hours=24)
REASON_LIMIT = 500  # characters kept of a block reason: it is repeated in the owner's menu


class WorkspacesPage(CallbackData, prefix="adm-ws"):
    page: int


class IsAdmin(Filter):
    """The update comes from one of `ADMIN_IDS` (read per update: the config may change in tests)."""

    async def __call__(
        self, event: TelegramObject, services: Services, event_from_user: User | None = None
    ) -> bool:
        return event_from_user is not None and event_from_user.id in services.config.admin_ids


def admin_router() -> Router:
    """Admin commands in private chats (a new router per dispatcher)."""
    router = Router(name="admin")
    router.message.filter(F.chat.type == "private", IsAdmin())
    router.callback_query.filter(IsAdmin())
    router.message.register(on_admin, Command("admin"))
    router.message.register(on_workspaces, Command("workspaces"))
    router.message.register(on_workspace, Command("workspace"))
    router.message.register(on_block, Command("block"))
    router.message.register(on_unblock, Command("unblock"))
    router.callback_query.register(on_page, WorkspacesPage.filter())
    return router


# -- /admin ---------------------------------------------------------------------------------------


async def on_admin(message: Message, t: Translator, services: Services) -> None:
    now = utcnow()
    async with services.db.session() as session:
        totals = await AdminRepo(session).totals(now - DAY)
    try:
        queue: Any = await services.queue.depth()
    except (RedisError, OSError) as exc:
        log.warning("queue depth unavailable: %s", exc)
        queue = t("admin-queue-unknown")
    oldest = totals.oldest_success
    await message.answer(
        t(
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


async def on_workspaces(message: Message, command: CommandObject, t: Translator, services: Services) -> None:
    page = 1
    if command.args:
        parsed = parse_id(command.args)
        if parsed is None:
            await message.answer(t("admin-usage-workspaces"))
            return
        page = parsed
    text, markup = await workspaces_page(t, services, page)
    await message.answer(text, reply_markup=markup)


async def on_page(
    callback: CallbackQuery, callback_data: WorkspacesPage, t: Translator, services: Services
) -> None:
    text, markup = await workspaces_page(t, services, callback_data.page)
    if isinstance(callback.message, Message):
        # Pressing a page that is already shown: Telegram refuses an edit that changes nothing.
        with contextlib.suppress(TelegramBadRequest):
            await callback.message.edit_text(text, reply_markup=markup)
    await callback.answer()


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


async def on_workspace(message: Message, command: CommandObject, t: Translator, services: Services) -> None:
    workspace_id = parse_id(command.args)
    if workspace_id is None:
        await message.answer(t("admin-usage-workspace"))
        return
    now = utcnow()
    async with services.db.session() as session:
        workspace = await WorkspaceRepo(session).get(workspace_id)
        if workspace is None:
            text = t("admin-not-found", id=str(workspace_id))
        else:
            text = await workspace_details(t, session, workspace, now)
    await message.answer(text)


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


# -- /block <id> [reason], /unblock <id> ------------------------------------------------------------


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


async def on_block(
    message: Message, command: CommandObject, t: Translator, services: Services, bot: Bot
) -> None:
    raw_id, *rest = (command.args or "").split(maxsplit=1) or [""]
    workspace_id = parse_id(raw_id)
    if workspace_id is None or message.from_user is None:
        await message.answer(t("admin-usage-block"))
        return
    reason = rest[0].strip()[:REASON_LIMIT] if rest else None
    change = await set_blocked(services, workspace_id, message.from_user.id, blocked=True, reason=reason)
    await _report(message, t, services, bot, workspace_id, change, blocked=True)


async def on_unblock(
    message: Message, command: CommandObject, t: Translator, services: Services, bot: Bot
) -> None:
    workspace_id = parse_id(command.args)
    if workspace_id is None or message.from_user is None:
        await message.answer(t("admin-usage-unblock"))
        return
    change = await set_blocked(services, workspace_id, message.from_user.id, blocked=False)
    await _report(message, t, services, bot, workspace_id, change, blocked=False)


async def _report(
    message: Message,
    t: Translator,
    services: Services,
    bot: Bot,
    workspace_id: int,
    change: Change | None,
    *,
    blocked: bool,
) -> None:
    """Stop or start the workspace's bots, tell the owner, then the admin what was done."""
    number = str(workspace_id)
    if change is None:
        await message.answer(t("admin-not-found", id=number))
        return
    reason = html.escape(change.reason or "") or t("admin-no-reason")
    if not change.changed:
        key = "admin-block-already" if blocked else "admin-unblock-not-blocked"
        await message.answer(t(key, id=number, reason=reason))
        return
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
    await message.answer("\n".join(lines))
