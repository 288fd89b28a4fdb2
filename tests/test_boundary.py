"""The one boundary: bad input and lost races become a message or a 4xx page, never a 500.

Each test here was written against a fault found by trying the app as an attacker or an
operator would, and failed before the fix.
"""

import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from learning_platform.boundary import DomainError, domain_error_from, unit_of_work
from learning_platform.extensions import db
from learning_platform.models import (
    Attendance,
    Membership,
    Offering,
    Partner,
    Person,
    Registration,
)
from tests.conftest import FormClient
from tests.factories import PASSWORD
from tests.test_workspace import in_days, load, offering_fields, submit_multi
from tests.test_workspace_rules import count

# Fault 1: a check constraint fired in autoflush before the form's own check --------------


def test_registration_opening_after_it_closes_is_a_message_on_a_published_offering(
    app, client, organizer, make_offering, make_theme
):
    _, partner = organizer
    theme = make_theme()
    offering = make_offering(partner, status="published", sessions=[in_days(20)], themes=[theme])
    response = submit_multi(
        client,
        f"/workspace/offerings/{offering.id}/edit",
        offering_fields(
            theme_ids=[theme.id],
            title="Changed title",
            registration_opens_at="2030-01-10T10:00",
            registration_closes_at="2030-01-05T10:00",
        ),
    )
    assert response.status_code == 422
    assert "Registration must close after it opens." in response.get_data(as_text=True)
    saved = load(app, offering.id)
    assert saved.title == offering.title  # nothing changed
    assert saved.registration_opens_at is None


def test_a_constraint_the_form_does_not_check_is_reported_next_to_its_field(app, organizer):
    """The boundary names the field of any constraint a domain has explained."""
    _, partner = organizer
    with app.test_request_context():
        form_errors = {}

        class FakeField:
            errors: list = []

        class FakeForm:
            registration_closes_at = FakeField()
            form_errors: list = []

        form = FakeForm()
        with unit_of_work(form) as work:
            offering = db.session.get(Partner, partner.id)
            db.session.add(
                Offering(
                    partner_id=offering.id,
                    kind="course",
                    title="t",
                    language="ko",
                    format="in_person",
                    capacity=5,
                    timezone="Asia/Seoul",
                    registration_opens_at=in_days(3)[0],
                    registration_closes_at=in_days(2)[0],
                )
            )
            db.session.flush()
        assert not work.ok
        assert work.error.status == 409
        assert [str(e) for e in form.registration_closes_at.errors] == [
            "Registration must close after it opens."
        ]
        assert form_errors == {}
    assert count(app, Offering) == 0


# Fault 2: a number a form sends that int() refuses ----------------------------------------


@pytest.mark.parametrize("value", ["²", "٣", "9" * 5000, "-1", "0", "1e3", " ", "99999999999"])
def test_attendance_with_a_number_int_refuses_is_a_message_not_a_500(
    app, client, organizer, make_offering, make_person, register, value
):
    _, partner = organizer
    offering = make_offering(partner, status="published", sessions=[in_days(-1, hours=1)])
    register(offering, make_person())
    path = f"/workspace/offerings/{offering.id}/sessions/{offering.sessions[0].id}/attendance"
    response = client.submit(path, {"present": value})
    assert response.status_code == 422
    assert "could not be coerced" in response.get_data(as_text=True)
    assert count(app, Attendance) == 0


def test_attendance_ignores_an_id_that_is_not_on_the_sheet(
    app, client, organizer, make_offering, make_person, register
):
    _, partner = organizer
    offering = make_offering(partner, status="published", sessions=[in_days(-1, hours=1)])
    register(offering, make_person())
    path = f"/workspace/offerings/{offering.id}/sessions/{offering.sessions[0].id}/attendance"
    response = client.submit(path, {"present": "2147483647"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalars(select(Attendance.present)).all() == [False]


def test_the_catalog_page_number_int_refuses_is_ignored(client):
    for value in ["²", "9" * 5000, "-5"]:
        assert client.get(f"/offerings?page={value}").status_code == 200


# Fault 3: a unique slug raced by eight people proposing the same partner ------------------


def _logged_in_clients(app, make_person, count: int) -> list[FormClient]:
    clients = []
    for _ in range(count):
        person = make_person()
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        assert (
            client.submit("/login", {"email": person.email, "password": PASSWORD}).status_code
            == 302
        )
        clients.append(client)
    return clients


def _at_once(clients, work) -> list:
    start = threading.Barrier(len(clients))
    results: list = [None] * len(clients)

    def run(index: int) -> None:
        start.wait()
        try:
            results[index] = work(clients[index])
        except Exception as error:  # asserted below
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.committed
def test_eight_people_proposing_the_same_partner_at_once_get_one_partner_and_seven_messages(
    race_app, make_person
):
    clients = _logged_in_clients(race_app, make_person, 8)
    tokens = [client.csrf_token("/partners/propose") for client in clients]
    fields = {
        "primary_language": "en",
        "name_en": "Masan Bay Citizens' Network",
        "kind": "ngo",
        "timezone": "Asia/Seoul",
    }

    def propose(client):
        token = tokens[clients.index(client)]
        response = client.post("/partners/propose", data={"csrf_token": token, **fields})
        return response.status_code, response.get_data(as_text=True)

    results = _at_once(clients, propose)
    statuses = sorted(status for status, _ in results)
    assert statuses == [302] + [422] * 7, statuses
    for status, body in results:
        if status == 422:
            assert "Another partner already uses this web name." in body
    assert count(race_app, Partner) == 1
    assert count(race_app, Membership) == 1


# Fault 8: bytes that are not UTF-8 in a free-text field -----------------------------------


@pytest.mark.parametrize(
    "field", ["title", "summary", "description", "audience", "venue_name", "cost_note"]
)
def test_invalid_utf8_in_any_text_field_is_refused_with_a_message(app, client, organizer, field):
    _, partner = organizer
    path = f"/workspace/{partner.slug}/new"
    token = client.csrf_token(path)
    pairs = dict(offering_fields(**{field: "Climate"}))
    pairs["csrf_token"] = token
    from urllib.parse import quote

    body = "&".join(
        f"{quote(k)}={quote(v)}" if k != field else f"{k}=Climate%FF%FE" for k, v in pairs.items()
    )
    response = client.post(
        path, data=body.encode(), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 422
    assert "could not be read" in response.get_data(as_text=True)
    assert count(app, Offering) == 0


def test_invalid_utf8_in_a_multipart_form_is_refused_too(client, make_person, login, app):
    login(make_person())
    token = client.csrf_token("/partners/propose")
    boundary = "b0undary"
    parts = {
        "csrf_token": token.encode(),
        "primary_language": b"en",
        "name_en": "Masan \xff\xfe Network".encode("latin-1"),
        "kind": b"ngo",
        "timezone": b"Asia/Seoul",
    }
    body = (
        b"".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value
            + b"\r\n"
            for name, value in parts.items()
        )
        + f"--{boundary}--\r\n".encode()
    )
    response = client.post(
        "/partners/propose",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 422
    assert "could not be read" in response.get_data(as_text=True)
    assert count(app, Partner) == 0


def test_percent_text_typed_on_purpose_is_kept(app, client, organizer):
    _, partner = organizer
    response = submit_multi(
        client, f"/workspace/{partner.slug}/new", offering_fields(title="100% 재생에너지 %FF")
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Offering.title)) == "100% 재생에너지 %FF"


# The boundary itself ----------------------------------------------------------------------


def test_a_failed_unit_of_work_rolls_back_and_forgets_what_it_flashed(app, make_person):
    person = make_person()
    with app.test_request_context():
        from flask import flash, get_flashed_messages

        with unit_of_work() as work:
            db.session.get(Person, person.id).display_name = "Changed"
            flash("Saved!", "success")
            raise DomainError("Refused")
        assert not work.ok
        assert get_flashed_messages() == ["Refused"]
    with app.app_context():
        assert db.session.get(Person, person.id).display_name == person.display_name


def test_an_error_that_is_not_a_domain_error_rolls_back_and_propagates(app, make_person):
    person = make_person()
    with app.app_context():
        with pytest.raises(ZeroDivisionError), unit_of_work():
            db.session.get(Person, person.id).display_name = "Changed"
            db.session.flush()
            _ = 1 / 0
        assert db.session.get(Person, person.id).display_name == person.display_name


def test_a_violation_found_only_at_commit_is_a_409_page(make_app, make_person):
    """A domain error that reaches the app (no unit of work caught it) is a page, not a 500."""
    person = make_person()
    app = make_app(PROPAGATE_EXCEPTIONS=False)  # an app of its own, to add a route to
    client = app.test_client()

    @app.get("/_test/duplicate-email")
    def duplicate_email():
        with unit_of_work():
            db.session.add(Person(email=person.email, display_name="x", password_hash="x"))
        return "unreachable"

    response = client.get("/_test/duplicate-email")
    assert response.status_code == 409
    assert "Nothing was saved" in response.get_data(as_text=True)


def test_an_unexplained_constraint_is_a_conflict_not_a_server_error(app, make_person):
    person = make_person()
    with app.app_context():
        db.session.add(Registration(offering_id=2_000_000, person_id=person.id, status="confirmed"))
        with pytest.raises(IntegrityError) as caught:
            db.session.flush()
        db.session.rollback()
    error = domain_error_from(caught.value)
    assert error is not None and error.status == 409


@pytest.mark.committed
def test_the_same_person_registering_twice_at_once_is_told_they_are_registered(
    race_app, make_person, make_partner, make_offering
):
    partner = make_partner()
    offering = make_offering(partner, status="published", sessions=[in_days(7)])
    person = make_person()
    clients = []
    for _ in range(4):
        client = race_app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        client.submit("/login", {"email": person.email, "password": PASSWORD})
        clients.append(client)
    page = f"/offerings/{offering.id}"
    tokens = {id(c): c.csrf_token(page) for c in clients}
    results = _at_once(
        clients,
        lambda c: (
            c.post(
                f"/offerings/{offering.id}/register", data={"csrf_token": tokens[id(c)]}
            ).status_code
        ),
    )
    assert results == [302] * 4
    with race_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Registration)) == 1


def test_a_transaction_that_lost_a_race_is_told_to_try_again(app, make_person):
    """A PostgreSQL serialisation failure or deadlock is the person's to retry: a 409."""
    import psycopg.errors
    from sqlalchemy.exc import OperationalError

    person = make_person()
    with app.test_request_context():
        from flask import get_flashed_messages

        with unit_of_work() as work:
            db.session.get(Person, person.id).display_name = "Changed"
            raise OperationalError("UPDATE", {}, psycopg.errors.SerializationFailure("lost"))
        assert work.error.status == 409
        assert get_flashed_messages() == [
            "Someone else changed this at the same moment. Nothing was saved; please try again."
        ]


def test_a_database_that_is_down_is_not_reported_as_the_persons_doing(app):
    """Only a lost race is turned into a message; an outage goes on to the 503 page."""
    from sqlalchemy.exc import OperationalError

    outage = OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))
    assert domain_error_from(outage) is None
    with app.test_request_context(), pytest.raises(OperationalError), unit_of_work():
        raise outage


def test_an_unexplained_constraint_violation_is_logged_for_the_operator(app, caplog):
    """Probably a bug, not a race: the person is told nothing was saved, the log says why."""
    import logging

    with app.test_request_context(), caplog.at_level(logging.WARNING):
        with unit_of_work() as work:
            db.session.add(Person(email="x@example.org", display_name=None, password_hash="x"))
            db.session.flush()
        assert work.error.status == 409
    assert any("Unexplained constraint violation" in r.getMessage() for r in caplog.records)
