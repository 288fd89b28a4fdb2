"""Migrations build exactly the models' schema; datetimes keep their zone."""

from datetime import datetime
from zoneinfo import ZoneInfo

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.exc import StatementError

from learning_platform import create_app
from learning_platform.catalog.search import in_models
from learning_platform.extensions import db
from learning_platform.models import Theme
from learning_platform.models.outbox import OutboxMessage
from tests.conftest import make_config


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    return request.getfixturevalue("fresh_postgresql")()


def test_upgrade_on_an_empty_database_yields_exactly_the_models(empty_database_url):
    app = create_app(make_config(empty_database_url))
    with app.app_context():
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_name": in_models}
            )
            assert compare_metadata(context, db.metadata) == []
            names = inspect(connection)
            assert {c["name"] for c in names.get_unique_constraints("person")} == {
                "uq_person_email",
                "uq_person_feed_token_hash",
            }
            assert {fk["name"] for fk in names.get_foreign_keys("membership")} == {
                "fk_membership_person_id_person",
                "fk_membership_partner_id_partner",
            }
            assert names.get_pk_constraint("partner")["name"] in {
                "pk_partner",
                None,
            }  # SQLite keeps no PK name

        flask_migrate.downgrade(revision="base")
        with db.engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
        flask_migrate.upgrade()
        db.engine.dispose()


def test_datetimes_are_stored_as_utc_and_come_back_aware(app):
    seoul = datetime(2026, 3, 3, 19, 0, tzinfo=ZoneInfo("Asia/Seoul"))
    with app.app_context():
        message = OutboxMessage(
            recipient="a@example.org", subject="s", raw="r", next_attempt_at=seoul
        )
        db.session.add(message)
        db.session.commit()
        db.session.expire_all()
        loaded = db.session.get(OutboxMessage, message.id).next_attempt_at
    assert loaded == seoul
    assert loaded.utcoffset().total_seconds() == 0
    assert (loaded.hour, loaded.minute) == (10, 0)


def test_naive_datetimes_are_refused(app):
    with app.app_context():
        db.session.add(
            OutboxMessage(
                recipient="a@example.org",
                subject="s",
                raw="r",
                next_attempt_at=datetime(2026, 1, 1),
            )
        )
        with pytest.raises(StatementError, match="naive datetime"):
            db.session.commit()
        db.session.rollback()


def test_theme_names_fall_back_to_english():
    theme = Theme(slug="x", name_en="Climate action", name_ko="기후행동", name_th="")
    assert theme.name("ko") == "기후행동"
    assert theme.name("th") == "Climate action"
    assert theme.name("fr") == "Climate action"
