"""The site admins' back office: people, offerings, partner proposals and the mail outbox."""

import re

import pytest
from sqlalchemy import select

from learning_platform.extensions import db
from learning_platform.models import (
    AuditEvent,
    LoginSession,
    Offering,
    OutboxMessage,
    OutboxStatus,
    Partner,
    Person,
    Registration,
)
from tests.conftest import mail_body
from tests.factories import PASSWORD
from tests.test_workspace import in_days


def _events(app, action):
    with app.app_context():
        return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


# People ------------------------------------------------------------------------------------


def test_people_search_finds_by_part_of_name_or_address_whatever_the_case(
    client, admin, make_person, make_partner
):
    kim = make_person("minji.kim@example.org", name="김민지 Kim")
    make_person("lee@example.org", name="Lee Joon")
    make_partner(name="Changwon City", members=[kim])
    page = client.get("/admin/people/?q=KIM").get_data(as_text=True)
    assert "김민지 Kim" in page and "Lee Joon" not in page
    assert "Changwon City (Organizer)" in page
    page = client.get("/admin/people/?q=minji.").get_data(as_text=True)
    assert "김민지 Kim" in page
    # % and _ are searched as plain characters, not as wildcards.
    assert "No account matches" in client.get("/admin/people/?q=%25_").get_data(as_text=True)


def test_people_list_costs_the_same_statements_for_5_or_30_people(
    client, admin, make_person, make_partner, count_queries
):
    for _ in range(3):
        make_partner(members=[make_person()])
    with count_queries() as few:
        assert client.get("/admin/people/").status_code == 200
    for _ in range(27):
        make_partner(members=[make_person()])
    with count_queries() as many:
        page = client.get("/admin/people/").get_data(as_text=True)
    assert len(many) == len(few)
    assert "Page 1 of 2" in page
    assert client.get("/admin/people/?page=2").status_code == 200


def test_person_page_shows_roles_and_counts_but_no_private_data(
    app, client, admin, make_person, make_partner, make_offering, register
):
    person = make_person(name="Park Citizen")
    partner = make_partner(name="KNCU", members=[person])
    offering = make_offering(partner, status="published", sessions=[in_days(5)])
    register(offering, person)
    with app.app_context():
        from learning_platform.accounts.services import new_feed_token

        token = new_feed_token(db.session.get(Person, person.id))
        db.session.commit()
    page = client.get(f"/admin/people/{person.id}").get_data(as_text=True)
    assert "Park Citizen" in page and "KNCU" in page
    assert f"/workspace/{partner.slug}/members/" in page
    assert token not in page
    assert client.get("/admin/people/999999").status_code == 404


def test_disabling_signs_the_person_out_everywhere_and_stops_login_and_feed(
    app, make_app, client, admin, make_person, make_partner, make_offering, register
):
    citizen = make_person("citizen@example.org", name="Citizen")
    offering = make_offering(make_partner(), status="published", sessions=[in_days(5)])
    register(offering, citizen)
    other = app.test_client()  # the citizen's own browser
    other.submit("/login", {"email": citizen.email, "password": PASSWORD})
    assert other.get("/account").status_code == 200
    with app.app_context():
        from learning_platform.accounts.services import new_feed_token

        token = new_feed_token(db.session.get(Person, citizen.id))
        db.session.commit()
    assert other.get(f"/feeds/me/{token}.ics").status_code == 200

    url = f"/admin/people/{citizen.id}/disable"
    page = f"/admin/people/{citizen.id}"
    asked = client.submit(url, page=page)
    assert asked.status_code == 200 and "registrations stay" in asked.get_data(as_text=True)
    refused = client.submit(url, {"confirm": "yes", "reason": ""}, page=page)
    assert refused.status_code == 422
    assert "Give a reason" in refused.get_data(as_text=True)
    done = client.submit(url, {"confirm": "yes", "reason": "Spam sign-ups"}, page=page)
    assert done.status_code == 302

    assert other.get("/account").status_code == 302  # signed out at once
    assert other.get(f"/feeds/me/{token}.ics").status_code == 404
    with app.app_context():
        assert (
            db.session.scalar(select(LoginSession).where(LoginSession.person_id == citizen.id))
            is None
        )
        assert (
            db.session.scalar(select(Registration).where(Registration.person_id == citizen.id))
            is not None
        )
    # Login: the right password is told the account is disabled; a wrong one learns nothing.
    wrong = other.submit("/login", {"email": citizen.email, "password": "not-the-password"})
    assert "disabled" not in wrong.get_data(as_text=True)
    right = other.submit("/login", {"email": citizen.email, "password": PASSWORD})
    assert right.status_code == 422
    assert "This account is disabled" in right.get_data(as_text=True)
    [event] = _events(app, "account.disabled")
    assert event.note == "Spam sign-ups" and event.target_id == citizen.id

    client.submit(
        f"/admin/people/{citizen.id}/enable", {"confirm": "yes", "reason": "Cleared"}, page=page
    )
    assert other.submit("/login", {"email": citizen.email, "password": PASSWORD}).status_code == 302
    assert _events(app, "account.enabled")[0].note == "Cleared"


def test_an_admin_cannot_disable_themself_or_the_last_admin(app, client, admin, make_person):
    page = f"/admin/people/{admin.id}"
    response = client.submit(
        f"/admin/people/{admin.id}/disable", {"confirm": "yes", "reason": "x"}, page=page
    )
    assert response.status_code == 422
    assert "your own account" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Person, admin.id).disabled_at is None


def test_the_last_admin_is_not_disabled(app, make_person):
    from learning_platform.backoffice import services
    from learning_platform.boundary import DomainError

    only = make_person(admin=True)
    citizen = make_person()
    with app.test_request_context(), pytest.raises(DomainError, match="last site admin"):
        services.disable(db.session.get(Person, only.id), "x", db.session.get(Person, citizen.id))


def test_resend_confirmation_mails_a_new_link_once_per_ten_minutes(
    app, client, admin, make_person, outbox
):
    person = make_person("new@example.org", verified=False)
    page = f"/admin/people/{person.id}"
    first = client.submit(f"{page}/resend-confirmation", page=page, follow_redirects=True)
    assert "A new confirmation link is on its way" in first.get_data(as_text=True)
    assert len(outbox("new@example.org")) == 1
    second = client.submit(f"{page}/resend-confirmation", page=page, follow_redirects=True)
    assert "less than 10 minutes ago" in second.get_data(as_text=True)
    assert len(outbox("new@example.org")) == 1
    assert len(_events(app, "account.confirmation_resent")) == 1


# Offerings ---------------------------------------------------------------------------------


def test_offerings_list_finds_drafts_and_filters_by_partner_and_status(
    client, admin, make_partner, make_offering, count_queries
):
    changwon = make_partner(slug="changwon-city", name="Changwon City")
    kncu = make_partner(slug="kncu", name="KNCU")
    make_offering(changwon, title="Urban gardening draft")
    make_offering(kncu, title="Climate café", status="published", sessions=[in_days(3)])
    page = client.get("/admin/offerings/?q=GARDEN").get_data(as_text=True)
    assert "Urban gardening draft" in page and "Climate café" not in page
    page = client.get("/admin/offerings/?partner=kncu&status=published").get_data(as_text=True)
    assert "Climate café" in page and "Urban gardening" not in page
    with count_queries() as few:
        client.get("/admin/offerings/")
    for number in range(30):
        make_offering(kncu, title=f"More {number}")
    with count_queries() as many:
        client.get("/admin/offerings/")
    assert len(many) == len(few)


def test_unpublishing_takes_it_out_of_public_view_and_tells_the_organizers(
    app, client, admin, login, make_person, make_partner, make_offering, register, outbox
):
    organizer = make_person("org@example.org", language="ko")
    participant = make_person("p@example.org")
    partner = make_partner(slug="changwon-city", members=[organizer])
    offering = make_offering(
        partner, title="Odd workshop", status="published", sessions=[in_days(4)]
    )
    register(offering, participant)
    assert client.get(f"/offerings/{offering.id}").status_code == 200
    assert "Odd workshop" in client.get("/feeds/all.ics").get_data(as_text=True)

    url = f"/admin/offerings/{offering.id}/unpublish"
    empty = client.submit(url, {"confirm": "yes", "reason": ""}, page="/admin/offerings/")
    assert empty.status_code == 422 and "Give a reason" in empty.get_data(as_text=True)
    long = client.submit(url, {"confirm": "yes", "reason": "x" * 501}, page="/admin/offerings/")
    assert long.status_code == 422
    done = client.submit(
        url, {"confirm": "yes", "reason": "Wrong venue address"}, page="/admin/offerings/"
    )
    assert done.status_code == 302

    assert client.get(f"/offerings/{offering.id}").status_code == 404
    assert "Odd workshop" not in client.get("/feeds/all.ics").get_data(as_text=True)
    assert "Odd workshop" not in client.get("/offerings?q=Odd").get_data(as_text=True)
    assert f"/offerings/{offering.id}" not in client.get("/sitemap.xml").get_data(as_text=True)
    with app.app_context():
        row = db.session.get(Offering, offering.id)
        assert row.status == "draft" and row.unpublished_reason == "Wrong venue address"
        assert db.session.scalar(
            select(Registration).where(Registration.offering_id == offering.id)
        )
    [mail] = outbox("org@example.org")
    assert "Wrong venue address" in mail_body(mail)
    assert "Odd workshop" in mail["Subject"]
    assert outbox("p@example.org") == []  # participants: nothing is cancelled
    [event] = _events(app, "offering.unpublished")
    assert event.note == "Wrong venue address" and event.offering_id == offering.id

    # The participant still finds it among their learning.
    client.post("/logout", data={"csrf_token": client.csrf_token("/")})
    login(participant)
    assert client.get(f"/me/learning/{offering.id}").status_code == 200
    client.post("/logout", data={"csrf_token": client.csrf_token("/")})
    login(admin)

    # The organizer sees why, cannot delete it, and may publish it again.
    workspace = client.get(f"/workspace/offerings/{offering.id}").get_data(as_text=True)
    assert "Unpublished by the site admins" in workspace and "Wrong venue address" in workspace
    # A second unpublish is refused.
    again = client.submit(url, {"confirm": "yes", "reason": "x"}, page="/admin/offerings/")
    assert again.status_code == 302
    assert len(outbox("org@example.org")) == 1


def test_an_unpublished_offering_cannot_be_deleted_as_a_draft(
    app, client, admin, make_partner, make_offering
):
    offering = make_offering(make_partner(), status="published", sessions=[in_days(4)])
    client.submit(
        f"/admin/offerings/{offering.id}/unpublish",
        {"confirm": "yes", "reason": "Check the dates"},
        page="/admin/offerings/",
    )
    client.submit(f"/workspace/offerings/{offering.id}/delete", page="/admin/offerings/")
    with app.app_context():
        assert db.session.get(Offering, offering.id) is not None


def test_unknown_offering_or_message_is_404_for_an_admin(client, admin):
    assert (
        client.submit("/admin/offerings/999999/unpublish", page="/admin/offerings/").status_code
        == 404
    )
    assert client.get("/admin/mail/999999").status_code == 404
    assert client.submit("/admin/mail/999999/retry", page="/admin/mail/").status_code == 404


# Partner proposals -------------------------------------------------------------------------


def test_partner_list_shows_who_proposed_a_pending_partner(app, client, make_person, login):
    citizen = make_person("proposer@example.org", name="Proposer Lee")
    login(citizen)
    client.submit(
        "/partners/propose",
        {
            "primary_language": "en",
            "name_en": "Green Masan",
            "slug": "green-masan",
            "kind": "ngo",
            "timezone": "Asia/Seoul",
            "description_en": "",
            "website": "",
        },
    )
    with app.app_context():
        partner = db.session.scalar(select(Partner).where(Partner.slug == "green-masan"))
        assert partner is not None and partner.proposed_by_id == citizen.id


def test_admin_sees_the_proposer(app, client, make_person, make_partner, login):
    proposer = make_person("proposer@example.org", name="Proposer Lee")
    partner = make_partner(approved=False, name="Green Masan")
    with app.app_context():
        db.session.get(Partner, partner.id).proposed_by_id = proposer.id
        db.session.commit()
    login(make_person(admin=True))
    page = client.get("/admin/partners/").get_data(as_text=True)
    assert "Proposed by Proposer Lee (proposer@example.org)" in page


# Mail --------------------------------------------------------------------------------------


def _message(app, status, *, secret=False, subject="Hello", attempts=5, error="SMTP down"):
    raw = (
        "From: site@example.org\r\nTo: a@example.org\r\nSubject: "
        f"{subject}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "Open https://example.org/reset/SECRETTOKEN123456789 to go on.\r\n"
    )
    with app.app_context():
        message = OutboxMessage(
            recipient="a@example.org",
            subject=subject,
            raw=raw,
            contains_secret=secret,
            status=status,
            attempts=attempts,
            last_error=error if status == OutboxStatus.FAILED else None,
        )
        db.session.add(message)
        db.session.commit()
        return message.id


def test_mail_page_counts_each_state_and_lists_failures_with_their_error(app, client, admin):
    _message(app, OutboxStatus.FAILED, subject="Broken one")
    _message(app, OutboxStatus.PENDING, subject="Waiting one", attempts=0)
    _message(app, OutboxStatus.SENT, subject="Done one", attempts=1)
    page = client.get("/admin/mail/").get_data(as_text=True)
    assert re.search(r"<strong>1</strong> failed", page)
    assert re.search(r"<strong>1</strong> waiting", page)
    assert re.search(r"<strong>1</strong> sent", page)
    assert "Broken one" in page and "SMTP down" in page and "Waiting one" in page


def test_a_single_use_link_never_appears_in_the_back_office(app, client, admin, outbox):
    secret = _message(app, OutboxStatus.PENDING, secret=True, attempts=0)
    plain = _message(app, OutboxStatus.FAILED, subject="Plain")
    # A real address-check mail, with its token.
    person_page = client.get("/admin/people/")
    assert person_page.status_code == 200
    page = client.get(f"/admin/mail/{secret}").get_data(as_text=True)
    assert "SECRETTOKEN" not in page and "its body is not shown" in page
    assert "SECRETTOKEN" in client.get(f"/admin/mail/{plain}").get_data(as_text=True)
    for url in ("/admin/mail/", "/admin/people/", "/admin/offerings/"):
        assert "SECRETTOKEN" not in client.get(url).get_data(as_text=True)


def test_verify_token_from_resend_is_not_shown(app, client, admin, make_person, outbox):
    person = make_person("fresh@example.org", verified=False)
    page = f"/admin/people/{person.id}"
    client.submit(f"{page}/resend-confirmation", page=page)
    link = re.search(r"/verify/(\S+)", mail_body(outbox("fresh@example.org")[0])).group(1)
    with app.app_context():
        message_id = db.session.scalar(
            select(OutboxMessage.id).where(OutboxMessage.recipient == "fresh@example.org")
        )
    for url in ("/admin/mail/", f"/admin/mail/{message_id}", page):
        assert link not in client.get(url).get_data(as_text=True)


def test_retrying_a_failed_message_puts_it_back_in_the_queue(app, client, admin):
    failed = _message(app, OutboxStatus.FAILED)
    sent = _message(app, OutboxStatus.SENT)
    response = client.submit(f"/admin/mail/{failed}/retry", page="/admin/mail/")
    assert response.status_code == 302
    with app.app_context():
        message = db.session.get(OutboxMessage, failed)
        assert message.status == OutboxStatus.PENDING and message.attempts == 0
    refused = client.submit(f"/admin/mail/{sent}/retry", page="/admin/mail/", follow_redirects=True)
    assert "Only a failed message" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(OutboxMessage, sent).status == OutboxStatus.SENT
    assert len(_events(app, "mail.retried")) == 1


def test_retry_all_asks_first_then_requeues_every_failed_message(app, client, admin):
    ids = [_message(app, OutboxStatus.FAILED) for _ in range(3)]
    asked = client.submit("/admin/mail/retry-failed", page="/admin/mail/")
    assert asked.status_code == 200 and "3 failed messages" in asked.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(OutboxMessage, ids[0]).status == OutboxStatus.FAILED
    done = client.submit("/admin/mail/retry-failed", {"confirm": "yes"}, page="/admin/mail/")
    assert done.status_code == 302
    with app.app_context():
        statuses = db.session.scalars(
            select(OutboxMessage.status).where(OutboxMessage.id.in_(ids))
        ).all()
    assert set(statuses) == {OutboxStatus.PENDING}
