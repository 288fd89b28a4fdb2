"""feed mark: the Last-Modified of each calendar feed never goes backwards

Revision ID: 5d2f8c1e7a90
Revises: 3b7e1f0c9a21
Create Date: 2026-12-01 16:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5d2f8c1e7a90"
down_revision = "3b7e1f0c9a21"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "feed_mark",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("etag", sa.String(length=40), nullable=False),
        sa.Column("last_modified", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_feed_mark")),
    )


def downgrade():
    op.drop_table("feed_mark")
