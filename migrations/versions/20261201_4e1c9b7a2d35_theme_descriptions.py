"""theme descriptions in Korean, English and Thai, for /themes and the theme pages

Revision ID: 4e1c9b7a2d35
Revises: 97694ddf93d8
Create Date: 2026-12-01 19:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "4e1c9b7a2d35"
down_revision = "97694ddf93d8"
branch_labels = None
depends_on = None

LANGUAGES = ("en", "ko", "th")


def upgrade():
    # Existing themes get an empty description; `flask seed-themes` fills the reference ones.
    with op.batch_alter_table("theme", schema=None) as batch_op:
        for language in LANGUAGES:
            batch_op.add_column(
                sa.Column(
                    f"description_{language}", sa.Text(), server_default="", nullable=False
                )
            )


def downgrade():
    with op.batch_alter_table("theme", schema=None) as batch_op:
        for language in reversed(LANGUAGES):
            batch_op.drop_column(f"description_{language}")
