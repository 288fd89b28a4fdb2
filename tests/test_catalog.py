"""The catalog, its filters and the offering page, as citizens and search engines see them."""

import json
import re
from datetime import timedelta

import pytest

from learning_platform.models import utcnow
from tests.test_workspace import in_days


@pytest.fixture
def world(make_partner, make_offering, make_theme):
    changwon = make_partner(slug="changwon-city", name="Changwon City")
    unesco = make_partner(slug="unesco-bangkok", name="UNESCO Bangkok", timezone="Asia/Bangkok")
    kncu = make_partner(slug="kncu", name="KNCU")
    climate, digital = make_theme("climate-action"), make_theme("digital-media-literacy")
    offerings = {
        "climate": make_offering(
            changwon,
            status="published",
            sessions=[in_days(3)],
            title="기후행동 시민학교",
            summary="Climate school",
            themes=[climate],
            language="ko",
            capacity=2,
            seats_taken=2,
        ),
        "digital": make_offering(
            unesco,
            status="published",
            sessions=[in_days(10)],
            title="Digital skills for all",
            themes=[digital],
            language="en",
            kind="workshop",
            format="online",
            cohosts=[kncu],
            online_link="https://meet.example.org/secret",
        ),
        "bilingual": make_offering(
            changwon,
            status="published",
            sessions=[in_days(20)],
            title="Urban garden 도시 텃밭",
            language="ko-en",
            kind="event",
            themes=[climate],
        ),
        "percent": make_offering(
            changwon, status="published", sessions=[in_days(25)], title="100% recycled: 50_50 swap"
        ),
        "draft": make_offering(changwon, sessions=[in_days(5)], title="Secret draft"),
        "past": make_offering(
            changwon, status="published", sessions=[in_days(-5)], title="Last month's walk"
        ),
        "cancelled": make_offering(
            changwon, status="cancelled", sessions=[in_days(5)], title="Called off"
        ),
    }
    return offerings


def titles(client, query: str = "") -> list[str]:
    page = client.get("/offerings" + query).get_data(as_text=True)
    return re.findall(r'<h3[^>]*><a href="/offerings/\d+">([^<]+)</a>', page)


def test_catalog_lists_upcoming_published_offerings_by_date(client, world):
    assert titles(client) == [
        "기후행동 시민학교",
        "Digital skills for all",
        "Urban garden 도시 텃밭",
        "100% recycled: 50_50 swap",
    ]
    assert titles(client, "?sort=newest")  # a valid alternative order
    home = client.get("/").get_data(as_text=True)
    assert "기후행동 시민학교" in home and "Secret draft" not in home


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?q=기후", ["기후행동 시민학교"]),
        ("?q=텃밭", ["Urban garden 도시 텃밭"]),
        ("?q=DIGITAL", ["Digital skills for all"]),
        ("?q=100%25", ["100% recycled: 50_50 swap"]),
        ("?q=50_5", ["100% recycled: 50_50 swap"]),
        ("?q=%25", []),  # punctuation alone is no word: nothing, and never a wildcard
        ("?q=_", []),
        ("?q=' OR 1=1 --", []),
        ("?theme=climate-action", ["기후행동 시민학교", "Urban garden 도시 텃밭"]),
        ("?partner=kncu", ["Digital skills for all"]),  # co-hosted
        ("?partner=unesco-bangkok", ["Digital skills for all"]),
        ("?kind=workshop", ["Digital skills for all"]),
        ("?format=online", ["Digital skills for all"]),
        (
            "?language=ko",
            ["기후행동 시민학교", "Urban garden 도시 텃밭", "100% recycled: 50_50 swap"],
        ),
        ("?language=en", ["Digital skills for all", "Urban garden 도시 텃밭"]),
        (
            "?seats=1",
            ["Digital skills for all", "Urban garden 도시 텃밭", "100% recycled: 50_50 swap"],
        ),
        ("?kind=spaceship&format=x&language=xx&sort=bogus", None),  # unknown values are ignored
    ],
)
def test_filters(client, world, query, expected):
    if expected is None:
        expected = titles(client)
    assert titles(client, query) == expected


def test_date_range_filter(client, world):
    start = (utcnow() + timedelta(days=8)).date().isoformat()
    end = (utcnow() + timedelta(days=21)).date().isoformat()
    assert titles(client, f"?from={start}&to={end}") == [
        "Digital skills for all",
        "Urban garden 도시 텃밭",
    ]
    page = client.get("/offerings?from=2027-02-30").get_data(as_text=True)
    assert "not understood" in page


def test_pages_of_twelve(client, make_partner, make_offering):
    partner = make_partner()
    for day in range(14):
        make_offering(
            partner, status="published", sessions=[in_days(day + 1)], title=f"Walk {day:02d}"
        )
    first = client.get("/offerings?language=ko").get_data(as_text=True)
    assert "Page 1 of 2" in first
    assert 'href="/offerings?language=ko&amp;page=2"' in first
    assert titles(client, "?language=ko&page=2") == ["Walk 12", "Walk 13"]
    assert titles(client, "?page=999") == []


def test_cards_show_seats_and_the_zone(client, world):
    page = client.get("/offerings").get_data(as_text=True)
    assert "Full · waitlist open" in page
    assert "(ICT)" in page and "(KST)" in page  # cards of several zones each name theirs
    assert "(Asia/" not in page


def test_offering_page_carries_json_ld(client, world):
    offering = world["digital"]
    page = client.get(f"/offerings/{offering.id}").get_data(as_text=True)
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    )
    assert data["@type"] == "Event"
    assert data["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"
    assert data["remainingAttendeeCapacity"] == 20
    assert [o["name"] for o in data["organizer"]] == ["UNESCO Bangkok", "KNCU"]
    assert "secret" not in page  # the meeting link is for confirmed participants only

    course = client.get(f"/offerings/{world['climate'].id}").get_data(as_text=True)
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', course, re.S).group(1)
    )
    assert data["@type"] == "Course"
    assert data["hasCourseInstance"]["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["hasCourseInstance"]["remainingAttendeeCapacity"] == 0


def test_a_script_in_a_title_stays_inert_in_page_and_json_ld(client, make_partner, make_offering):
    partner = make_partner()
    offering = make_offering(
        partner,
        status="published",
        sessions=[in_days(3)],
        title='</script><script>alert(1)</script>"><img src=x onerror=alert(2)>',
    )
    page = client.get(f"/offerings/{offering.id}").get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert "<img src=x" not in page


def test_theme_and_partner_pages_list_upcoming_offerings(client, world):
    theme_page = client.get("/themes/climate-action").get_data(as_text=True)
    assert "기후행동 시민학교" in theme_page and "Digital skills" not in theme_page
    assert "SDG 4" in theme_page and "Quality Education" in theme_page and "4.7" in theme_page
    kncu = client.get("/partners/kncu").get_data(as_text=True)
    assert "Digital skills for all" in kncu
    assert client.get("/themes/no-such-theme").status_code == 404


def test_cancelled_offering_page_says_so(client, world):
    page = client.get(f"/offerings/{world['cancelled'].id}").get_data(as_text=True)
    assert "[Cancelled]" in page
    assert client.get(f"/offerings/{world['draft'].id}").status_code == 404


@pytest.mark.parametrize(
    "query", ["?to=9999-12-31", "?from=0001-01-01", "?page=99999999999999", "?q=" + "가" * 5000]
)
def test_odd_queries_are_answered_not_crashed_on(client, world, query):
    assert client.get("/offerings" + query).status_code == 200


def test_past_the_last_page_still_counts_the_results(client, world):
    page = client.get("/offerings?language=ko&page=5").get_data(as_text=True)
    assert "3 results" in page
    assert "Previous" in page


def test_an_offering_under_way_shows_registration_closed(client, make_partner, make_offering):
    partner = make_partner()
    make_offering(
        partner, status="published", sessions=[in_days(-1), in_days(6)], title="Under way"
    )
    page = client.get("/offerings").get_data(as_text=True)
    assert "registration closed" in page
    assert titles(client, "?seats=1") == []


def test_a_remembered_ranking_keeps_seats_fresh_and_new_offerings_come_within_seconds(
    make_app, world, make_partner, make_offering, make_person, register
):
    import time_machine

    from learning_platform.models import utcnow

    app = make_app(CATALOG_RANKING_SECONDS=10)
    client = app.test_client()
    with time_machine.travel(utcnow(), tick=False) as clock:
        assert "Digital skills for all" in client.get("/offerings").get_data(as_text=True)

        digital = world["digital"]
        register(digital, make_person())  # seats are read fresh on every page
        page = client.get("/offerings").get_data(as_text=True)
        assert f"{digital.capacity - 1} seats left" in page

        newcomer = make_offering(
            make_partner(),
            status="published",
            sessions=[in_days(2)],
            title="Brand-new rain garden walk",
        )
        clock.shift(9)
        assert newcomer.title not in client.get("/offerings").get_data(as_text=True)
        clock.shift(2)
        assert newcomer.title in client.get("/offerings").get_data(as_text=True)


def test_a_remembered_ranking_never_lists_an_offering_cancelled_since(make_app, world):
    from learning_platform.extensions import db
    from learning_platform.models import Offering

    app = make_app(CATALOG_RANKING_SECONDS=10)
    client = app.test_client()
    assert "Urban garden" in client.get("/offerings").get_data(as_text=True)
    with app.app_context():
        db.session.get(Offering, world["bilingual"].id).status = "cancelled"
        db.session.commit()
    assert "Urban garden" not in client.get("/offerings").get_data(as_text=True)


def test_a_remembered_ranking_never_lists_a_course_that_filled_up_since_under_free_seats(
    make_app, world, make_person, register
):
    app = make_app(CATALOG_RANKING_SECONDS=10)
    client = app.test_client()
    digital = world["digital"]
    assert digital.title in client.get("/offerings?seats=1").get_data(as_text=True)
    for _ in range(digital.capacity):
        register(digital, make_person())
    assert digital.title not in client.get("/offerings?seats=1").get_data(as_text=True)
