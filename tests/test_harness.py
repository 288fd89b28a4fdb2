"""The test harness itself: each test rolled back, the database's rules kept (tests/conftest.py)."""

import threading

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import IntegrityError

from learning_platform.extensions import db
from learning_platform.models import Membership, Person


def count_people(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Person))


@pytest.mark.parametrize("turn", [1, 2])
def test_each_test_starts_on_empty_tables(app, make_person, turn):
    """Whichever turn runs second sees nothing of the first's committed person."""
    assert count_people(app) == 0
    make_person()
    assert count_people(app) == 1


def test_the_database_keeps_its_foreign_keys(app):
    with app.app_context():
        db.session.add(Membership(person_id=999_999, partner_id=999_999))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(Membership)) == 0


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_sqlite_keeps_its_pragmas_in_the_test_transaction(app):
    with app.app_context():
        assert db.session.scalar(text("PRAGMA foreign_keys")) == 1
        assert db.session.scalar(text("PRAGMA journal_mode")) == "wal"
        busy_ms = app.config["DATABASE_BUSY_TIMEOUT"] * 1000
        assert db.session.scalar(text("PRAGMA busy_timeout")) == busy_ms


def test_count_queries_counts_the_apps_savepoints_not_the_harness_ones(app, count_queries):
    with count_queries() as statements, app.app_context():
        with db.session.begin_nested():
            db.session.execute(text("SELECT 1"))
        db.session.commit()
    assert len(statements) == 3
    assert statements[0].startswith("SAVEPOINT")
    assert statements[1] == "SELECT 1"
    assert statements[2].startswith("RELEASE SAVEPOINT")


def test_an_app_with_settings_shares_the_tests_data(app, make_app, make_person):
    person = make_person()
    other = make_app(LOGIN_LIMIT="1 per hour")
    assert other is not app
    assert other.config["LOGIN_LIMIT"] == "1 per hour"
    with other.app_context():
        assert db.session.get(Person, person.id).email == person.email
        db.session.add(Person(email="b@example.org", display_name="B", password_hash="x"))
        db.session.commit()
    assert count_people(app) == 2


def test_engine_settings_need_the_committed_mode(make_app):
    with pytest.raises(pytest.fail.Exception, match=r"@pytest\.mark\.committed"):
        make_app(SQLALCHEMY_ENGINE_OPTIONS={})


def test_the_shared_app_takes_no_new_routes(app):
    with pytest.raises(AssertionError, match="can no longer be called"):
        app.add_url_rule("/late", "late", lambda: "")


@pytest.mark.committed
def test_a_committed_test_shows_its_data_to_other_connections(app, database_url, make_person):
    person = make_person()
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            emails = connection.scalars(text("SELECT email FROM person")).all()
    finally:
        engine.dispose()
    assert emails == [person.email]


def test_a_thread_on_the_test_connection_is_told_to_use_the_committed_mode(app):
    errors = []

    def use_the_database():
        with app.app_context():
            try:
                db.session.execute(text("SELECT 1"))
            except RuntimeError as error:
                errors.append(str(error))

    thread = threading.Thread(target=use_the_database)
    thread.start()
    thread.join(timeout=30)
    assert errors == ["a thread uses the database: mark the test @pytest.mark.committed"]
