"""The home page, the theme index and theme pages, and the catalog's filters on a phone."""

import re
from datetime import timedelta

import pytest

from learning_platform.models import utcnow
from tests.test_workspace import in_days


def section(page: str, section_id: str) -> str:
    """The HTML of the home page's <section> labelled by `section_id`."""
    match = re.search(
        rf'<section[^>]*aria-labelledby="{section_id}"[^>]*>(.*?)</section>', page, re.S
    )
    assert match, f"no section {section_id}"
    return match.group(1)


def card_titles(html: str) -> list[str]:
    return re.findall(r'<h3[^>]*><a href="/offerings/\d+">([^<]+)</a>', html)


@pytest.fixture
def home_world(make_partner, make_offering, make_theme):
    """Offerings a home page must show or hide; published_at days ago in the title's order."""
    city = make_partner(slug="changwon-city", name="Changwon City")
    hidden = make_partner(slug="suspended", name="Suspended partner", approved=False)
    climate = make_theme("climate-action")
    now = utcnow()

    def published(partner, title, days, published_days_ago, **fields):
        return make_offering(
            partner,
            status="published",
            title=title,
            sessions=[in_days(days)],
            published_at=now - timedelta(days=published_days_ago),
            themes=[climate],
            **fields,
        )

    published(city, "Tomorrow walk", 1, 30)
    published(city, "Next week garden", 7, 20)
    published(city, "In a month repair cafe", 30, 1)
    published(city, "Fresh climate talk", 60, 0)
    published(city, "Closed early", 3, 25, registration_closes_at=now - timedelta(hours=1))
    published(city, "Opens later", 4, 2, registration_opens_at=now + timedelta(days=2))
    make_offering(
        city,
        status="published",
        title="Half-way course",
        sessions=[in_days(-2), in_days(5)],
        published_at=now - timedelta(days=40),
    )
    published(city, "Last month's walk", -30, 50)
    make_offering(city, status="cancelled", title="Called off", sessions=[in_days(2)])
    make_offering(city, title="Secret draft", sessions=[in_days(2)])
    published(hidden, "Hidden partner's course", 2, 0)
    return climate


def test_home_shows_what_starts_soon_soonest_first(client, home_world):
    page = client.get("/").get_data(as_text=True)
    assert card_titles(section(page, "soon-title")) == [
        "Tomorrow walk",
        "Next week garden",
        "In a month repair cafe",
        "Fresh climate talk",
    ]


def test_home_shows_what_is_new_without_repeating_what_starts_soon(
    client, home_world, make_partner, make_offering
):
    partner = make_partner()
    now = utcnow()
    for number in range(8):
        make_offering(
            partner,
            status="published",
            title=f"Later {number}",
            sessions=[in_days(90 + number)],
            published_at=now - timedelta(hours=number),
        )
    page = client.get("/").get_data(as_text=True)
    soon = card_titles(section(page, "soon-title"))
    new = card_titles(section(page, "new-title"))
    assert len(soon) == 6
    assert not set(soon) & set(new)
    assert soon[-2:] == ["Later 0", "Later 1"]
    assert new == ["Later 2", "Later 3", "Later 4"]  # newest first


def test_home_never_shows_past_cancelled_draft_or_hidden_offerings(client, home_world):
    page = client.get("/").get_data(as_text=True)
    for title in ("Last month's walk", "Called off", "Secret draft", "Hidden partner's course"):
        assert title not in page


def test_home_starting_soon_leaves_out_what_one_cannot_register_for(client, home_world):
    soon = section(client.get("/").get_data(as_text=True), "soon-title")
    for title in ("Closed early", "Opens later", "Half-way course"):
        assert title not in soon


def test_remembered_home_sections_never_show_what_closed_or_was_cancelled_since(
    make_app, make_partner, make_offering
):
    from learning_platform.extensions import db
    from learning_platform.models import Offering

    app = make_app(CATALOG_RANKING_SECONDS=60)
    client = app.test_client()
    partner = make_partner()
    now = utcnow()
    closing, cancelled = (
        make_offering(
            partner, status="published", title=title, sessions=[in_days(days)], published_at=now
        )
        for title, days in (("Closing soon", 2), ("Cancelled since", 3))
    )
    assert card_titles(section(client.get("/").get_data(as_text=True), "soon-title")) == [
        "Closing soon",
        "Cancelled since",
    ]
    with app.app_context():
        db.session.get(Offering, closing.id).registration_closes_at = now
        db.session.get(Offering, cancelled.id).status = "cancelled"
        db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "Closing soon" not in page and "Cancelled since" not in page


def test_home_has_a_search_box_that_leads_to_the_catalog(client):
    page = client.get("/").get_data(as_text=True)
    form = re.search(r'<form[^>]*role="search"[^>]*>', page).group(0)
    assert 'action="/offerings"' in form
    assert 'method="get"' in form
    assert 'name="q"' in page


def test_home_links_every_theme_with_its_upcoming_count(client, home_world, make_theme):
    make_theme("quiet-theme")
    themes = section(client.get("/").get_data(as_text=True), "themes-title")
    assert 'href="/themes/climate-action"' in themes
    assert 'href="/themes/quiet-theme"' in themes
    assert "6 upcoming" in themes  # soon (4), the closed and the not-yet-open ones
    assert 'href="/themes"' in themes


def test_home_in_korean(client, home_world):
    page = client.get("/", headers={"Accept-Language": "ko"}).get_data(as_text=True)
    assert "곧 시작" in page
    assert "새로 열린" in page


def test_an_empty_home_page_says_what_to_do(client):
    page = client.get("/").get_data(as_text=True)
    assert "Nothing is scheduled right now." in page


# Themes ---------------------------------------------------------------------------------------


@pytest.fixture
def seeded_themes(app):
    from learning_platform import demo
    from learning_platform.extensions import db

    with app.app_context():
        demo.seed_themes()
        db.session.commit()


def test_theme_index_shows_descriptions_sdgs_and_counts_in_english(
    client, seeded_themes, make_partner, make_offering, app
):
    from learning_platform.extensions import db
    from learning_platform.models import Theme

    with app.app_context():
        climate = db.session.query(Theme).filter_by(slug="climate-action").one()
        db.session.expunge(climate)
    partner = make_partner()
    for days in (3, 9):
        make_offering(partner, status="published", sessions=[in_days(days)], themes=[climate])
    make_offering(partner, status="published", sessions=[in_days(-9)], themes=[climate])
    page = client.get("/themes").get_data(as_text=True)
    assert "<h1>Themes</h1>" in page
    assert 'href="/themes/climate-action"' in page
    assert "SDG 13" in page and "Climate Action" in page and "13.3" in page
    assert "SDG 4" in page and "Quality Education" in page and "4.7" in page
    assert "2 upcoming" in page
    assert "How do we cut emissions" in page  # the climate theme's description, in English


def test_theme_index_in_korean(client, seeded_themes):
    page = client.get("/themes", headers={"Accept-Language": "ko"}).get_data(as_text=True)
    assert "주제" in page
    assert "양질의 교육" in page  # SDG 4's name
    assert "기후변화 대응" in page  # SDG 13's name
    assert "온실가스" in page  # the climate theme's Korean description
    assert "Quality Education" not in page


def test_theme_page_shows_description_and_named_sdgs(client, seeded_themes):
    page = client.get("/themes/future-of-cities").get_data(as_text=True)
    assert "Sustainable Cities and Communities" in page
    assert "11.3" in page
    assert "walkable" in page  # its description
    korean = client.get("/themes/future-of-cities", headers={"Accept-Language": "ko"})
    assert "지속가능한 도시와 공동체" in korean.get_data(as_text=True)


def test_every_demo_theme_has_a_name_and_description_in_korean_english_and_thai(app, seeded_themes):
    from sqlalchemy import select

    from learning_platform.extensions import db
    from learning_platform.models import Theme

    with app.app_context():
        themes = db.session.scalars(select(Theme)).all()
        assert len(themes) == 9
        for theme in themes:
            assert len(theme.description_en) > 80, theme.slug
            assert len(theme.description_ko) > 40, theme.slug
            assert theme.description("ko") == theme.description_ko
            assert len(theme.description_th) > 80, theme.slug
            assert theme.description("th") == theme.description_th
            assert theme.name("th") == theme.name_th and theme.name_th != theme.name_en


def test_a_theme_without_a_description_still_has_a_page(client, make_theme):
    theme = make_theme("bare")
    assert client.get("/themes/bare").status_code == 200
    assert theme.name_en in client.get("/themes").get_data(as_text=True)


def test_unknown_sdg_targets_are_shown_without_a_name(client, app, make_theme):
    from learning_platform.extensions import db
    from learning_platform.models import Theme

    theme = make_theme("odd")
    with app.app_context():
        db.session.get(Theme, theme.id).sdg_targets = ["99.1", "<b>x</b>"]
        db.session.commit()
    response = client.get("/themes/odd")
    assert response.status_code == 200
    assert "<b>x</b>" not in response.get_data(as_text=True)


# The catalog on a phone -----------------------------------------------------------------------


def filters_button(page: str) -> str:
    main = page[page.index('<main id="main"') :]
    match = re.search(r"<summary[^>]*>(.*?)</summary>", main, re.S)
    assert match, "no filters button"
    return re.sub(r"<[^>]+>|\s+", " ", match.group(1)).split()


@pytest.mark.parametrize(
    ("query", "label"),
    [
        ("", ["Filters"]),
        ("?q=garden&sort=newest&page=2", ["Filters"]),  # words and order are not filters
        ("?theme=climate-action&seats=1", ["Filters", "(2)"]),
        ("?kind=course&format=online&language=ko&from=2027-01-01", ["Filters", "(4)"]),
    ],
)
def test_filters_button_counts_the_active_filters(client, query, label):
    assert filters_button(client.get("/offerings" + query).get_data(as_text=True)) == label


def test_catalog_puts_the_search_box_and_results_before_the_filters_without_javascript(
    client, home_world
):
    page = client.get("/offerings?theme=climate-action").get_data(as_text=True)
    page = page[page.index('<main id="main"') :]  # the header's own menu is another <details>
    details = re.search(r"<details[^>]*>", page).group(0)
    assert "open" not in details  # closed on a phone until a tap; no script needed
    assert page.index('name="q"') < page.index("<details")
    assert page.index("<details") < page.index('id="results-title"')
    # The words and every filter go in the one GET form, so it works without JavaScript.
    start = page.index('<form id="catalog-filters" method="get" action="/offerings"')
    form = page[start : page.index("</form>", start)]
    for name in ("theme", "partner", "kind", "format", "language", "from", "to", "seats", "sort"):
        assert f'name="{name}"' in form
    assert re.search(r'<input type="search" id="q" name="q" form="catalog-filters"', page)


def test_catalog_sort_choices_come_from_one_list(client):
    page = client.get("/offerings?sort=newest").get_data(as_text=True)
    assert '<option value="newest" selected>Newest first</option>' in page
    assert '<option value="date">Soonest first</option>' in page
