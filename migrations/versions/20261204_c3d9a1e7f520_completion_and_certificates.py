"""completion rule and certificates: a percent of sessions per offering, one decision per
registration (issued or withheld) with what it said when it was made

Revision ID: c3d9a1e7f520
Revises: b8e4d2f6a913
Create Date: 2026-12-04 00:00:00

Every existing offering gets the default rule (80 %).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c3d9a1e7f520"
down_revision = "b8e4d2f6a913"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("offering", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("completion_percent", sa.Integer(), server_default="80", nullable=False)
        )
        batch_op.create_check_constraint(
            "completion_percent", "completion_percent BETWEEN 1 AND 100"
        )
    op.create_table(
        "certificate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=32), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=True),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("offering_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("note", sa.String(length=500), server_default="", nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.Column("sessions_attended", sa.Integer(), nullable=False),
        sa.Column("sessions_total", sa.Integer(), nullable=False),
        sa.Column("learner_name", sa.String(length=100), server_default="", nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_reason", sa.String(length=500), server_default="", nullable=False),
        sa.Column("status_index", sa.Integer(), nullable=True),
        sa.CheckConstraint("status IN ('issued', 'withheld')", name=op.f("ck_certificate_status")),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["person.id"],
            name=op.f("fk_certificate_decided_by_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["offering_id"],
            ["offering.id"],
            name=op.f("fk_certificate_offering_id_offering"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_certificate_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registration.id"],
            name=op.f("fk_certificate_registration_id_registration"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate")),
        sa.UniqueConstraint("number", name=op.f("uq_certificate_number")),
        sa.UniqueConstraint("registration_id", name=op.f("uq_certificate_registration_id")),
        sa.UniqueConstraint("status_index", name=op.f("uq_certificate_status_index")),
        sa.UniqueConstraint("uid", name=op.f("uq_certificate_uid")),
    )
    op.create_index(
        op.f("ix_certificate_offering_id"),
        "certificate",
        ["offering_id", "status"],
        unique=False,
    )
    op.create_index(op.f("ix_certificate_person_id"), "certificate", ["person_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_certificate_person_id"), table_name="certificate")
    op.drop_index(op.f("ix_certificate_offering_id"), table_name="certificate")
    op.drop_table("certificate")
    with op.batch_alter_table("offering", schema=None) as batch_op:
        batch_op.drop_constraint("completion_percent", type_="check")
        batch_op.drop_column("completion_percent")
