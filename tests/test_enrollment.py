"""Citizens register, join the waitlist, cancel; seats hold under concurrency."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from learning_platform.boundary import DomainError
from learning_platform.enrollment import services
from learning_platform.extensions import db
from learning_platform.models import Offering, Person, Registration
from tests.conftest import mail_body
from tests.test_workspace import in_days, load


@pytest.fixture
def partner(make_partner):
    return make_partner(slug="changwon-city", name="Changwon City 창원특례시")


@pytest.fixture
def course(partner, make_offering, make_theme):
    return make_offering(
        partner,
        status="published",
        sessions=[in_days(7), in_days(14)],
        capacity=2,
        title="도시 텃밭 Urban Gardening",
        format="hybrid",
        online_link="https://meet.example.org/garden-room",
        themes=[make_theme("biodiversity")],
    )


def registrations(app, offering_id: int) -> list[tuple[int, str]]:
    with app.app_context():
        return list(
            db.session.execute(
                select(Registration.person_id, Registration.status)
                .where(Registration.offering_id == offering_id)
                .order_by(Registration.id)
            ).all()
        )


def register_as(client, login, person, offering):
    login(person)
    return client.submit(f"/offerings/{offering.id}/register", page=f"/offerings/{offering.id}")


def test_register_confirms_a_free_seat_and_mails_a_calendar(
    app, client, login, make_person, course, outbox
):
    person = make_person(language="ko", name="민지")
    response = register_as(client, login, person, course)
    assert response.status_code == 302
    assert registrations(app, course.id) == [(person.id, "confirmed")]
    assert load(app, course.id).seats_taken == 1

    [message] = outbox(person.email)
    assert message["Subject"].endswith("도시 텃밭 Urban Gardening")
    assert "오후 7:00" in mail_body(message)
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    ics = attachment.get_content().replace("\r\n ", "")  # unfolded, as calendar apps read it
    assert ics.count("BEGIN:VEVENT") == 2
    assert "garden-room" in ics  # the confirmed participant's calendar carries the link

    page = client.get(f"/offerings/{course.id}").get_data(as_text=True)
    assert "신청이 확정되었습니다" in page  # "You have a seat", in the person's language
    assert "https://meet.example.org/garden-room" in page


def test_a_full_course_puts_the_person_on_the_waitlist_with_their_place(
    app, client, login, make_person, course, register, outbox
):
    register(course, make_person())
    register(course, make_person())
    person = make_person()
    register_as(client, login, person, course)
    assert registrations(app, course.id)[-1] == (person.id, "waitlisted")
    page = client.get(f"/offerings/{course.id}").get_data(as_text=True)
    assert "number 1 on the waitlist" in page
    assert "garden-room" not in page  # the link is for confirmed participants only
    [message] = outbox(person.email)
    assert "waitlist, number 1" in mail_body(message)
    assert list(message.iter_attachments()) == []


def test_registering_twice_keeps_one_registration(app, client, login, make_person, course):
    person = make_person()
    register_as(client, login, person, course)
    again = client.submit(f"/offerings/{course.id}/register", page=f"/offerings/{course.id}")
    assert again.status_code == 302
    assert len(registrations(app, course.id)) == 1
    assert "already registered" in client.get(f"/offerings/{course.id}").get_data(as_text=True)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"status": "cancelled"}, "not open for registration"),
        ({"sessions": [in_days(-1), in_days(6)]}, "already started"),
        ({"registration_closes_at_days": -1}, "Registration has closed"),
        ({"registration_opens_at_days": 3}, "has not opened yet"),
    ],
)
def test_registration_only_while_open(
    app, client, login, make_person, partner, make_offering, fields, message
):
    from learning_platform.models import utcnow

    values = {"status": "published", "sessions": [in_days(7)], **fields}
    for name in ("registration_closes_at", "registration_opens_at"):
        days = values.pop(f"{name}_days", None)
        if days is not None:
            values[name] = utcnow() + timedelta(days=days)
    offering = make_offering(partner, **values)
    response = register_as(client, login, make_person(), offering)
    assert response.status_code == 302
    assert message in client.get(f"/offerings/{offering.id}").get_data(as_text=True)
    assert registrations(app, offering.id) == []


def test_drafts_cannot_be_registered_for(app, client, login, make_person, partner, make_offering):
    draft = make_offering(partner, sessions=[in_days(7)])
    login(make_person())
    assert client.submit(f"/offerings/{draft.id}/register", page="/").status_code == 404
    assert registrations(app, draft.id) == []


def test_registration_is_post_only_with_csrf_and_needs_a_login(client, login, make_person, course):
    assert client.get(f"/offerings/{course.id}/register").status_code == 405
    anonymous = client.submit(f"/offerings/{course.id}/register", page="/")
    assert anonymous.headers["Location"].startswith("/login?next=")
    login(make_person())
    assert client.post(f"/offerings/{course.id}/register").status_code == 400


def test_cancelling_frees_the_seat_for_the_oldest_waitlisted_person(
    app, client, login, make_person, course, register, outbox
):
    holder = make_person()
    register_as(client, login, holder, course)
    register(course, make_person())
    first, second = make_person(language="ko"), make_person()
    register(course, first, status="waitlisted")
    register(course, second, status="waitlisted")

    response = client.submit(
        f"/offerings/{course.id}/cancel", {"confirm": "yes"}, page=f"/offerings/{course.id}"
    )
    assert response.status_code == 302
    statuses = dict(registrations(app, course.id))
    assert (statuses[holder.id], statuses[first.id], statuses[second.id]) == (
        "cancelled",
        "confirmed",
        "waitlisted",
    )
    assert load(app, course.id).seats_taken == 2
    [promotion] = outbox(first.email)
    assert (
        promotion["Subject"].startswith("자리가 생겼습니다")
        or "seat" in promotion["Subject"].lower()
    )
    assert [a.get_content_type() for a in promotion.iter_attachments()] == ["text/calendar"]
    assert outbox(second.email) == []

    again = client.submit(
        f"/offerings/{course.id}/cancel", {"confirm": "yes"}, page=f"/offerings/{course.id}"
    )
    assert again.status_code == 302
    assert dict(registrations(app, course.id))[second.id] == "waitlisted"  # nothing more moved


def test_nobody_can_cancel_someone_elses_registration(
    app, client, login, make_person, course, register
):
    owner = make_person()
    register(course, owner)
    login(make_person())
    client.submit(
        f"/offerings/{course.id}/cancel", {"confirm": "yes"}, page=f"/offerings/{course.id}"
    )
    assert registrations(app, course.id) == [(owner.id, "confirmed")]


def test_no_cancelling_or_promotion_once_the_offering_has_started(
    app, partner, make_offering, make_person, register
):
    started = make_offering(
        partner, status="published", sessions=[in_days(-1), in_days(6)], capacity=1
    )
    holder = make_person()
    register(started, holder)
    register(started, make_person(), status="waitlisted")
    with app.app_context():
        registration = db.session.scalar(
            select(Registration).where(Registration.person_id == holder.id)
        )
        with pytest.raises(DomainError):
            services.cancel(registration)
        offering = db.session.get(Offering, started.id)
        offering.capacity = 5
        assert services.fill_free_seats(offering) == []


# Concurrency: real threads, each with its own connection --------------------------------


def _in_threads(app, count: int, work) -> list:
    """Run work(index) in `count` threads started together; returns their results."""
    start = threading.Barrier(count)
    results: list = [None] * count

    def run(index: int) -> None:
        with app.app_context():
            start.wait()
            try:
                results[index] = work(index)
                db.session.commit()
            except Exception as error:  # reported in the results, asserted by the test
                db.session.rollback()
                results[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@pytest.fixture
def crowd_app(make_app):
    """An app whose pool has a connection for every thread of the crowd tests."""
    from config import engine_options

    app = make_app()
    options = engine_options(app.config["SQLALCHEMY_DATABASE_URI"])
    return make_app(SQLALCHEMY_ENGINE_OPTIONS={**options, "pool_size": 70, "max_overflow": 0})


def _people(app, count: int) -> list[int]:
    with app.app_context():
        people = [
            Person(
                email=f"crowd{n}@example.org",
                display_name=f"Crowd {n}",
                password_hash="x",
                preferred_language="en",
            )
            for n in range(count)
        ]
        db.session.add_all(people)
        db.session.commit()
        return [person.id for person in people]


def _register(offering_id: int, person_id: int):
    return _register_told(offering_id, person_id)[0]


def _register_told(offering_id: int, person_id: int):
    """(status, the waitlist place the person was told)."""
    offering = db.session.get(Offering, offering_id)
    outcome = services.register(offering, db.session.get(Person, person_id))
    return outcome.registration.status, outcome.position


@pytest.mark.committed  # threads, each on its own connection
def test_sixty_people_at_once_for_ten_seats(crowd_app, partner, make_offering):
    offering = make_offering(partner, status="published", sessions=[in_days(7)], capacity=10)
    people = _people(crowd_app, 60)
    told = _in_threads(crowd_app, 60, lambda i: _register_told(offering.id, people[i]))
    assert [r for r in told if not isinstance(r, tuple)] == []
    results = [status for status, _ in told]
    assert sorted(results) == ["confirmed"] * 10 + ["waitlisted"] * 50
    # What each person was told: every waitlist place once, none twice.
    assert sorted(position for _, position in told if position) == list(range(1, 51))
    rows = registrations(crowd_app, offering.id)
    assert [status for _, status in rows].count("confirmed") == 10
    assert load(crowd_app, offering.id).seats_taken == 10
    with crowd_app.app_context():
        waiting = db.session.scalars(
            select(Registration).where(
                Registration.offering_id == offering.id, Registration.status == "waitlisted"
            )
        ).all()
        positions = sorted(services.waitlist_position(r) for r in waiting)
    assert positions == list(range(1, 51))  # a fair queue: every place once


@pytest.mark.committed  # threads, each on its own connection
def test_one_person_clicking_many_times_at_once_gets_one_registration(
    crowd_app, partner, make_offering
):
    offering = make_offering(partner, status="published", sessions=[in_days(7)], capacity=10)
    [person] = _people(crowd_app, 1)
    results = _in_threads(crowd_app, 8, lambda i: _register(offering.id, person))
    assert results.count("confirmed") == 1
    assert all(isinstance(r, IntegrityError | DomainError) for r in results if r != "confirmed")
    assert len(registrations(crowd_app, offering.id)) == 1
    assert load(crowd_app, offering.id).seats_taken == 1


@pytest.mark.committed  # threads, each on its own connection
def test_twenty_cancellations_at_once_promote_exactly_twenty(crowd_app, partner, make_offering):
    offering = make_offering(partner, status="published", sessions=[in_days(7)], capacity=20)
    people = _people(crowd_app, 45)
    for person_id in people:
        with crowd_app.app_context():
            _register(offering.id, person_id)
            db.session.commit()

    def cancel(index: int) -> bool:
        registration = services.active_registration(offering.id, people[index])
        return services.cancel(registration)

    results = _in_threads(crowd_app, 20, cancel)
    assert results == [True] * 20
    statuses = [status for _, status in registrations(crowd_app, offering.id)]
    assert statuses.count("cancelled") == 20
    assert statuses.count("confirmed") == 20
    assert statuses.count("waitlisted") == 5
    assert statuses[20:40] == ["confirmed"] * 20  # the twenty oldest on the waitlist
    assert load(crowd_app, offering.id).seats_taken == 20
    with crowd_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Registration)) == 45


def test_cancelling_twice_or_from_the_waitlist_moves_no_seat(
    app, partner, make_offering, make_person, register
):
    offering = make_offering(partner, status="published", sessions=[in_days(7)], capacity=1)
    holder, first, second = make_person(), make_person(), make_person()
    register(offering, holder)
    register(offering, first, status="waitlisted")
    register(offering, second, status="waitlisted")
    with app.app_context():
        leaving = services.active_registration(offering.id, first.id)
        assert services.cancel(leaving) is True
        db.session.commit()
        assert services.cancel(leaving) is False  # the second time changes nothing
        db.session.commit()
    statuses = dict(registrations(app, offering.id))
    assert (statuses[holder.id], statuses[first.id], statuses[second.id]) == (
        "confirmed",
        "cancelled",
        "waitlisted",
    )
    assert load(app, offering.id).seats_taken == 1


def test_a_change_mail_to_someone_waiting_carries_tentative_events(
    app, client, login, partner, make_offering, make_person, register, outbox
):
    from icalendar import Calendar

    organizer = make_person()
    from learning_platform.extensions import db as database
    from learning_platform.models import Membership

    with app.app_context():
        database.session.add(Membership(person_id=organizer.id, partner_id=partner.id))
        database.session.commit()
    offering = make_offering(
        partner, status="published", sessions=[in_days(7), in_days(8)], capacity=1
    )
    register(offering, make_person())
    waiting = make_person()
    register(offering, waiting, status="waitlisted")
    login(organizer)
    session = offering.sessions[1]
    client.submit(
        f"/workspace/offerings/{offering.id}/sessions/{session.id}/cancel",
        {"confirm": "yes", "reason": "The instructor is ill."},
        page="/",
    )
    [message] = outbox(waiting.email)
    [attachment] = list(message.iter_attachments())
    statuses = sorted(
        str(e["STATUS"]) for e in Calendar.from_ical(attachment.get_content()).walk("VEVENT")
    )
    assert statuses == ["CANCELLED", "TENTATIVE"]


def test_waitlist_places_are_counted_per_offering(
    client, login, partner, make_offering, make_person, register
):
    person = make_person()
    first = make_offering(
        partner, status="published", sessions=[in_days(7)], capacity=1, title="First"
    )
    second = make_offering(
        partner, status="published", sessions=[in_days(8)], capacity=1, title="Second"
    )
    for offering in (first, second):
        register(offering, make_person())
    register(first, make_person(), status="waitlisted")
    register(first, person, status="waitlisted")
    register(second, person, status="waitlisted")
    login(person)
    page = client.get("/me/learning").get_data(as_text=True)
    assert "No. 2 on the waitlist" in page
    assert "No. 1 on the waitlist" in page
