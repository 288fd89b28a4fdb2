"""My learning; attendee lists, CSV and attendance for organizers; query budgets."""

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from learning_platform.extensions import db
from learning_platform.models import Attendance, Offering, OfferingSession, Registration, utcnow
from tests.test_workspace import SEOUL, in_days


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


def test_my_learning_shows_each_offering_once_with_its_next_session_and_progress(
    client, login, setup
):
    offering = setup["offering"]
    login(setup["citizen"])  # reads Korean
    page = client.get("/me/learning").get_data(as_text=True)
    assert page.count("기후 워크숍") == 1  # one entry per offering, not one per session
    first, second = offering.sessions
    assert f'datetime="{first.starts_at.astimezone(SEOUL).isoformat(timespec="minutes")}"' in page
    assert second.starts_at.astimezone(SEOUL).isoformat(timespec="minutes") not in page
    assert "회 중" not in page  # no "attended 0 of 2" before the first session
    assert "참가 확정" in page
    assert f'href="/me/learning/{offering.id}"' in page  # the rest of the sessions
    assert page.count("한국 시간(KST)") == 1 and "(Asia/Seoul)" not in page
    assert "학습 참여" not in page  # no "0 min of learning attended" before any
    assert f'action="/offerings/{offering.id}/cancel"' in page

    client.submit("/logout", page="/me/learning")
    login(setup["waiting"])
    page = client.get("/me/learning").get_data(as_text=True)
    assert "No. 1 on the waitlist" in page
    assert "Attended" not in page  # no progress without a seat


def test_one_offering_page_lists_every_session_with_attendance(app, client, login, setup):
    offering = setup["offering"]
    first, second = offering.sessions
    with app.app_context():
        registration = db.session.scalar(
            select(Registration).where(Registration.person_id == setup["citizen"].id)
        )
        db.session.add(
            Attendance(session_id=first.id, registration_id=registration.id, present=True)
        )
        db.session.commit()
    login(setup["citizen"])
    page = client.get(f"/me/learning/{offering.id}").get_data(as_text=True)
    for session in (first, second):
        assert session.starts_at.astimezone(SEOUL).isoformat(timespec="minutes") in page
    assert "2회 중 1회 참석" in page and "참석</span>" in page
    assert "총 5시간" in page  # 2 h + 3 h
    assert page.count("한국 시간(KST)") == 1
    # Once a session is attended, My learning shows the progress and the time.
    overview = client.get("/me/learning").get_data(as_text=True)
    assert "2회 중 1회 참석" in overview and "총 2시간 학습 참여" in overview
    client.submit("/logout", page="/")
    login(setup["outsider"])
    assert client.get(f"/me/learning/{offering.id}").status_code == 404
    assert client.get("/me/learning/99999").status_code == 404


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
        page = client.get("/me/learning").get_data(as_text=True)
        assert "총 2시간 학습 참여" in page  # 2 hours attended, never "2.0"
        assert "2회 중 1회 참석" in page


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


@pytest.fixture
def learning_history(app, make_person, make_partner):
    """history(current, past, person=None): a learner with `current` offerings still to come
    (the last one on the waitlist, behind a confirmed person) and `past` ones; each has ten
    weekly 2½-hour sessions, of which the learner attended eight of those held."""
    partner = make_partner()
    other = make_person()

    def make(current: int, past: int, person=None):
        person = person or make_person()
        now = utcnow()
        with app.app_context():
            for number in range(current + past):
                if number < current:
                    first = now + timedelta(days=number + 1)
                else:
                    first = now - timedelta(weeks=10, days=7 * (number - current) + 1)
                offering = Offering(
                    partner_id=partner.id,
                    status="published",
                    kind="course",
                    title=f"History {person.id}-{number:02d}",
                    language="ko",
                    format="in_person",
                    venue_name="Hall",
                    capacity=1,
                    timezone="Asia/Seoul",
                    seats_taken=1,
                )
                for week in range(10):
                    start = first + timedelta(weeks=week)
                    offering.sessions.append(
                        OfferingSession(starts_at=start, ends_at=start + timedelta(hours=2.5))
                    )
                db.session.add(offering)
                db.session.flush()
                waiting = number == current - 1
                if waiting:
                    db.session.add(
                        Registration(
                            offering_id=offering.id, person_id=other.id, status="confirmed"
                        )
                    )
                    db.session.flush()
                registration = Registration(
                    offering_id=offering.id,
                    person_id=person.id,
                    status="waitlisted" if waiting else "confirmed",
                )
                db.session.add(registration)
                db.session.flush()
                if not waiting:
                    held = [s for s in offering.sessions if s.ends_at < now]
                    for index, session in enumerate(held):
                        db.session.add(
                            Attendance(
                                session_id=session.id,
                                registration_id=registration.id,
                                present=index < 8,
                            )
                        )
            db.session.commit()
        return person

    return make


def test_fifty_offerings_make_a_short_page_with_past_ones_paged(
    client, login, learning_history, count_queries
):
    person = learning_history(current=3, past=47)
    login(person)
    page = client.get("/me/learning").get_data(as_text=True)
    assert page.count('class="learning-item"') == 3
    past = page[page.index('id="past-title"') : page.index("</main>")]
    assert past.count("<li>") == 10
    assert "Page 1 of 5" in past and 'href="/me/learning?past=2#past-title"' in past
    assert "(47)" in past
    assert "20 h attended" in past  # 8 sessions of 2 h 30 min
    assert "No. 1 on the waitlist" in page and page.count("Seat confirmed") == 2
    assert "Attended 0 of" not in page  # progress shows once an offering has begun
    assert "940 h of learning attended" in page  # 47 × 20 h
    # The past, latest first: the 47th past offering, the oldest, is alone on the last page.
    last = client.get("/me/learning?past=5").get_data(as_text=True)
    assert last[last.index('id="past-title"') : last.index("</main>")].count("<li>") == 7
    assert f"History {person.id}-49" in last and f"History {person.id}-03<" not in last
    for wrong in ("99", "0", "-1", "abc", "99999999999999999999"):
        response = client.get(f"/me/learning?past={wrong}")
        assert response.status_code == 200


def test_my_learning_statements_do_not_grow_with_the_history(
    app, client, login, learning_history, count_queries
):
    person = learning_history(current=2, past=2)
    login(person)
    client.get("/me/learning")
    with count_queries() as statements:
        assert client.get("/me/learning").status_code == 200
    small = len(statements)
    learning_history(current=6, past=40, person=person)
    with count_queries() as statements:
        assert client.get("/me/learning?past=2").status_code == 200
    assert len(statements) == small
    # The login, then current, past count and page with its sessions, next sessions,
    # cancelled sessions to come, waitlist places, attendance, certificates.
    assert small <= 10
    path = f"/me/learning/{db_offering_id(app, person)}"
    client.get(path)
    with count_queries() as statements:
        assert client.get(path).status_code == 200
    assert len(statements) <= 5


def db_offering_id(app, person) -> int:
    with app.app_context():
        return db.session.scalar(
            select(Registration.offering_id).where(Registration.person_id == person.id).limit(1)
        )


def test_many_current_registrations_show_five_and_fold_the_rest(client, login, learning_history):
    person = learning_history(current=10, past=0)
    login(person)
    page = client.get("/me/learning").get_data(as_text=True)
    assert page.count('class="learning-item"') == 10  # every one is on the page...
    folded = page[page.index('<details class="more-sessions">') :]
    assert folded.count('class="learning-item"') == 5  # ...five of them behind one tap
    assert "5 more registrations</summary>" in folded
