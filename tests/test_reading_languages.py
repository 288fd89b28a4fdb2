"""Readers get their language: `?lang=`, hreflang alternates, fallback notes, JSON-LD and
OpenGraph per language."""

import html
import json
import re
from xml.etree import ElementTree

import pytest

from learning_platform.extensions import db
from learning_platform.models import Person
from tests.factories import PASSWORD
from tests.test_queries import _bulk_offerings, statements_for
from tests.test_seo import canonical, meta
from tests.test_workspace import in_days

LANGUAGES = ("ko", "en", "th")


@pytest.fixture
def site(make_partner, make_offering, make_theme):
    """A Korean partner written in English too, and a Korean course written in English too
    (not in Thai)."""
    city = make_partner(
        slug="changwon-city",
        name="창원특례시",
        description="창원은 모든 시민에게 열려 있습니다.",
        primary_language="ko",
        translations={"en": {"name": "Changwon City", "description": "Open to every citizen."}},
    )
    theme = make_theme("climate-action")
    course = make_offering(
        city,
        status="published",
        title="도시 텃밭",
        summary="흙 만들기부터",
        description="함께 텃밭을 가꿉니다.",
        primary_language="ko",
        translations={"en": {"title": "Urban gardens", "summary": "From the soil up"}},
        sessions=[in_days(5)],
        themes=[theme],
    )
    return city, theme, course


def html_lang(page: str) -> str:
    return re.search(r'<html lang="([^"]+)">', page).group(1)


def alternates(page: str) -> dict[str, str]:
    pattern = r'<link rel="alternate" hreflang="([^"]+)" href="([^"]*)">'
    return {code: html.unescape(href) for code, href in re.findall(pattern, page)}


def jsonld(page: str) -> dict:
    return json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', page).group(1)
    )


# ?lang= ----------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_lang_in_the_address_serves_that_language_before_everything_else(
    client, make_person, login, language
):
    login(make_person(language="ko" if language != "ko" else "en"))
    client.submit("/language", {"language": "en" if language != "en" else "ko"}, page="/")
    page = client.get(f"/offerings?lang={language}", headers={"Accept-Language": "ko"})
    assert page.status_code == 200
    assert html_lang(page.get_data(as_text=True)) == language


def test_lang_in_the_address_is_not_remembered(client):
    assert html_lang(client.get("/?lang=th").get_data(as_text=True)) == "th"
    again = client.get("/", headers={"Accept-Language": "ko"}).get_data(as_text=True)
    assert html_lang(again) == "ko"


def test_links_to_public_pages_keep_the_shared_language_and_personal_ones_do_not(client, site):
    page = client.get("/offerings?lang=th").get_data(as_text=True)
    assert 'href="/partners/?lang=th"' in page
    assert f'href="/offerings/{site[2].id}?lang=th"' in page
    assert 'href="/login"' in page  # the person's own pages follow their own choice
    assert '<input type="hidden" name="lang" value="th">' in page  # the filters keep it too


@pytest.mark.parametrize("asked", ["xx", "TH", "de-DE", "<script>"])
def test_a_language_we_do_not_offer_is_a_404_naming_those_we_do(client, asked):
    response = client.get("/offerings", query_string={"lang": asked, "kind": "workshop"})
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "<script>" not in page.split("<main", 1)[1]
    for code, name in (("ko", "한국어"), ("en", "English"), ("th", "ไทย")):
        assert f'href="/offerings?kind=workshop&amp;lang={code}"' in page
        assert name in page


def test_the_language_switch_drops_lang_from_the_page_it_returns_to(client):
    response = client.submit(
        "/language", {"language": "ko", "next": "/offerings?lang=th&page=2"}, page="/"
    )
    assert response.headers["Location"] == "/offerings?page=2"
    assert html_lang(client.get("/offerings?page=2").get_data(as_text=True)) == "ko"


# hreflang ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/offerings", "/", "/partners/changwon-city", "/themes/climate-action", "offering"]
)
def test_public_pages_name_their_language_versions(client, site, path):
    path = f"/offerings/{site[2].id}" if path == "offering" else path
    page = client.get(path).get_data(as_text=True)
    [url] = canonical(page)
    assert "lang=" not in url
    found = alternates(page)
    assert set(found) == {"ko", "en", "th", "x-default"}
    assert found["x-default"] == url
    for code in LANGUAGES:
        assert found[code].startswith("http://localhost/")
        assert found[code].endswith(f"lang={code}")


def test_a_language_version_is_its_own_canonical_and_keeps_the_filters(client, site):
    page = client.get("/offerings?lang=th&kind=course&utm_source=x").get_data(as_text=True)
    assert canonical(page) == ["http://localhost/offerings?kind=course&lang=th"]
    found = alternates(page)
    assert found["ko"] == "http://localhost/offerings?kind=course&lang=ko"
    assert found["x-default"] == "http://localhost/offerings?kind=course"


def test_the_sitemap_names_each_address_in_every_language(client, site):
    root = ElementTree.fromstring(client.get("/sitemap.xml").get_data())
    namespaces = {
        "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
        "x": "http://www.w3.org/1999/xhtml",
    }
    url = root.find(f"s:url[s:loc='http://localhost/offerings/{site[2].id}']", namespaces)
    links = {link.get("hreflang"): link.get("href") for link in url.findall("x:link", namespaces)}
    assert links == {
        "ko": f"http://localhost/offerings/{site[2].id}?lang=ko",
        "en": f"http://localhost/offerings/{site[2].id}?lang=en",
        "th": f"http://localhost/offerings/{site[2].id}?lang=th",
        "x-default": f"http://localhost/offerings/{site[2].id}",
    }


# Fallback notes and lang attributes ----------------------------------------------------------


def test_a_thai_reader_gets_the_primary_korean_text_marked_and_told(client, site):
    page = client.get(f"/offerings/{site[2].id}?lang=th").get_data(as_text=True)
    # Not in Thai: the primary language's text (Korean), not the English translation.
    assert '<span lang="ko">도시 텃밭</span></h1>' in page
    assert '<p class="lead" lang="ko">흙 만들기부터</p>' in page
    assert '<div class="prose-md" lang="ko">' in page
    assert "แสดงเป็นภาษาเกาหลี: ยังไม่มีฉบับภาษาไทย" in page
    assert '<a href="/partners/changwon-city?lang=th" lang="ko">창원특례시</a>' in page


def test_an_english_reader_gets_english_and_is_told_only_what_is_still_korean(client, site):
    page = client.get(f"/offerings/{site[2].id}?lang=en").get_data(as_text=True)
    assert "<span>Urban gardens</span></h1>" in page
    assert '<p class="lead">From the soil up</p>' in page
    # The description is written in Korean only: shown in Korean, and said so over it.
    assert '<div class="prose-md" lang="ko">' in page
    note = page.index("Shown in Korean: not yet written in English.")
    assert page.index("From the soil up") < note < page.index('<div class="prose-md"')


def test_a_korean_reader_of_a_korean_offering_sees_no_note(client, site):
    page = client.get(f"/offerings/{site[2].id}?lang=ko").get_data(as_text=True)
    assert 'class="fallback-note"' not in page
    assert "<span>도시 텃밭</span></h1>" in page


def test_cards_mark_a_title_in_another_language(client, site):
    page = client.get("/offerings?lang=th").get_data(as_text=True)
    assert re.search(
        r'<h3 lang="ko"><a href="/offerings/\d+\?lang=th">도시 텃밭</a> <abbr class="lang-tag" title="[^"]+">KO</abbr></h3>',
        page,
    )
    english = client.get("/offerings?lang=en").get_data(as_text=True)
    assert re.search(r'<h3><a href="/offerings/\d+\?lang=en">Urban gardens</a></h3>', english)


def test_partner_pages_mark_and_note_their_language(client, site):
    page = client.get("/partners/changwon-city?lang=th").get_data(as_text=True)
    assert '<h1 id="partner-title" lang="ko">창원특례시</h1>' in page
    assert "แสดงเป็นภาษาเกาหลี" in page
    listing = client.get("/partners/?lang=en").get_data(as_text=True)
    assert ">Changwon City</a>" in listing and 'lang="ko">Changwon City' not in listing


def test_my_learning_marks_titles_in_another_language(client, site, make_person, login, register):
    person = make_person(language="th")
    register(site[2], person)
    login(person)
    page = client.get("/me/learning").get_data(as_text=True)
    assert 'lang="ko">도시 텃밭</a>' in page


# JSON-LD and OpenGraph -------------------------------------------------------------------------


def test_jsonld_names_in_the_readers_language_with_the_others_as_alternates(client, site):
    data = jsonld(client.get(f"/offerings/{site[2].id}?lang=en").get_data(as_text=True))
    assert data["name"] == "Urban gardens"
    assert data["alternateName"] == ["도시 텃밭"]
    assert data["provider"]["name"] == "Changwon City"
    assert data["provider"]["alternateName"] == ["창원특례시"]
    assert data["inLanguage"] == ["ko"]  # the language it is taught in
    thai = jsonld(client.get(f"/offerings/{site[2].id}?lang=th").get_data(as_text=True))
    assert thai["name"] == "도시 텃밭"
    assert thai["alternateName"] == ["Urban gardens"]


@pytest.mark.parametrize(
    ("language", "locale", "others"),
    [("ko", "ko_KR", ["en_US"]), ("en", "en_US", ["ko_KR"]), ("th", "th_TH", ["ko_KR", "en_US"])],
)
def test_og_locale_is_the_pages_and_alternates_the_offerings_languages(
    client, site, language, locale, others
):
    page = client.get(f"/offerings/{site[2].id}?lang={language}").get_data(as_text=True)
    assert meta(page, "og:locale") == [locale]
    assert meta(page, "og:locale:alternate") == others
    assert html_lang(page) == language


def test_thai_dates_on_the_offering_page_name_thai_months(client, site):
    page = client.get(f"/offerings/{site[2].id}?lang=th").get_data(as_text=True)
    months = (
        "ม.ค.",
        "ก.พ.",
        "มี.ค.",
        "เม.ย.",
        "พ.ค.",
        "มิ.ย.",
        "ก.ค.",
        "ส.ค.",
        "ก.ย.",
        "ต.ค.",
        "พ.ย.",
        "ธ.ค.",
    )
    assert any(month in page for month in months) or "มกราคม" in page or "ธันวาคม" in page


# Query budget ----------------------------------------------------------------------------------


def test_reading_in_another_language_costs_no_query(app, client, count_queries, make_partner):
    partner = make_partner(primary_language="ko", translations={"en": {"name": "Partner"}})
    _bulk_offerings(app, partner, 5)
    assert statements_for(client, count_queries, "/offerings?lang=th") == statements_for(
        client, count_queries, "/offerings"
    )


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("th", "14:00\u00a0น. – 15:30\u00a0น."),  # the unit never starts a line
        ("ko", "오후 2:00~3:30"),
        ("en", "2:00\u2009–\u20093:30\u202fPM"),
    ],
)
def test_session_times_follow_the_languages_own_clock(app, language, expected):
    from datetime import UTC, datetime

    from flask_babel import force_locale

    from learning_platform.timezones import format_span

    with app.test_request_context(), force_locale(language):
        text = format_span(
            datetime(2026, 3, 3, 5, tzinfo=UTC),
            datetime(2026, 3, 3, 6, 30, tzinfo=UTC),
            "Asia/Seoul",
            short=True,
            with_zone=False,
        )
    assert text.endswith(expected)


# Security review: the unknown-language page, machine outputs, caches ---------------------------


@pytest.mark.parametrize("path", ["/%5Cevil.example/x", "//evil.example/x", "/\\evil.example/x"])
def test_an_unknown_language_on_an_address_with_no_page_is_the_plain_404(client, path):
    response = client.get(f"{path}?lang=xx")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "evil.example" not in page
    assert "lang=ko" not in page.split("<main", 1)[-1]


def test_the_unknown_language_page_links_are_built_from_the_route(client, site):
    response = client.get(
        f"/offerings/{site[2].id}",
        query_string={"lang": "xx", "_external": "1", "_scheme": "javascript", "kind": "a"},
    )
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert f'href="/offerings/{site[2].id}?kind=a&amp;lang=th"' in page
    assert "javascript" not in page.split("<main", 1)[1]


def test_lang_on_machine_outputs_does_not_leak_into_their_links(client, site):
    data = client.get("/data/offerings.csv?lang=th").get_data(as_text=True)
    assert f"/offerings/{site[2].id}" in data
    assert "lang=th" not in data
    root = ElementTree.fromstring(client.get("/sitemap.xml?lang=th").get_data())
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locations = [loc.text for loc in root.iterfind("s:url/s:loc", namespace)]
    assert locations and not [loc for loc in locations if "lang=" in loc]


def test_a_language_negotiated_from_the_header_varies_on_it(client, site, make_person, login):
    negotiated = client.get("/offerings", headers={"Accept-Language": "th"})
    assert "Accept-Language" in negotiated.headers.get("Vary", "")
    # A shared link's page is in its language, but the line saying "you are reading this in
    # Thai" is in the visitor's: it varies too.
    asked = client.get("/offerings?lang=th", headers={"Accept-Language": "th"})
    assert "Accept-Language" in asked.headers.get("Vary", "")
    login(make_person(language="en"))
    chosen = client.get("/offerings", headers={"Accept-Language": "th"})
    assert "Accept-Language" not in chosen.headers.get("Vary", "")
    assert "Cookie" in chosen.headers.get("Vary", "")


def switch_next(page: str) -> str:
    form = page.split('class="language-switch"', 1)[1]
    return html.unescape(re.search(r'name="next" value="([^"]*)"', form).group(1))


def test_the_language_switch_on_a_posted_page_goes_back_to_a_page_that_answers_get(
    client, site, make_person, login, register
):
    person = make_person(language="th")
    register(site[2], person)
    login(person)
    detail = f"/offerings/{site[2].id}"
    asked = client.submit(
        f"{detail}/cancel", page=detail, headers={"Referer": f"http://localhost{detail}?x=1"}
    )
    assert asked.status_code == 200
    assert switch_next(asked.get_data(as_text=True)) == f"{detail}?x=1"
    elsewhere = client.submit(
        f"{detail}/cancel", page=detail, headers={"Referer": "http://evil.example/x"}
    )
    assert switch_next(elsewhere.get_data(as_text=True)) == "/"
    assert switch_next(client.get(f"{detail}?lang=th").get_data(as_text=True)) == (
        f"{detail}?lang=th"
    )


# A way out of a fallback ---------------------------------------------------------------------


def test_a_fallback_note_links_to_the_language_the_texts_are_written_in(client, site):
    page = client.get(f"/offerings/{site[2].id}?lang=th").get_data(as_text=True)
    assert (
        f'<a class="fallback-note__read" href="/offerings/{site[2].id}?lang=en" hreflang="en">'
        "อ่านเป็นภาษาอังกฤษ</a>"
    ) in page
    # The description is in Korean only: nothing better to offer under the English note.
    english = client.get(f"/offerings/{site[2].id}?lang=en").get_data(as_text=True)
    assert "fallback-note__read" not in english
    partner = client.get("/partners/changwon-city?lang=th").get_data(as_text=True)
    assert 'href="/partners/changwon-city?lang=en" hreflang="en">อ่านเป็นภาษาอังกฤษ</a>' in partner


def test_logging_in_after_choosing_a_language_keeps_it_for_the_account(app, client, make_person):
    person = make_person(language="ko")
    client.submit("/language", {"language": "th", "next": "/"}, page="/")
    client.submit("/login", {"email": person.email, "password": PASSWORD})
    assert html_lang(client.get("/offerings").get_data(as_text=True)) == "th"
    with app.app_context():
        assert db.session.get(Person, person.id).preferred_language == "th"
    # Someone else logging in later on this browser (the language kept over the logout,
    # not chosen in their visit) keeps their own.
    client.submit("/logout", page="/")
    other = make_person(language="en")
    client.submit("/login", {"email": other.email, "password": PASSWORD})
    with app.app_context():
        assert db.session.get(Person, other.id).preferred_language == "en"


def test_a_shared_link_in_another_language_says_so_in_the_visitors_own(client):
    page = client.get("/offerings?lang=th", headers={"Accept-Language": "ko"})
    body = page.get_data(as_text=True)
    assert '<html lang="th">' in body
    assert '<p class="shared-language" lang="ko">이 페이지를 태국어로 보고 계십니다.' in body
    assert 'href="/offerings" hreflang="ko">한국어로 보기</a>' in body
    assert "Accept-Language" in page.headers["Vary"]
    # The visitor's own language: nothing to say.
    same = client.get("/offerings?lang=ko", headers={"Accept-Language": "ko"})
    assert "shared-language" not in same.get_data(as_text=True)
    assert "shared-language" not in client.get("/offerings").get_data(as_text=True)


def test_the_shared_language_line_keeps_the_pages_own_arguments(client):
    body = client.get("/offerings?q=garden&lang=en", headers={"Accept-Language": "th"}).get_data(
        as_text=True
    )
    assert 'href="/offerings?q=garden" hreflang="th">อ่านเป็นภาษาไทย</a>' in body
