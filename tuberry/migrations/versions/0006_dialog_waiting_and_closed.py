"""dialog waiting and closed

dialogs.waiting_since: the first buyer message nobody answered yet (domain.ticket), for status icons,
waiting alerts and the stats screen. dialogs.closed_at: a manager closed the topic.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 15:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tuberry.storage.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("dialogs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("waiting_since", tuberry.storage.types.UtcDateTime(timezone=True)))
        batch_op.add_column(sa.Column("closed_at", tuberry.storage.types.UtcDateTime(timezone=True)))
        batch_op.create_index(batch_op.f("ix_dialogs_waiting_since"), ["waiting_since"], unique=False)
    # The best the old columns tell: a dialog whose buyer spoke after our last answer waits since then.
    op.execute(
        sa.text(
            "UPDATE dialogs SET waiting_since = last_buyer_message_at WHERE last_buyer_message_at IS NOT NULL"
            " AND (last_manager_reply_at IS NULL OR last_manager_reply_at < last_buyer_message_at)"
        )
    )


def downgrade() -> None:
    with op.batch_alter_table("dialogs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dialogs_waiting_since"))
        batch_op.drop_column("closed_at")
        batch_op.drop_column("waiting_since")
