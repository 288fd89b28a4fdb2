"""What a product tester found in the back office (issue 14): an offering the admins took down
as its participants and organizers see it, times in the site's zone, the people list on a
phone, the disabled-login notice, the mail lists by state, the re-enable step, the retry entry."""

from datetime import UTC, datetime

from sqlalchemy import select

from learning_platform.extensions import db
from learning_platform.models import AuditEvent, OutboxStatus, Person
from tests.factories import PASSWORD
from tests.test_backoffice import _message
from tests.test_workspace import in_days


def _logout(client):
    client.post("/logout", data={"csrf_token": client.csrf_token("/")})


def test_an_offering_the_admins_took_down_is_said_plainly_and_never_links_to_a_404(
    app, client, admin, login, make_person, make_partner, make_offering, register
):
    organizer = make_person("org@example.org")
    seated, waiting = make_person("seat@example.org"), make_person("wait@example.org")
    partner = make_partner(members=[organizer])
    offering = make_offering(
        partner, title="Odd workshop", status="published", sessions=[in_days(4)]
    )
    register(offering, seated)
    register(offering, waiting, status="waitlisted")
    url = f"/admin/offerings/{offering.id}/unpublish"

    # The admin sees who is registered and when it next meets before deciding.
    asked = client.submit(url, page="/admin/offerings/").get_data(as_text=True)
    assert "1 person holds a seat · 1 on the waitlist" in asked
    assert "Its next session is on" in asked and "(KST)" in asked
    client.submit(
        url, {"confirm": "yes", "reason": "Secret admin matter"}, page="/admin/offerings/"
    )
    _logout(client)

    for person in (seated, waiting):
        login(person)
        page = client.get("/me/learning").get_data(as_text=True)
        assert "Taken out of the catalog by the site administrators for now" in page
        assert "your place is kept" in page
        assert "Seat confirmed" not in page and "on the waitlist" not in page
        assert "Secret admin matter" not in page  # the reason may be sensitive
        assert f'href="/offerings/{offering.id}"' not in page
        assert f'href="/me/learning/{offering.id}"' in page
        own = client.get(f"/me/learning/{offering.id}").get_data(as_text=True)
        assert "Taken out of the catalog" in own and "Secret admin matter" not in own
        assert f'href="/offerings/{offering.id}"' not in own
        _logout(client)

    # The organizer's drafts tell it apart from an ordinary draft.
    make_offering(partner, title="Plain draft")
    login(organizer)
    drafts = client.get(f"/workspace/{partner.slug}/?tab=draft").get_data(as_text=True)
    assert drafts.count("Unpublished by the site admins") == 1


def test_a_public_offering_still_links_to_its_public_page(
    client, login, make_person, make_partner, make_offering, register
):
    person = make_person()
    offering = make_offering(make_partner(), status="published", sessions=[in_days(4)])
    register(offering, person)
    login(person)
    page = client.get("/me/learning").get_data(as_text=True)
    assert f'href="/offerings/{offering.id}"' in page and "Seat confirmed" in page
    assert "Taken out of the catalog" not in page


def test_back_office_times_are_in_the_site_zone_without_seconds(
    app, client, admin, make_person, make_partner
):
    person = make_person("kim@example.org", name="Kim")
    with app.app_context():
        row = db.session.get(Person, person.id)
        row.created_at = datetime(2026, 3, 3, 10, 0, 5, tzinfo=UTC)  # 19:00 in Seoul
        row.email_verified_at = datetime(2026, 3, 3, 23, 30, 0, tzinfo=UTC)  # the 4th there
        db.session.commit()
    page = client.get(f"/admin/people/{person.id}").get_data(as_text=True)
    page = page.replace("\u202f", " ")  # CLDR puts a narrow space before PM
    assert "Mar 3, 2026 7:00 PM" in page and "Mar 4, 2026 8:30 AM" in page
    assert "7:00:05" not in page and "3/3/26" not in page
    assert page.count("Times are in") == 1 and "(KST)" in page

    message = _message(app, OutboxStatus.SENT, subject="Done one")
    for url in ("/admin/mail/", f"/admin/mail/{message}", "/admin/partners/"):
        assert client.get(url).get_data(as_text=True).count("Times are in") == 1


def test_people_list_says_the_address_is_confirmed_not_a_seat(client, admin, make_person):
    make_person("new@example.org", verified=False)
    page = client.get("/admin/people/").get_data(as_text=True)
    assert "E-mail confirmed" in page and "E-mail not confirmed" in page
    assert ">Confirmed<" not in page


def test_a_disabled_account_is_told_above_the_form_not_under_the_password(app, client, make_person):
    person = make_person("gone@example.org")
    with app.app_context():
        db.session.get(Person, person.id).disabled_at = datetime.now(UTC)
        db.session.commit()
    page = client.submit("/login", {"email": person.email, "password": PASSWORD})
    body = page.get_data(as_text=True)
    assert page.status_code == 422 and "This account is disabled" in body
    assert 'aria-invalid="true"' not in body and "password-error" not in body
    contact = app.config["CONTACT_EMAIL"]
    assert f'<a href="mailto:{contact}">{contact}</a>' in body


def test_each_mail_count_lists_its_messages_a_page_at_a_time(app, client, admin, count_queries):
    _message(app, OutboxStatus.FAILED, subject="Broken one")
    _message(app, OutboxStatus.SENT, subject="Done one", attempts=1)
    overview = client.get("/admin/mail/").get_data(as_text=True)
    for state in ("pending", "sending", "sent", "failed"):
        assert f'href="/admin/mail/?status={state}"' in overview
    with count_queries() as few:
        sent = client.get("/admin/mail/?status=sent").get_data(as_text=True)
    assert "Done one" in sent and "Broken one" not in sent
    assert 'aria-current="page"' in sent
    for number in range(30):
        _message(app, OutboxStatus.SENT, subject=f"Bulk {number}", attempts=1)
    with count_queries() as many:
        first = client.get("/admin/mail/?status=sent").get_data(as_text=True)
    assert len(many) == len(few)
    assert "Page 1 of 2" in first and "status=sent&amp;page=2" in first
    assert "Done one" in client.get("/admin/mail/?status=sent&page=2").get_data(as_text=True)
    assert "No message is in this state" in client.get("/admin/mail/?status=sending").get_data(
        as_text=True
    )
    assert client.get("/admin/mail/?status=bogus").status_code == 404


def test_re_enabling_is_asked_without_the_danger_styling(app, client, admin, make_person):
    person = make_person()
    page = f"/admin/people/{person.id}"
    asked = client.submit(f"{page}/disable", page=page).get_data(as_text=True)
    assert "button--danger-solid" in asked and "notice--danger" in asked
    client.submit(f"{page}/disable", {"confirm": "yes", "reason": "Spam"}, page=page)
    asked = client.submit(f"{page}/enable", page=page).get_data(as_text=True)
    assert "Enable this account again?" in asked
    assert "button--danger-solid" not in asked and "notice--danger" not in asked


def test_a_mail_retry_names_the_recipient_in_the_entry_not_in_the_reason(app, client, admin):
    failed = _message(app, OutboxStatus.FAILED, subject="Broken one")
    client.submit(f"/admin/mail/{failed}/retry", page="/admin/mail/")
    with app.app_context():
        [event] = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "mail.retried")
        ).all()
    assert event.note == ""
    assert "a@example.org" in event.target_label and "Broken one" in event.target_label
    assert event.target_type == "outbox" and event.target_id == failed
