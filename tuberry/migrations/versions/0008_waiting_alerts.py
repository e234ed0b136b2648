"""waiting alerts

workspaces.waiting_alerts_enabled / waiting_alert_minutes: tell the managers when a buyer waits this long in
working hours. dialogs.waiting_alerted_at: the alert of the current wait was posted. bots.waiting_digest_at:
the last digest of waiting dialogs in the group's General topic.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 15:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tuberry.storage.types

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("waiting_alerts_enabled", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("waiting_alert_minutes", sa.Integer(), server_default="15", nullable=False)
        )
    with op.batch_alter_table("dialogs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("waiting_alerted_at", tuberry.storage.types.UtcDateTime(timezone=True)))
    with op.batch_alter_table("bots", schema=None) as batch_op:
        batch_op.add_column(sa.Column("waiting_digest_at", tuberry.storage.types.UtcDateTime(timezone=True)))
    # Waits that began before this revision are old news: no alert storm on the first sweep after upgrade.
    op.execute(
        sa.text("UPDATE dialogs SET waiting_alerted_at = waiting_since WHERE waiting_since IS NOT NULL")
    )


def downgrade() -> None:
    with op.batch_alter_table("bots", schema=None) as batch_op:
        batch_op.drop_column("waiting_digest_at")
    with op.batch_alter_table("dialogs", schema=None) as batch_op:
        batch_op.drop_column("waiting_alerted_at")
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.drop_column("waiting_alert_minutes")
        batch_op.drop_column("waiting_alerts_enabled")
