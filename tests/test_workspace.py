"""The organizer workspace: offerings, schedules, the life cycle and who is told."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from learning_platform.extensions import db
from learning_platform.models import Offering, OfferingSession, utcnow
from tests.conftest import mail_body

SEOUL = ZoneInfo("Asia/Seoul")


def seoul(*args) -> datetime:
    return datetime(*args, tzinfo=SEOUL)


def in_days(days: int, hour: int = 19, hours: int = 2) -> tuple[datetime, datetime]:
    start = (
        (utcnow() + timedelta(days=days))
        .astimezone(SEOUL)
        .replace(hour=hour, minute=0, second=0, microsecond=0)
    )
    return start, start + timedelta(hours=hours)


def offering_fields(theme_ids=(), **overrides) -> dict:
    data = {
        "kind": "course",
        "title": "기후행동 시민학교 Climate Action Citizens' School",
        "summary": "Ten evenings on climate action in Changwon.",
        "description": "## What you learn\n\n- Carbon budgets\n- **Local** action",
        "language": "ko-en",
        "audience": "Adults living in Changwon",
        "format": "in_person",
        "venue_name": "Changwon Lifelong Learning Centre",
        "venue_address": "151 Jungang-daero, Uichang-gu",
        "online_link": "",
        "capacity": "30",
        "registration_opens_at": "",
        "registration_closes_at": "",
        "timezone": "Asia/Seoul",
        "cost_note": "Free",
        "contact_email": "learn@changwon.example.org",
        **overrides,
    }
    form = list(data.items()) + [("theme_ids", str(theme_id)) for theme_id in theme_ids]
    return form


def submit_multi(client, path, pairs, page=None):
    token = client.csrf_token(page or path)
    from werkzeug.datastructures import MultiDict

    return client.post(path, data=MultiDict([("csrf_token", token), *pairs]))


@pytest.fixture
def organizer(make_person, make_partner, login):
    person = make_person("organizer@example.org", name="김서연")
    partner = make_partner(slug="changwon-city", name="Changwon City", members=[person])
    login(person)
    return person, partner


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def load(app, offering_id: int) -> Offering:
    with app.app_context():
        offering = db.session.get(Offering, offering_id)
        offering.sessions, offering.themes, offering.cohosts  # noqa: B018 - load while bound
        db.session.expunge(offering)
        return offering


def test_organizer_builds_a_ten_week_course_with_the_schedule_helper(
    app, client, organizer, make_theme
):
    _, partner = organizer
    theme = make_theme("climate-action")
    response = submit_multi(client, f"/workspace/{partner.slug}/new", offering_fields([theme.id]))
    assert response.status_code == 302, response.get_data(as_text=True)
    offering_id = int(response.headers["Location"].rsplit("/", 1)[1])

    schedule = {
        "start_time": "19:00",
        "end_time": "21:00",
        "first_day": "2027-03-02",
        "weeks": "10",
        "skip_days": "2027-05-04",
        "location": "",
    }
    pairs = [*schedule.items(), ("weekdays", "1"), ("weekdays", "3")]
    path = f"/workspace/offerings/{offering_id}/schedule"
    preview = submit_multi(client, path, [*pairs, ("action", "preview")])
    assert preview.status_code == 200
    page = preview.get_data(as_text=True)
    assert "Preview: 19 sessions" in page
    assert "2027-05-04 — skipped" in page
    assert count(app, OfferingSession) == 0  # a preview saves nothing

    saved = submit_multi(client, path, [*pairs, ("action", "save")])
    assert saved.status_code == 302
    offering = load(app, offering_id)
    assert len(offering.sessions) == 19
    first = offering.sessions[0]
    assert first.starts_at == seoul(2027, 3, 2, 19, 0)
    assert first.ends_at.astimezone(SEOUL).hour == 21
    assert offering.learning_hours == 38
    assert len({s.uid for s in offering.sessions}) == 19

    response = client.submit(
        f"/workspace/offerings/{offering_id}/publish", page=f"/workspace/offerings/{offering_id}"
    )
    assert response.status_code == 302
    assert load(app, offering_id).status == "published"
    public = client.get(f"/offerings/{offering_id}").get_data(as_text=True)
    assert "Climate Action Citizens" in public
    assert "<h3>What you learn</h3>" in public  # Markdown headings sit below the page title


def test_publishing_needs_a_future_session_and_a_complete_form(app, client, organizer):
    _, partner = organizer
    offering = make_offering_via_factory = None  # noqa: F841 - readability
    response = submit_multi(client, f"/workspace/{partner.slug}/new", offering_fields())
    offering_id = int(response.headers["Location"].rsplit("/", 1)[1])
    detail = client.get(f"/workspace/offerings/{offering_id}").get_data(as_text=True)
    assert "Add at least one session in the future." in detail
    assert "Choose at least one theme." in detail
    response = client.submit(
        f"/workspace/offerings/{offering_id}/publish", page=f"/workspace/offerings/{offering_id}"
    )
    assert response.status_code == 302
    assert load(app, offering_id).status == "draft"
    assert client.get(f"/offerings/{offering_id}").status_code == 404  # drafts are never public


@pytest.fixture
def published(app, organizer, make_offering, make_theme, make_person, register):
    """A published course with three sessions and two registered people (one Korean)."""
    _, partner = organizer
    offering = make_offering(
        partner,
        status="published",
        sessions=[in_days(7), in_days(14), in_days(21)],
        themes=[make_theme()],
        title="Urban gardening 도시 텃밭",
        online_link="",
    )
    minji = make_person("minji@example.org", language="ko", name="민지")
    john = make_person("john@example.org", language="en", name="John")
    register(offering, minji)
    register(offering, john, status="waitlisted")
    return load(app, offering.id)


def test_cancelling_a_session_tells_everyone_registered_in_their_language(
    app, client, published, outbox
):
    session = published.sessions[1]
    path = f"/workspace/offerings/{published.id}/sessions/{session.id}/cancel"
    response = client.submit(
        path,
        {"confirm": "yes", "reason": "The instructor is ill."},
        page=f"/workspace/offerings/{published.id}",
    )
    assert response.status_code == 302
    after = load(app, published.id)
    cancelled = after.sessions[1]
    assert cancelled.status == "cancelled"
    assert cancelled.sequence == session.sequence + 1
    assert cancelled.updated_at > session.updated_at
    assert after.learning_hours == 4

    [korean] = outbox("minji@example.org")
    assert korean["Subject"] == "회차 취소: Urban gardening 도시 텃밭"
    body = mail_body(korean)
    assert "(KST)" in body
    assert "오후 7:00" in body  # the time in the offering's zone, in Korean
    [english] = outbox("john@example.org")
    assert "7:00" in mail_body(english) and "PM" in mail_body(english)

    page = client.get(f"/offerings/{published.id}").get_data(as_text=True)
    assert "is-cancelled" in page


def test_moving_a_session_bumps_its_sequence_and_mails_before_and_after(
    app, client, published, outbox
):
    session = published.sessions[0]
    path = f"/workspace/offerings/{published.id}/sessions/{session.id}/edit"
    new_day = session.starts_at.astimezone(SEOUL).date() + timedelta(days=1)
    response = client.submit(
        path,
        {
            "day": new_day.isoformat(),
            "start_time": "10:00",
            "end_time": "12:30",
            "location": "Room 301",
            "note": "",
        },
    )
    assert response.status_code == 302
    moved = load(app, published.id).sessions[0]
    assert moved.starts_at == datetime.combine(new_day, datetime.min.time(), SEOUL).replace(hour=10)
    assert moved.location == "Room 301"
    assert moved.sequence == session.sequence + 1
    [message] = outbox("john@example.org")
    body = mail_body(message)
    assert "Before:" in body and "Now:" in body and "Room 301" in body


def test_changing_the_venue_of_a_published_offering_tells_everyone(app, client, published, outbox):
    pairs = offering_fields(
        [t.id for t in published.themes],
        title=published.title,
        venue_name="Masan Bay Eco Centre",
        capacity="20",
    )
    response = submit_multi(client, f"/workspace/offerings/{published.id}/edit", pairs)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert "Masan Bay Eco Centre" in mail_body(outbox("minji@example.org")[0])
    after = load(app, published.id)
    assert all(s.sequence == 1 for s in after.sessions)  # every event changed for calendars


def test_cancelling_the_offering_tells_everyone_and_keeps_it_visible_as_cancelled(
    app, client, published, outbox
):
    path = f"/workspace/offerings/{published.id}/cancel"
    client.submit(
        path,
        {"confirm": "yes", "reason": "The instructor is ill."},
        page=f"/workspace/offerings/{published.id}",
    )
    assert load(app, published.id).status == "cancelled"
    assert len(outbox()) == 2
    page = client.get(f"/offerings/{published.id}").get_data(as_text=True)
    assert "[Cancelled]" in page


def test_duplicate_makes_a_new_draft_without_sessions_or_people(app, client, published):
    path = f"/workspace/offerings/{published.id}/duplicate"
    response = client.submit(path, page=f"/workspace/offerings/{published.id}")
    copy_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert copy_id != published.id
    copy = load(app, copy_id)
    assert (copy.status, copy.title, copy.sessions, copy.seats_taken) == (
        "draft",
        published.title,
        [],
        0,
    )
    assert [t.id for t in copy.themes] == [t.id for t in published.themes]


def test_sessions_of_a_published_offering_are_cancelled_not_removed(app, client, published):
    session = published.sessions[0]
    path = f"/workspace/offerings/{published.id}/sessions/{session.id}/remove"
    response = client.submit(path, page=f"/workspace/offerings/{published.id}")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "cancelled, not removed" in page
    after = load(app, published.id)
    assert len(after.sessions) == 3 and after.sessions[0].status == "scheduled"


def test_the_online_link_stays_off_the_public_page(app, client, organizer, make_offering):
    _, partner = organizer
    offering = make_offering(
        partner,
        status="published",
        sessions=[in_days(3)],
        format="hybrid",
        online_link="https://meet.example.org/secret-room",
        description="<script>alert(1)</script> [click](javascript:alert(2))",
    )
    page = client.get(f"/offerings/{offering.id}").get_data(as_text=True)
    assert "secret-room" not in page
    assert "<script>alert(1)" not in page
    assert 'href="javascript' not in page


def test_a_cohosted_offering_shows_on_each_cohosts_partner_page(
    client, organizer, make_partner, make_offering
):
    _, partner = organizer
    kncu = make_partner(slug="kncu", name="KNCU")
    offering = make_offering(partner, status="published", sessions=[in_days(5)], cohosts=[kncu])
    page = client.get("/partners/kncu").get_data(as_text=True)
    assert f'href="/offerings/{offering.id}"' in page


def test_daylight_saving_zones_keep_the_wall_clock_time(
    app, client, make_person, make_partner, login
):
    person = make_person()
    partner = make_partner(timezone="Europe/Berlin", members=[person])
    login(person)
    response = submit_multi(
        client, f"/workspace/{partner.slug}/new", offering_fields(timezone="Europe/Berlin")
    )
    offering_id = int(response.headers["Location"].rsplit("/", 1)[1])
    path = f"/workspace/offerings/{offering_id}/schedule"
    pairs = [
        ("weekdays", "3"),
        ("start_time", "18:00"),
        ("end_time", "20:00"),
        ("first_day", "2027-03-18"),
        ("weeks", "3"),
        ("skip_days", ""),
        ("location", ""),
        ("action", "save"),
    ]
    assert submit_multi(client, path, pairs).status_code == 302
    starts = [s.starts_at for s in load(app, offering_id).sessions]
    # Thursdays 18 and 25 March (CET, UTC+1) and 1 April (CEST, UTC+2): 18:00 local each time.
    assert [s.astimezone(UTC).hour for s in starts] == [17, 17, 16]
    assert {s.astimezone(ZoneInfo("Europe/Berlin")).hour for s in starts} == {18}

    nonexistent = client.submit(
        f"/workspace/offerings/{offering_id}/sessions/new",
        {
            "day": "2027-03-28",
            "start_time": "02:30",
            "end_time": "04:00",
            "location": "",
            "note": "",
        },
    )
    assert nonexistent.status_code == 422
    assert "does not exist in Europe/Berlin" in nonexistent.get_data(as_text=True)
