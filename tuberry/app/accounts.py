"""Avito accounts of a workspace: adding (credentials checked with Avito), linking to a bot, pausing,
removing. Each use case checks the workspace, changes state in one transaction and audits it.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.exc import IntegrityError

from tuberry.app.services import Services
from tuberry.avito import (
    AvitoError,
    AvitoForbidden,
    AvitoInvalidCredentials,
    AvitoPaymentRequired,
    AvitoRateLimited,
    AvitoServerError,
    AvitoUnauthorized,
    AvitoUnavailable,
)
from tuberry.storage.models import AccountStatus, AvitoAccount, BotStatus
from tuberry.storage.repos import AccountRepo, AuditRepo, BotRepo

log = logging.getLogger(__name__)

# Avito does not document the client_id format: printable, no spaces, a sane length.
CLIENT_ID_RE = re.compile(r"^[\x21-\x7e]{3,128}$")


class AddAccount(StrEnum):
    ADDED = "added"
    UPDATED = "updated"  # the same Avito account of this workspace: new credentials stored
    INVALID = "invalid"
    FORBIDDEN = "forbidden"
    PAYMENT_REQUIRED = "payment_required"
    TAKEN = "taken"
    AVITO_DOWN = "avito_down"
    ERROR = "error"


@dataclass(frozen=True)
class AddAccountResult:
    status: AddAccount
    account_id: int | None = None
    name: str = ""
    bot_id: int | None = None  # linked automatically (the workspace has exactly one bot)
    choose_bot: bool = False  # several bots: the owner picks one


def avito_error_status(error: AvitoError) -> AddAccount:
    if isinstance(error, AvitoInvalidCredentials | AvitoUnauthorized):
        return AddAccount.INVALID
    if isinstance(error, AvitoForbidden):
        return AddAccount.FORBIDDEN
    if isinstance(error, AvitoPaymentRequired):
        return AddAccount.PAYMENT_REQUIRED
    if isinstance(error, AvitoUnavailable | AvitoServerError | AvitoRateLimited):
        return AddAccount.AVITO_DOWN
    return AddAccount.ERROR


async def add_account(
    services: Services, workspace_id: int, actor_id: int, client_id: str, client_secret: str
) -> AddAccountResult:
    """Verify the credentials (token, account info, Messenger access) and store the account."""
    try:
        token = await services.avito.fetch_token(client_id, client_secret)
        session = services.avito.session(client_id, client_secret, token=token)
        info = await session.self_info()
        # /accounts/self works on any tariff; only a Messenger call tells 402/403 (API-NOTES §5.3).
        await session.list_chats(info.id, limit=1)
    except AvitoError as exc:
        log.info("Avito credentials of client %s… refused: %r", client_id[:4], exc)
        return AddAccountResult(avito_error_status(exc))
    token = session.token or token
    name = info.name or ""
    try:
        async with services.db.session() as db:
            accounts = AccountRepo(db)
            row = await accounts.by_avito_user(info.id)
            status = AddAccount.ADDED
            if row is None:
                row = AvitoAccount(
                    workspace_id=workspace_id,
                    avito_user_id=info.id,
                    webhook_secret=secrets.token_urlsafe(24),
                    unread_backlog=0,
                )
                accounts.add(row)
            elif row.workspace_id == workspace_id and row.status != AccountStatus.REMOVED:
                status = AddAccount.UPDATED
            elif row.status == AccountStatus.REMOVED:
                row.workspace_id = workspace_id  # removed by its former workspace; the keys prove ownership
                row.bot_id = None
            else:
                return AddAccountResult(AddAccount.TAKEN, name=name)
            row.client_id = client_id
            row.client_secret = client_secret
            row.access_token = token.value
            row.token_expires_at = token.expires_at
            row.name = name
            row.status = AccountStatus.ACTIVE
            row.last_error = None
            row.last_error_at = None
            bots = await BotRepo(db).list(workspace_id)
            active = [bot for bot in bots if bot.status == BotStatus.ACTIVE]
            if row.bot_id is None and len(active) == 1:
                row.bot_id = active[0].id
            await db.flush()
            AuditRepo(db).record(
                workspace_id, actor_id, "account.add", account_id=row.id, avito_user_id=info.id
            )
            await db.commit()
            account_id, bot_id = row.id, row.bot_id
    except IntegrityError:
        return AddAccountResult(AddAccount.TAKEN, name=name)
    _subscriptions_changed(services, account_id)
    if bot_id is not None:
        await services.queue.poll_account(account_id)
    return AddAccountResult(
        status, account_id, name, bot_id=bot_id, choose_bot=bot_id is None and len(active) > 1
    )


async def link_account(
    services: Services, workspace_id: int, actor_id: int, account_id: int, bot_id: int
) -> bool:
    """Relay the account through another bot of this workspace; False when either is not ours."""
    async with services.db.session() as session:
        account = await AccountRepo(session).get(workspace_id, account_id)
        bot = await BotRepo(session).get(workspace_id, bot_id)
        if account is None or bot is None or bot.status != BotStatus.ACTIVE:
            return False
        account.bot_id = bot.id
        AuditRepo(session).record(
            workspace_id, actor_id, "account.link", account_id=account_id, bot_id=bot_id
        )
        await session.commit()
        poll = account.status == AccountStatus.ACTIVE
    _subscriptions_changed(services, account_id)
    if poll:
        await services.queue.poll_account(account_id)
    return True


async def set_account_paused(
    services: Services, workspace_id: int, actor_id: int, account_id: int, paused: bool
) -> bool:
    async with services.db.session() as session:
        account = await AccountRepo(session).get(workspace_id, account_id)
        if account is None:
            return False
        account.status = AccountStatus.PAUSED if paused else AccountStatus.ACTIVE
        if not paused:
            account.last_error = None  # resuming after an error is a fresh try
        action = "account.pause" if paused else "account.resume"
        AuditRepo(session).record(workspace_id, actor_id, action, account_id=account_id)
        await session.commit()
        poll = not paused and account.bot_id is not None
    _subscriptions_changed(services, account_id)
    if poll:
        await services.queue.poll_account(account_id)
    return True


async def remove_account(services: Services, workspace_id: int, actor_id: int, account_id: int) -> bool:
    """Stop relaying and forget the credentials; dialogs stay for the statistics."""
    async with services.db.session() as session:
        account = await AccountRepo(session).get(workspace_id, account_id)
        if account is None:
            return False
        if services.avito_subscriptions is not None:
            services.avito_subscriptions.release(account)  # needs the credentials wiped below
        account.status = AccountStatus.REMOVED
        account.bot_id = None
        account.client_secret = ""
        account.access_token = None
        account.token_expires_at = None
        AuditRepo(session).record(workspace_id, actor_id, "account.remove", account_id=account_id)
        await session.commit()
    return True


def _subscriptions_changed(services: Services, account_id: int) -> None:
    """Webhook mode: (un)subscribe the account at once rather than at the next subscription sync."""
    if services.avito_subscriptions is not None:
        services.avito_subscriptions.refresh(account_id)
