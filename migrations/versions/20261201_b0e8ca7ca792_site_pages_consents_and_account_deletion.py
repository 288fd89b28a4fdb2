"""site pages, their versions and consents; person.deleted_at for account deletion

A page without a row shows its built-in text (learning_platform/pages/defaults.py) as
version 1, so nothing needs seeding.

Revision ID: b0e8ca7ca792
Revises: 4e1c9b7a2d35
Create Date: 2026-12-01 18:36:16

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b0e8ca7ca792"
down_revision = "4e1c9b7a2d35"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "site_page",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "slug",
            sa.Enum(
                "about",
                "privacy",
                "terms",
                "contact",
                name="pageslug",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("version_date", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "slug IN ('about', 'privacy', 'terms', 'contact')", name=op.f("ck_site_page_slug")
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_site_page_version")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site_page")),
        sa.UniqueConstraint("slug", name=op.f("uq_site_page_slug")),
    )
    op.create_table(
        "consent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column(
            "page",
            sa.Enum(
                "about",
                "privacy",
                "terms",
                "contact",
                name="pageslug",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("consented_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("page IN ('privacy', 'terms')", name=op.f("ck_consent_page")),
        sa.CheckConstraint("version >= 1", name=op.f("ck_consent_version")),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_consent_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent")),
    )
    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consent_person_id"), ["person_id", "page", "version"], unique=False
        )

    op.create_table(
        "site_page_text",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "language IN ('ko', 'en', 'th')", name=op.f("ck_site_page_text_language")
        ),
        sa.ForeignKeyConstraint(
            ["page_id"],
            ["site_page.id"],
            name=op.f("fk_site_page_text_page_id_site_page"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site_page_text")),
        sa.UniqueConstraint("page_id", "language", name=op.f("uq_site_page_text_page_id")),
    )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("deleted_at")

    op.drop_table("site_page_text")
    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_person_id"))

    op.drop_table("consent")
    op.drop_table("site_page")
