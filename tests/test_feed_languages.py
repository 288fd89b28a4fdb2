"""Feeds in the subscriber's language: ?lang=, the defaults, and validators per language."""

import re

import pytest
import time_machine
from icalendar import Calendar

from learning_platform.models import utcnow
from tests.test_feeds import assert_clean_bytes, events_of
from tests.test_workspace import in_days

TITLES = {
    "ko": "기후행동 시민학교",
    "en": "Climate Action Citizens' School",
    "th": "ห้องเรียนภูมิอากาศ",
}


@pytest.fixture
def bangkok(make_partner):
    return make_partner(
        slug="unesco-bangkok",
        name="유네스코 방콕",
        primary_language="ko",
        translations={"en": {"name": "UNESCO Bangkok"}, "th": {"name": "ยูเนสโก กรุงเทพฯ"}},
    )


@pytest.fixture
def course(bangkok, make_offering, make_theme):
    """Korean first, written in English and Thai too; the venue only in Korean."""
    return make_offering(
        bangkok,
        status="published",
        primary_language="ko",
        title=TITLES["ko"],
        summary="흙 만들기부터",
        venue_name="창원 평생학습관",
        translations={
            "en": {"title": TITLES["en"], "summary": "From making soil"},
            "th": {"title": TITLES["th"], "summary": "เริ่มจากการทำดิน"},
        },
        sessions=[in_days(3), in_days(10)],
        themes=[make_theme("climate-action")],
    )


def _events(body: bytes) -> dict:
    return {str(event["UID"]): event for event in Calendar.from_ical(body).walk("VEVENT")}


FEEDS = [
    "/feeds/all.ics",
    "/feeds/partners/unesco-bangkok.ics",
    "/feeds/themes/climate-action.ics",
    "/feeds/offerings/{id}.ics",
]


@pytest.mark.parametrize("path", FEEDS)
def test_each_language_gets_its_texts_and_the_same_events(client, course, path):
    path = path.format(id=course.id)
    answers = {lang: client.get(f"{path}?lang={lang}") for lang in TITLES}
    events = {lang: _events(answer.get_data()) for lang, answer in answers.items()}
    for lang, answer in answers.items():
        assert_clean_bytes(answer.get_data())
        events_of(answer.get_data())  # three parsers still agree
        for event in events[lang].values():
            assert str(event["SUMMARY"]) == TITLES[lang]
            assert event["SUMMARY"].params["LANGUAGE"] == lang
    # The same events in every language: UID, SEQUENCE and times do not depend on it.
    same = {
        lang: {
            uid: (e.decoded("DTSTART"), e.decoded("DTEND"), e.get("SEQUENCE"), e.decoded("DTSTAMP"))
            for uid, e in found.items()
        }
        for lang, found in events.items()
    }
    assert same["ko"] == same["en"] == same["th"]
    assert answers["th"].get_data() != answers["ko"].get_data()
    etags = {answer.headers["ETag"] for answer in answers.values()}
    assert len(etags) == 3


def test_a_text_not_written_in_the_language_says_which_language_it_is(client, course):
    events = _events(client.get(f"/feeds/offerings/{course.id}.ics?lang=th").get_data())
    event = next(iter(events.values()))
    # The venue is only written in Korean: the Thai feed shows it, marked Korean.
    assert str(event["LOCATION"]) == "창원 평생학습관"
    assert event["LOCATION"].params["LANGUAGE"] == "ko"
    assert "เริ่มจากการทำดิน" in str(event["DESCRIPTION"])
    assert event["DESCRIPTION"].params["LANGUAGE"] == "th"


def test_feed_names_follow_the_language(client, course):
    partner = client.get("/feeds/partners/unesco-bangkok.ics?lang=th").get_data().decode()
    assert "X-WR-CALNAME:" in partner and "· ยูเนสโก กรุงเทพฯ" in partner
    english = client.get("/feeds/partners/unesco-bangkok.ics?lang=en").get_data().decode()
    assert "· UNESCO Bangkok" in english
    offering = client.get(f"/feeds/offerings/{course.id}.ics?lang=en").get_data().decode()
    assert "Citizens' School" in offering.split("BEGIN:VEVENT")[0]


@pytest.mark.parametrize("path", FEEDS)
def test_a_304_holds_per_language(client, course, path):
    path = path.format(id=course.id)
    thai = client.get(f"{path}?lang=th")
    etag = thai.headers["ETag"]
    assert client.get(f"{path}?lang=th", headers={"If-None-Match": etag}).status_code == 304
    # Another language's poller with that ETag gets its own body, never a wrong 304.
    korean = client.get(f"{path}?lang=ko", headers={"If-None-Match": etag})
    assert korean.status_code == 200
    assert TITLES["ko"].encode() in korean.get_data()
    since = thai.headers["Last-Modified"]
    assert client.get(f"{path}?lang=th", headers={"If-Modified-Since": since}).status_code == 304


def test_a_remembered_validator_is_kept_per_language(make_app, course):
    app = make_app(FEED_VALIDATOR_SECONDS=10, CACHE_REDIS_URL="")
    client = app.test_client()
    with time_machine.travel(utcnow(), tick=False):
        thai = client.get("/feeds/partners/unesco-bangkok.ics?lang=th")
        korean = client.get("/feeds/partners/unesco-bangkok.ics?lang=ko")
        again = client.get(
            "/feeds/partners/unesco-bangkok.ics?lang=ko",
            headers={"If-None-Match": thai.headers["ETag"]},
        )
    assert thai.headers["ETag"] != korean.headers["ETag"]
    assert again.status_code == 200 and TITLES["ko"].encode() in again.get_data()
    assert "ยูเนสโก กรุงเทพฯ".encode() in thai.get_data()
    assert "유네스코 방콕".encode() in korean.get_data()


@pytest.mark.parametrize("lang", ["xx", "KO", "ko-KR", "de"])
@pytest.mark.parametrize("path", [*FEEDS, "/feeds/sessions/{session}.ics"])
def test_a_language_we_do_not_offer_is_a_plain_404(client, course, path, lang):
    path = path.format(id=course.id, session=course.sessions[0].id)
    answer = client.get(f"{path}?lang={lang}")
    assert answer.status_code == 404
    assert answer.mimetype == "text/plain"
    assert "ko, en, th" in answer.get_data(as_text=True)


def test_without_lang_public_feeds_follow_accept_language_then_the_site(app, client, course):
    thai = client.get("/feeds/all.ics", headers={"Accept-Language": "th-TH,th;q=0.9"})
    assert TITLES["th"].encode() in thai.get_data()
    assert "Accept-Language" in thai.headers["Vary"]
    default = app.config["BABEL_DEFAULT_LOCALE"]
    plain = client.get("/feeds/all.ics")  # Google sends no Accept-Language
    assert TITLES[default].encode() in plain.get_data()
    # An explicit ?lang= wins and the body no longer varies with the header.
    asked = client.get("/feeds/all.ics?lang=en", headers={"Accept-Language": "th"})
    assert TITLES["en"].encode() in asked.get_data()
    assert "Accept-Language" not in asked.headers.get("Vary", "")


def test_the_session_file_comes_in_the_asked_language(client, course):
    session_id = course.sessions[0].id
    body = client.get(f"/feeds/sessions/{session_id}.ics?lang=th").get_data()
    (event,) = _events(body).values()
    assert str(event["SUMMARY"]) == TITLES["th"]
    english = client.get(f"/feeds/sessions/{session_id}.ics?lang=en").get_data()
    assert TITLES["en"].encode() in english


def test_the_private_feed_uses_the_persons_language_unless_asked(
    client, login, make_person, course, register
):
    person = make_person("somchai@example.org", language="th")
    register(course, person)
    login(person)
    page = client.submit("/account/calendar", page="/account").get_data(as_text=True)
    url = re.search(r'value="http://localhost(/feeds/me/[^"]+\.ics)"', page).group(1)
    client.get("/logout")
    thai = client.get(url, headers={"Accept-Language": "ko"})
    (summary,) = {str(e["SUMMARY"]) for e in _events(thai.get_data()).values()}
    assert summary == TITLES["th"]
    assert "X-WR-CALNAME:" in thai.get_data(as_text=True)
    english = client.get(f"{url}?lang=en")
    assert {str(e["SUMMARY"]) for e in _events(english.get_data()).values()} == {TITLES["en"]}
    assert english.headers["ETag"] != thai.headers["ETag"]
    assert client.get(f"{url}?lang=xx").status_code == 404


def test_a_thai_reader_subscribes_to_thai_feeds(client, course):
    page = client.get("/partners/unesco-bangkok", headers={"Accept-Language": "th"}).get_data(
        as_text=True
    )
    assert "/feeds/partners/unesco-bangkok.ics?lang=th" in page
    assert "webcal://localhost/feeds/partners/unesco-bangkok.ics?lang=th" in page
    assert (
        "cid=webcal%3A%2F%2Flocalhost%2Ffeeds%2Fpartners%2Funesco-bangkok.ics%3Flang%3Dth" in page
    )
    offering = client.get(f"/offerings/{course.id}", headers={"Accept-Language": "th"}).get_data(
        as_text=True
    )
    assert f"/feeds/sessions/{course.sessions[0].id}.ics?lang=th" in offering
