"""telegram update inbox

telegram_updates: every client bot's raw Telegram update, stored before Telegram is told it arrived, handled
in update_id order and retried when its handler fails.
(Which process handles a bot's updates is a row of `leases`, migration 0005.)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 05:26:54.375967
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tuberry.storage.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "telegram_updates",
        sa.Column("bot_id", sa.Integer(), nullable=False),
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("retry_at", tuberry.storage.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("received_at", tuberry.storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", tuberry.storage.types.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["bot_id"], ["bots.id"], name=op.f("fk_telegram_updates_bot_id_bots"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("bot_id", "update_id", name=op.f("pk_telegram_updates")),
    )
    with op.batch_alter_table("telegram_updates", schema=None) as batch_op:
        batch_op.create_index("ix_telegram_updates_finished", ["state", "finished_at"], unique=False)
        batch_op.create_index("ix_telegram_updates_pending", ["state", "bot_id", "update_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("telegram_updates", schema=None) as batch_op:
        batch_op.drop_index("ix_telegram_updates_pending")
        batch_op.drop_index("ix_telegram_updates_finished")
    op.drop_table("telegram_updates")
