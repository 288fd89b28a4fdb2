"""outbox message contains_secret: a single-use link removed once the message is sent

Revision ID: 97694ddf93d8
Revises: 5d2f8c1e7a90
Create Date: 2026-12-01 16:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "97694ddf93d8"
down_revision = "5d2f8c1e7a90"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("contains_secret", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    # Messages stored before this revision: the reset and address-check mails are the ones
    # with a single-use link. Quoted-printable keeps "/reset/" and "/verify/" readable (a soft
    # line break falls inside the token, not in the path). Sent and given-up ones have their
    # text removed by `flask housekeeping`; pending ones once they are sent.
    op.execute(
        "UPDATE outbox_message SET contains_secret = true"
        " WHERE raw LIKE '%/reset/%' OR raw LIKE '%/verify/%'"
    )


def downgrade():
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_column("contains_secret")
