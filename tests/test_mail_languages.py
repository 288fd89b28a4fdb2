"""Mails name offerings, sessions and partners in the recipient's language, whoever sent them.

The sending request here is always a Thai one (a Thai organizer cancels, a Thai admin
unpublishes): what each recipient reads must not depend on it.
"""

from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from icalendar import Calendar
from sqlalchemy import select

from learning_platform.enrollment import services as enrollment
from learning_platform.enrollment.reminders import enqueue_due
from learning_platform.extensions import db
from learning_platform.models import Offering, OfferingSession, Person, Registration
from learning_platform.offerings import services as offerings
from tests.conftest import mail_body

START = datetime(2031, 3, 4, 1, 0, tzinfo=UTC)
TITLES = {
    "ko": "기후행동 시민학교",
    "en": "Climate Action Citizens' School",
    "th": "ห้องเรียนภูมิอากาศ",
}
PARTNERS = {"ko": "유네스코 방콕", "en": "UNESCO Bangkok", "th": "ยูเนสโก กรุงเทพฯ"}
REASONS = {"ko": "강사가 아픕니다", "en": "", "th": "วิทยากรป่วย"}  # no English reason written


@pytest.fixture
def course(make_partner, make_offering):
    partner = make_partner(
        name=PARTNERS["ko"],
        primary_language="ko",
        translations={"en": {"name": PARTNERS["en"]}, "th": {"name": PARTNERS["th"]}},
    )
    return make_offering(
        partner,
        status="published",
        primary_language="ko",
        title=TITLES["ko"],
        venue_name="창원 평생학습관",
        translations={
            "en": {"title": TITLES["en"], "venue_name": "Changwon Learning Centre"},
            "th": {"title": TITLES["th"], "venue_name": "ศูนย์การเรียนรู้ชางวอน"},
        },
        sessions=[
            (START, START + timedelta(hours=2)),
            (START + timedelta(days=7), START + timedelta(days=7, hours=2)),
        ],
    )


@pytest.fixture
def people(make_person, register, course):
    found = {}
    for lang in TITLES:
        person = make_person(f"{lang}@example.org", language=lang)
        register(course, person)
        found[lang] = person
    return found


def in_thai(app):
    """A request whose interface (and reading) language is Thai."""
    return app.test_request_context(headers={"Accept-Language": "th"})


def _subject(message) -> str:
    return str(message["Subject"])


def _calendar_summaries(message) -> set[str]:
    [attachment] = list(message.iter_attachments())
    calendar = Calendar.from_ical(attachment.get_content())
    return {str(event["SUMMARY"]).split("] ")[-1] for event in calendar.walk("VEVENT")}


def assert_in_language(message, lang: str, *, calendar: bool = True) -> None:
    """Subject, body and attached calendar name the offering in `lang` only, and the
    Content-Language header says so."""
    others = [title for code, title in TITLES.items() if code != lang]
    assert message["Content-Language"] == lang
    assert TITLES[lang] in _subject(message)
    body = mail_body(message)
    assert TITLES[lang] in body
    for other in others:
        assert other not in _subject(message) and other not in body
    if calendar:
        assert _calendar_summaries(message) == {TITLES[lang]}


def test_a_thai_organizer_cancels_and_each_participant_reads_their_language(
    app, course, people, outbox
):
    with in_thai(app):
        offering = db.session.get(Offering, course.id)
        offering.set_texts("th", {"cancel_reason": REASONS["th"]})
        offerings.cancel_offering(offering, REASONS["ko"])  # the primary (Korean) reason
        db.session.commit()
    for lang in TITLES:
        [message] = outbox(f"{lang}@example.org")
        assert_in_language(message, lang)
        body = mail_body(message)
        # The reason in their language, else in the primary one (no English was written).
        assert (REASONS[lang] or REASONS["ko"]) in body
        assert PARTNERS[lang] in body
    [korean] = outbox("ko@example.org")
    assert REASONS["th"] not in mail_body(korean)


def test_a_cancelled_session_is_told_in_each_language(app, course, people, outbox):
    with in_thai(app):
        session = db.session.get(OfferingSession, course.sessions[0].id)
        session.set_texts("en", {"cancel_reason": "The room is flooded"})
        offerings.cancel_session(session, "교실이 침수되었습니다")
        db.session.commit()
    for lang in TITLES:
        [message] = outbox(f"{lang}@example.org")
        assert_in_language(message, lang)
    assert "The room is flooded" in mail_body(outbox("en@example.org")[0])
    assert "교실이 침수되었습니다" in mail_body(outbox("th@example.org")[0])  # the fallback


def test_a_moved_session_names_the_old_place_in_each_language(app, course, people, outbox):
    with in_thai(app):
        session = db.session.get(OfferingSession, course.sessions[0].id)
        session.location = "301호"
        session.set_texts("th", {"location": "ห้อง 301"})
        db.session.commit()
        offerings.update_session(
            session,
            session.starts_at + timedelta(hours=1),
            session.ends_at + timedelta(hours=1),
            "301호",
            "",
        )
        db.session.commit()
    for lang in TITLES:
        [message] = outbox(f"{lang}@example.org")
        assert_in_language(message, lang)
    assert "ห้อง 301" in mail_body(outbox("th@example.org")[0])
    korean = mail_body(outbox("ko@example.org")[0])
    assert "301호" in korean and "ห้อง 301" not in korean


def test_registering_from_a_thai_page_mails_a_korean_person_in_korean(
    app, course, make_person, outbox
):
    person = make_person("minji@example.org", language="ko")
    with in_thai(app):
        outcome = enrollment.register(
            db.session.get(Offering, course.id), db.session.get(Person, person.id)
        )
        assert outcome.registration.status == "confirmed"
        db.session.commit()
    [message] = outbox("minji@example.org")
    assert_in_language(message, "ko")
    assert "창원 평생학습관" in mail_body(message)


def test_a_promoted_person_reads_their_language(app, course, make_person, register, outbox):
    with app.app_context():
        db.session.get(Offering, course.id).capacity = 1
        db.session.commit()
    seated = make_person("seated@example.org", language="th")
    waiting = make_person("waiting@example.org", language="en")
    register(course, seated)
    register(course, waiting, status="waitlisted")
    with in_thai(app):
        registration = db.session.scalar(
            select(Registration).where(Registration.person_id == seated.id)
        )
        enrollment.cancel(registration)
        db.session.commit()
    [message] = outbox("waiting@example.org")
    assert_in_language(message, "en")


def test_reminders_from_the_worker_are_in_each_persons_language(app, course, people, outbox):
    with app.app_context():
        enqueue_due(START - timedelta(hours=20))
    for lang in TITLES:
        [message] = outbox(f"{lang}@example.org")
        assert_in_language(message, lang)
        assert PARTNERS[lang] in mail_body(message)


def test_a_participant_message_wraps_the_organizers_words_in_each_language(app, course, people):
    from learning_platform.messages.services import compose

    with in_thai(app):
        offering = db.session.get(Offering, course.id)
        for lang in TITLES:
            message = compose(offering, db.session.get(Person, people[lang].id), "공지", "내용")
            body = mail_body(message)
            html = unescape(message.get_body(preferencelist=("html",)).get_content())
            assert TITLES[lang] in html and PARTNERS[lang] in html
            assert all(title not in body for code, title in TITLES.items() if code != lang), lang


def test_unpublishing_tells_each_organizer_in_their_language(
    app, make_person, make_partner, make_offering, outbox
):
    from learning_platform.backoffice.services import unpublish

    korean = make_person("ko-organizer@example.org", language="ko")
    english = make_person("en-organizer@example.org", language="en")
    partner = make_partner(members=[korean, english], primary_language="th", name="พันธมิตร")
    offering = make_offering(
        partner,
        status="published",
        primary_language="th",
        title=TITLES["th"],
        translations={"ko": {"title": TITLES["ko"]}, "en": {"title": TITLES["en"]}},
        sessions=[(START, START + timedelta(hours=2))],
    )
    with in_thai(app):
        unpublish(db.session.get(Offering, offering.id), "ข้อมูลไม่ครบ")
        db.session.commit()
    assert_in_language(outbox("ko-organizer@example.org")[0], "ko", calendar=False)
    assert_in_language(outbox("en-organizer@example.org")[0], "en", calendar=False)
