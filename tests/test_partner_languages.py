"""A partner's name, description and city in Korean, English and Thai: the forms that write
them, and every page that names the partner in its reader's language."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from learning_platform.extensions import db
from learning_platform.models import AuditEvent, OfferingSession, Partner, Person, utcnow
from tests.test_workspace import in_days

CHANGWON = {
    "name": "창원특례시",
    "city": "창원",
    "description": "지속가능한 도시를 위한 배움.",
    "primary_language": "ko",
    "translations": {
        "en": {"name": "Changwon City", "city": "Changwon", "description": "Learning city."},
        "th": {"name": "เมืองชางวอน", "city": "ชางวอน", "description": "เมืองแห่งการเรียนรู้"},
    },
}


def fields(**overrides) -> dict:
    return {
        "primary_language": "ko",
        "name_ko": "마산만 시민모임",
        "city_ko": "창원",
        "description_ko": "마산만을 따라 걷는 기후 산책.",
        "name_en": "Masan Bay Citizens",
        "city_en": "Changwon",
        "description_en": "",
        "name_th": "",
        "city_th": "",
        "description_th": "",
        "slug": "masan-bay",
        "kind": "ngo",
        "website": "",
        "timezone": "Asia/Seoul",
        **overrides,
    }


def page(client, path: str, language: str, person=None) -> str:
    """The page at `path` read in `language`: chosen with the language switch, or the
    logged-in `person`'s preferred language."""
    with client.application.app_context():
        if person is not None:
            db.session.get(Person, person.id).preferred_language = language
            db.session.commit()
    with client.session_transaction() as session:
        session["lang"] = language
    return client.get(path, follow_redirects=True).get_data(as_text=True)


def saved(app, slug: str = "masan-bay") -> Partner:
    with app.app_context():
        partner = db.session.scalar(select(Partner).where(Partner.slug == slug))
        db.session.expunge(partner)
        return partner


# The forms -------------------------------------------------------------------------------


def test_admin_creates_a_partner_in_two_languages(app, client, admin):
    response = client.submit("/admin/partners/new", fields())
    assert response.status_code == 302
    partner = saved(app)
    assert partner.primary_language == "ko"
    assert partner.texts("name") == {"ko": "마산만 시민모임", "en": "Masan Bay Citizens"}
    assert partner.texts("city") == {"ko": "창원", "en": "Changwon"}
    assert partner.written_in() == ["ko", "en"]  # no empty Thai copy
    assert "th" not in partner.translations


def test_the_edit_form_shows_each_language_in_its_own_field_whatever_the_admins_language(
    app, client, admin, make_partner
):
    partner = make_partner(slug="changwon", **CHANGWON)
    for language in ("en", "th", "ko"):
        form = page(client, f"/admin/partners/{partner.slug}/edit", language, admin)
        assert 'name="name_ko" type="text" value="창원특례시"' in form
        assert 'name="name_en" type="text" value="Changwon City"' in form
        assert 'name="name_th" type="text" value="เมืองชางวอน"' in form
        assert 'lang="th"' in form


def test_an_english_speaking_admin_saving_changes_no_korean_text(app, client, admin, make_partner):
    partner = make_partner(slug="changwon", **CHANGWON)
    form = fields(
        slug="changwon",
        name_ko="창원특례시",
        city_ko="창원",
        description_ko="지속가능한 도시를 위한 배움.",
        name_en="Changwon Special City",
        city_en="Changwon",
        description_en="Learning city.",
        name_th="เมืองชางวอน",
        city_th="ชางวอน",
        description_th="เมืองแห่งการเรียนรู้",
    )
    response = client.submit(f"/admin/partners/{partner.slug}/edit", form)
    assert response.status_code == 302
    partner = saved(app, "changwon")
    assert partner.text("name", "ko") == "창원특례시"
    assert partner.text("name", "en") == "Changwon Special City"
    with app.app_context():
        entry = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert entry.changes == {"name.en": ["Changwon City", "Changwon Special City"]}


def test_changing_the_primary_language_keeps_every_text_in_its_language(
    app, client, admin, make_partner
):
    partner = make_partner(slug="changwon", **CHANGWON)
    form = fields(
        slug="changwon",
        primary_language="en",
        name_ko="창원특례시",
        city_ko="창원",
        description_ko="",
        name_en="Changwon City",
        city_en="Changwon",
        description_en="",
    )
    assert client.submit(f"/admin/partners/{partner.slug}/edit", form).status_code == 302
    partner = saved(app, "changwon")
    assert partner.primary_language == "en"
    assert partner.texts("name") == {"en": "Changwon City", "ko": "창원특례시"}
    assert partner.text("description", "ko") == ""  # emptied: removed


def test_a_translation_is_audited_by_language(app, client, admin, make_partner):
    partner = make_partner(slug="changwon", **{**CHANGWON, "translations": {}})
    form = fields(
        slug="changwon",
        name_ko="창원특례시",
        city_ko="창원",
        description_ko="지속가능한 도시를 위한 배움.",
        name_en="",
        city_en="",
        name_th="เมืองชางวอน",
        city_th="ชางวอน",
    )
    assert client.submit(f"/admin/partners/{partner.slug}/edit", form).status_code == 302
    with app.app_context():
        entry = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert entry.changes == {
            "name.th": ["", "เมืองชางวอน"],
            "city.th": ["", "ชางวอน"],
        }
    trail = page(client, "/admin/audit", "en")
    assert "Name (Thai)" in trail and "เมืองชางวอน" in trail


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name_ko": ""}, "name_ko", "name in its primary language"),
        ({"primary_language": "th"}, "name_th", "name in its primary language"),
        ({"primary_language": "fr"}, "primary_language", "Not a valid choice"),
        ({"name_th": "ก" * 201}, "name_th", "at most 200"),
        ({"city_en": "x" * 101}, "city_en", "at most 100"),
        ({"description_th": "ก" * 5001}, "description_th", "at most 5,000"),
        ({"name_en": "Masan\x00Bay"}, "name_en", "control characters"),
    ],
)
def test_bad_texts_are_refused_next_to_their_field(app, client, admin, overrides, field, message):
    response = client.submit("/admin/partners/new", fields(**overrides))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert f'id="{field}-error"' in body
    assert message in body
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Partner)) == 0


def test_a_proposal_takes_texts_in_several_languages(app, client, make_person, login):
    login(make_person())
    proposal = fields(primary_language="th", name_th="ยูเนสโก กรุงเทพฯ", city_th="กรุงเทพฯ")
    assert client.submit("/partners/propose", proposal).status_code == 302
    partner = saved(app)
    assert partner.primary_language == "th"
    assert partner.texts("name") == {
        "th": "ยูเนสโก กรุงเทพฯ",
        "ko": "마산만 시민모임",
        "en": "Masan Bay Citizens",
    }


def test_a_new_partner_starts_in_the_language_of_the_form(client, make_person, login):
    person = make_person()
    login(person)
    form = page(client, "/partners/propose", "th", person)
    assert '<option selected value="th">' in form


def test_the_web_name_is_made_from_the_english_name(app, client, admin):
    response = client.submit("/admin/partners/new", fields(slug=""))
    assert response.status_code == 302
    assert saved(app, "masan-bay-citizens").text("name", "ko") == "마산만 시민모임"


# Where the name shows ----------------------------------------------------------------------


def test_a_thai_reader_sees_the_thai_name_on_the_catalog_filter_and_the_partner_page(
    client, make_partner
):
    partner = make_partner(slug="changwon", **CHANGWON)
    catalog = page(client, "/offerings", "th")
    assert '<option value="changwon">เมืองชางวอน</option>' in catalog
    detail = page(client, f"/partners/{partner.slug}", "th")
    assert "เมืองชางวอน" in detail and "창원특례시" not in detail
    assert "เมืองแห่งการเรียนรู้" in detail
    assert "Changwon City" in page(client, f"/partners/{partner.slug}", "en")
    assert "창원특례시" in page(client, f"/partners/{partner.slug}", "ko")


def test_a_name_not_written_in_the_readers_language_falls_back_to_the_primary_one(
    client, make_partner
):
    make_partner(slug="kncu", name="유네스코한국위원회", primary_language="ko")
    assert "유네스코한국위원회" in page(client, "/partners/", "th")


def test_the_partner_index_sorts_by_the_name_the_reader_reads(client, make_partner):
    make_partner(slug="changwon", **CHANGWON)
    make_partner(
        slug="bangkok",
        name="UNESCO Bangkok",
        primary_language="en",
        translations={"ko": {"name": "유네스코 방콕"}, "th": {"name": "ยูเนสโก กรุงเทพฯ"}},
    )
    english = page(client, "/partners/", "en")
    assert english.index("Changwon City") < english.index("UNESCO Bangkok")
    korean = page(client, "/partners/", "ko")
    assert korean.index("유네스코 방콕") < korean.index("창원특례시")
    thai = page(client, "/partners/", "th")
    # เมือง sorts under ม (its consonant), before ย.
    assert thai.index("เมืองชางวอน") < thai.index("ยูเนสโก กรุงเทพฯ")


def test_admin_lists_and_the_alliance_report_name_partners_and_cities_in_the_readers_language(
    client, admin, make_partner, make_offering
):
    partner = make_partner(slug="changwon", **CHANGWON)
    make_offering(partner, status="published", sessions=[in_days(-3)])
    assert "เมืองชางวอน" in page(client, "/admin/partners/", "th", admin)
    report = page(client, "/admin/report?preset=last-12-months", "th", admin)
    assert "เมืองชางวอน" in report and "ชางวอน" in report
    assert "창원특례시" not in report
    report = page(client, "/admin/report?preset=last-12-months", "en", admin)
    assert "Changwon City" in report and ">Changwon<" in report


def test_the_workspace_names_the_partner_in_the_organizers_language(
    client, make_person, make_partner, login
):
    organizer = make_person()
    partner = make_partner(slug="changwon", members=[organizer], **CHANGWON)
    login(organizer)
    assert "Changwon City" in page(client, f"/workspace/{partner.slug}", "en", organizer)
    assert "เมืองชางวอน" in page(client, f"/workspace/{partner.slug}", "th", organizer)


# Themes ------------------------------------------------------------------------------------


def test_admin_writes_a_themes_thai_name_and_readers_see_it(app, client, admin, make_theme):
    theme = make_theme()
    listing = page(client, "/admin/themes/", "en", admin)
    assert "Missing: English is shown" in listing
    form = {
        f"{field}_{code}": getattr(theme, f"{field}_{code}") or ""
        for field in ("name", "description")
        for code in ("ko", "en", "th")
    }
    form.update(name_th="การเรียนรู้เพื่อสภาพภูมิอากาศ", description_th="ลงมือทำเพื่อโลก")
    response = client.submit(f"/admin/themes/{theme.slug}/edit", form)
    assert response.status_code == 302
    with app.app_context():
        entry = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert entry.action == "theme.edited"
        assert entry.changes["name.th"] == ["", "การเรียนรู้เพื่อสภาพภูมิอากาศ"]
    client.submit("/logout", page="/account")
    assert "การเรียนรู้เพื่อสภาพภูมิอากาศ" in page(client, "/themes", "th")
    assert theme.name_en in page(client, "/themes", "en")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("name_en", "", "name in English"), ("name_th", "ก" * 121, "at most 120")],
)
def test_bad_theme_texts_are_refused(client, admin, make_theme, field, value, message):
    theme = make_theme()
    form = {"name_en": theme.name_en, "name_ko": theme.name_ko, field: value}
    response = client.submit(f"/admin/themes/{theme.slug}/edit", form)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_an_unknown_theme_is_not_found(client, admin):
    assert client.get("/admin/themes/nothing/edit").status_code == 404


def test_a_theme_name_falls_back_to_english_then_any_language(make_theme, app):
    theme = make_theme()
    with app.app_context():
        theme.name_th = ""
        assert theme.name("th") == theme.name_en
        theme.name_en = ""
        assert theme.name("th") == theme.name_ko  # skips the empty English name


# Site pages --------------------------------------------------------------------------------


def test_site_pages_in_thai_end_to_end(client, admin):
    listing = page(client, "/admin/pages/", "en", admin)
    assert 'lang="th">ไทย</th>' in listing
    # No Thai text yet: the English one, saying so in Thai.
    client.submit("/logout", page="/account")
    about = page(client, "/about", "th")
    assert 'lang="en"' in about and "About us" in about
    login_page = client.get("/login")
    assert login_page.status_code == 200
    client.submit("/login", {"email": admin.email, "password": "correct horse battery staple"})
    response = client.submit(
        "/admin/pages/about/th", {"title": "เกี่ยวกับเรา", "body": "เครือข่ายความร่วมมือ"}
    )
    assert response.status_code == 302
    client.submit("/logout", page="/account")
    about = page(client, "/about", "th")
    assert "เกี่ยวกับเรา" in about and "เครือข่ายความร่วมมือ" in about
    assert client.get("/admin/pages/about/fr").status_code in (302, 404)


def test_renaming_a_theme_changes_the_feeds_that_show_it(
    app, client, admin, make_theme, make_partner, make_offering
):
    """Theme names are the events' categories: a calendar app must not keep the old one."""
    theme = make_theme()
    starts = utcnow() + timedelta(days=7)
    offering = make_offering(
        make_partner(),
        status="published",
        themes=[theme],
        sessions=[(starts, starts + timedelta(hours=2))],
    )
    before = client.get("/feeds/all.ics?lang=th")
    form = {
        f"{field}_{code}": getattr(theme, f"{field}_{code}") or ""
        for field in ("name", "description")
        for code in ("ko", "en", "th")
    }
    form.update(name_th="การเรียนรู้เพื่อสภาพภูมิอากาศ")
    client.submit(f"/admin/themes/{theme.slug}/edit", form)
    after = client.get("/feeds/all.ics?lang=th", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert "การเรียนรู้เพื่อสภาพภูมิอากาศ" in after.get_data(as_text=True).replace("\r\n ", "")
    with app.app_context():
        session = db.session.get(OfferingSession, offering.sessions[0].id)
        assert session.sequence == offering.sessions[0].sequence + 1
