"""Organizers write to an offering's participants: preview, send, history, limits."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from learning_platform.extensions import db
from learning_platform.models import (
    Attendance,
    OutboxMessage,
    ParticipantMessage,
    Person,
    Registration,
    utcnow,
)
from tests.conftest import mail_body, statements_of
from tests.test_mail import html_of
from tests.test_workspace import in_days


@pytest.fixture
def course(organizer, make_offering, make_partner):
    _person, partner = organizer
    return make_offering(
        partner,
        status="published",
        sessions=[in_days(-7), in_days(7)],
        title="Urban Gardening 도시 텃밭",
        contact_email="garden@changwon.example.org",
    )


@pytest.fixture
def people(app, course, make_person, register):
    """confirmed (two, one of whom came to the first session), waitlisted, cancelled, deleted."""
    made = {
        "came": make_person(email="came@example.org", language="ko", name="민지"),
        "confirmed": make_person(email="confirmed@example.org"),
        "waiting": make_person(email="waiting@example.org"),
        "cancelled": make_person(email="cancelled@example.org"),
        "deleted": make_person(email="deleted@example.org"),
    }
    register(course, made["came"])
    register(course, made["confirmed"])
    register(course, made["waiting"], status="waitlisted")
    register(course, made["cancelled"], status="cancelled")
    register(course, made["deleted"])
    with app.app_context():
        registrations = {r.person_id: r.id for r in db.session.scalars(select(Registration)).all()}
        for key in ("came", "confirmed", "cancelled", "deleted"):
            db.session.add(
                Attendance(
                    session_id=course.sessions[0].id,
                    registration_id=registrations[made[key].id],
                    present=key != "confirmed",
                )
            )
        db.session.execute(
            update(Person)
            .where(Person.id == made["deleted"].id)
            .values(deleted_at=utcnow(), email=f"deleted-{made['deleted'].id}@deleted.invalid")
        )
        db.session.commit()
    return made


def new(course) -> str:
    return f"/workspace/offerings/{course.id}/messages/new"


def message(course, **fields) -> dict:
    return {
        "audience": "confirmed",
        "session_id": "",
        "subject": "Bring gloves",
        "body": "Hello all,\n\n- gloves\n- **water**\n\nSee you!",
        **fields,
    }


def send(client, course, **fields):
    return client.submit(new(course), {**message(course, **fields), "send": "1"}, page=new(course))


def recipients(outbox) -> list[str]:
    return sorted(str(mail["To"]) for mail in outbox())


def test_preview_shows_the_mail_and_the_count_and_sends_nothing(client, course, people, outbox):
    response = client.submit(new(course), {**message(course), "preview": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "It goes to 2 people" in page
    assert "Bring gloves" in page
    assert "- **water**" in page  # the plain text, as written (folded away)
    assert "<strong>water</strong>" in page  # and how it looks formatted
    assert "Send to 2 people" in page
    assert outbox() == []


def test_edit_goes_back_to_the_form_with_the_text(client, course, people, outbox):
    response = client.submit(new(course), {**message(course), "edit": "1"}, page=new(course))
    assert response.status_code == 200
    assert "Bring gloves" in response.get_data(as_text=True)
    assert outbox() == []


@pytest.mark.parametrize(
    ("audience", "expected"),
    [
        ("confirmed", ["came@example.org", "confirmed@example.org"]),
        ("waitlisted", ["waiting@example.org"]),
        ("both", ["came@example.org", "confirmed@example.org", "waiting@example.org"]),
        ("session", ["came@example.org"]),
    ],
)
def test_each_group_gets_exactly_its_people(client, course, people, outbox, audience, expected):
    response = send(client, course, audience=audience, session_id=str(course.sessions[0].id))
    assert response.status_code == 302
    assert recipients(outbox) == expected


def test_each_person_gets_one_mail_with_only_their_address_in_their_language(
    client, course, people, outbox
):
    send(client, course, audience="both")
    mails = outbox()
    assert len(mails) == 3
    for mail in mails:
        assert mail["Cc"] is None and mail["Bcc"] is None
        [to] = mail["To"].addresses
        raw_others = [m for m in ("came@", "confirmed@", "waiting@") if m not in to.addr_spec]
        assert not any(other in mail.as_string() for other in raw_others)
        assert mail["Subject"] == "Bring gloves"
        assert mail["Reply-To"].addresses[0].addr_spec == "garden@changwon.example.org"
        assert mail["From"].addresses[0].display_name.startswith("Partner ")  # the partner's
    [korean] = outbox("came@example.org")
    assert "민지님" in mail_body(korean)
    assert "- **water**" in mail_body(korean)  # the organizer's words as written
    html = html_of(korean)
    assert "water" in html.words and "strong" in html.tags
    assert html.tags.count("li") >= 2


def test_organizer_markdown_is_sanitised_in_the_html_part(client, course, people, outbox):
    body = 'Hi <script>alert(1)</script> [x](javascript:alert(2)) "><img src=x onerror=alert(3)>'
    preview = client.submit(new(course), {**message(course, body=body), "preview": "1"})
    assert "<script>alert" not in preview.get_data(as_text=True)
    assert "&lt;script&gt;" in preview.get_data(as_text=True)
    send(client, course, body=body)
    [mail, _other] = outbox()
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert "<script" not in html
    assert "<img" not in html
    assert 'href="javascript' not in html
    assert "&lt;script&gt;" in html  # shown as text


def test_a_subject_with_a_percent_sign_is_sent_as_written(client, course, people, outbox):
    send(client, course, subject="100% sure: 50%(x)s off")
    assert {str(mail["Subject"]) for mail in outbox()} == {"100% sure: 50%(x)s off"}


def test_history_lists_what_was_sent_and_shows_it(client, app, course, people, organizer):
    response = send(client, course, audience="session", session_id=str(course.sessions[0].id))
    assert response.headers["Location"].endswith(f"/workspace/offerings/{course.id}/messages/")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Bring gloves" in page
    assert "Those who attended one session" in page
    assert "1 person" in page
    assert "by Organizer" in page
    with app.app_context():
        stored = db.session.scalar(select(ParticipantMessage))
        assert stored.recipient_count == 1
    detail = client.get(f"/workspace/offerings/{course.id}/messages/{stored.id}")
    assert detail.status_code == 200
    assert "<strong>water</strong>" in detail.get_data(as_text=True)


def test_a_message_of_another_offering_is_not_found(
    client, course, people, make_offering, organizer, app
):
    send(client, course)
    other = make_offering(organizer[1], status="published", sessions=[in_days(3)])
    with app.app_context():
        message_id = db.session.scalar(select(ParticipantMessage.id))
    assert client.get(f"/workspace/offerings/{other.id}/messages/{message_id}").status_code == 404


def test_the_daily_limit_per_offering_holds_with_a_clear_message(
    make_app, client, course, people, outbox, app
):
    app.config["MESSAGES_PER_OFFERING_PER_DAY"] = 2
    assert send(client, course).status_code == 302
    assert send(client, course).status_code == 302
    response = send(client, course)
    assert response.status_code == 422
    assert "2 messages in the last 24 hours" in response.get_data(as_text=True)
    assert len(outbox()) == 4
    preview = client.submit(new(course), {**message(course), "preview": "1"})
    assert preview.status_code == 422
    # A day later the history no longer counts them.
    with app.app_context():
        db.session.execute(
            update(ParticipantMessage).values(created_at=utcnow() - timedelta(hours=25))
        )
        db.session.commit()
    assert send(client, course).status_code == 302


@pytest.mark.parametrize(
    ("fields", "field", "error"),
    [
        ({"subject": ""}, "subject", "Write a subject."),
        ({"body": "  "}, "body", "Write the message."),
        ({"subject": "x" * 151}, "subject", "Use at most 150 characters."),
        ({"body": "x" * 10_001}, "body", "Use at most 10000 characters."),
        ({"audience": "everyone"}, "audience", "Choose who gets the message."),
        ({"audience": "session", "session_id": ""}, "session_id", "Choose the session"),
        ({"audience": "session", "session_id": "999999"}, "session_id", "this offering's sessions"),
        ({"body": "a\x00b"}, "body", ""),
    ],
)
def test_bad_input_gets_a_message_next_to_the_field_and_sends_nothing(
    client, app, course, people, outbox, fields, field, error
):
    for action in ("preview", "send"):
        response = client.submit(
            new(course), {**message(course, **fields), action: "1"}, page=new(course)
        )
        assert response.status_code == 422
        page = response.get_data(as_text=True)
        assert re.search(rf'id="{field}-error"[^>]*>\s*<span>[^<]*{re.escape(error)}', page), page
    assert outbox() == []
    with app.app_context():
        assert db.session.scalar(select(ParticipantMessage)) is None


def test_a_session_of_another_offering_is_refused(
    client, app, course, people, outbox, make_offering, organizer
):
    other = make_offering(organizer[1], status="published", sessions=[in_days(3)])
    response = send(client, course, audience="session", session_id=str(other.sessions[0].id))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(r'id="session_id-error"><span>Choose one of this offering', page)
    assert outbox() == []


def test_a_group_without_anyone_is_refused(client, course, outbox):
    response = send(client, course, audience="waitlisted")
    assert response.status_code == 422
    assert "Nobody is in this group" in response.get_data(as_text=True)
    assert outbox() == []


def test_a_cohost_reads_the_history_but_cannot_write(
    client, course, people, make_person, make_partner, login, app
):
    send(client, course)
    cohost = make_person()
    partner = make_partner(members=[cohost])
    with app.app_context():
        from learning_platform.models import Offering, Partner

        offering = db.session.get(Offering, course.id)
        offering.cohosts.append(db.session.get(Partner, partner.id))
        db.session.commit()
    client.post("/logout", data={"csrf_token": client.csrf_token("/")})
    login(cohost)
    page = client.get(f"/workspace/offerings/{course.id}/messages/").get_data(as_text=True)
    assert "Bring gloves" in page
    assert "Write to participants" not in page
    assert client.get(new(course)).status_code == 403


def test_sending_to_many_people_takes_a_constant_number_of_selects(
    client, app, course, make_person, register
):
    def selects_for(count: int) -> int:
        for _ in range(count):
            register(course, make_person())
        token = client.csrf_token(new(course))
        with statements_of(app) as statements:
            response = client.post(
                new(course), data={**message(course), "send": "1", "csrf_token": token}
            )
        assert response.status_code == 302
        with app.app_context():
            db.session.execute(
                update(ParticipantMessage).values(created_at=utcnow() - timedelta(days=2))
            )
            db.session.execute(OutboxMessage.__table__.delete())
            db.session.commit()
        return sum(1 for s in statements if s.lstrip().upper().startswith("SELECT"))

    assert selects_for(2) == selects_for(15)
