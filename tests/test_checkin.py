"""Check-in at the door: codes in the mail and on My learning; scanning, typing and tapping."""

import io
import re
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from learning_platform.enrollment import checkin
from learning_platform.extensions import db
from learning_platform.models import Attendance, Registration, RegistrationStatus, utcnow
from learning_platform.models.offering import CHECKIN_ALPHABET, new_checkin_code
from learning_platform.security import CSP
from tests.conftest import mail_body
from tests.factories import PASSWORD
from tests.test_races import _race
from tests.test_workspace import in_days

CODE = re.compile(f"[{CHECKIN_ALPHABET}]{{6}}")


def starting_soon() -> tuple:
    start = (utcnow() + timedelta(hours=1)).replace(second=0, microsecond=0)
    return start, start + timedelta(hours=2)


@pytest.fixture
def door(make_person, make_partner, make_offering, register, login):
    """An organizer at the door of a session starting within the hour, logged in."""
    organizer = make_person(name="Organizer")
    partner = make_partner(members=[organizer])
    offering = make_offering(
        partner, status="published", sessions=[starting_soon(), in_days(8)], title="기후 워크숍"
    )
    other = make_offering(partner, status="published", sessions=[starting_soon()], title="Bees")
    people = {
        name: make_person(name=name)
        for name in ("Kim Minji", "Lee Jun", "Park 50%_off", "Waiting", "Gone", "Elsewhere")
    }
    for name in ("Kim Minji", "Lee Jun", "Park 50%_off"):
        register(offering, people[name])
    register(offering, people["Waiting"], status="waitlisted")
    register(offering, people["Gone"], status="cancelled")
    register(other, people["Elsewhere"])
    login(organizer)
    session = offering.sessions[0]
    return dict(
        offering=offering,
        other=other,
        people=people,
        organizer=organizer,
        path=f"/workspace/offerings/{offering.id}/sessions/{session.id}/checkin",
        session=session,
    )


def registration_of(app, offering, person) -> Registration:
    with app.app_context():
        registration = db.session.scalar(
            select(Registration).where(
                Registration.offering_id == offering.id, Registration.person_id == person.id
            )
        )
        db.session.expunge(registration)
        return registration


def payload_of(app, registration) -> str:
    with app.test_request_context():
        return checkin.qr_payload(registration)


def marks(app, session) -> list[tuple[int, bool]]:
    with app.app_context():
        return db.session.execute(
            select(Attendance.registration_id, Attendance.present).where(
                Attendance.session_id == session.id
            )
        ).all()


def test_codes_are_short_readable_unique_per_offering_and_random(app, door):
    with app.app_context():
        codes = db.session.scalars(
            select(Registration.checkin_code).where(Registration.offering_id == door["offering"].id)
        ).all()
    assert len(codes) == len(set(codes)) == 5
    assert all(CODE.fullmatch(code) for code in codes)  # no 0, O, 1 or I to misread
    many = {new_checkin_code() for _ in range(500)}
    assert len(many) == 500  # random, 30 bits: two alike in 500 once in 10,000 runs


def test_confirmation_mail_has_the_qr_code_and_the_short_code(
    client, login, make_person, make_partner, make_offering, outbox
):
    partner = make_partner()
    offering = make_offering(partner, status="published", sessions=[in_days(3)])
    citizen = make_person()
    login(citizen)
    client.submit(f"/offerings/{offering.id}/register", page=f"/offerings/{offering.id}")
    (message,) = outbox(citizen.email)
    code = registration_of(client.application, offering, citizen).checkin_code
    spaced = f"{code[:3]} {code[3:]}"
    assert f"Your check-in code: {spaced}" in mail_body(message)  # read aloud from plain text
    html = message.get_body(preferencelist=("html",))
    cid = re.search(r'<img src="cid:([^"]+)"[^>]*alt="QR code for check-in"', html.get_content())
    assert cid
    (image,) = [part for part in message.walk() if part.get_content_type() == "image/png"]
    assert image["Content-ID"] == f"<{cid.group(1)}>"
    assert Image.open(io.BytesIO(image.get_content())).size[0] >= 200
    # The calendar file still travels beside it.
    assert [p.get_filename() for p in message.iter_attachments()] == ["offering.ics"]


def test_waitlisted_mail_has_no_code(
    client, login, make_person, make_partner, make_offering, register, outbox
):
    partner = make_partner()
    offering = make_offering(partner, status="published", sessions=[in_days(3)], capacity=1)
    register(offering, make_person())
    citizen = make_person()
    login(citizen)
    client.submit(f"/offerings/{offering.id}/register", page=f"/offerings/{offering.id}")
    (message,) = outbox(citizen.email)
    assert "check-in code" not in mail_body(message)
    assert not [part for part in message.walk() if part.get_content_type() == "image/png"]


def test_my_learning_shows_the_qr_code_to_the_confirmed_only(app, client, login, door):
    offering, people = door["offering"], door["people"]
    client.submit("/logout", page="/")
    login(people["Kim Minji"])
    page = client.get(f"/me/learning/{offering.id}").get_data(as_text=True)
    code = registration_of(app, offering, people["Kim Minji"]).checkin_code
    assert f"{code[:3]} {code[3:]}" in page
    assert '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0' in page
    assert "<script" not in page.split('class="qr__image"')[1].split("</svg>")[0]
    client.submit("/logout", page="/")
    login(people["Waiting"])
    page = client.get(f"/me/learning/{offering.id}").get_data(as_text=True)
    assert "qr__image" not in page and "check-in code" not in page


def test_my_learning_has_no_qr_code_once_the_course_is_over(
    client, login, make_person, make_partner, make_offering, register
):
    start = utcnow() - timedelta(days=3)
    offering = make_offering(
        make_partner(), status="published", sessions=[(start, start + timedelta(hours=2))]
    )
    citizen = make_person()
    register(offering, citizen)
    login(citizen)
    page = client.get(f"/me/learning/{offering.id}").get_data(as_text=True)
    assert "qr__image" not in page


def test_typed_short_code_checks_in_and_the_count_goes_up(app, client, door):
    page = client.get(door["path"]).get_data(as_text=True)
    assert "Checked in: 0 of 3" in page
    registration = registration_of(app, door["offering"], door["people"]["Lee Jun"])
    code = registration.checkin_code
    typed = f" {code[:3].lower()} {code[3:]} "  # read aloud, typed with a space, in lower case
    response = client.submit(door["path"], {"code": typed})
    assert response.status_code == 303
    page = client.get(response.location).get_data(as_text=True)
    assert "Lee Jun is checked in." in page
    assert "Checked in: 1 of 3" in page
    assert marks(app, door["session"]) == [(registration.id, True)]


def test_the_qr_payload_typed_or_pasted_checks_in(app, client, door):
    registration = registration_of(app, door["offering"], door["people"]["Kim Minji"])
    response = client.submit(door["path"], {"code": payload_of(app, registration)})
    assert response.status_code == 303
    assert marks(app, door["session"]) == [(registration.id, True)]


def test_a_second_scan_says_already_checked_in_with_the_time(app, client, door):
    registration = registration_of(app, door["offering"], door["people"]["Kim Minji"])
    client.submit(door["path"], {"code": registration.checkin_code})
    response = client.submit(door["path"], {"code": payload_of(app, registration)})
    page = client.get(response.location).get_data(as_text=True)
    assert re.search(r"Kim Minji is already checked in \(since \d{1,2}:\d\d\s?[AP]M\)", page)
    assert marks(app, door["session"]) == [(registration.id, True)]


def test_a_person_marked_absent_on_the_sheet_can_still_check_in(app, client, door):
    registration = registration_of(app, door["offering"], door["people"]["Kim Minji"])
    with app.app_context():
        db.session.add(
            Attendance(
                session_id=door["session"].id, registration_id=registration.id, present=False
            )
        )
        db.session.commit()
    client.submit(door["path"], {"code": registration.checkin_code})
    assert marks(app, door["session"]) == [(registration.id, True)]


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("Elsewhere", "This code is for another course: Bees."),
        ("Waiting", "Waiting is on the waitlist and has no seat."),
        ("Gone", "Gone cancelled their registration."),
    ],
)
def test_codes_that_give_no_seat_here_are_refused_with_the_reason(app, client, door, who, message):
    offering = door["other"] if who == "Elsewhere" else door["offering"]
    registration = registration_of(app, offering, door["people"][who])
    response = client.submit(door["path"], {"code": payload_of(app, registration)})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert marks(app, door["session"]) == []


def test_a_short_code_of_another_offering_is_not_found_here(app, client, door):
    registration = registration_of(app, door["other"], door["people"]["Elsewhere"])
    response = client.submit(door["path"], {"code": registration.checkin_code})
    assert response.status_code == 422
    assert "No participant of this course has this code." in response.get_data(as_text=True)


@pytest.mark.parametrize("change", ["signature", "registration", "code", "garbage"])
def test_a_forged_or_altered_code_is_refused(app, client, door, change):
    registration = registration_of(app, door["offering"], door["people"]["Kim Minji"])
    payload = payload_of(app, registration)
    ident, code, signature = payload.split(".")
    forged = {
        "signature": f"{ident}.{code}.{signature[:-2]}xx",
        "registration": f"{int(ident) + 1}.{code}.{signature}",
        "code": f"{ident}.AAAAAA.{signature}",
        "garbage": "x.y.z" + "\u0301" * 5,
    }[change]
    response = client.submit(door["path"], {"code": forged})
    assert response.status_code == 422
    assert "This code is not one of ours" in response.get_data(as_text=True)
    assert marks(app, door["session"]) == []


@pytest.mark.parametrize("typed", ["", "ABC", "0O1I00", "x" * 201])
def test_typing_nonsense_is_refused_next_to_the_field(client, door, typed):
    response = client.submit(door["path"], {"code": typed})
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.get_data(as_text=True)


def test_tapping_a_name_checks_in_and_search_finds_names_literally(app, client, door):
    page = client.get(door["path"] + "?q=50%_").get_data(as_text=True)
    assert "Park 50%_off" in page and "Kim Minji" not in page  # % and _ are not wildcards
    assert "Waiting" not in client.get(door["path"] + "?q=Wait").get_data(as_text=True)
    registration = registration_of(app, door["offering"], door["people"]["Lee Jun"])
    response = client.submit(
        door["path"] + "/person?q=Lee",
        {"registration": registration.id},
        page=door["path"],
    )
    assert response.status_code == 303
    assert response.location.endswith(f"checkin?q=Lee#person-{registration.id}")
    page = client.get(response.location).get_data(as_text=True)
    assert "Lee Jun is checked in." in page and "Checked in at" in page


def test_a_tap_on_someone_of_another_offering_is_not_found(app, client, door):
    registration = registration_of(app, door["other"], door["people"]["Elsewhere"])
    response = client.submit(
        door["path"] + "/person", {"registration": registration.id}, page=door["path"]
    )
    assert response.status_code == 404
    assert marks(app, door["session"]) == []


def test_the_scanner_endpoint_answers_json_with_the_counts(app, client, door):
    registration = registration_of(app, door["offering"], door["people"]["Kim Minji"])
    token = client.csrf_token(door["path"])
    url = door["path"] + ".json"
    assert client.post(url, data={"code": registration.checkin_code}).status_code == 400  # CSRF
    answer = client.post(
        url, data={"code": payload_of(app, registration)}, headers={"X-CSRFToken": token}
    )
    assert answer.status_code == 200
    assert answer.json | {"message": None, "state": None} == {
        "ok": True,
        "outcome": "checked_in",
        "message": None,
        "state": None,
        "registration": registration.id,
        "name": "Kim Minji",
        "present": 1,
        "confirmed": 3,
        "counts": "Checked in: 1 of 3",
    }
    assert answer.json["state"].startswith("Checked in at ")
    again = client.post(
        url, data={"code": registration.checkin_code}, headers={"X-CSRFToken": token}
    )
    assert again.json["outcome"] == "already" and "already checked in" in again.json["message"]
    forged = client.post(url, data={"code": "1.AAAAAA.bad"}, headers={"X-CSRFToken": token})
    assert forged.status_code == 422 and forged.json["outcome"] == "forged"
    empty = client.post(url, data={}, headers={"X-CSRFToken": token})
    assert empty.status_code == 422


def test_check_in_opens_six_hours_before_the_session(
    app, client, make_partner, make_offering, make_person, register, login
):
    organizer = make_person()
    offering = make_offering(
        make_partner(members=[organizer]), status="published", sessions=[in_days(2)]
    )
    citizen = make_person()
    register(offering, citizen)
    login(organizer)
    path = f"/workspace/offerings/{offering.id}/sessions/{offering.sessions[0].id}/checkin"
    assert "Check-in opens 6 hours before" in client.get(path).get_data(as_text=True)
    code = registration_of(app, offering, citizen).checkin_code
    response = client.submit(path, {"code": code})
    assert response.status_code == 422
    assert "Check-in opens 6 hours before" in response.get_data(as_text=True)
    assert marks(app, offering.sessions[0]) == []


def test_only_the_checkin_page_may_use_the_camera_and_the_csp_is_unchanged(client, door):
    response = client.get(door["path"])
    assert response.headers["Permissions-Policy"] == "camera=(self), microphone=(), geolocation=()"
    assert response.headers["Content-Security-Policy"] == CSP
    assert "script-src 'self'" in CSP and "unsafe" not in CSP
    page = response.get_data(as_text=True)
    assert '<script src="/static/vendor/jsqr/jsQR.js" defer></script>' in page
    assert "camera=()" in client.get("/").headers["Permissions-Policy"]


def test_the_vendored_scanner_is_served_with_its_licence(client):
    with client.get("/static/vendor/jsqr/jsQR.js") as script:
        assert script.status_code == 200 and "jsQR" in script.get_data(as_text=True)
    with client.get("/static/vendor/jsqr/LICENSE") as licence:
        assert "Apache License" in licence.get_data(as_text=True)


def test_a_cohost_sees_the_list_but_cannot_check_in(
    client, login, make_person, make_partner, make_offering
):
    cohost_member = make_person()
    cohost = make_partner(members=[cohost_member])
    offering = make_offering(
        make_partner(), status="published", sessions=[starting_soon()], cohosts=[cohost]
    )
    login(cohost_member)
    path = f"/workspace/offerings/{offering.id}/sessions/{offering.sessions[0].id}/checkin"
    assert client.get(path).status_code == 403
    attendees = client.get(f"/workspace/offerings/{offering.id}/attendees")
    assert path not in attendees.get_data(as_text=True)


@pytest.mark.committed
def test_two_organizers_scanning_the_same_code_at_once_check_in_once(
    race_app, make_person, make_partner, make_offering, register
):
    first, second = make_person(), make_person()
    offering = make_offering(
        make_partner(members=[first, second]), status="published", sessions=[starting_soon()]
    )
    citizen = make_person(name="Both Doors")
    register(offering, citizen)
    registration = registration_of(race_app, offering, citizen)
    session = offering.sessions[0]
    url = f"/workspace/offerings/{offering.id}/sessions/{session.id}/checkin"
    clients = []
    for person in (first, second):
        client = race_app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        client.submit("/login", {"email": person.email, "password": PASSWORD})
        clients.append((client, client.csrf_token(url)))
    answers: list = []

    def keep(client):
        # _race reports status codes; keep each client's answer for what it said.
        original = client.post

        def post(*args, **kwargs):
            answers.append(original(*args, **kwargs))
            return answers[-1]

        client.post = post
        return client

    posts = [
        (keep(client), url + ".json", {"csrf_token": token, "code": registration.checkin_code})
        for client, token in clients
    ]
    # Both requests hold after reading whom the code names, until both have: then both write.
    _race(race_app, posts, lambda sql: sql.lstrip().startswith("SELECT") and "checkin_code" in sql)
    assert [answer.status_code for answer in answers] == [200, 200]
    assert sorted(answer.json["outcome"] for answer in answers) == ["already", "checked_in"]
    assert marks(race_app, session) == [(registration.id, True)]
    with race_app.app_context():
        assert db.session.get(Registration, registration.id).status == RegistrationStatus.CONFIRMED


@pytest.mark.parametrize(("format_", "door_"), [("online", False), ("hybrid", True)])
def test_only_an_offering_with_a_door_tells_its_participants_to_show_a_qr_code(
    client, login, make_person, make_partner, make_offering, outbox, format_, door_
):
    offering = make_offering(
        make_partner(),
        status="published",
        sessions=[in_days(3)],
        format=format_,
        online_link="https://meet.example.org/x",
    )
    citizen = make_person()
    login(citizen)
    client.submit(f"/offerings/{offering.id}/register", page=f"/offerings/{offering.id}")
    (message,) = outbox(citizen.email)
    pngs = [part for part in message.walk() if part.get_content_type() == "image/png"]
    assert ("show the QR code" in mail_body(message)) is door_
    assert bool(pngs) is door_
    page = client.get(f"/me/learning/{offering.id}").get_data(as_text=True)
    assert ("qr__image" in page) is door_ and ("Show this QR code" in page) is door_
