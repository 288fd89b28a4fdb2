"""images: an offering's cover and a partner's logo

Revision ID: c0a3e1f2b4d5
Revises: 2cce88f1fa79
Create Date: 2026-12-01 18:45:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c0a3e1f2b4d5"
down_revision = "2cce88f1fa79"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "image",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("sizes", sa.JSON(), nullable=False),
        sa.Column("alt_ko", sa.String(length=300), nullable=False),
        sa.Column("alt_en", sa.String(length=300), nullable=False),
        sa.Column("alt_th", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('cover', 'logo')", name=op.f("ck_image_kind")),
        sa.CheckConstraint("width > 0 AND height > 0", name=op.f("ck_image_dimensions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_image")),
    )
    with op.batch_alter_table("offering", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cover_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_offering_cover_id"), ["cover_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_offering_cover_id_image"),
            "image",
            ["cover_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("partner", schema=None) as batch_op:
        batch_op.add_column(sa.Column("logo_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_partner_logo_id"), ["logo_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_partner_logo_id_image"),
            "image",
            ["logo_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("partner", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_partner_logo_id_image"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_partner_logo_id"))
        batch_op.drop_column("logo_id")
    with op.batch_alter_table("offering", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_offering_cover_id_image"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_offering_cover_id"))
        batch_op.drop_column("cover_id")
    op.drop_table("image")
