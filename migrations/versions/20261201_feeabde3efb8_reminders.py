"""reminders: per offering lead time, once-per-person-and-session key, people's preferences

Revision ID: feeabde3efb8
Revises: c0a3e1f2b4d5
Create Date: 2026-12-01 19:55:02.950513

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "feeabde3efb8"
down_revision = "c0a3e1f2b4d5"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "reminder_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registration.id"],
            name=op.f("fk_reminder_sent_registration_id_registration"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["offering_session.id"],
            name=op.f("fk_reminder_sent_session_id_offering_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_sent")),
        sa.UniqueConstraint(
            "session_id",
            "registration_id",
            "starts_at",
            name=op.f("uq_reminder_sent_session_id"),
        ),
    )
    with op.batch_alter_table("reminder_sent", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reminder_sent_registration_id"), ["registration_id"], unique=False
        )

    # Existing offerings get the default: a reminder 24 hours before each session.
    with op.batch_alter_table("offering", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reminder", sa.String(length=10), server_default="24h", nullable=False)
        )
        batch_op.create_check_constraint(
            op.f("ck_offering_reminder"), "reminder IN ('24h', '2h', 'off')"
        )

    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reminder_mails", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.add_column(sa.Column("feed_alarm_minutes", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("feed_alarm_minutes")
        batch_op.drop_column("reminder_mails")

    with op.batch_alter_table("offering", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_offering_reminder"), type_="check")
        batch_op.drop_column("reminder")

    with op.batch_alter_table("reminder_sent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reminder_sent_registration_id"))

    op.drop_table("reminder_sent")
