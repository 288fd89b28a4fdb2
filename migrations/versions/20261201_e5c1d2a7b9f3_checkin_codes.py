"""check-in codes: every registration gets a short code, unique within its offering

Revision ID: e5c1d2a7b9f3
Revises: d1e5a7c3f9b2
Create Date: 2026-12-01 20:00:00.000000

"""

import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e5c1d2a7b9f3"
down_revision = "d1e5a7c3f9b2"
branch_labels = None
depends_on = None

# A copy, not an import: a migration must not change when the model does.
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def upgrade():
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.add_column(sa.Column("checkin_code", sa.String(length=6), nullable=True))
    # Backfill: a random code per existing registration, unique within its offering.
    connection = op.get_bind()
    registration = sa.table(
        "registration",
        sa.column("id", sa.Integer),
        sa.column("offering_id", sa.Integer),
        sa.column("checkin_code", sa.String),
    )
    taken: dict[int, set[str]] = {}
    rows = connection.execute(sa.select(registration.c.id, registration.c.offering_id)).all()
    for row_id, offering_id in rows:
        codes = taken.setdefault(offering_id, set())
        code = "".join(secrets.choice(ALPHABET) for _ in range(6))
        while code in codes:
            code = "".join(secrets.choice(ALPHABET) for _ in range(6))
        codes.add(code)
        connection.execute(
            registration.update().where(registration.c.id == row_id).values(checkin_code=code)
        )
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.alter_column("checkin_code", existing_type=sa.String(length=6), nullable=False)
        batch_op.create_unique_constraint(
            batch_op.f("uq_registration_offering_id"), ["offering_id", "checkin_code"]
        )


def downgrade():
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_registration_offering_id"), type_="unique")
        batch_op.drop_column("checkin_code")
