"""Telling an owner, through the master bot, that something of theirs stopped and needs them."""

from __future__ import annotations

import html
import logging

from aiogram.utils.deep_linking import create_start_link

from tuberry.app.owner_language import owner_translator
from tuberry.jobs.runtime import Runtime
from tuberry.storage.models import AvitoAccount, Workspace
from tuberry.telegram.deep_links import account_payload

log = logging.getLogger(__name__)


async def account_stopped(rt: Runtime, account_id: int, code: str) -> None:
    """Polling of this account stopped on an error only the owner can fix (credentials, tariff)."""
    master = rt.services.master
    if master is None:
        return
    async with rt.services.db.session() as session:
        account = await session.get(AvitoAccount, account_id)
        workspace = await session.get(Workspace, account.workspace_id) if account else None
        if account is None or workspace is None:
            return
        t = await owner_translator(session, workspace.id)
        name, owner = account.name or str(account.avito_user_id), workspace.owner_telegram_id
    key = f"account-error-{code}"
    reason = t(key) if t.has(key) else t("account-error-other", code=code)
    try:
        link = await create_start_link(master, account_payload(account_id))
        await master.send_message(
            owner, t("alert-account-stopped", name=html.escape(name), reason=reason, link=link)
        )
    except Exception:  # the owner may have blocked the master bot: the card still shows the error
        log.warning("could not tell the owner of account %s that polling stopped", account_id, exc_info=True)
