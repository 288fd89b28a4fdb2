"""Partner pages, proposals, admin approval and organizer memberships."""

import pytest
from sqlalchemy import func, select

from learning_platform.extensions import db
from learning_platform.models import Membership, Partner, Person, Registration


def partner_fields(**overrides) -> dict:
    return {
        "primary_language": "en",
        "name_en": "Gyeongnam Green School",
        "slug": "",
        "kind": "ngo",
        "description_en": "Climate walks along Masan Bay.",
        "description_ko": "마산만을 따라 걷는 기후 산책.",
        "website": "https://green.example.org",
        "timezone": "Asia/Seoul",
        **overrides,
    }


def partner_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Partner))


def listed(client, partner) -> bool:
    return f'href="/partners/{partner.slug}"' in client.get("/partners/").get_data(as_text=True)


def test_partner_pages_list_only_approved_partners(client, make_partner):
    shown = make_partner(
        name="Changwon City", description="Local action for global sustainability."
    )
    hidden = make_partner(name="Pending Club", approved=False)
    page = client.get("/partners/").get_data(as_text=True)
    assert "Changwon City" in page
    assert "Pending Club" not in page

    detail = client.get(f"/partners/{shown.slug}").get_data(as_text=True)
    assert "Local action for global sustainability." in detail
    assert client.get(f"/partners/{hidden.slug}").status_code == 404


def test_pending_partner_is_visible_to_its_members(client, make_person, make_partner, login):
    member = make_person()
    partner = make_partner(approved=False, members=[member])
    login(member)
    response = client.get(f"/partners/{partner.slug}")
    assert response.status_code == 200
    assert "waits for approval" in response.get_data(as_text=True)


def test_partner_description_is_shown_as_text_not_html(client, make_partner):
    partner = make_partner(description='<script>alert(1)</script>"><img src=x onerror=alert(2)>')
    page = client.get(f"/partners/{partner.slug}").get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_admin_creates_an_approved_partner(app, client, admin):
    response = client.submit("/admin/partners/new", partner_fields())
    assert response.status_code == 302
    with app.app_context():
        partner = db.session.scalar(select(Partner))
        assert (partner.slug, partner.approved) == ("gyeongnam-green-school", True)
    assert "Gyeongnam Green School" in client.get("/partners/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("website", "javascript:alert(1)", "https://"),
        ("website", "https://", "https://"),
        ("website", "http://[::1", "https://"),
        ("website", "https://exa mple.org", "https://"),
        ("slug", "propose", "already uses this web name"),
        ("timezone", "Asia/Changwon", "time zone"),
        ("timezone", "", "time zone"),
        ("slug", "Bad Slug!", "a–z"),
        ("name_en", "", "s name in its primary language."),
        ("name_en", "x" * 201, "at most 200"),
        ("description_en", "x" * 5001, "at most 5,000"),
        ("name_en", "Green\x00School", "control characters"),
        ("kind", "space_agency", "Not a valid choice"),
    ],
)
def test_bad_partner_input_is_refused_next_to_the_field(app, client, admin, field, value, message):
    response = client.submit("/admin/partners/new", partner_fields(**{field: value}))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert partner_count(app) == 0


def test_korean_name_needs_a_web_name(app, client, admin):
    response = client.submit(
        "/admin/partners/new",
        partner_fields(primary_language="ko", name_en="", name_ko="마산만 시민모임"),
    )
    assert response.status_code == 422
    assert "short web name" in response.get_data(as_text=True)
    response = client.submit(
        "/admin/partners/new",
        partner_fields(
            primary_language="ko", name_en="", name_ko="마산만 시민모임", slug="masan-bay"
        ),
    )
    assert response.status_code == 302
    assert "마산만 시민모임" in client.get("/partners/masan-bay").get_data(as_text=True)


def test_duplicate_web_name_is_refused(app, client, admin, make_partner):
    make_partner(slug="kncu")
    response = client.submit("/admin/partners/new", partner_fields(slug="kncu"))
    assert response.status_code == 422
    assert "already uses this web name" in response.get_data(as_text=True)
    assert partner_count(app) == 1


def test_admin_edits_a_partner(app, client, admin, make_partner):
    partner = make_partner(timezone="Asia/Seoul")
    response = client.submit(
        f"/admin/partners/{partner.slug}/edit",
        partner_fields(name_en="UNESCO Bangkok", slug=partner.slug, timezone="Asia/Bangkok"),
    )
    assert response.status_code == 302
    with app.app_context():
        saved = db.session.get(Partner, partner.id)
        assert (saved.name, saved.timezone) == ("UNESCO Bangkok", "Asia/Bangkok")


def test_citizen_proposes_and_admin_approves(app, client, make_person, login):
    citizen = make_person()
    login(citizen)
    response = client.submit(
        "/partners/propose",
        {**partner_fields(), "approved": "y", "partner_id": "1", "is_admin": "y"},
    )
    assert response.status_code == 302
    with app.app_context():
        partner = db.session.scalar(select(Partner))
        assert partner.approved is False  # the smuggled field changed nothing
        [membership] = partner.memberships
        assert (membership.person_id, membership.role) == (citizen.id, "manager")
    assert "waits for approval" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert not listed(client, partner)

    client.submit("/logout", page="/account")
    admin = make_person(admin=True)
    client.submit("/login", {"email": admin.email, "password": "correct horse battery staple"})
    listing = client.get("/admin/partners/").get_data(as_text=True)
    assert "Waiting for approval" in listing
    response = client.submit(f"/admin/partners/{partner.slug}/approve", page="/admin/partners/")
    assert response.status_code == 302
    assert listed(client, partner)

    suspend = f"/admin/partners/{partner.slug}/suspend"
    asked = client.submit(suspend, page="/admin/partners/")
    assert asked.status_code == 200 and "Keep it public" in asked.get_data(as_text=True)
    assert listed(client, partner)  # only asked: nothing hidden yet
    client.submit(suspend, {"confirm": "yes"}, page="/admin/partners/")
    assert not listed(client, partner)


def test_admin_adds_and_removes_an_organizer(app, client, admin, make_person, make_partner):
    organizer = make_person("organizer@example.org", name="박지훈")
    partner = make_partner()
    path = f"/workspace/{partner.slug}/members/"
    response = client.submit(path, {"email": "Organizer@Example.org", "role": "organizer"})
    assert response.status_code == 302
    page = client.get(path).get_data(as_text=True)
    assert "박지훈" in page

    again = client.submit(path, {"email": "organizer@example.org", "role": "organizer"})
    assert again.status_code == 422
    assert "already a member" in again.get_data(as_text=True)

    with app.app_context():
        membership_id = db.session.scalar(select(Membership.id))
    response = client.submit(f"{path}{membership_id}/remove", {"confirm": "yes"}, page=path)
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Membership)) == 0
    assert organizer.email not in client.get(path).get_data(as_text=True)


@pytest.mark.parametrize(
    ("email", "role", "message"),
    [
        ("nobody@example.org", "organizer", "Ask the person to sign up first"),
        ("not-an-email", "organizer", "name@example.com"),
        ("organizer@example.org", "owner", "Not a valid choice"),
    ],
)
def test_bad_member_input_is_refused(
    app, client, admin, make_person, make_partner, email, role, message
):
    make_person("organizer@example.org")
    partner = make_partner()
    response = client.submit(f"/workspace/{partner.slug}/members/", {"email": email, "role": role})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Membership)) == 0


def test_removing_a_membership_of_another_partner_is_404(
    app, client, admin, make_person, make_partner
):
    person = make_person()
    mine = make_partner()
    other = make_partner(members=[person])
    with app.app_context():
        membership_id = db.session.scalar(
            select(Membership.id).where(Membership.partner_id == other.id)
        )
    response = client.submit(
        f"/workspace/{mine.slug}/members/{membership_id}/remove", page="/admin/partners/"
    )
    assert response.status_code == 404


ADMIN_PAGES = [
    ("get", "/admin/partners/"),
    ("get", "/admin/partners/new"),
    ("get", "/admin/partners/{slug}/edit"),
    ("post", "/admin/partners/{slug}/approve"),
    ("post", "/admin/partners/{slug}/suspend"),
]


@pytest.mark.parametrize(("method", "path"), ADMIN_PAGES)
@pytest.mark.parametrize(
    ("role", "expected"), [("anonymous", 302), ("citizen", 403), ("organizer", 403)]
)
def test_admin_pages_by_role(
    client, make_person, make_partner, login, method, path, role, expected
):
    person = make_person()
    partner = make_partner(members=[person] if role == "organizer" else [])
    if role != "anonymous":
        login(person)
    url = path.format(slug=partner.slug)
    response = client.submit(url, page="/") if method == "post" else client.get(url)
    assert response.status_code == expected
    if expected == 302:
        assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize(
    "path", ["/admin/partners/{slug}/approve", "/admin/partners/{slug}/suspend"]
)
def test_state_changes_refuse_get(client, admin, make_partner, path):
    partner = make_partner()
    assert client.get(path.format(slug=partner.slug)).status_code == 405


def test_admin_page_for_an_unknown_partner_is_404(client, admin):
    assert client.get("/admin/partners/no-such/edit").status_code == 404


def test_a_suspended_partners_offerings_are_hidden_and_closed(
    app, client, make_person, make_partner, make_offering, login, register
):
    from tests.test_workspace import in_days

    organizer, admin, citizen, registered = (make_person() for _ in range(4))
    partner = make_partner(members=[organizer])
    offering = make_offering(partner, status="published", sessions=[in_days(10)], title="Tidal")
    register(offering, registered)
    with app.app_context():
        db.session.get(Person, admin.id).is_admin = True
        db.session.commit()
    login(admin)
    suspend = f"/admin/partners/{partner.slug}/suspend"
    assert client.submit(suspend, {"confirm": "yes"}, page="/").status_code == 302
    client.submit("/logout", page="/")
    session_id = offering.sessions[0].id
    assert client.get(f"/partners/{partner.slug}").status_code == 404
    assert client.get(f"/offerings/{offering.id}").status_code == 404
    assert "Tidal" not in client.get("/offerings").get_data(as_text=True)
    assert "Tidal" not in client.get("/feeds/all.ics").get_data(as_text=True)
    assert client.get(f"/feeds/offerings/{offering.id}.ics").status_code == 404
    assert client.get(f"/feeds/sessions/{session_id}.ics").status_code == 404
    login(citizen)
    page = "/offerings"
    assert client.submit(f"/offerings/{offering.id}/register", page=page).status_code == 404
    client.submit("/logout", page="/")
    login(registered)  # someone who already had a seat may still leave
    assert (
        client.submit(f"/offerings/{offering.id}/cancel", {"confirm": "yes"}, page=page).status_code
        == 302
    )
    with app.app_context():
        assert db.session.scalars(select(Registration.status)).all() == ["cancelled"]
