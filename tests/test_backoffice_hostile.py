"""What the back office and the audit trail must survive (an attacker's review of issue 14)."""

import pytest
from sqlalchemy import select

from learning_platform.extensions import db
from learning_platform.models import Membership, MembershipRole, Offering, Person
from tests.conftest import link_in, mail_body
from tests.factories import PASSWORD
from tests.test_workspace import in_days


def _logout(client):
    client.post("/logout", data={"csrf_token": client.csrf_token("/")})


def test_an_offering_taken_down_stays_out_of_public_view_when_its_organizer_cancels_it(
    app, client, admin, login, make_person, make_partner, make_offering
):
    organizer = make_person()
    partner = make_partner(members=[organizer])
    offering = make_offering(partner, title="Taken down", status="published", sessions=[in_days(4)])
    client.submit(
        f"/admin/offerings/{offering.id}/unpublish",
        {"confirm": "yes", "reason": "Hate speech"},
        page="/admin/offerings/",
    )
    _logout(client)
    login(organizer)
    cancelled = client.submit(
        f"/workspace/offerings/{offering.id}/cancel",
        {"confirm": "yes", "reason": "Never mind"},
        page=f"/workspace/offerings/{offering.id}",
    )
    assert cancelled.status_code == 302
    with app.app_context():
        assert db.session.get(Offering, offering.id).status == "cancelled"
    _logout(client)
    assert client.get(f"/offerings/{offering.id}").status_code == 404
    for path in ("/data/offerings.csv", "/data/offerings.json", "/feeds/all.ics"):
        assert "Taken down" not in client.get(path).get_data(as_text=True), path


def test_a_draft_cancelled_before_it_was_ever_published_is_never_public(
    app, client, organizer, make_offering
):
    _person, partner = organizer
    offering = make_offering(partner, title="Never published", sessions=[in_days(4)])
    response = client.submit(
        f"/workspace/offerings/{offering.id}/cancel",
        {"confirm": "yes", "reason": "Plans changed"},
        page=f"/workspace/offerings/{offering.id}",
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Offering, offering.id).status == "cancelled"
    _logout(client)
    assert client.get(f"/offerings/{offering.id}").status_code == 404
    for path in ("/feeds/all.ics", f"/feeds/partners/{partner.slug}.ics", "/data/offerings.json"):
        assert "Never published" not in client.get(path).get_data(as_text=True), path


@pytest.mark.parametrize("page", ["99999999999999999999", "9223372036854775807", "-3", "٣", "x"])
def test_any_page_number_gives_a_page_not_an_error(client, admin, page):
    for path in ("/admin/audit", "/admin/people/", "/admin/offerings/"):
        assert client.get(f"{path}?page={page}").status_code == 200, path


def test_flasks_own_url_arguments_in_the_query_string_change_nothing(client, admin, make_partner):
    page = client.get("/admin/audit?_method=POST&_external=1&_scheme=https&slug=x&action=")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'href="/admin/audit.csv"' in text  # a plain, relative link of this page's filters
    main = text.split("<main", 1)[1]
    assert "_method" not in main and "https://" not in main


def test_an_organizers_activity_takes_any_page_number(client, organizer):
    _person, partner = organizer
    for page in ("99999999999999999999", "0"):
        url = f"/workspace/{partner.slug}/activity?page={page}&_method=DELETE"
        assert client.get(url).status_code == 200


def test_a_disabled_manager_does_not_count_as_the_other_manager(
    app, client, make_person, make_partner, login
):
    stays, disabled = make_person(), make_person()
    partner = make_partner(members=[stays, disabled])
    with app.app_context():
        ids = {}
        for membership in db.session.scalars(select(Membership)):
            membership.role = MembershipRole.MANAGER
            ids[membership.person_id] = membership.id
        db.session.get(Person, disabled.id).disabled_at = db.func.now()
        db.session.commit()
    login(stays)
    path = f"/workspace/{partner.slug}/members/"
    response = client.submit(
        f"{path}{ids[stays.id]}/role", {"role": "organizer", "confirm": "yes"}, page=path
    )
    assert response.status_code in (302, 409, 422)
    with app.app_context():
        assert db.session.get(Membership, ids[stays.id]).role == MembershipRole.MANAGER


def test_a_disabled_account_gets_no_reset_link_and_its_old_links_do_nothing(
    app, client, admin, make_person, outbox
):
    person = make_person("gone@example.org", verified=False)
    client.post("/logout", data={"csrf_token": client.csrf_token("/")})
    client.submit("/reset", {"email": "gone@example.org"})
    [earlier] = outbox("gone@example.org")
    old_link = link_in(earlier, "/reset/")
    client.submit("/login", {"email": "root@example.org", "password": PASSWORD})
    disabled = client.submit(
        f"/admin/people/{person.id}/disable",
        {"confirm": "yes", "reason": "Spam"},
        page=f"/admin/people/{person.id}",
    )
    assert disabled.status_code == 302
    _logout(client)

    client.submit("/reset", {"email": "gone@example.org"})
    [_earlier, told] = outbox("gone@example.org")
    body = mail_body(told)
    assert "disabled" in body and "/reset/" not in body
    assert client.get(old_link).status_code in (404, 410)
    with app.app_context():
        assert db.session.get(Person, person.id).email_verified_at is None
