"""Bad input in the workspace gets a message by the field and saves nothing; access by role."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from learning_platform.extensions import db
from learning_platform.models import Membership, Offering, OfferingSession
from tests.test_workspace import SEOUL, in_days, load, offering_fields, submit_multi


@pytest.fixture
def draft(organizer, make_offering):
    _, partner = organizer
    return make_offering(partner, sessions=[in_days(10)])


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("capacity", "0", "from 1 to 10,000"),
        ("capacity", "-1", "from 1 to 10,000"),
        ("capacity", "abc", "from 1 to 10,000"),
        ("capacity", "", "from 1 to 10,000"),
        ("capacity", "1000000000000", "from 1 to 10,000"),
        ("capacity", "1_000", "from 1 to 10,000"),
        ("capacity", "٣", "from 1 to 10,000"),
        ("capacity", "9" * 5000, "from 1 to 10,000"),
        ("timezone", "Asia/Changwon", "time zone"),
        ("online_link", "javascript:alert(1)", "Enter a web address starting with"),
        ("online_link", "http://[::1", "Enter a web address starting with"),
        ("registration_opens_at", "0001-01-01T00:00", "between 2000 and 2100"),
        ("title", "", "Give the offering a title"),
        ("title", "x" * 201, "at most 200"),
        ("description", "x" * 20001, "at most 20000"),
        ("title", "Climate\x00School", "control characters"),
        ("contact_email", "not-an-email", "name@example.com"),
        ("registration_opens_at", "2027-02-30T10:00", "Not a valid datetime"),
        ("kind", "party", "Not a valid choice"),
    ],
)
def test_bad_offering_input_is_refused_next_to_the_field(
    app, client, organizer, field, value, message
):
    _, partner = organizer
    response = submit_multi(
        client, f"/workspace/{partner.slug}/new", offering_fields(**{field: value})
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(app, Offering) == 0


def test_registration_must_close_after_it_opens(app, client, organizer):
    _, partner = organizer
    response = submit_multi(
        client,
        f"/workspace/{partner.slug}/new",
        offering_fields(
            registration_opens_at="2027-03-01T09:00", registration_closes_at="2027-02-01T09:00"
        ),
    )
    assert response.status_code == 422
    assert "close after it opens" in response.get_data(as_text=True)
    assert count(app, Offering) == 0


def test_registration_must_close_before_the_last_session_starts(app, client, draft):
    late = (
        (draft.sessions[0].starts_at + timedelta(days=1))
        .astimezone(SEOUL)
        .strftime("%Y-%m-%dT%H:%M")
    )
    pairs = offering_fields(registration_closes_at=late)
    response = submit_multi(client, f"/workspace/offerings/{draft.id}/edit", pairs)
    assert response.status_code == 422
    assert "before the last session starts" in response.get_data(as_text=True)
    assert load(app, draft.id).registration_closes_at is None


def test_capacity_cannot_drop_below_seats_taken(
    app, client, organizer, make_offering, make_person, register
):
    _, partner = organizer
    offering = make_offering(partner, sessions=[in_days(10)], capacity=5)
    for _ in range(3):
        register(offering, make_person())
    response = submit_multi(
        client, f"/workspace/offerings/{offering.id}/edit", offering_fields(capacity="2")
    )
    assert response.status_code == 422
    assert "3 people already have a seat" in response.get_data(as_text=True)
    assert load(app, offering.id).capacity == 5
    ok = submit_multi(
        client, f"/workspace/offerings/{offering.id}/edit", offering_fields(capacity="3")
    )
    assert ok.status_code == 302


def test_smuggled_fields_change_nothing(app, client, organizer, make_partner):
    _, partner = organizer
    other = make_partner()
    pairs = [
        *offering_fields(),
        ("partner_id", str(other.id)),
        ("seats_taken", "7"),
        ("status", "published"),
    ]
    response = submit_multi(client, f"/workspace/{partner.slug}/new", pairs)
    assert response.status_code == 302
    with app.app_context():
        offering = db.session.scalar(select(Offering))
        assert (offering.partner_id, offering.seats_taken, offering.status) == (
            partner.id,
            0,
            "draft",
        )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"start_time": "19:00", "end_time": "19:00"}, "end must be after the start"),
        ({"start_time": "19:00", "end_time": "18:00"}, "end must be after the start"),
        ({"day": "2027-02-30"}, "Not a valid date"),
        ({"day": ""}, "real date"),
        ({"start_time": "25:00"}, "Not a valid time"),
        ({"location": "x" * 201}, "at most 200"),
        ({"day": "9999-12-31"}, "between 2000 and 2100"),
        ({"end_day": "2027-06-03", "end_time": "12:00"}, "at most 24 hours"),
    ],
)
def test_bad_session_input_is_refused(app, client, draft, data, message):
    form = {
        "day": "2027-06-01",
        "start_time": "10:00",
        "end_time": "12:00",
        "location": "",
        "note": "",
        **data,
    }
    response = client.submit(f"/workspace/offerings/{draft.id}/sessions/new", form)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(app, OfferingSession) == 1


def test_overlapping_sessions_are_refused(app, client, draft):
    existing = draft.sessions[0].starts_at.astimezone(SEOUL)
    form = {
        "day": existing.strftime("%Y-%m-%d"),
        "start_time": (existing + timedelta(minutes=30)).strftime("%H:%M"),
        "end_time": (existing + timedelta(hours=3)).strftime("%H:%M"),
        "location": "",
        "note": "",
    }
    response = client.submit(f"/workspace/offerings/{draft.id}/sessions/new", form)
    assert response.status_code == 422
    assert "overlaps another session" in response.get_data(as_text=True)
    assert count(app, OfferingSession) == 1


def test_no_more_than_200_sessions(app, client, draft):
    pairs = [("weekdays", str(day)) for day in range(7)] + [
        ("start_time", "08:00"),
        ("end_time", "09:00"),
        ("first_day", "2027-01-04"),
        ("weeks", "30"),
        ("skip_days", ""),
        ("location", ""),
        ("action", "save"),
    ]
    response = submit_multi(client, f"/workspace/offerings/{draft.id}/schedule", pairs)
    assert response.status_code == 422
    assert "at most 200 sessions" in response.get_data(as_text=True)
    assert count(app, OfferingSession) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"weekdays": None}, "at least one day"),
        ({"weeks": "53"}, "from 1 to 52"),
        ({"weeks": "zero"}, "from 1 to 52"),
        ({"end_time": "07:00"}, "end must be after the start"),
        ({"skip_days": "May 5th"}, "is not a date like"),
        ({"first_day": "9999-12-20"}, "between 2000 and 2100"),
    ],
)
def test_bad_schedule_input_is_refused(app, client, draft, data, message):
    form = {
        "start_time": "08:00",
        "end_time": "09:00",
        "first_day": "2027-01-04",
        "weeks": "4",
        "skip_days": "",
        "location": "",
        "action": "save",
        **data,
    }
    pairs = [(k, v) for k, v in form.items() if k != "weekdays"]
    if "weekdays" not in data:
        pairs.append(("weekdays", "1"))
    response = submit_multi(client, f"/workspace/offerings/{draft.id}/schedule", pairs)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(app, OfferingSession) == 1


# Authorization: a URL × role matrix ------------------------------------------------------

OFFERING_URLS = [
    ("get", "/workspace/offerings/{id}"),
    ("get", "/workspace/offerings/{id}/edit"),
    ("post", "/workspace/offerings/{id}/publish"),
    ("post", "/workspace/offerings/{id}/cancel"),
    ("post", "/workspace/offerings/{id}/duplicate"),
    ("get", "/workspace/offerings/{id}/sessions/new"),
    ("get", "/workspace/offerings/{id}/schedule"),
    ("get", "/workspace/offerings/{id}/sessions/{sid}/edit"),
    ("post", "/workspace/offerings/{id}/sessions/{sid}/cancel"),
    ("post", "/workspace/offerings/{id}/sessions/{sid}/remove"),
]

#: role -> expected status for (read-only detail page, every other URL)
EXPECTED = {
    "anonymous": (302, 302),
    "citizen": (403, 403),
    "other_partner": (404, 404),
    "cohost": (200, 403),
    "owner": (200, None),  # None: allowed (200 or a redirect after the action)
    "admin": (200, None),
}


@pytest.fixture
def matrix(make_person, make_partner, make_offering):
    owner = make_person()
    cohost_member = make_person()
    outsider = make_person()
    owning = make_partner(members=[owner])
    cohost = make_partner(members=[cohost_member])
    make_partner(members=[outsider])
    offering = make_offering(owning, sessions=[in_days(9)], cohosts=[cohost])
    people = {
        "citizen": make_person(),
        "other_partner": outsider,
        "cohost": cohost_member,
        "owner": owner,
        "admin": make_person(admin=True),
    }
    return offering, people


@pytest.mark.parametrize(("method", "url"), OFFERING_URLS)
@pytest.mark.parametrize("role", list(EXPECTED))
def test_offering_urls_by_role(client, login, matrix, method, url, role):
    offering, people = matrix
    if role != "anonymous":
        login(people[role])
    path = url.format(id=offering.id, sid=offering.sessions[0].id)
    response = client.submit(path, page="/") if method == "post" else client.get(path)
    read_only, others = EXPECTED[role]
    expected = read_only if url == "/workspace/offerings/{id}" else others
    if expected is None:
        assert response.status_code in (200, 302)
        if response.status_code == 302:
            assert not response.headers["Location"].startswith("/login")
    else:
        assert response.status_code == expected
        if expected == 302:
            assert response.headers["Location"].startswith("/login?next=")


def test_workspace_home_by_role(client, login, make_person, make_partner):
    assert client.get("/workspace/").status_code == 302
    citizen = make_person()
    login(citizen)
    assert client.get("/workspace/").status_code == 403


def test_another_partners_workspace_is_404(client, organizer, make_partner):
    other = make_partner(slug="unesco-bangkok")
    assert client.get(f"/workspace/{other.slug}/").status_code == 404
    assert client.get(f"/workspace/{other.slug}/new").status_code == 404


def test_a_removed_membership_loses_access_on_the_next_request(
    app, client, organizer, make_offering
):
    person, partner = organizer
    offering = make_offering(partner, sessions=[in_days(9)])
    assert client.get(f"/workspace/offerings/{offering.id}/edit").status_code == 200
    with app.app_context():
        db.session.query(Membership).filter_by(person_id=person.id).delete()
        db.session.commit()
    assert client.get(f"/workspace/offerings/{offering.id}/edit").status_code == 403


def test_cohost_member_sees_the_offering_in_their_workspace(client, login, matrix):
    offering, people = matrix
    login(people["cohost"])
    response = client.get("/workspace/")
    assert response.status_code == 302
    page = client.get(response.headers["Location"] + "?tab=draft").get_data(as_text=True)
    assert offering.title in page
    assert "Co-hosted" in page


def _field_error(response, field: str) -> str:
    """The text of the error shown next to `field`."""
    import re

    match = re.search(rf'id="{field}-error">(.*?)</p>', response.get_data(as_text=True), re.S)
    return match.group(1) if match else ""


def test_the_error_sits_next_to_its_field(client, organizer):
    _, partner = organizer
    response = submit_multi(
        client, f"/workspace/{partner.slug}/new", offering_fields(online_link="javascript:alert(1)")
    )
    assert "Enter a web address" in _field_error(response, "online_link")
    assert _field_error(response, "title") == ""


@pytest.mark.parametrize("path", ["/offerings/9999999999", "/workspace/offerings/99999999999/edit"])
def test_huge_ids_are_404_not_database_errors(client, organizer, path):
    assert client.get(path).status_code == 404


def test_a_session_past_midnight_can_be_edited(app, client, draft):
    path = f"/workspace/offerings/{draft.id}/sessions/new"
    form = {
        "day": "2027-06-01",
        "start_time": "22:00",
        "end_time": "01:00",
        "end_day": "2027-06-02",
        "location": "",
        "note": "",
    }
    assert client.submit(path, form).status_code == 302
    session = next(
        s for s in load(app, draft.id).sessions if s.starts_at.astimezone(SEOUL).hour == 22
    )
    edit = f"/workspace/offerings/{draft.id}/sessions/{session.id}/edit"
    page = client.get(edit).get_data(as_text=True)
    assert 'value="2027-06-02"' in page
    assert client.submit(edit, {**form, "note": "Bring a torch"}).status_code == 302


def test_the_time_zone_cannot_change_under_existing_sessions(app, client, draft):
    response = submit_multi(
        client, f"/workspace/offerings/{draft.id}/edit", offering_fields(timezone="Europe/Berlin")
    )
    assert response.status_code == 422
    assert "Remove them before changing the time zone" in _field_error(response, "timezone")
    assert load(app, draft.id).timezone == "Asia/Seoul"


def test_registration_must_open_before_the_last_session(app, client, draft):
    late = (
        (draft.sessions[0].starts_at + timedelta(hours=1))
        .astimezone(SEOUL)
        .strftime("%Y-%m-%dT%H:%M")
    )
    response = submit_multi(
        client, f"/workspace/offerings/{draft.id}/edit", offering_fields(registration_opens_at=late)
    )
    assert response.status_code == 422
    assert "open before the last session" in _field_error(response, "registration_opens_at")


@pytest.fixture
def cancelled(organizer, make_offering):
    _, partner = organizer
    return make_offering(partner, status="cancelled", sessions=[in_days(10)])


def test_a_cancelled_offering_cannot_be_changed(app, client, cancelled):
    edit = submit_multi(
        client, f"/workspace/offerings/{cancelled.id}/edit", offering_fields(title="New")
    )
    assert edit.status_code == 422
    add = client.submit(
        f"/workspace/offerings/{cancelled.id}/sessions/new",
        {
            "day": "2027-06-01",
            "start_time": "10:00",
            "end_time": "12:00",
            "end_day": "",
            "location": "",
            "note": "",
        },
    )
    assert add.status_code == 422
    after = load(app, cancelled.id)
    assert after.title == cancelled.title
    assert len(after.sessions) == 1 and after.sessions[0].sequence == 0


def test_a_past_offering_cannot_be_cancelled(
    app, client, organizer, make_offering, make_person, register, outbox
):
    _, partner = organizer
    past = make_offering(partner, status="published", sessions=[in_days(-3)])
    register(past, make_person())
    client.submit(
        f"/workspace/offerings/{past.id}/cancel",
        {"confirm": "yes", "reason": "The instructor is ill."},
        page=f"/workspace/offerings/{past.id}",
    )
    assert load(app, past.id).status == "published"
    assert outbox() == []


def test_a_published_session_cannot_move_into_the_past(app, client, organizer, make_offering):
    _, partner = organizer
    offering = make_offering(partner, status="published", sessions=[in_days(5)])
    session = offering.sessions[0]
    response = client.submit(
        f"/workspace/offerings/{offering.id}/sessions/{session.id}/edit",
        {
            "day": "2001-01-02",
            "start_time": "10:00",
            "end_time": "12:00",
            "end_day": "",
            "location": "",
            "note": "",
        },
    )
    assert response.status_code == 422
    assert load(app, offering.id).sessions[0].starts_at == session.starts_at


def test_calendar_visible_changes_bump_every_session_and_no_change_bumps_none(
    app, client, organizer, make_offering, make_theme
):
    _, partner = organizer
    theme = make_theme()
    offering = make_offering(
        partner, status="published", sessions=[in_days(5), in_days(6)], themes=[theme]
    )
    fields = dict(
        title=offering.title,
        summary=offering.summary,
        description="",
        language="ko",
        audience="",
        venue_name=offering.venue_name,
        venue_address="",
        cost_note="",
        contact_email=offering.contact_email,
        capacity="20",
    )
    path = f"/workspace/offerings/{offering.id}/edit"
    assert submit_multi(client, path, offering_fields([theme.id], **fields)).status_code == 302
    assert [s.sequence for s in load(app, offering.id).sessions] == [0, 0]
    fields["summary"] = "A new summary"
    assert submit_multi(client, path, offering_fields([theme.id], **fields)).status_code == 302
    assert [s.sequence for s in load(app, offering.id).sessions] == [1, 1]


def test_cancelling_leaves_already_cancelled_sessions_as_they_were(
    app, client, organizer, make_offering
):
    _, partner = organizer
    offering = make_offering(partner, status="published", sessions=[in_days(5), in_days(6)])
    first = offering.sessions[0]
    client.submit(
        f"/workspace/offerings/{offering.id}/sessions/{first.id}/cancel",
        {"confirm": "yes", "reason": "The instructor is ill."},
        page=f"/workspace/offerings/{offering.id}",
    )
    client.submit(
        f"/workspace/offerings/{offering.id}/cancel",
        {"confirm": "yes", "reason": "The instructor is ill."},
        page=f"/workspace/offerings/{offering.id}",
    )
    assert [s.sequence for s in load(app, offering.id).sessions] == [1, 1]


def test_raising_the_capacity_promotes_the_waitlist_in_order(
    app, client, organizer, make_offering, make_person, register, outbox
):
    _, partner = organizer
    offering = make_offering(partner, status="published", sessions=[in_days(5)], capacity=1)
    register(offering, make_person())
    first, second, third = make_person(), make_person(), make_person()
    for person in (first, second, third):
        register(offering, person, status="waitlisted")
    response = submit_multi(
        client, f"/workspace/offerings/{offering.id}/edit", offering_fields(capacity="3")
    )
    assert response.status_code == 302
    with app.app_context():
        from learning_platform.models import Registration

        statuses = dict(
            db.session.execute(select(Registration.person_id, Registration.status)).all()
        )
    assert (statuses[first.id], statuses[second.id], statuses[third.id]) == (
        "confirmed",
        "confirmed",
        "waitlisted",
    )
    assert load(app, offering.id).seats_taken == 3

    def promotions(person):
        return [m for m in outbox(person.email) if m["Subject"].startswith("A seat is yours")]

    assert len(promotions(first)) == 1 and promotions(third) == []


def test_a_session_that_is_over_cannot_be_cancelled(app, client, organizer, make_offering):
    _, partner = organizer
    offering = make_offering(partner, status="published", sessions=[in_days(-2), in_days(5)])
    over = offering.sessions[0]
    response = client.submit(
        f"/workspace/offerings/{offering.id}/sessions/{over.id}/cancel",
        page=f"/workspace/offerings/{offering.id}",
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "This session is over" in page
    assert load(app, offering.id).sessions[0].status == "scheduled"
