"""My learning; attendee lists, CSV and attendance for organizers; query budgets."""

from datetime import timedelta

import pytest
import time_machine

from tests.test_workspace import in_days


@pytest.fixture
def setup(make_person, make_partner, make_offering, register):
    organizer = make_person(name="Organizer")
    cohost_member = make_person(name="Cohost")
    outsider = make_person(name="Outsider")
    partner = make_partner(members=[organizer])
    cohost = make_partner(members=[cohost_member])
    make_partner(members=[outsider])
    offering = make_offering(
        partner,
        status="published",
        sessions=[in_days(2, hours=2), in_days(9, hours=3)],
        capacity=1,
        cohosts=[cohost],
        title="기후 워크숍",
    )
    citizen = make_person(name='=HYPERLINK("evil")', language="ko")
    waiting = make_person(name="김대기")
    register(offering, citizen)
    register(offering, waiting, status="waitlisted")
    return dict(
        offering=offering,
        organizer=organizer,
        cohost=cohost_member,
        outsider=outsider,
        citizen=citizen,
        waiting=waiting,
    )


def test_my_learning_shows_sessions_waitlist_and_hours(client, login, setup):
    login(setup["citizen"])
    page = client.get("/me/learning").get_data(as_text=True)
    assert page.count("기후 워크숍") >= 2  # both sessions are coming up
    assert "0.0" in page
    client.submit("/logout", page="/me/learning")
    login(setup["waiting"])
    page = client.get("/me/learning").get_data(as_text=True)
    assert "number 1 on the waitlist" in page


def test_attendee_list_csv_and_attendance(app, client, login, setup):
    offering = setup["offering"]
    login(setup["organizer"], remember="y")
    page = client.get(f"/workspace/offerings/{offering.id}/attendees").get_data(as_text=True)
    assert "김대기" in page and "Waitlist #1" in page

    with client.get(f"/workspace/offerings/{offering.id}/attendees.csv") as response:
        body = response.get_data()
        assert response.mimetype == "text/csv"
    assert body.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    text = body.decode("utf-8-sig")
    assert "김대기" in text
    assert "'=HYPERLINK" in text  # a formula is written as text, never run

    session = offering.sessions[0]
    path = f"/workspace/offerings/{offering.id}/sessions/{session.id}/attendance"
    with app.app_context():
        from sqlalchemy import select

        from learning_platform.extensions import db
        from learning_platform.models import Registration

        registration_id = db.session.scalar(
            select(Registration.id).where(Registration.person_id == setup["citizen"].id)
        )
    too_early = client.submit(path, {"present": str(registration_id)})
    assert too_early.status_code == 422  # the sheet stays, with the reason on it
    assert "once the session has started" in too_early.get_data(as_text=True)
    with time_machine.travel(session.starts_at + timedelta(minutes=30)):
        response = client.submit(path, {"present": str(registration_id)})
        assert response.status_code == 302
        client.submit("/logout", page="/")
        login(setup["citizen"])
        assert "2.0" in client.get("/me/learning").get_data(as_text=True)


@pytest.mark.parametrize(
    ("who", "list_status", "attendance_status"),
    [("cohost", 200, 403), ("outsider", 404, 404), ("citizen", 403, 403)],
)
def test_attendee_pages_by_role(client, login, setup, who, list_status, attendance_status):
    offering = setup["offering"]
    login(setup[who])
    assert client.get(f"/workspace/offerings/{offering.id}/attendees").status_code == list_status
    assert (
        client.get(f"/workspace/offerings/{offering.id}/attendees.csv").status_code == list_status
    )
    path = f"/workspace/offerings/{offering.id}/sessions/{offering.sessions[0].id}/attendance"
    assert client.get(path).status_code == attendance_status
