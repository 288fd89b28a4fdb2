"""What search engines and link previews read: meta tags, canonical URLs, sitemap, robots.txt."""

import html
import re
from xml.etree import ElementTree

import pytest

from tests.test_queries import _bulk_offerings, statements_for
from tests.test_workspace import in_days

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def meta(page: str, key: str) -> list[str]:
    """The content of every <meta property|name="key">, unescaped as a parser reads it."""
    pattern = rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)">'
    return [html.unescape(value) for value in re.findall(pattern, page)]


def canonical(page: str) -> list[str]:
    return [html.unescape(v) for v in re.findall(r'<link rel="canonical" href="([^"]*)">', page)]


@pytest.fixture
def site(make_partner, make_offering, make_theme):
    city = make_partner(
        slug="changwon-city",
        name="Changwon City",
        description="Changwon opens ESD courses to every citizen.\n\nSecond paragraph.",
    )
    hidden = make_partner(slug="hidden", name="Hidden", approved=False)
    theme = make_theme("climate-action")
    offerings = {
        "open": make_offering(
            city,
            status="published",
            title='Tidal flats <script>alert("x")</script> & "you"',
            summary="Walk the mudflats of Masan Bay with an ecologist.",
            sessions=[in_days(4)],
            themes=[theme],
        ),
        "markdown": make_offering(
            city,
            status="published",
            title="Repair cafe",
            summary="",
            description="## Bring\n\n**Anything** broken: " + "lamps, bikes and radios. " * 20,
            sessions=[in_days(6)],
        ),
        "past": make_offering(city, status="published", title="Past", sessions=[in_days(-20)]),
        "cancelled": make_offering(city, status="cancelled", title="Off", sessions=[in_days(3)]),
        "draft": make_offering(city, title="Draft", sessions=[in_days(3)]),
        "hidden": make_offering(hidden, status="published", title="Hid", sessions=[in_days(3)]),
    }
    return city, hidden, theme, offerings


def test_offering_page_describes_itself_to_link_previews(client, site):
    offering = site[3]["open"]
    page = client.get(f"/offerings/{offering.id}").get_data(as_text=True)
    url = f"http://localhost/offerings/{offering.id}"
    assert meta(page, "og:title") == [offering.title]
    assert meta(page, "og:description") == ["Walk the mudflats of Masan Bay with an ecologist."]
    assert meta(page, "description") == ["Walk the mudflats of Masan Bay with an ecologist."]
    assert meta(page, "og:type") == ["article"]
    assert meta(page, "og:url") == [url]
    assert canonical(page) == [url]
    assert meta(page, "og:locale") == ["en_US"]
    # Without an upload, the picture drawn for its theme (a PNG: previews do not take SVG).
    assert meta(page, "og:image") == ["http://localhost/static/covers/climate-action.png"]
    assert meta(page, "twitter:card") == ["summary_large_image"]


def test_pages_without_a_picture_of_their_own_preview_with_the_sites(client, site):
    page = client.get("/themes/climate-action").get_data(as_text=True)
    assert meta(page, "og:image") == ["http://localhost/static/img/og-default.png"]
    assert meta(page, "og:image:width") == ["1200"]


def test_meta_tags_are_escaped(client, site):
    offering = site[3]["open"]
    page = client.get(f"/offerings/{offering.id}").get_data(as_text=True)
    head = page.split("</head>")[0]
    assert "<script>alert" not in head
    assert (
        'content="Tidal flats &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#34;you&#34;"'
        in head
    )


def test_description_falls_back_to_the_text_of_the_markdown_shortened(client, site):
    offering = site[3]["markdown"]
    page = client.get(f"/offerings/{offering.id}").get_data(as_text=True)
    [description] = meta(page, "description")
    assert description.startswith("Bring Anything broken: lamps, bikes and radios.")
    assert "**" not in description and "#" not in description
    assert len(description) <= 160
    assert description.endswith("…")


def test_og_locale_follows_the_interface_language(client, site):
    page = client.get("/", headers={"Accept-Language": "ko"}).get_data(as_text=True)
    assert meta(page, "og:locale") == ["ko_KR"]
    assert meta(page, "og:title")
    assert meta(page, "description")


def test_partner_page_meta(client, site):
    page = client.get("/partners/changwon-city").get_data(as_text=True)
    assert meta(page, "og:title") == ["Changwon City"]
    assert meta(page, "description") == ["Changwon opens ESD courses to every citizen."]
    assert canonical(page) == ["http://localhost/partners/changwon-city"]


def test_a_partner_waiting_for_approval_is_not_indexed(client, site, make_person, login):
    login(make_person(admin=True))
    page = client.get("/partners/hidden").get_data(as_text=True)
    assert meta(page, "robots") == ["noindex"]
    assert not canonical(page) and not meta(page, "og:title")


def test_theme_page_meta(client, site, app):
    from learning_platform.extensions import db
    from learning_platform.models import Theme

    theme = site[2]
    with app.app_context():
        db.session.get(Theme, theme.id).description_en = "Act on climate where you live."
        db.session.commit()
    page = client.get("/themes/climate-action").get_data(as_text=True)
    assert meta(page, "og:title") == [theme.name_en]
    assert meta(page, "description") == ["Act on climate where you live."]
    assert canonical(page) == ["http://localhost/themes/climate-action"]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/", "http://localhost/"),
        ("/?utm_source=newsletter", "http://localhost/"),
        ("/offerings", "http://localhost/offerings"),
        (
            "/offerings?theme=climate-action&utm_campaign=x&fbclid=y&kind=bogus",
            "http://localhost/offerings?theme=climate-action",
        ),
        ("/offerings?page=2&q=walk", "http://localhost/offerings?q=walk&page=2"),
        ("/themes", "http://localhost/themes"),
        ("/themes/climate-action?ref=x", "http://localhost/themes/climate-action"),
        ("/partners/", "http://localhost/partners/"),
        ("/partners/changwon-city?gclid=1", "http://localhost/partners/changwon-city"),
    ],
)
def test_every_public_page_names_its_canonical_url(client, site, path, expected):
    assert canonical(client.get(path).get_data(as_text=True)) == [expected]


@pytest.mark.parametrize("path", ["/login", "/signup", "/no-such-page", "/themes/nothing"])
def test_private_and_missing_pages_name_no_canonical_url(client, path):
    assert canonical(client.get(path).get_data(as_text=True)) == []


def test_canonical_url_is_built_on_base_url_not_the_host_header(make_app, site):
    app = make_app(BASE_URL="https://learn.example.org/esd")
    client = app.test_client()
    page = client.get("/offerings?theme=climate-action").get_data(as_text=True)
    assert canonical(page) == ["https://learn.example.org/esd/offerings?theme=climate-action"]
    assert meta(page, "og:image") == ["https://learn.example.org/esd/static/img/og-default.png"]


def test_default_preview_image_is_a_real_1200_by_630_png(client):
    from io import BytesIO

    from PIL import Image

    with client.get("/static/img/og-default.png") as response:
        assert response.status_code == 200
        image = Image.open(BytesIO(response.data))
        assert (image.format, image.size) == ("PNG", (1200, 630))


# sitemap.xml and robots.txt -------------------------------------------------------------------


def sitemap(client) -> dict[str, str | None]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    root = ElementTree.fromstring(response.data)
    assert root.tag == f"{SITEMAP}urlset"
    return {
        url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod")
        for url in root.iter(f"{SITEMAP}url")
    }


def test_sitemap_lists_exactly_the_public_pages(client, site):
    offerings = site[3]
    urls = sitemap(client)
    expected = {
        "http://localhost/",
        "http://localhost/offerings",
        "http://localhost/themes",
        "http://localhost/themes/climate-action",
        "http://localhost/partners/",
        "http://localhost/partners/changwon-city",
        "http://localhost/data",
        *(f"http://localhost/offerings/{offerings[k].id}" for k in ("open", "markdown", "past")),
    }
    assert set(urls) == expected
    lastmod = urls[f"http://localhost/offerings/{offerings['open'].id}"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", lastmod)


def test_sitemap_escapes_what_xml_needs(client, make_partner):
    make_partner(slug="a&b")  # a slug no form lets through, still valid XML
    assert "http://localhost/partners/a&b" in sitemap(client)


def test_sitemap_has_a_constant_query_count(app, client, count_queries, make_partner):
    partner = make_partner()
    _bulk_offerings(app, partner, 3)
    small = statements_for(client, count_queries, "/sitemap.xml")
    _bulk_offerings(app, partner, 60)
    for _ in range(5):
        make_partner()
    assert statements_for(client, count_queries, "/sitemap.xml") == small <= 3


def test_robots_txt_keeps_crawlers_on_public_pages(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == "User-agent: *"
    assert "Allow: /" in lines
    for path in ("/workspace/", "/admin/", "/account", "/me/", "/feeds/me/", "/login", "/signup"):
        assert f"Disallow: {path}" in lines
    assert not any(line.startswith("Disallow: /offerings") for line in lines)
    assert not any(line in ("Disallow: /", "Disallow: /feeds/") for line in lines)
    assert "Sitemap: http://localhost/sitemap.xml" in lines


# Query budgets --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/themes"])
def test_home_and_theme_index_have_a_constant_query_count(
    app, client, count_queries, make_partner, path
):
    partner = make_partner()
    _bulk_offerings(app, partner, 5)
    small = statements_for(client, count_queries, path)
    _bulk_offerings(app, partner, 120)
    assert statements_for(client, count_queries, path) == small
    assert small <= 6
