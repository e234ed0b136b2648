"""leases and card steps

leases: who works on a dialog or an account (a database lease instead of arq's Redis keys alone).
dialogs.card_pinned: the card's pin is a step of its own, retried until settled.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 05:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tuberry.storage.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "leases",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=False),
        sa.Column("expires_at", tuberry.storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_leases")),
    )
    with op.batch_alter_table("dialogs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("card_pinned", sa.Boolean(), server_default=sa.false(), nullable=False))
    # Cards posted before this revision were pinned (or refused) in the same step: nothing left to do.
    op.execute(
        sa.text("UPDATE dialogs SET card_pinned = :yes WHERE card_message_id IS NOT NULL").bindparams(
            yes=True
        )
    )


def downgrade() -> None:
    with op.batch_alter_table("dialogs", schema=None) as batch_op:
        batch_op.drop_column("card_pinned")
    op.drop_table("leases")
