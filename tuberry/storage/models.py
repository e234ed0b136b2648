"""SQLAlchemy models: every piece of state lives here, so a worker can die at any point and resume."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from tuberry.storage.crypto import EncryptedString
from tuberry.storage.types import UtcDateTime, utcnow

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Role(StrEnum):
    OWNER = "owner"
    MANAGER = "manager"


class BotStatus(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"  # token revoked or bot removed by Telegram
    REMOVED = "removed"


class AccountStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    ERROR = "error"  # needs the owner: credentials or tariff
    REMOVED = "removed"


class Direction(StrEnum):
    IN = "in"  # buyer → seller
    OUT = "out"  # seller (app, manager through Tuberry, auto-reply) → buyer


class Origin(StrEnum):
    AVITO = "avito"  # read from Avito: the buyer's messages and the seller's own from the Avito app
    MANAGER = "manager"  # written by a manager in the topic
    AUTO = "auto"  # Tuberry's auto-reply


class TgState(StrEnum):
    """Where a message stands on its way into the topic."""

    PENDING = "pending"
    DELIVERED = "delivered"
    SOURCE = "source"  # the message came from the topic itself: nothing to deliver
    WAITING = "waiting"  # an auto-reply: mirrored into the topic once Avito has accepted it
    SKIPPED = "skipped"  # not shown on purpose (e.g. became `deleted` before delivery)
    FAILED = "failed"


class AvitoState(StrEnum):
    """Where a message stands on its way to Avito."""

    RECEIVED = "received"  # came from Avito
    PENDING = "pending"
    SENDING = "sending"  # a send was attempted; on retry, read back before sending again
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Workspace(Base):
    """One seller's installation (the seed calls it a client), with its auto-reply settings."""

    __tablename__ = "workspaces"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    title: Mapped[str] = mapped_column(String(128), default="")
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    blocked_reason: Mapped[str | None] = mapped_column(Text)
    auto_reply_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    auto_reply_mode: Mapped[str] = mapped_column(String(16), default="schedule")
    auto_reply_schedule: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    auto_reply_text: Mapped[str] = mapped_column(Text, default="")
    # Waiting alerts (jobs/waiting_alerts.py): tell managers when a buyer waits this long in working hours.
    waiting_alerts_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    waiting_alert_minutes: Mapped[int] = mapped_column(Integer, default=15, server_default="15")
    # The owner's topic icons by status ({"waiting": "<custom emoji id>", ...}); a status left out: default.
    topic_icons: Mapped[dict[str, str] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    bots: Mapped[list[ClientBot]] = relationship(back_populates="workspace")
    accounts: Mapped[list[AvitoAccount]] = relationship(back_populates="workspace")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    workspace_id: Mapped[int | None] = mapped_column(ForeignKey("workspaces.id", ondelete="SET NULL"))
    role: Mapped[str] = mapped_column(String(16), default=Role.OWNER)
    language: Mapped[str | None] = mapped_column(String(8))  # None: follow Telegram's language_code
    name: Mapped[str] = mapped_column(String(256), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ClientBot(Base):
    """An owner's own Telegram bot, which lives in their forum group."""

    __tablename__ = "bots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    telegram_bot_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    token: Mapped[str] = mapped_column(EncryptedString(512))
    username: Mapped[str] = mapped_column(String(64))
    group_chat_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    group_title: Mapped[str | None] = mapped_column(String(256))
    missing_rights: Mapped[list[str]] = mapped_column(JSON, default=list)
    webhook_secret: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=BotStatus.ACTIVE)
    status_detail: Mapped[str | None] = mapped_column(Text)
    manager_ids: Mapped[list[int]] = mapped_column(JSON, default=list)  # empty: every group member relays
    # Names of the listed managers as last seen in the group ({"<telegram user id>": "Name (@username)"}).
    manager_names: Mapped[dict[str, str] | None] = mapped_column(JSON)
    last_update_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The last digest of waiting dialogs in the group's General topic (at most one per alert threshold).
    waiting_digest_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    workspace: Mapped[Workspace] = relationship(back_populates="bots")


class AvitoAccount(Base):
    __tablename__ = "avito_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    bot_id: Mapped[int | None] = mapped_column(ForeignKey("bots.id", ondelete="SET NULL"), index=True)
    client_id: Mapped[str] = mapped_column(String(128))
    client_secret: Mapped[str] = mapped_column(EncryptedString(512))
    access_token: Mapped[str | None] = mapped_column(EncryptedString(1024))
    token_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    avito_user_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    name: Mapped[str] = mapped_column(String(256), default="")
    status: Mapped[str] = mapped_column(String(16), default=AccountStatus.ACTIVE)
    webhook_secret: Mapped[str] = mapped_column(String(64))
    last_poll_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(String(64))  # an error code, worded by the locales
    last_error_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    unread_backlog: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    workspace: Mapped[Workspace] = relationship(back_populates="accounts")
    bot: Mapped[ClientBot | None] = relationship()


class Dialog(Base):
    """One Avito chat and the forum topic that mirrors it."""

    __tablename__ = "dialogs"
    __table_args__ = (UniqueConstraint("account_id", "avito_chat_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("avito_accounts.id", ondelete="CASCADE"))
    avito_chat_id: Mapped[str] = mapped_column(String(128))
    chat_type: Mapped[str] = mapped_column(String(8), default="u2i")
    buyer_avito_id: Mapped[int | None] = mapped_column(BigInteger)
    buyer_name: Mapped[str | None] = mapped_column(String(256))
    item_id: Mapped[int | None] = mapped_column(BigInteger)
    item_title: Mapped[str | None] = mapped_column(String(512))
    item_price: Mapped[str | None] = mapped_column(String(128))
    item_url: Mapped[str | None] = mapped_column(String(1024))
    topic_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    topic_id: Mapped[int | None] = mapped_column(BigInteger)
    card_message_id: Mapped[int | None] = mapped_column(BigInteger)  # None: the card is still to post
    # The pin step is settled: the card is pinned, or pinning was refused for good (no right to pin).
    card_pinned: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    last_message_id: Mapped[str | None] = mapped_column(String(128))
    last_message_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_buyer_message_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_manager_reply_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_auto_reply_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Indexed: the auto-reply sweep asks for the due ones among all dialogs every few seconds.
    auto_reply_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    read_pending: Mapped[bool] = mapped_column(Boolean, default=False)
    # The first buyer message nobody has answered yet (domain.ticket); None: not waiting. Indexed: the
    # waiting alerts and the stats screen look for the waiting dialogs among all.
    waiting_since: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # a manager closed the topic (/close)
    # When the managers were alerted about the current wait; older than `waiting_since`: a new wait.
    waiting_alerted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The icon last applied to the topic (a custom emoji id, "" = Telegram's default; None: not known), or
    # refused for want of the right: an edit is made only when the wanted icon differs.
    topic_icon: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    account: Mapped[AvitoAccount] = relationship()


class Message(Base):
    """One message on either side; its states say what is left to do for it."""

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("dialog_id", "avito_message_id"),
        UniqueConstraint("dialog_id", "source_tg_message_id", "part"),
        Index("ix_messages_tg_pending", "tg_state", "dialog_id"),
        Index("ix_messages_avito_pending", "avito_state", "dialog_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dialog_id: Mapped[int] = mapped_column(ForeignKey("dialogs.id", ondelete="CASCADE"), index=True)
    direction: Mapped[str] = mapped_column(String(4))
    origin: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(32))  # Avito's message type, e.g. text, image, voice
    text: Mapped[str | None] = mapped_column(Text)
    content: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # Avito content, attachments
    avito_message_id: Mapped[str | None] = mapped_column(String(128))
    avito_created_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    source_tg_message_id: Mapped[int | None] = mapped_column(BigInteger)  # a manager's message
    part: Mapped[int] = mapped_column(Integer, default=0)  # nth Avito message made of that Telegram message
    tg_message_id: Mapped[int | None] = mapped_column(BigInteger)  # our copy in the topic
    tg_state: Mapped[str] = mapped_column(String(16))
    avito_state: Mapped[str] = mapped_column(String(16))
    is_auto_reply: Mapped[bool] = mapped_column(Boolean, default=False)
    author_telegram_id: Mapped[int | None] = mapped_column(BigInteger)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    # Indexed: the stats screen finds a period's messages by it (storage/repos/stats.py).
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Lease(Base):
    """Who works on a dialog or an account right now: one row per piece of work (e.g. `deliver:42`).

    A holder that dies stops renewing, so its lease expires within seconds and another worker takes over;
    arq's own Redis keys only schedule jobs and never decide this on their own.
    """

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AuditEntry(Base):
    """Who changed what: owner and admin actions."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int | None] = mapped_column(
        ForeignKey("workspaces.id", ondelete="SET NULL"), index=True
    )
    actor_telegram_id: Mapped[int | None] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class UpdateState(StrEnum):
    """Where a Telegram update stands in the inbox."""

    PENDING = "pending"  # stored, not yet handled (or its handler failed and will be retried)
    HANDLED = "handled"
    FAILED = "failed"  # the handler failed every attempt: logged at ERROR, kept for inspection


class TelegramUpdate(Base):
    """The inbox: a client bot's raw Telegram update, stored before Telegram is told it arrived.

    Keyed by bot and `update_id`, so a repeated delivery is stored once. Handled in `update_id` order.
    """

    __tablename__ = "telegram_updates"
    __table_args__ = (
        # The next pending update of a bot, and which bots have any.
        Index("ix_telegram_updates_pending", "state", "bot_id", "update_id"),
        # Pruning finished rows by age.
        Index("ix_telegram_updates_finished", "state", "finished_at"),
    )

    bot_id: Mapped[int] = mapped_column(ForeignKey("bots.id", ondelete="CASCADE"), primary_key=True)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), default=UpdateState.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    retry_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # a failed attempt's back-off
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # handled, or given up


class QuickReply(Base):
    """A manager's template of an answer: the owner keeps them in the cabinet, managers use them in topics."""

    __tablename__ = "quick_replies"
    __table_args__ = (UniqueConstraint("workspace_id", "title"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)  # the order the owner sees and managers pick
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
