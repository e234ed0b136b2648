"""auto-reply due index

dialogs.auto_reply_due_at is indexed: the sweep looks for the auto-replies that are due among all dialogs
every few seconds, which without an index reads the whole table. (The poll's dialogs-of-this-page lookup
uses the existing (account_id, avito_chat_id) unique constraint.)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 05:45:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("dialogs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dialogs_auto_reply_due_at"), ["auto_reply_due_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("dialogs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dialogs_auto_reply_due_at"))
