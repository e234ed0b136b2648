"""manager names

bots.manager_names: the listed managers' names as last seen in the group (who may answer buyers).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 23:01:41.374413
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable: existing bots have no names yet (their manager_ids, if any, show as bare ids).
    with op.batch_alter_table("bots", schema=None) as batch_op:
        batch_op.add_column(sa.Column("manager_names", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("bots", schema=None) as batch_op:
        batch_op.drop_column("manager_names")
