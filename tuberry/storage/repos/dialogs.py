"""Dialogs: an Avito chat and its forum topic."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import and_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tuberry.storage.models import (
    AvitoAccount,
    ClientBot,
    Dialog,
    Message,
    TgState,
    User,
    Workspace,
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


@dataclass(frozen=True)
class DeliveryContext:
    """What a round of a delivery reads, in one query: the topic target and the rows it came from."""

    target: TopicTarget
    dialog: Dialog  # its title and card, buyer, closed or not
    account: AvitoAccount  # for an Avito session (media, marking the chat read)
    workspace: Workspace  # its settings (the owner's zone)
    owner_language: str | None  # the owner's stored choice (None: none stored)


def _target(dialog: Dialog, account: AvitoAccount, bot: ClientBot) -> TopicTarget:
    assert bot.group_chat_id is not None  # runnable: the bot is bound to a group
    return TopicTarget(
        dialog_id=dialog.id,
        avito_chat_id=dialog.avito_chat_id,
        read_pending=dialog.read_pending,
        account_id=account.id,
        avito_user_id=account.avito_user_id,
        workspace_id=account.workspace_id,
        bot_id=bot.id,
        bot_token=bot.token,
        chat_id=bot.group_chat_id,
        topic_id=dialog.topic_id,
        topic_chat_id=dialog.topic_chat_id,
        card_message_id=dialog.card_message_id,
        card_pinned=dialog.card_pinned,
    )


class DialogRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_id(self, dialog_id: int) -> Dialog | None:
        return await self.session.get(Dialog, dialog_id)

    async def by_chat(self, account_id: int, avito_chat_id: str) -> Dialog | None:
        return await self.session.scalar(
            select(Dialog).where(Dialog.account_id == account_id, Dialog.avito_chat_id == avito_chat_id)
        )

    async def by_chat_knowing(
        self, account_id: int, avito_chat_id: str, avito_ids: Sequence[str]
    ) -> tuple[Dialog | None, set[str]]:
        """`by_chat` and which of these Avito message ids it has stored, in one statement."""
        known = and_(Message.dialog_id == Dialog.id, Message.avito_message_id.in_(avito_ids))
        rows = await self.session.execute(
            select(Dialog, Message.avito_message_id)
            .outerjoin(Message, known)
            .where(Dialog.account_id == account_id, Dialog.avito_chat_id == avito_chat_id)
        )
        found = rows.all()
        dialog = found[0][0] if found else None
        return dialog, {avito_id for _, avito_id in found if avito_id is not None}

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
        blocked. One statement: every icon run starts here."""
        loaded = await self.runnable_with_account(dialog_id)
        return None if loaded is None else _target(*loaded)

    async def runnable_with_account(self, dialog_id: int) -> tuple[Dialog, AvitoAccount, ClientBot] | None:
        """The dialog with its account and bot, in one statement; None when it is gone or its work may not run
        now (AccountRepo.runnable: paused, broken, bot inactive, workspace blocked)."""
        query = select(Dialog, AvitoAccount, ClientBot)
        query = query.join(AvitoAccount, AvitoAccount.id == Dialog.account_id)
        row = (await self.session.execute(runnable(query).where(Dialog.id == dialog_id))).first()
        return None if row is None else (row[0], row[1], row[2])

    async def delivery_context(self, dialog_id: int) -> DeliveryContext | None:
        """`topic_target` with the rows it is made of and the owner's language, in one statement; None while
        the dialog's messages must wait (the same conditions: `runnable`)."""
        rows = select(Dialog, AvitoAccount, ClientBot, Workspace, User.language).join(
            AvitoAccount, AvitoAccount.id == Dialog.account_id
        )
        query = (
            runnable(rows)
            .outerjoin(User, User.telegram_user_id == Workspace.owner_telegram_id)
            .where(Dialog.id == dialog_id)
        )
        row = (await self.session.execute(query)).first()
        if row is None:
            return None
        dialog, account, bot, workspace, language = row
        return DeliveryContext(_target(dialog, account, bot), dialog, account, workspace, language)

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
        stored = await self.session.execute(
            update(Dialog)
            .where(Dialog.id == target.dialog_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        assert stored.rowcount == 1  # type: ignore[attr-defined]
        return replace(target, **values)
