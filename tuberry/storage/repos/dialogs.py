"""Dialogs: an Avito chat and its forum topic."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tuberry.storage.models import (
    AvitoAccount,
    ClientBot,
    Dialog,
    Message,
    TgState,
)
from tuberry.storage.repos.accounts import runnable


@dataclass(frozen=True)
class TopicTarget:
    """Where a dialog's messages go, as stored when read: plain values, changed only through `DialogRepo`."""

    dialog_id: int
    avito_chat_id: str
    read_pending: bool
    account_id: int
    avito_user_id: int
    workspace_id: int
    bot_id: int
    bot_token: str
    chat_id: int  # the bot's group now; a topic in another chat (the group migrated) is no topic
    topic_id: int | None
    topic_chat_id: int | None
    card_message_id: int | None  # None: the card is still to post
    card_pinned: bool

    @property
    def has_topic(self) -> bool:
        return self.topic_id is not None and self.topic_chat_id == self.chat_id


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
        return (await self.cursors_of_accounts({account_id: avito_chat_ids}))[account_id]

    async def cursors_of_accounts(
        self, pages: Mapping[int, Sequence[str]]
    ) -> dict[int, dict[str, str | None]]:
        """`cursors` of many accounts at once ({account id: its page's chat ids}), in one query."""
        chat_ids = {chat_id for page in pages.values() for chat_id in page}
        cursors: dict[int, dict[str, str | None]] = {account_id: {} for account_id in pages}
        if not chat_ids:
            return cursors
        rows = await self.session.execute(
            select(Dialog.account_id, Dialog.avito_chat_id, Dialog.last_message_id).where(
                Dialog.account_id.in_(set(pages)), Dialog.avito_chat_id.in_(chat_ids)
            )
        )
        for account_id, chat_id, last in rows.all():
            cursors[account_id][chat_id] = last
        return cursors

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

    async def topic_target(self, dialog_id: int) -> TopicTarget | None:
        """The dialog's topic target, or None while its messages must wait: the account paused or broken (as
        the sweep leaves them, AccountRepo.runnable), the bot inactive or without a group, the workspace
        blocked. One statement: every delivery and icon run starts here."""
        query = select(
            Dialog.avito_chat_id,
            Dialog.read_pending,
            AvitoAccount.id.label("account_id"),
            AvitoAccount.avito_user_id,
            AvitoAccount.workspace_id,
            ClientBot.id.label("bot_id"),
            ClientBot.token.label("bot_token"),
            ClientBot.group_chat_id.label("chat_id"),
            Dialog.topic_id,
            Dialog.topic_chat_id,
            Dialog.card_message_id,
            Dialog.card_pinned,
        ).join(AvitoAccount, AvitoAccount.id == Dialog.account_id)
        row = (await self.session.execute(runnable(query).where(Dialog.id == dialog_id))).first()
        return None if row is None else TopicTarget(dialog_id=dialog_id, **row._mapping)

    async def runnable_with_account(self, dialog_id: int) -> tuple[Dialog, AvitoAccount, ClientBot] | None:
        """The dialog with its account and bot, in one statement; None when it is gone or its work may not run
        now (AccountRepo.runnable: paused, broken, bot inactive, workspace blocked)."""
        query = select(Dialog, AvitoAccount, ClientBot)
        query = query.join(AvitoAccount, AvitoAccount.id == Dialog.account_id)
        row = (await self.session.execute(runnable(query).where(Dialog.id == dialog_id))).first()
        return None if row is None else (row[0], row[1], row[2])

    async def topic_opened(self, target: TopicTarget, topic_id: int) -> TopicTarget:
        """A new topic in the target's group; its card is still to post."""
        return await self._store(
            target, topic_id=topic_id, topic_chat_id=target.chat_id, card_message_id=None, card_pinned=False
        )

    async def card_posted(self, target: TopicTarget, message_id: int) -> TopicTarget:
        return await self._store(target, card_message_id=message_id, card_pinned=False)

    async def card_pinned(self, target: TopicTarget) -> TopicTarget:
        """The pin step is done (pinned, or not allowed to pin: the card stays unpinned)."""
        return await self._store(target, card_pinned=True)

    async def forget_topic(self, dialog_id: int) -> None:
        """The topic is gone: the next delivery creates a new one, with its card."""
        dialog = await self.session.get(Dialog, dialog_id)
        if dialog is not None:
            dialog.topic_id = dialog.card_message_id = None
            dialog.card_pinned = False

    async def read_done(self, dialog_id: int) -> None:
        """The Avito chat was marked read."""
        await self.session.execute(update(Dialog).where(Dialog.id == dialog_id).values(read_pending=False))

    async def _store(self, target: TopicTarget, **values: int | bool | None) -> TopicTarget:
        dialog = await self.session.get(Dialog, target.dialog_id)
        assert dialog is not None
        for key, value in values.items():
            setattr(dialog, key, value)
        return replace(target, **values)
