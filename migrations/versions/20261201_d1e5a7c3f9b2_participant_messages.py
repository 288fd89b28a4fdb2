"""participant messages: what organizers wrote to the participants of an offering

Revision ID: d1e5a7c3f9b2
Revises: feeabde3efb8
Create Date: 2026-12-01 20:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d1e5a7c3f9b2"
down_revision = "feeabde3efb8"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "participant_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offering_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("audience", sa.String(length=20), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=150), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("recipient_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "audience IN ('confirmed', 'waitlisted', 'both', 'session')",
            name=op.f("ck_participant_message_audience"),
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["person.id"],
            name=op.f("fk_participant_message_author_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["offering_id"],
            ["offering.id"],
            name=op.f("fk_participant_message_offering_id_offering"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["offering_session.id"],
            name=op.f("fk_participant_message_session_id_offering_session"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participant_message")),
    )
    with op.batch_alter_table("participant_message", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_participant_message_author_id"), ["author_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_participant_message_offering_id"),
            ["offering_id", "created_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_participant_message_session_id"), ["session_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("participant_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_participant_message_session_id"))
        batch_op.drop_index(batch_op.f("ix_participant_message_offering_id"))
        batch_op.drop_index(batch_op.f("ix_participant_message_author_id"))
    op.drop_table("participant_message")
