"""Dialogs: an Avito chat and its forum topic."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tuberry.storage.models import AvitoAccount, Dialog, Message, TgState
from tuberry.storage.repos.accounts import runnable


class DialogRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_id(self, dialog_id: int) -> Dialog | None:
        return await self.session.get(Dialog, dialog_id)

    async def by_chat(self, account_id: int, avito_chat_id: str) -> Dialog | None:
        return await self.session.scalar(
            select(Dialog).where(Dialog.account_id == account_id, Dialog.avito_chat_id == avito_chat_id)
        )

    async def of_account(self, account_id: int) -> dict[str, Dialog]:
        rows = await self.session.scalars(select(Dialog).where(Dialog.account_id == account_id))
        return {dialog.avito_chat_id: dialog for dialog in rows}

    async def cursors(self, account_id: int, avito_chat_ids: Sequence[str]) -> dict[str, str | None]:
        """The last stored message id of each of these chats that has a dialog (one indexed query: the
        (account_id, avito_chat_id) unique constraint), so that a poll costs by its page, not the history."""
        if not avito_chat_ids:
            return {}
        rows = await self.session.execute(
            select(Dialog.avito_chat_id, Dialog.last_message_id).where(
                Dialog.account_id == account_id, Dialog.avito_chat_id.in_(set(avito_chat_ids))
            )
        )
        return {chat_id: last for chat_id, last in rows.all()}

    async def by_topic(self, bot_id: int, chat_id: int, topic_id: int) -> Dialog | None:
        """The dialog whose topic this is, among the accounts linked to this bot."""
        return await self.session.scalar(
            select(Dialog)
            .join(AvitoAccount, AvitoAccount.id == Dialog.account_id)
            .where(
                AvitoAccount.bot_id == bot_id,
                Dialog.topic_chat_id == chat_id,
                Dialog.topic_id == topic_id,
            )
        )

    def add(self, dialog: Dialog) -> None:
        self.session.add(dialog)

    async def with_pending_delivery(self, created_before: datetime) -> list[int]:
        """Dialogs that can be delivered now, with messages waiting for Telegram since before the moment."""
        query = (
            select(Message.dialog_id)
            .join(Dialog, Dialog.id == Message.dialog_id)
            .join(AvitoAccount, AvitoAccount.id == Dialog.account_id)
        )
        rows = await self.session.scalars(
            runnable(query)
            .where(Message.tg_state == TgState.PENDING, Message.created_at <= created_before)
            .distinct()
        )
        return list(rows)

    async def auto_replies_due(self, now: datetime) -> list[int]:
        """Dialogs of runnable accounts whose auto-reply is due (a blocked workspace's stay planned)."""
        query = select(Dialog.id).join(AvitoAccount, AvitoAccount.id == Dialog.account_id)
        rows = await self.session.scalars(
            runnable(query).where(Dialog.auto_reply_due_at.is_not(None), Dialog.auto_reply_due_at <= now)
        )
        return list(rows)
