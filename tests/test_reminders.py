"""Reminder mails before each session: when they are due, who gets one, and only once."""

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from learning_platform.accounts.services import new_feed_token
from learning_platform.enrollment.reminders import enqueue_due
from learning_platform.extensions import db
from learning_platform.models import Offering, OfferingSession, OutboxMessage, Person
from tests.conftest import mail_body, migrate_to_head

#: 10:00 in Seoul on a Tuesday.
START = datetime(2031, 3, 4, 1, 0, tzinfo=UTC)


@pytest.fixture
def course(make_partner, make_offering):
    """make(**fields): a published hybrid course in Seoul, sessions at START and a week later."""
    partner = make_partner(name="Changwon City 창원특례시")

    def make(**fields):
        values = {
            "status": "published",
            "format": "hybrid",
            "online_link": "https://meet.example.org/garden-room",
            "title": "Urban gardening 도시 텃밭",
            "sessions": [
                (START, START + timedelta(hours=2)),
                (START + timedelta(days=7), START + timedelta(days=7, hours=2)),
            ],
            **fields,
        }
        return make_offering(partner, **values)

    return make


@pytest.fixture
def minji(make_person):
    return make_person("minji@example.org", language="ko", name="민지")


def run(app, now: datetime) -> int:
    with app.app_context():
        return enqueue_due(now)


def change(app, model, row_id: int, **values) -> None:
    with app.app_context():
        row = db.session.get(model, row_id)
        for name, value in values.items():
            setattr(row, name, value)
        db.session.commit()


def test_a_reminder_is_due_only_inside_the_window_and_before_the_start(
    app, course, minji, register, outbox
):
    register(course(), minji)
    assert run(app, START - timedelta(hours=24, minutes=1)) == 0
    assert run(app, START - timedelta(hours=23)) == 1
    [message] = outbox("minji@example.org")
    assert "도시 텃밭" in message["Subject"]
    assert run(app, START - timedelta(hours=1)) == 0  # once
    assert run(app, START + timedelta(minutes=1)) == 0
    assert len(outbox()) == 1


def test_a_reminder_that_was_never_sent_is_not_sent_after_the_start(
    app, course, minji, register, outbox
):
    register(course(), minji)
    assert run(app, START + timedelta(minutes=1)) == 0
    assert outbox() == []


def test_each_session_gets_its_own_reminder(app, course, minji, register, outbox):
    register(course(), minji)
    assert run(app, START - timedelta(hours=2)) == 1
    assert run(app, START + timedelta(days=6, hours=2)) == 1
    assert len(outbox("minji@example.org")) == 2


def test_the_reminder_is_in_the_persons_language_with_the_time_in_the_offerings_zone(
    app, course, minji, make_person, register, outbox
):
    offering = course()
    john = make_person("john@example.org", language="en", name="John")
    register(offering, minji)
    register(offering, john)
    run(app, START - timedelta(hours=20))
    korean = mail_body(outbox("minji@example.org")[0])
    assert "민지" in korean and "2031년 3월 4일 화요일, 오전 10:00" in korean and "한국" in korean
    english = mail_body(outbox("john@example.org")[0])
    assert "Tuesday, March 4, 2031, 10:00" in english and "Korean" in english
    assert "https://meet.example.org/garden-room" in english  # confirmed: the link
    assert "Changwon Lifelong Learning Centre" in english  # the venue
    assert "/account" in english  # where to turn reminders off


def test_the_reminder_carries_the_sessions_calendar_file(app, course, minji, register, outbox):
    offering = course()
    register(offering, minji)
    run(app, START - timedelta(hours=3))
    [message] = outbox("minji@example.org")
    [attachment] = [part for part in message.iter_attachments()]
    assert attachment.get_content_type() == "text/calendar"
    calendar = Calendar.from_ical(attachment.get_content())
    [event] = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == START
    assert str(event["uid"]) == f"{offering.sessions[0].uid}@learning-platform"
    assert "https://meet.example.org/garden-room" in str(event["description"])


def test_waitlisted_and_cancelled_registrations_get_no_reminder(
    app, course, make_person, register, outbox
):
    offering = course(capacity=1)
    register(offering, make_person("seated@example.org"))
    register(offering, make_person("waiting@example.org"), status="waitlisted")
    register(offering, make_person("gone@example.org"), status="cancelled")
    assert run(app, START - timedelta(hours=1)) == 1
    assert [m["To"] for m in outbox()] == ["seated@example.org"]


def test_two_hours_setting_waits_until_two_hours_before(app, course, minji, register):
    register(course(reminder="2h"), minji)
    assert run(app, START - timedelta(hours=3)) == 0
    assert run(app, START - timedelta(hours=2)) == 1


def test_offering_with_reminders_off_sends_none(app, course, minji, register, outbox):
    register(course(reminder="off"), minji)
    assert run(app, START - timedelta(minutes=30)) == 0
    assert outbox() == []


def test_cancelled_session_or_offering_sends_none(app, course, minji, register, outbox):
    first = course()
    second = course(title="Second")
    register(first, minji)
    register(second, minji)
    change(app, OfferingSession, first.sessions[0].id, status="cancelled", cancelled_at=START)
    change(app, Offering, second.id, status="cancelled", cancelled_at=START)
    assert run(app, START - timedelta(hours=1)) == 0
    assert outbox() == []


def test_a_draft_offering_sends_none(app, course, minji, register):
    register(course(status="draft"), minji)
    assert run(app, START - timedelta(hours=1)) == 0


def test_a_person_who_turned_reminders_off_gets_none(app, course, minji, register, outbox):
    register(course(), minji)
    change(app, Person, minji.id, reminder_mails=False)
    assert run(app, START - timedelta(hours=1)) == 0
    assert outbox() == []


def test_a_deleted_person_gets_none(app, course, minji, register, outbox):
    register(course(), minji)
    change(app, Person, minji.id, deleted_at=START - timedelta(days=1))
    assert run(app, START - timedelta(hours=1)) == 0


def test_a_session_moved_after_its_reminder_gets_a_new_one(app, course, minji, register, outbox):
    offering = course()
    register(offering, minji)
    assert run(app, START - timedelta(hours=5)) == 1
    later = START + timedelta(days=1)
    change(
        app,
        OfferingSession,
        offering.sessions[0].id,
        starts_at=later,
        ends_at=later + timedelta(hours=2),
    )
    assert run(app, START - timedelta(hours=4)) == 0  # not due yet at its new time
    assert run(app, later - timedelta(hours=5)) == 1
    assert run(app, later - timedelta(hours=4)) == 0
    assert len(outbox("minji@example.org")) == 2


def test_flask_mail_send_queues_due_reminders_and_sends_them(
    app, runner, course, minji, register, time_machine
):
    register(course(), minji)
    time_machine.move_to(START - timedelta(hours=10), tick=False)
    result = runner.invoke(args=["mail", "send"])
    assert result.output.strip().splitlines() == ["reminders 1", "sent 1, failed 0"]
    assert runner.invoke(args=["mail", "send"]).output.strip() == "sent 0, failed 0"


def test_time_travel_across_the_window_sends_once(
    app, runner, course, minji, register, outbox, time_machine
):
    register(course(), minji)
    for hours_before in (30, 25, 23, 12, 1):
        time_machine.move_to(START - timedelta(hours=hours_before), tick=False)
        runner.invoke(args=["mail", "send"])
    assert len(outbox("minji@example.org")) == 1


@pytest.mark.committed  # four workers, each on its own connection
def test_four_concurrent_workers_send_each_reminder_exactly_once(
    make_app, course, make_person, register
):
    app = make_app()
    offering = course(capacity=50)
    people = [make_person(f"p{n}@example.org") for n in range(12)]
    for person in people:
        register(offering, person)
    now = START - timedelta(hours=1)
    start = threading.Barrier(4)
    errors, counts = [], []

    def worker():
        try:
            start.wait(timeout=10)
            for _ in range(3):
                with app.app_context():
                    counts.append(enqueue_due(now))
        except Exception as error:  # reported below: a thread cannot fail the test itself
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sum(counts) == 12
    with app.app_context():
        recipients = db.session.scalars(select(OutboxMessage.recipient)).all()
        assert sorted(recipients) == sorted(p.email for p in people)
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 12


# Settings -----------------------------------------------------------------------------------


def test_a_person_turns_reminder_mails_off_and_chooses_a_calendar_alarm(
    app, client, make_person, login
):
    person = make_person(language="ko")
    login(person)
    page = client.get("/account").get_data(as_text=True)
    assert "알림" in page
    response = client.submit(
        "/account",
        {"display_name": "민지", "preferred_language": "ko", "feed_alarm": "60"},
    )
    assert response.status_code == 302
    with app.app_context():
        saved = db.session.get(Person, person.id)
        assert saved.reminder_mails is False and saved.feed_alarm_minutes == 60


def test_a_forged_alarm_choice_is_refused(app, client, make_person, login):
    person = make_person()
    login(person)
    response = client.submit(
        "/account",
        {"display_name": "X", "preferred_language": "en", "feed_alarm": "7", "reminder_mails": "y"},
    )
    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Person, person.id).feed_alarm_minutes is None


def test_the_organizer_sets_the_offerings_reminder(app, client, make_person, make_partner, login):
    from tests.test_workspace import offering_fields, submit_multi

    organizer = make_person()
    partner = make_partner(members=[organizer])
    login(organizer)
    path = f"/workspace/{partner.slug}/new"
    assert "Reminder mail" in client.get(path).get_data(as_text=True)
    response = submit_multi(client, path, offering_fields(reminder="2h"))
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Offering.reminder)) == "2h"


def test_existing_offerings_default_to_a_day_before(app, course):
    assert course().reminder == "24h"


# The private feed's alarm -------------------------------------------------------------------


def _feed(app, person_id: int) -> Calendar:
    with app.app_context():
        token = new_feed_token(db.session.get(Person, person_id))
        db.session.commit()
    return Calendar.from_ical(app.test_client().get(f"/feeds/me/{token}.ics").data)


def test_the_private_feed_carries_an_alarm_only_when_chosen(app, course, minji, register):
    offering = course(
        sessions=[
            (datetime.now(UTC) + timedelta(days=3), datetime.now(UTC) + timedelta(days=3, hours=2))
        ]
    )
    register(offering, minji)
    assert _feed(app, minji.id).walk("VALARM") == []
    change(app, Person, minji.id, feed_alarm_minutes=60)
    [alarm] = _feed(app, minji.id).walk("VALARM")
    assert str(alarm["action"]) == "DISPLAY"
    assert alarm.decoded("trigger") == -timedelta(hours=1)
    assert b"TRIGGER:-PT1H" in alarm.to_ical()
    public = app.test_client().get(f"/feeds/offerings/{offering.id}.ics").data
    assert b"VALARM" not in public


# The worker ---------------------------------------------------------------------------------


def test_the_looping_worker_stops_cleanly_on_sigterm(tmp_path):
    url = f"sqlite:///{tmp_path / 'worker.db'}"
    migrate_to_head(url)
    environment = {
        **os.environ,
        "APP_ENV": "development",
        "DATABASE_URL": url,
        "MAIL_OUTBOX_DIR": str(tmp_path / "mail"),
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "wsgi",
            "mail",
            "send",
            "--loop",
            "--interval",
            "30",
        ],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert worker.stdout.readline().startswith("Sending mail every 30 s")
    time.sleep(1)  # a round, then waiting for the next
    assert worker.poll() is None
    worker.send_signal(signal.SIGTERM)
    _output, errors = worker.communicate(timeout=10)  # well before the 30 s interval is over
    assert worker.returncode == 0, errors


def test_more_reminders_than_a_batch_are_all_queued_in_one_run(
    app, course, make_person, register, outbox
):
    offering = course()
    for n in range(5):
        register(offering, make_person(f"batch{n}@example.org"))
    with app.app_context():
        assert enqueue_due(START - timedelta(hours=1), limit=2) == 5
    assert len(outbox()) == 5


def test_choosing_an_alarm_changes_the_private_feeds_etag(app, course, minji, register):
    soon = datetime.now(UTC) + timedelta(days=3)
    register(course(sessions=[(soon, soon + timedelta(hours=2))]), minji)
    with app.app_context():
        token = new_feed_token(db.session.get(Person, minji.id))
        db.session.commit()
    client = app.test_client()
    etag = client.get(f"/feeds/me/{token}.ics").headers["ETag"]
    change(app, Person, minji.id, feed_alarm_minutes=15)
    response = client.get(f"/feeds/me/{token}.ics", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert b"TRIGGER:-PT15M" in response.data


def test_a_waitlisted_session_in_the_private_feed_has_no_alarm(
    app, course, minji, make_person, register
):
    soon = datetime.now(UTC) + timedelta(days=3)
    offering = course(capacity=1, sessions=[(soon, soon + timedelta(hours=2))])
    register(offering, make_person())
    register(offering, minji, status="waitlisted")
    change(app, Person, minji.id, feed_alarm_minutes=1440)
    calendar = _feed(app, minji.id)
    [event] = calendar.walk("VEVENT")
    assert str(event["status"]) == "TENTATIVE"
    assert calendar.walk("VALARM") == []
