"""upcoming sessions index (catalog and feed window, measured in bench/RESULTS.md)

Revision ID: 3b7e1f0c9a21
Revises: da14e3c88fc7
Create Date: 2026-11-27 08:20:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "3b7e1f0c9a21"
down_revision = "da14e3c88fc7"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("offering_session", schema=None) as batch_op:
        batch_op.create_index(
            "ix_offering_session_status_ends_at",
            ["status", "ends_at", "offering_id", "starts_at"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("offering_session", schema=None) as batch_op:
        batch_op.drop_index("ix_offering_session_status_ends_at")
