"""`flask housekeeping`: old mail, spent links and ended sessions go; what is live stays."""

import os
import secrets
import threading
import time
from datetime import timedelta

import flask_migrate
import pytest
from sqlalchemy import func, insert, select, text

from learning_platform import create_app
from learning_platform.cli import housekeep
from learning_platform.extensions import db
from learning_platform.mail.services import build_message
from learning_platform.models import AccountToken, LoginSession, OutboxMessage, utcnow
from tests.conftest import link_in, make_config

SECRET_LINK = "https://learn.example.org/reset/Gh7-QpX2vYt9LmNc4RsWu8EkBd3JfHa6ZoTi1PyMqVx"


def digest() -> str:
    return secrets.token_hex(32)


def add_rows(app, person_id: int, *, copies: int = 1) -> None:
    """`copies` of each kind of row housekeeping looks at, done and live."""
    now = utcnow()
    days = lambda n: now - timedelta(days=n)  # noqa: E731
    mail = {"recipient": "a@example.org", "subject": "s", "raw": "r"}
    tokens = {"person_id": person_id, "purpose": "reset"}
    with app.app_context():
        for _ in range(copies):
            db.session.execute(
                insert(OutboxMessage),
                [
                    {**mail, "subject": "old sent", "status": "sent", "sent_at": days(40)},
                    {**mail, "subject": "new sent", "status": "sent", "sent_at": days(5)},
                    {**mail, "subject": "old failed", "status": "failed", "created_at": days(100)},
                    {**mail, "subject": "new failed", "status": "failed", "created_at": days(10)},
                    {
                        **mail,
                        "subject": "old pending",
                        "status": "pending",
                        "created_at": days(100),
                    },
                ],
            )
            db.session.execute(
                insert(AccountToken),
                [
                    {**tokens, "token_hash": digest(), "expires_at": days(-1), "used_at": days(1)},
                    {**tokens, "token_hash": digest(), "expires_at": days(1)},
                    {**tokens, "token_hash": digest(), "expires_at": days(-1)},
                ],
            )
            db.session.execute(
                insert(LoginSession),
                [
                    {"person_id": person_id, "token_hash": digest(), "expires_at": days(1)},
                    {"person_id": person_id, "token_hash": digest(), "expires_at": days(-1)},
                ],
            )
        db.session.commit()


def remaining(app) -> dict:
    with app.app_context():
        return {
            "mail": sorted(db.session.scalars(select(OutboxMessage.subject))),
            "links": db.session.scalar(select(func.count()).select_from(AccountToken)),
            "sessions": db.session.scalar(select(func.count()).select_from(LoginSession)),
        }


def test_housekeeping_removes_what_is_done_and_keeps_what_is_live(
    app, client, runner, make_person, login, outbox
):
    person = make_person()
    login(person)  # a live session of a real browser
    client.submit("/reset", {"email": person.email})  # a live link, and its mail (pending)
    add_rows(app, person.id)

    result = runner.invoke(args=["housekeeping"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "deleted sent mail older than 30 days: 1",
        "deleted failed mail older than 90 days: 1",
        "deleted used or expired account links: 2",
        "deleted expired login sessions: 1",
        "deleted answers to registration questions 30 days after the offering ended: 0",
        "deleted images no cover or logo uses: 0",
        "removed the link from sent or failed mail: 0",
        "deleted mail files older than 30 days: 0",
        "deleted image files no cover or logo uses: 0",
    ]
    assert remaining(app) == {
        "mail": ["Reset your password", "new failed", "new sent", "old pending"],
        "links": 2,
        "sessions": 2,
    }
    assert "Log out" in client.get("/me/learning").get_data(as_text=True)  # still signed in
    assert client.get(link_in(outbox()[0], "/reset/")).status_code == 200  # the link works


def test_housekeeping_keeps_mail_as_long_as_the_settings_say(make_app, make_person):
    app = make_app(MAIL_KEEP_SENT_DAYS=3, MAIL_KEEP_FAILED_DAYS=365)
    add_rows(app, make_person().id)
    output = app.test_cli_runner().invoke(args=["housekeeping"]).output
    assert "deleted sent mail older than 3 days: 2" in output
    assert "deleted failed mail older than 365 days: 0" in output


def test_housekeeping_again_finds_nothing(app, runner, make_person):
    add_rows(app, make_person().id)
    runner.invoke(args=["housekeeping"])
    second = runner.invoke(args=["housekeeping"])
    assert second.exit_code == 0
    assert [line.rsplit(": ", 1)[1] for line in second.output.splitlines()] == ["0"] * 9


@pytest.mark.committed
def test_two_housekeeping_runs_at_once_remove_each_row_once(app, make_person):
    add_rows(app, make_person().id, copies=150)
    start = threading.Barrier(2)
    reports, errors = [], []

    def run() -> None:
        try:
            with app.app_context():
                start.wait()
                reports.append(housekeep(batch=20))
        except Exception as error:  # reported below, a thread cannot fail the test itself
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(reports) == 2
    totals = {label: sum(report[label] for report in reports) for label in reports[0]}
    assert totals == {
        "deleted sent mail older than 30 days": 150,
        "deleted failed mail older than 90 days": 150,
        "deleted used or expired account links": 300,
        "deleted expired login sessions": 150,
        "deleted answers to registration questions 30 days after the offering ended": 0,
        "deleted images no cover or logo uses": 0,
        "removed the link from sent or failed mail": 0,
        "deleted mail files older than 30 days": 0,
        "deleted image files no cover or logo uses": 0,
    }
    assert remaining(app)["sessions"] == 150


def test_housekeeping_removes_the_link_from_mail_sent_before_links_were_removed(app, runner):
    with app.app_context():
        raw = build_message("a@example.org", "Reset", f"Open {SECRET_LINK}").as_string()
        db.session.execute(
            insert(OutboxMessage),
            [
                {"recipient": "a@example.org", "subject": "Reset", "raw": raw, "status": status}
                | {"contains_secret": True, "sent_at": utcnow()}
                for status in ("sent", "failed")
            ],
        )
        db.session.commit()
    output = runner.invoke(args=["housekeeping"]).output
    assert "removed the link from sent or failed mail: 2" in output
    with app.app_context():
        assert not any("/reset/" in raw for raw in db.session.scalars(select(OutboxMessage.raw)))


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    return request.getfixturevalue("fresh_postgresql")()


def test_upgrade_marks_stored_reset_mail_so_its_link_is_removed(empty_database_url):
    app = create_app(make_config(empty_database_url))
    with app.app_context():
        flask_migrate.upgrade(revision="3b7e1f0c9a21")  # before links were removed
        for status, body in [("sent", f"Open {SECRET_LINK}"), ("sent", "See you on Monday")]:
            db.session.execute(
                text(
                    "INSERT INTO outbox_message (recipient, subject, raw, status, attempts,"
                    " next_attempt_at, created_at, sent_at) VALUES ('a@example.org', 's', :raw,"
                    " :status, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                {"raw": build_message("a@example.org", "s", body).as_string(), "status": status},
            )
        db.session.commit()
        flask_migrate.upgrade()
    output = app.test_cli_runner().invoke(args=["housekeeping"]).output
    assert "removed the link from sent or failed mail: 1" in output
    with app.app_context():
        raws = db.session.scalars(select(OutboxMessage.raw).order_by(OutboxMessage.id)).all()
        db.session.remove()
        db.engine.dispose()
    assert "/reset/" not in raws[0]
    assert "See you on Monday" in raws[1]


def test_housekeeping_deletes_old_mail_files_written_without_a_mail_server(make_app, tmp_path):
    """Without MAIL_SERVER whole messages, reset links included, are written as files."""
    folder = tmp_path / "outbox-files"
    folder.mkdir()
    old, new = folder / "20260101-000000-1.eml", folder / "20261201-000000-2.eml"
    for path in (old, new):
        path.write_text("To: a@example.org\n\nhttps://learn.example.org/reset/secret\n")
    forty_days_ago = time.time() - 40 * 86400
    os.utime(old, (forty_days_ago, forty_days_ago))
    app = make_app(MAIL_OUTBOX_DIR=str(folder), MAIL_KEEP_SENT_DAYS=30)
    output = app.test_cli_runner().invoke(args=["housekeeping"]).output
    assert "deleted mail files older than 30 days: 1" in output
    assert sorted(p.name for p in folder.iterdir()) == [new.name]
