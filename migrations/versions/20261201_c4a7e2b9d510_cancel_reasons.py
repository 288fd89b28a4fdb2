"""cancel reasons: an organizer says why an offering or a session is cancelled, and what changed

Revision ID: c4a7e2b9d510
Revises: b0e8ca7ca792
Create Date: 2026-12-01 18:50:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c4a7e2b9d510"
down_revision = "b0e8ca7ca792"
branch_labels = None
depends_on = None


def upgrade():
    # Offerings and sessions cancelled before this revision have no reason: an empty one.
    for table in ("offering", "offering_session"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column(
                    "cancel_reason", sa.String(length=500), server_default="", nullable=False
                )
            )
    with op.batch_alter_table("offering", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("change_note", sa.String(length=500), server_default="", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("offering", schema=None) as batch_op:
        batch_op.drop_column("change_note")
    for table in ("offering_session", "offering"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("cancel_reason")
