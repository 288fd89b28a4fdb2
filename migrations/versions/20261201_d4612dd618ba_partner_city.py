"""partner city: where a partner is based, for the alliance report's figures per city

Revision ID: d4612dd618ba
Revises: 5d7952337140
Create Date: 2026-12-01 21:39:44.109800

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "d4612dd618ba"
down_revision = "5d7952337140"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("partner", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("city", sa.String(length=100), server_default="", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("partner", schema=None) as batch_op:
        batch_op.drop_column("city")
