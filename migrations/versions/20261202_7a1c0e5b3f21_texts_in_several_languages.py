"""texts in several languages: a primary language and the other languages' texts (JSON) for
offerings, their sessions and partners

Revision ID: 7a1c0e5b3f21
Revises: d4612dd618ba
Create Date: 2026-12-02 00:40:00

Existing rows get the primary language their title or name is written in: Thai letters make
it Thai, Hangul Korean, anything else English. Their texts stay where they are (the primary
language's columns); texts that glue two languages together are split by the next revision.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "7a1c0e5b3f21"
down_revision = "d4612dd618ba"
branch_labels = None
depends_on = None

LANGUAGES = ("ko", "en", "th")
_CHECK = "primary_language IN ('ko', 'en', 'th')"


def _language_of(text: str) -> str:
    if any("\u0e00" <= c <= "\u0e7f" for c in text):
        return "th"
    if any("\uac00" <= c <= "\ud7af" or "\u1100" <= c <= "\u11ff" for c in text):
        return "ko"
    return "en"


def _guess_primary(table: str, column: str) -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.text(f"SELECT id, {column} FROM {table}")).all()
    for language in LANGUAGES:
        ids = [row.id for row in rows if _language_of(row[1] or "") == language]
        for start in range(0, len(ids), 500):
            connection.execute(
                sa.text(
                    f"UPDATE {table} SET primary_language = :language WHERE id IN :ids"
                ).bindparams(sa.bindparam("ids", expanding=True)),
                {"language": language, "ids": ids[start : start + 500]},
            )


def upgrade():
    for table, default in (("offering", "ko"), ("partner", "en")):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column(
                    "primary_language", sa.String(length=8), server_default=default, nullable=False
                )
            )
            batch_op.add_column(
                sa.Column("translations", sa.JSON(), server_default="{}", nullable=False)
            )
            batch_op.create_check_constraint("primary_language", _CHECK)
    with op.batch_alter_table("offering_session", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("translations", sa.JSON(), server_default="{}", nullable=False)
        )
    _guess_primary("offering", "title")
    _guess_primary("partner", "name")


def downgrade():
    with op.batch_alter_table("offering_session", schema=None) as batch_op:
        batch_op.drop_column("translations")
    for table in ("partner", "offering"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"ck_{table}_primary_language"), type_="check")
            batch_op.drop_column("translations")
            batch_op.drop_column("primary_language")
