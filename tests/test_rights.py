"""Trust and rights: the site's pages and their versions, consent at sign-up, downloading
one's data and deleting one's account."""

import json
import re

import pytest
from sqlalchemy import func, select

from learning_platform.accounts.services import new_feed_token
from learning_platform.extensions import db
from learning_platform.mail.services import build_message, enqueue
from learning_platform.models import (
    Attendance,
    Consent,
    LoginSession,
    Membership,
    MembershipRole,
    Offering,
    OutboxMessage,
    PageSlug,
    Person,
    Registration,
    SitePage,
    utcnow,
)
from tests.conftest import link_in, mail_body
from tests.factories import PASSWORD
from tests.test_workspace import in_days

PAGES = ["/about", "/privacy", "/terms", "/contact"]


def korean(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ko"
    return client


def text_of(response) -> str:
    return response.get_data(as_text=True)


def save_page(client, path: str, **fields):
    data = {"title": "Title", "body": "Body", **fields}
    return client.submit(path, data)


# The pages -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
def test_every_page_is_linked_from_the_footer_in_english_and_korean(client, path):
    home = text_of(client.get("/"))
    assert f'href="{path}"' in home
    english = text_of(client.get(path))
    korean_page = text_of(korean(client).get(path))
    assert english != korean_page
    assert "not yet available" not in english
    assert 'lang="ko"' in korean_page and "아직" not in korean_page


def test_the_built_in_privacy_policy_says_what_is_stored_and_for_how_long(make_app):
    app = make_app(MAIL_KEEP_SENT_DAYS=14, CONTACT_EMAIL="privacy@city.example")
    page = text_of(app.test_client().get("/privacy", headers={"Accept-Language": "en"}))
    for words in ("registrations", "Attendance", "outbox", "logs", "Download my data"):
        assert words in page
    assert "Sent mail: 14 days" in page  # the setting, not a number written once
    assert 'href="mailto:privacy@city.example"' in page
    assert "Version 1, in effect since December 1, 2026" in page
    korean_page = text_of(app.test_client().get("/privacy", headers={"Accept-Language": "ko"}))
    assert "개인정보 처리방침" in korean_page and "14일" in korean_page


def test_an_admin_edits_a_page_in_markdown_and_readers_see_it_sanitised(client, admin):
    response = save_page(
        client,
        "/admin/pages/about/en",
        title="About the platform",
        body="## Our story\n\n<script>alert(1)</script> [click](javascript:alert(1)) **bold**",
    )
    assert response.status_code == 302
    page = text_of(client.get("/about"))
    assert "<h1" in page and "About the platform" in page
    assert "<h3>Our story</h3>" in page  # the page's h1 is its title
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)" in page
    assert 'href="javascript' not in page
    assert "<strong>bold</strong>" in page
    # The other language keeps its own text.
    client.submit("/logout", page="/")
    assert "About the platform" not in text_of(korean(client).get("/about"))


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "a\x00b"}, "title"),
        ({"body": "x" * 50_001}, "body"),
        ({"body": "nul \x00 byte"}, "body"),
    ],
)
def test_bad_page_input_is_refused_next_to_the_field_and_changes_nothing(
    app, client, admin, fields, field
):
    response = save_page(client, "/admin/pages/terms/ko", **fields)
    assert response.status_code == 422
    assert f'id="{field}-error"' in text_of(response)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SitePage)) == 0


@pytest.mark.parametrize("path", ["/admin/pages/imprint/en", "/admin/pages/about/fr"])
def test_an_unknown_page_or_language_is_not_found(client, admin, path):
    assert client.get(path).status_code == 404


def test_only_site_admins_edit_pages(client, make_person, login):
    login(make_person())
    assert client.get("/admin/pages/").status_code == 403
    assert save_page(client, "/admin/pages/about/en").status_code == 403


def test_a_page_without_text_in_the_readers_language_falls_back_with_a_note(client, admin):
    assert save_page(client, "/admin/pages/contact/en", title="Contact", body="").status_code == 302
    page = text_of(client.get("/contact"))
    assert "This page is not yet available in English. It is shown in 한국어." in page
    assert '<article class="site-page" aria-labelledby="page-title" lang="ko">' in page
    assert "문의" in page
    listing = text_of(client.get("/admin/pages/"))
    assert "Missing: another language is shown" in listing


def test_a_page_emptied_in_every_language_shows_its_built_in_text(client, admin):
    for language in ("en", "ko"):
        save_page(client, f"/admin/pages/about/{language}", title="About", body=" ")
    page = text_of(client.get("/about"))
    assert "Who we are" in page


def test_saving_a_new_version_dates_it_and_only_then(app, client, admin):
    save_page(client, "/admin/pages/privacy/en", title="Privacy policy", body="Fixed a typo.")
    assert "Version 1," in text_of(client.get("/privacy"))
    response = save_page(
        client, "/admin/pages/privacy/en", title="Privacy policy", body="New.", new_version="y"
    )
    assert response.status_code == 302
    assert "Version 2, in effect since" in text_of(client.get("/privacy"))
    # Pages nobody agrees to have no versions.
    save_page(client, "/admin/pages/about/en", new_version="y")
    with app.app_context():
        versions = dict(db.session.execute(select(SitePage.slug, SitePage.version)).all())
    assert versions == {PageSlug.PRIVACY: 2, PageSlug.ABOUT: 1}


# Consent and new versions --------------------------------------------------------------------

SIGNUP = {
    "email": "minji@example.org",
    "display_name": "김민지",
    "password": "바다를 지키는 시민 2026",
    "preferred_language": "ko",
}


def test_sign_up_requires_consent_next_to_the_checkbox(app, client):
    response = client.submit("/signup", SIGNUP)
    assert response.status_code == 422
    page = text_of(response)
    assert re.search(r'id="consent-error">.*agree to the privacy policy', page)
    assert 'href="/privacy"' in page and 'href="/terms"' in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Person)) == 0


def test_sign_up_records_consent_to_the_current_versions(app, client, admin):
    save_page(client, "/admin/pages/terms/ko", new_version="y")
    client.submit("/logout", page="/")
    assert client.submit("/signup", {**SIGNUP, "consent": "y"}).status_code == 302
    with app.app_context():
        consents = db.session.execute(
            select(Consent.page, Consent.version, Consent.consented_at)
            .join(Person, Person.id == Consent.person_id)
            .where(Person.email == "minji@example.org")
            .order_by(Consent.page)
        ).all()
    assert [(page, version) for page, version, _at in consents] == [
        (PageSlug.PRIVACY, 1),
        (PageSlug.TERMS, 2),
    ]
    assert all(at is not None for _page, _version, at in consents)


def agreed(app, person, version: int = 1) -> None:
    with app.app_context():
        for page in (PageSlug.PRIVACY, PageSlug.TERMS):
            db.session.add(Consent(person_id=person.id, page=page, version=version))
        db.session.commit()


def test_people_who_agreed_to_an_older_version_are_asked_to_read_the_new_one(
    app, make_app, client, make_person, login
):
    reader, newcomer = make_person(), make_person()
    agreed(app, reader)
    with app.app_context():
        db.session.add(SitePage(slug=PageSlug.PRIVACY, version=2))
        db.session.commit()
    agreed(app, newcomer, version=2)

    login(newcomer)
    assert "We have updated our policies" not in text_of(client.get("/"))
    client.submit("/logout", page="/")
    login(reader)
    page = text_of(client.get("/offerings"))
    assert "We have updated our policies" in page
    assert 'href="/privacy">Privacy policy</a>: version 2' in page
    assert 'href="/terms">Terms of use</a>: version' not in page  # unchanged
    assert client.get("/me/learning").status_code == 200  # a word, not a wall

    response = client.submit("/account/agreements", {"next": "/offerings"}, page="/offerings")
    assert response.headers["Location"] == "/offerings"
    assert "We have updated our policies" not in text_of(client.get("/offerings"))


def test_the_notice_costs_no_query_to_those_with_nothing_to_review(
    app, client, make_person, login, count_queries
):
    reader = make_person()
    agreed(app, reader)
    login(reader)
    client.get("/account")
    with count_queries() as before:
        client.get("/account")
    with app.app_context():
        db.session.add(SitePage(slug=PageSlug.TERMS, version=3))
        db.session.commit()
    with count_queries() as after:
        assert "We have updated our policies" in text_of(client.get("/account"))
    assert len(after) == len(before) + 2  # the consents, the versions: only when shown


# Download my data ----------------------------------------------------------------------------


@pytest.fixture
def course(make_partner, make_offering):
    partner = make_partner(name="Changwon City")
    return make_offering(
        partner,
        status="published",
        title="Rain gardens",
        capacity=1,
        sessions=[in_days(5), in_days(12)],
    )


def test_my_data_is_a_json_file_of_everything_and_no_secret(
    app, client, make_person, make_partner, login, course, register, outbox
):
    person = make_person(name="Minji", language="ko")
    other = make_person(name="Somebody Else")
    partner = make_partner(name="Masan Bay", members=[person])
    agreed(app, person)
    register(course, other)
    register(course, person, status="waitlisted")
    with app.app_context():
        token = new_feed_token(db.session.get(Person, person.id))
        db.session.commit()
    client.submit("/reset", {"email": person.email})  # a mail with a single-use link
    reset_link = link_in(outbox(person.email)[-1], "/reset/")
    login(person)

    response = client.get("/account/data")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert re.fullmatch(
        r'attachment; filename="my-data-\d{4}-\d\d-\d\d\.json"',
        response.headers["Content-Disposition"],
    )
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data())
    assert data["profile"]["email"] == person.email
    assert data["profile"]["display_name"] == "Minji"
    assert data["profile"]["preferred_language"] == "ko"
    assert {(c["document"], c["version"]) for c in data["consents"]} == {
        ("privacy", 1),
        ("terms", 1),
    }
    assert data["calendar_feed"]["exists"] is True
    assert [m["partner"] for m in data["organizer_of"]] == [partner.name]
    [registration] = data["registrations"]
    assert registration["status"] == "waitlisted"
    assert registration["offering"]["title"] == "Rain gardens"
    assert registration["offering"]["partner"] == "Changwon City"
    assert [s["attended"] for s in registration["sessions"]] == [None, None]
    assert len(data["login_sessions"]) == 1
    [reset_mail] = data["mail"]
    assert reset_mail["subject"] and reset_mail["text"] is None

    raw = response.get_data(as_text=True)
    with app.app_context():
        stored = db.session.get(Person, person.id)
        secrets = [stored.password_hash, stored.feed_token_hash, token, reset_link.split("/")[-1]]
        secrets += db.session.scalars(select(LoginSession.token_hash)).all()
    assert not [secret for secret in secrets if secret in raw]
    assert other.email not in raw and "Somebody Else" not in raw


def test_my_data_has_attendance_and_mail_text(
    app, client, make_person, login, make_partner, make_offering, register
):
    person = make_person()
    past = make_offering(
        make_partner(), status="published", sessions=[in_days(-9), in_days(-2)], title="Done"
    )
    register(past, person)
    with app.app_context():
        registration = db.session.scalar(select(Registration))
        for session, present in zip(past.sessions, (True, False), strict=True):
            db.session.add(
                Attendance(session_id=session.id, registration_id=registration.id, present=present)
            )
        enqueue(build_message(person.email, "Hello", "See you on Tuesday."))
        db.session.commit()
    login(person)
    data = client.get("/account/data").get_json()
    assert [s["attended"] for s in data["registrations"][0]["sessions"]] == [True, False]
    assert data["mail"][0]["text"].strip() == "See you on Tuesday."


def test_my_data_takes_the_same_number_of_queries_whatever_its_size(
    app, client, make_person, make_partner, make_offering, register, login, count_queries
):
    person = make_person()
    partner = make_partner()

    def join(count: int) -> None:
        for _ in range(count):
            offering = make_offering(partner, status="published", sessions=[in_days(3)])
            register(offering, person)

    join(1)
    login(person)
    client.get("/account/data")
    with count_queries() as small:
        client.get("/account/data")
    join(12)
    with count_queries() as large:
        client.get("/account/data")
    assert len(large) == len(small) <= 10


# Delete my account ---------------------------------------------------------------------------


def delete_account(client, password: str = PASSWORD):
    return client.submit("/account/delete", {"password": password})


def test_the_confirmation_page_says_what_happens_and_works_without_javascript(
    client, make_person, login
):
    login(make_person())
    page = text_of(client.get("/account"))
    assert 'href="/account/delete"' in page and 'href="/account/data"' in page
    page = text_of(client.get("/account/delete"))
    assert "This cannot be undone" in page
    assert '<form method="post"' in page and 'name="password"' in page


def test_a_wrong_password_is_refused_next_to_the_field_and_deletes_nothing(
    app, client, make_person, login
):
    person = make_person()
    login(person)
    response = delete_account(client, "not my password")
    assert response.status_code == 422
    assert re.search(r'id="password-error">.*This is not your password', text_of(response))
    assert delete_account(client, "").status_code == 422
    assert client.get("/account").status_code == 200  # still logged in
    with app.app_context():
        assert db.session.get(Person, person.id).deleted_at is None


def test_deleting_erases_the_person_and_gives_their_seat_to_the_waitlist(
    app, client, make_app, make_person, login, course, register, outbox
):
    person = make_person("leaving@example.org", name="Leaving Person")
    waiting = make_person(name="Next In Line")
    register(course, person)
    register(course, waiting, status="waitlisted")
    with app.app_context():
        enqueue(build_message(person.email, "Pending", "Not sent yet."))
        token = new_feed_token(db.session.get(Person, person.id))
        db.session.commit()
    other_device = make_app().test_client()
    other_device.submit("/login", {"email": person.email, "password": PASSWORD})
    assert other_device.get("/account").status_code == 200
    login(person)

    response = delete_account(client)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Your account is deleted" in text_of(client.get("/"))
    assert client.get("/account").status_code == 302  # logged out here
    assert other_device.get("/account").status_code == 302  # and everywhere
    assert client.get(f"/feeds/me/{token}.ics").status_code == 404

    with app.app_context():
        erased = db.session.get(Person, person.id)
        assert erased.email == f"deleted-{person.id}@deleted.invalid"
        assert erased.display_name == "Deleted account"
        assert erased.deleted_at is not None and erased.feed_token_hash is None
        statuses = dict(
            db.session.execute(select(Registration.person_id, Registration.status)).all()
        )
        assert db.session.get(Offering, course.id).seats_taken == 1
        assert db.session.scalar(select(func.count()).select_from(LoginSession)) == 0
    assert (statuses[person.id], statuses[waiting.id]) == ("cancelled", "confirmed")
    [promotion] = outbox(waiting.email)
    assert "seat" in promotion["Subject"].lower()
    assert outbox(person.email) == []  # the pending mail is dropped, no goodbye stored
    assert outbox(f"deleted-{person.id}@deleted.invalid") == []

    failed = client.submit("/login", {"email": person.email, "password": PASSWORD})
    assert failed.status_code == 422
    # The address is free: signing up with it makes a new person.
    again = {**SIGNUP, "email": person.email, "consent": "y"}
    assert client.submit("/signup", again).status_code == 302
    with app.app_context():
        newcomer = db.session.scalar(select(Person).where(Person.email == person.email))
        assert newcomer.id != person.id and newcomer.deleted_at is None
    assert "/verify/" in mail_body(outbox(person.email)[-1])


def test_a_deleted_persons_past_learning_still_counts(
    app, client, make_person, make_partner, make_offering, register, login
):
    organizer, person, stays = make_person(), make_person(), make_person()
    partner = make_partner(members=[organizer])
    started = make_offering(
        partner, status="published", sessions=[in_days(-3), in_days(4)], capacity=5
    )
    register(started, person)
    register(started, stays)
    with app.app_context():
        mine = db.session.scalar(select(Registration.id).where(Registration.person_id == person.id))
        db.session.add(
            Attendance(session_id=started.sessions[0].id, registration_id=mine, present=True)
        )
        db.session.commit()
    login(person)
    assert delete_account(client).status_code == 302
    with app.app_context():
        assert db.session.get(Offering, started.id).seats_taken == 2
        assert db.session.scalar(select(func.count()).select_from(Attendance)) == 1
        assert db.session.get(Registration, mine).status == "confirmed"
    login(organizer)
    page = text_of(client.get(f"/workspace/offerings/{started.id}/attendees"))
    assert "2 of 5 seats taken" in page
    assert "Deleted account" in page and person.email not in page


def test_the_only_manager_of_a_partner_must_hand_over_first(
    app, client, make_person, make_partner, login
):
    manager, organizer = make_person(), make_person()
    partner = make_partner(name="Masan Bay", members=[manager, organizer])
    with app.app_context():
        membership = db.session.scalar(select(Membership).where(Membership.person_id == manager.id))
        membership.role = MembershipRole.MANAGER
        db.session.commit()
    login(manager)
    page = text_of(client.get("/account/delete"))
    assert "You are the only manager of these organisations" in page
    assert f'href="/workspace/{partner.slug}/members/"' in page
    assert 'name="password"' not in page
    response = delete_account(client)
    assert response.status_code == 422
    assert "You are the only manager of these organisations" in text_of(response)
    with app.app_context():
        assert db.session.get(Person, manager.id).deleted_at is None
        assert db.session.scalar(select(func.count()).select_from(Membership)) == 2

    # An organizer leaves freely; with a second manager, so does the first.
    client.submit("/logout", page="/")
    login(organizer)
    assert delete_account(client).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Membership)) == 1


def test_deleting_needs_a_post_with_the_csrf_token(client, make_person, login):
    login(make_person())
    assert client.post("/account/delete", data={"password": PASSWORD}).status_code == 400
    assert client.get("/account").status_code == 200


def test_mail_to_an_erased_address_is_never_stored(app):
    with app.app_context():
        assert enqueue(build_message("deleted-7@deleted.invalid", "Hi", "x")) is None
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


@pytest.mark.committed  # the racing requests run on connections of their own
def test_two_managers_deleting_their_accounts_at_once_leave_one_manager(
    race_app, make_person, make_partner
):
    from tests.test_races import _client, _race

    a, b = make_person(), make_person()
    make_partner(members=[a, b])
    with race_app.app_context():
        for membership in db.session.scalars(select(Membership)):
            membership.role = MembershipRole.MANAGER
        db.session.commit()
    posts = []
    for person in (a, b):
        client = _client(race_app, person)
        token = client.csrf_token("/account/delete")
        posts.append((client, "/account/delete", {"csrf_token": token, "password": PASSWORD}))
    statuses = _race(race_app, posts, lambda s: "count(*)" in s and "membership" in s)
    with race_app.app_context():
        managers = db.session.scalar(
            select(func.count()).where(Membership.role == MembershipRole.MANAGER)
        )
        deleted = db.session.scalar(select(func.count()).where(Person.deleted_at.is_not(None)))
    assert sorted(statuses) == [302, 422]
    assert (managers, deleted) == (1, 1)


@pytest.mark.committed
def test_a_registration_at_the_moment_of_deletion_never_keeps_a_seat(
    race_app, make_person, make_partner, make_offering
):
    from tests.test_races import _client, _race

    person = make_person()
    offering = make_offering(make_partner(), status="published", sessions=[in_days(6)])
    page = f"/offerings/{offering.id}"
    deleting, registering = _client(race_app, person), _client(race_app, person)
    posts = [
        (
            deleting,
            "/account/delete",
            {"csrf_token": deleting.csrf_token("/account/delete"), "password": PASSWORD},
        ),
        (registering, f"{page}/register", {"csrf_token": registering.csrf_token(page)}),
    ]
    statuses = _race(
        race_app, posts, lambda s: s.lstrip().startswith(("UPDATE person", "UPDATE offering"))
    )
    assert statuses == [302, 302]
    with race_app.app_context():
        held = db.session.scalar(
            select(func.count()).where(
                Registration.person_id == person.id, Registration.status != "cancelled"
            )
        )
        assert (held, db.session.get(Offering, offering.id).seats_taken) == (0, 0)


def test_a_login_that_raced_the_deletion_opens_nothing(app, client, make_person, login):
    """A login session made in the instant of a deletion belongs to an erased account: it is
    refused as if it did not exist."""
    person = make_person()
    login(person)
    with app.app_context():
        db.session.get(Person, person.id).deleted_at = utcnow()
        db.session.commit()
    response = client.get("/me/learning")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
