"""Calendar feeds as Google, Apple, Outlook and Thunderbird read them (calendar-feeds.md)."""

import os
import time
from datetime import timedelta

import pytest
import recurring_ical_events
import time_machine
import vobject
from icalendar import Calendar

from learning_platform.models import utcnow
from tests.test_workspace import SEOUL, in_days, load


@pytest.fixture(params=["UTC", "America/Los_Angeles"], autouse=True)
def host_time_zone(request):
    """Parsers have depended on the host's zone: read every feed under two of them."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    yield request.param
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.fixture
def changwon(make_partner, make_person, login):
    organizer = make_person("organizer@example.org")
    partner = make_partner(
        slug="changwon-city", name="Changwon City 창원특례시", members=[organizer]
    )
    return partner, organizer


@pytest.fixture
def course(changwon, make_offering, make_theme):
    partner, _ = changwon
    return make_offering(
        partner,
        status="published",
        title="기후행동 시민학교 · ห้องเรียนภูมิอากาศ 🌏",
        sessions=[in_days(3), in_days(10), in_days(17)],
        themes=[make_theme("climate-action")],
        format="hybrid",
        online_link="https://meet.example.org/private-room",
    )


def events_of(body: bytes) -> dict[str, dict]:
    """UID -> what each of three parsers reads; asserts they agree."""
    calendar = Calendar.from_ical(body)
    first = {
        str(event["UID"]): {
            "start": event.decoded("DTSTART"),
            "end": event.decoded("DTEND"),
            "summary": str(event["SUMMARY"]),
            "status": str(event.get("STATUS")),
            "sequence": int(event.get("SEQUENCE", 0)),
        }
        for event in calendar.walk("VEVENT")
    }
    expanded = recurring_ical_events.of(calendar).between(
        utcnow() - timedelta(days=400), utcnow() + timedelta(days=400)
    )
    second = {
        str(e["UID"]): (e.decoded("DTSTART"), e.decoded("DTEND"), str(e["SUMMARY"]))
        for e in expanded
    }
    third = {
        component.uid.value: (
            component.dtstart.value,
            component.dtend.value,
            component.summary.value,
            component.status.value,
        )
        for component in getattr(vobject.readOne(body.decode("utf-8")), "vevent_list", [])
    }
    assert set(first) == set(second) == set(third)
    for uid, event in first.items():
        assert second[uid] == (event["start"], event["end"], event["summary"])
        assert third[uid] == (event["start"], event["end"], event["summary"], event["status"])
        assert event["start"].tzinfo is not None  # never floating
    return first


def assert_clean_bytes(body: bytes) -> None:
    assert not body.startswith(b"\xef\xbb\xbf")
    assert b"\n" not in body.replace(b"\r\n", b"")
    for line in body.split(b"\r\n"):
        assert len(line) <= 75, line
        line.decode("utf-8")  # each folded line is valid UTF-8 on its own


FEEDS = [
    "/feeds/all.ics",
    "/feeds/partners/changwon-city.ics",
    "/feeds/themes/climate-action.ics",
    "/feeds/offerings/{id}.ics",
    "/feeds/all.ics?theme=climate-action&language=ko&kind=course",
]


@pytest.mark.parametrize("path", FEEDS)
def test_every_public_feed_is_read_alike_by_three_parsers(client, course, path):
    response = client.get(path.format(id=course.id), headers={"Accept": ""})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    body = response.get_data()
    assert_clean_bytes(body)
    events = events_of(body)
    assert len(events) == 3
    first = min(events.values(), key=lambda e: e["start"])
    assert first["start"] == course.sessions[0].starts_at
    assert first["start"].utcoffset() == timedelta(hours=9)  # Asia/Seoul, named by TZID
    assert first["summary"] == course.title  # Korean, Thai and emoji intact
    text = body.decode()
    for needle in (
        "METHOD:PUBLISH",
        "X-WR-CALNAME:",
        "NAME:",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
        "BEGIN:VTIMEZONE",
        "TZID:Asia/Seoul",
        "CATEGORIES:",
    ):
        assert needle in text
    assert "ORGANIZER" not in text
    assert "RDATE" not in text
    assert "private-room" not in text  # the meeting link is never in a public feed


def test_the_cached_vtimezone_leaves_every_feed_unchanged(client, course):
    """VTIMEZONEs are built once per zone and dates and shared between feeds."""
    first = client.get("/feeds/all.ics").get_data()
    offering = client.get(f"/feeds/offerings/{course.id}.ics").get_data()
    again = client.get("/feeds/all.ics").get_data()
    assert again == first
    for body in (first, offering):
        assert body.count(b"BEGIN:VTIMEZONE") == 1
        assert b"TZID:Asia/Seoul" in body


def test_drafts_never_appear(client, changwon, make_offering):
    partner, _ = changwon
    draft = make_offering(partner, sessions=[in_days(3)], title="Secret draft")
    assert b"Secret draft" not in client.get("/feeds/all.ics").get_data()
    assert client.get(f"/feeds/offerings/{draft.id}.ics").status_code == 404


def test_a_moved_session_keeps_its_uid_and_a_cancelled_one_stays_a_month(
    app, client, login, changwon, course
):
    _, organizer = changwon
    before = events_of(client.get("/feeds/partners/changwon-city.ics").get_data())
    login(organizer)
    moved, cancelled = course.sessions[0], course.sessions[1]
    new_day = moved.starts_at.astimezone(SEOUL).date() + timedelta(days=1)
    client.submit(
        f"/workspace/offerings/{course.id}/sessions/{moved.id}/edit",
        {
            "day": new_day.isoformat(),
            "start_time": "10:00",
            "end_time": "12:00",
            "end_day": "",
            "location": "Room 301",
            "note": "",
        },
    )
    client.submit(
        f"/workspace/offerings/{course.id}/sessions/{cancelled.id}/cancel",
        {"confirm": "yes", "reason": "The instructor is ill."},
        page=f"/workspace/offerings/{course.id}",
    )
    after = events_of(client.get("/feeds/partners/changwon-city.ics?lang=ko").get_data())
    assert set(after) == set(before)  # same UIDs
    moved_uid = next(uid for uid in after if after[uid]["start"].date() == new_day)
    assert after[moved_uid]["sequence"] == before[moved_uid]["sequence"] + 1
    assert (after[moved_uid]["start"].hour, after[moved_uid]["start"].tzinfo is not None) == (
        10,
        True,
    )
    cancelled_uid = next(uid for uid in after if after[uid]["status"] == "CANCELLED")
    assert after[cancelled_uid]["summary"].startswith("[취소됨]")
    assert after[cancelled_uid]["sequence"] == before[cancelled_uid]["sequence"] + 1

    with time_machine.travel(utcnow() + timedelta(days=31)):
        later = events_of(client.get("/feeds/partners/changwon-city.ics").get_data())
    assert cancelled_uid not in later


def test_a_cancelled_offering_is_marked_in_every_language(client, login, changwon, course):
    _, organizer = changwon
    login(organizer)
    client.submit(
        f"/workspace/offerings/{course.id}/cancel",
        {"confirm": "yes", "reason": "The instructor is ill."},
        page=f"/workspace/offerings/{course.id}",
    )
    for lang, prefix in (("en", "[Cancelled]"), ("ko", "[취소됨]"), ("th", "[ยกเลิกแล้ว]")):
        events = events_of(client.get(f"/feeds/offerings/{course.id}.ics?lang={lang}").get_data())
        assert {e["status"] for e in events.values()} == {"CANCELLED"}
        assert all(e["summary"].startswith(prefix) for e in events.values())


def test_an_injected_alarm_stays_text(client, changwon, make_offering):
    partner, _ = changwon
    make_offering(
        partner,
        status="published",
        sessions=[in_days(2)],
        title="X\r\nBEGIN:VALARM\r\nTRIGGER:-PT5M\r\nEND:VALARM",
        summary="a\nb;c,d\\e",
    )
    body = client.get("/feeds/all.ics").get_data()
    calendar = Calendar.from_ical(body)
    assert len(calendar.walk("VEVENT")) == 1
    assert calendar.walk("VALARM") == []
    assert_clean_bytes(body)


def test_conditional_get_answers_304_only_when_unchanged(
    app, client, login, changwon, course, count_queries
):
    first = client.get("/feeds/all.ics")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert etag.startswith('"')  # a strong validator
    with count_queries() as statements:
        again = client.get("/feeds/all.ics", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert len(statements) == 1  # answered from the validator alone
    assert client.get("/feeds/all.ics", headers={"If-Modified-Since": modified}).status_code == 304
    assert client.head("/feeds/all.ics").status_code == 200

    _, organizer = changwon
    login(organizer)
    session = course.sessions[2]
    client.submit(
        f"/workspace/offerings/{course.id}/sessions/{session.id}/cancel",
        {"confirm": "yes", "reason": "The instructor is ill."},
        page=f"/workspace/offerings/{course.id}",
    )
    changed = client.get("/feeds/all.ics", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag


@pytest.mark.parametrize("path", ["/feeds/all.ics", "/feeds/offerings/{id}.ics"])
def test_a_poller_behind_a_gzipping_proxy_still_gets_its_304(client, course, path):
    """If-None-Match uses the weak comparison (RFC 9110 §13.1.2): W/"x" matches "x"."""
    path = path.format(id=course.id)
    etag = client.get(path).headers["ETag"]
    for if_none_match in (f"W/{etag}", "*", f'"other", {etag}', f'W/"other", W/{etag}'):
        for method in (client.get, client.head):
            response = method(path, headers={"If-None-Match": if_none_match})
            assert response.status_code == 304, (if_none_match, method)
            assert response.get_data() == b""
            assert response.headers["ETag"] == etag
    assert client.get(path, headers={"If-None-Match": 'W/"other"'}).status_code == 200


def test_if_none_match_takes_precedence_over_if_modified_since(client, course):
    first = client.get("/feeds/all.ics")
    modified = first.headers["Last-Modified"]
    stale = client.get(
        "/feeds/all.ics", headers={"If-None-Match": '"other"', "If-Modified-Since": modified}
    )
    assert stale.status_code == 200
    assert len(events_of(stale.get_data())) == 3
    fresh = client.get(
        "/feeds/all.ics",
        headers={
            "If-None-Match": first.headers["ETag"],
            "If-Modified-Since": "Mon, 01 Jan 1990 00:00:00 GMT",
        },
    )
    assert fresh.status_code == 304


def test_head_answers_with_the_validators_and_no_body(client, course):
    got = client.get("/feeds/all.ics")
    head = client.head("/feeds/all.ics")
    assert head.status_code == 200
    assert head.get_data() == b""
    assert head.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert head.headers["ETag"] == got.headers["ETag"]
    assert head.headers["Last-Modified"] == got.headers["Last-Modified"]
    assert head.headers["Content-Length"] == got.headers["Content-Length"]


@pytest.mark.parametrize("path", ["/feeds/all.ics", "/feeds/partners/changwon-city.ics"])
def test_a_public_validator_is_remembered_for_a_few_seconds(make_app, changwon, course, path):
    from tests.conftest import statements_of

    app = make_app(FEED_VALIDATOR_SECONDS=10, CACHE_REDIS_URL="")  # this worker's memory
    client = app.test_client()
    with time_machine.travel(utcnow(), tick=False) as clock:
        etag = client.get(path).headers["ETag"]
        with statements_of(app) as statements:
            again = client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304
        assert statements == []  # polls of an unchanged feed cost no database work

        with app.app_context():
            from learning_platform.extensions import db
            from learning_platform.models import OfferingSession

            session = db.session.get(OfferingSession, course.sessions[0].id)
            session.location = "Room 301"
            session.touch()
            db.session.commit()
        clock.shift(9)  # within the 10 seconds the old answer stands
        assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
        clock.shift(2)  # then the change shows
        changed = client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert b"Room 301" in changed.get_data()


def test_the_private_feed_is_never_answered_from_memory(make_app, make_person, course, register):
    app = make_app(FEED_VALIDATOR_SECONDS=10)
    person = make_person()
    with app.app_context():
        from learning_platform.accounts.services import new_feed_token
        from learning_platform.extensions import db
        from learning_platform.models import Person

        token = new_feed_token(db.session.get(Person, person.id))
        db.session.commit()
    client = app.test_client()
    etag = client.get(f"/feeds/me/{token}.ics").headers["ETag"]
    register(course, person)
    changed = client.get(f"/feeds/me/{token}.ics", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert len(events_of(changed.get_data())) == len(course.sessions)


def test_the_private_feed_is_rate_limited_per_address(client):
    # The limit sits on the view; guessing tokens from one address stops after 120 a minute.
    statuses = [client.get(f"/feeds/me/{'x' * 43}{n}.ics").status_code for n in range(121)]
    assert statuses[:120] == [404] * 120
    assert statuses[120] == 429


def test_registrations_do_not_change_a_public_feed(client, course, make_person, register):
    etag = client.get("/feeds/all.ics").headers["ETag"]
    register(course, make_person())
    assert client.get("/feeds/all.ics", headers={"If-None-Match": etag}).status_code == 304


@pytest.mark.parametrize("path", ["/feeds/all.ics", "/feeds/partners/changwon-city.ics"])
def test_feeds_run_at_most_three_statements_whatever_their_size(
    client, count_queries, changwon, make_offering, path
):
    partner, _ = changwon
    make_offering(partner, status="published", sessions=[in_days(2)])
    client.get(path)
    with count_queries() as small:
        client.get(path)
    for number in range(15):
        make_offering(
            partner, status="published", sessions=[in_days(3 + number), in_days(40 + number)]
        )
    with count_queries() as changed:
        client.get(path)
    with count_queries() as large:
        client.get(path)
    assert len(small) == len(large) <= 3
    # The first request after a change also records the feed's new Last-Modified, once.
    assert len(changed) == len(large) + 1
    assert changed[1].startswith("UPDATE feed_mark")


# The private feed ---------------------------------------------------------------------------


@pytest.fixture
def subscriber(client, login, make_person, course, changwon, make_offering, register):
    partner, _ = changwon
    person = make_person("minji@example.org", language="ko")
    full = make_offering(
        partner, status="published", sessions=[in_days(4)], capacity=1, title="Full class"
    )
    register(full, make_person())
    register(course, person)
    register(full, person, status="waitlisted")
    make_offering(partner, status="published", sessions=[in_days(5)], title="Not mine")
    login(person)
    page = client.submit("/account/calendar", page="/account").get_data(as_text=True)
    import re

    url = re.search(r'value="(http://localhost/feeds/me/[^"]+\.ics)"', page).group(1)
    return person, url.removeprefix("http://localhost")


def test_private_feed_holds_exactly_my_sessions(app, client, subscriber, course):
    _person, path = subscriber
    anonymous = app.test_client()
    response = anonymous.get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, max-age=300"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    body = response.get_data()
    assert_clean_bytes(body)
    events = events_of(body)
    summaries = sorted(e["summary"] for e in events.values())
    assert summaries == sorted([course.title] * 3 + ["Full class"])
    assert {e["status"] for e in events.values() if e["summary"] == "Full class"} == {"TENTATIVE"}
    descriptions = {
        str(e["SUMMARY"]): str(e["DESCRIPTION"]) for e in Calendar.from_ical(body).walk("VEVENT")
    }
    assert (
        "private-room" in descriptions[course.title]
    )  # confirmed: the link is here, and only here
    assert "private-room" not in descriptions["Full class"]
    assert "대기 1번" in descriptions["Full class"]  # the waitlist place, in the person's language
    public = events_of(anonymous.get(f"/feeds/offerings/{course.id}.ics").get_data())
    assert not set(public) & set(events)  # no UID shared with the public feeds


def test_regenerating_locks_the_old_address_out(app, client, subscriber):
    _person, path = subscriber
    client.submit("/account/calendar", {"confirm": "yes"}, page="/account")
    assert app.test_client().get(path).status_code == 404


@pytest.mark.parametrize(
    "mangle", [lambda t: t[:-1], lambda t: t.upper(), lambda t: t + "x", lambda t: "A" * 43]
)
def test_bad_tokens_all_get_the_same_404(app, subscriber, mangle):
    _, path = subscriber
    token = path.removeprefix("/feeds/me/").removesuffix(".ics")
    response = app.test_client().get(f"/feeds/me/{mangle(token)}.ics")
    assert response.status_code == 404
    assert response.get_data() == b"Not found"


def test_the_token_is_stored_hashed_and_use_is_recorded(app, client, subscriber):
    from sqlalchemy import select

    from learning_platform.extensions import db
    from learning_platform.models import Person

    person, path = subscriber
    token = path.removeprefix("/feeds/me/").removesuffix(".ics")
    assert len(token) >= 43
    app.test_client().get(path)
    with app.app_context():
        stored = db.session.scalar(select(Person).where(Person.id == person.id))
        assert stored.feed_token_hash != token and token not in stored.feed_token_hash
        assert stored.feed_last_used_at is not None


def test_private_feed_changes_when_my_waitlist_place_does(app, client, subscriber):
    _, path = subscriber
    etag = app.test_client().get(path).headers["ETag"]
    assert app.test_client().get(path, headers={"If-None-Match": etag}).status_code == 304
    from sqlalchemy import update

    from learning_platform.extensions import db
    from learning_platform.models import Registration
    from learning_platform.models import utcnow as now

    with app.app_context():
        db.session.execute(
            update(Registration).where(Registration.status == "confirmed").values(updated_at=now())
        )
        db.session.commit()
    assert app.test_client().get(path, headers={"If-None-Match": etag}).status_code == 200


def test_session_ics_and_google_link_on_the_offering_page(client, course):
    page = client.get(f"/offerings/{course.id}").get_data(as_text=True)
    assert f"/feeds/sessions/{course.sessions[0].id}.ics" in page
    assert "calendar.google.com/calendar/render?action=TEMPLATE" in page
    assert "webcal://localhost/feeds/offerings/" in page
    body = client.get(f"/feeds/sessions/{course.sessions[0].id}.ics").get_data()
    assert len(events_of(body)) == 1


def test_feed_tokens_never_reach_the_request_log(app):
    import logging

    from learning_platform.security import RedactCapabilityUrls

    logger = logging.getLogger("werkzeug")
    assert any(isinstance(f, RedactCapabilityUrls) for f in logger.filters)
    record = logging.LogRecord(
        "werkzeug", logging.INFO, "x", 1, '"%s"', ("GET /feeds/me/SeCrEt123.ics",), None
    )
    RedactCapabilityUrls().filter(record)
    assert "SeCrEt123" not in record.getMessage()


@pytest.mark.parametrize(
    "path",
    ["/feeds/partners/no-such.ics", "/feeds/themes/no-such.ics", "/feeds/offerings/999999.ics"],
)
def test_unknown_feeds_are_404(client, course, path):
    assert client.get(path).status_code == 404


def test_an_unapproved_partner_has_no_feed(client, make_partner, make_offering):
    hidden = make_partner(slug="pending-club", approved=False)
    make_offering(hidden, status="published", sessions=[in_days(3)])
    assert client.get("/feeds/partners/pending-club.ics").status_code == 404


def test_feeds_are_named_in_the_asked_language(client, course):
    body = client.get("/feeds/themes/climate-action.ics?lang=ko").get_data().decode()
    assert "X-WR-CALNAME:지속가능 도시 배움터 · 주제" in body


def test_if_modified_since_sees_a_new_registration_in_the_private_feed(
    app, subscriber, changwon, make_offering, register
):
    person, path = subscriber
    partner, _ = changwon
    first = app.test_client().get(path)
    later = make_offering(partner, status="published", sessions=[in_days(9)], title="Joined later")
    with time_machine.travel(utcnow() + timedelta(hours=2)):
        register(later, person)
        response = app.test_client().get(
            path, headers={"If-Modified-Since": first.headers["Last-Modified"]}
        )
    assert response.status_code == 200
    assert b"Joined later" in response.get_data()


def test_a_new_cohost_changes_its_partner_feed(
    app, client, login, changwon, course, make_partner, make_theme
):
    kncu = make_partner(slug="kncu", name="KNCU")
    before = client.get("/feeds/partners/kncu.ics")
    _, organizer = changwon
    login(organizer)
    from tests.test_workspace import offering_fields, submit_multi

    with time_machine.travel(utcnow() + timedelta(hours=2)):
        pairs = [
            *offering_fields(
                [t.id for t in load(app, course.id).themes],
                title=course.title,
                summary=course.summary,
                venue_name=course.venue_name,
                venue_address="",
                format="hybrid",
                online_link="https://meet.example.org/private-room",
                capacity="20",
                language="ko",
                contact_email=course.contact_email,
                description="",
                audience="",
                cost_note="",
            ),
            ("cohost_ids", str(kncu.id)),
        ]
        assert (
            submit_multi(client, f"/workspace/offerings/{course.id}/edit", pairs).status_code == 302
        )
        response = client.get(
            "/feeds/partners/kncu.ics",
            headers={"If-Modified-Since": before.headers["Last-Modified"]},
        )
    assert response.status_code == 200
    assert response.headers["ETag"] != before.headers["ETag"]
    assert len(events_of(response.get_data())) == 3


def test_renaming_a_theme_changes_the_feeds(app, client, course, runner):
    from sqlalchemy import update

    from learning_platform.extensions import db
    from learning_platform.models import Theme

    with app.app_context():
        db.session.execute(
            update(Theme).where(Theme.slug == "climate-action").values(name_en="Old name")
        )
        db.session.commit()
    etag = client.get("/feeds/all.ics").headers["ETag"]
    assert runner.invoke(args=["seed-themes"]).exit_code == 0  # puts the real names back
    response = client.get("/feeds/all.ics", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert b"Climate action" in response.get_data()


def test_gunicorn_access_log_arguments_are_redacted_too(app):
    import logging

    from learning_platform.security import RedactCapabilityUrls

    record = logging.LogRecord("gunicorn.access", logging.INFO, "x", 1, '"%(r)s" %(s)s', None, None)
    record.args = {"r": "GET /feeds/me/SeCrEt123abcdefghijklmnop.ics HTTP/1.1", "s": "200"}
    RedactCapabilityUrls().filter(record)
    assert "SeCrEt123" not in record.getMessage()
    assert any(isinstance(f, RedactCapabilityUrls) for f in app.logger.filters)


# Last-Modified never goes backwards --------------------------------------------------------
#
# A calendar app that polls with If-Modified-Since keeps its copy on a 304: when events leave a
# feed, the feed's Last-Modified must still move forward, or the app keeps them for good.


def tomorrow_at(hour: int):
    """A moment after every fixture's rows, with hours to spare before the next midnight."""
    return (utcnow() + timedelta(days=1)).replace(hour=hour, minute=0, second=0, microsecond=0)


def modified(response):
    from werkzeug.http import parse_date

    return parse_date(response.headers["Last-Modified"])


def poll_after(client, path: str, first):
    """GET `path` as a calendar app that kept `first` and sends only If-Modified-Since."""
    return client.get(path, headers={"If-Modified-Since": first.headers["Last-Modified"]})


def save_offering_as_organizer(app, client, offering, *, theme_ids, cohost_ids=()):
    from tests.test_workspace import offering_fields, submit_multi

    pairs = [
        *offering_fields(
            theme_ids,
            title=offering.title,
            summary=offering.summary,
            venue_name=offering.venue_name,
            venue_address=offering.venue_address,
            format=offering.format,
            online_link=offering.online_link,
            capacity=str(offering.capacity),
            language=offering.language,
            contact_email=offering.contact_email,
            description=offering.description,
            audience=offering.audience,
            cost_note=offering.cost_note,
        ),
        *(("cohost_ids", str(partner_id)) for partner_id in cohost_ids),
    ]
    response = submit_multi(client, f"/workspace/offerings/{offering.id}/edit", pairs)
    assert response.status_code == 302, response.get_data(as_text=True)


@pytest.fixture
def cohosted(changwon, make_partner, make_offering, make_theme):
    """A course of Changwon's, co-hosted by KNCU, on climate action and urban gardens."""
    partner, _ = changwon
    kncu = make_partner(slug="kncu", name="KNCU")
    climate, gardens = make_theme("climate-action"), make_theme("urban-gardens")
    course = make_offering(
        partner,
        status="published",
        title="Rain gardens for Changwon",
        sessions=[in_days(3), in_days(10)],
        themes=[climate, gardens],
        cohosts=[kncu],
    )
    return course, kncu, climate, gardens


def test_cancelling_my_seat_moves_my_private_feed_forward(
    app, client, login, make_person, course, register
):
    from learning_platform.accounts.services import new_feed_token
    from learning_platform.extensions import db
    from learning_platform.models import Person

    person = make_person()
    register(course, person)
    with app.app_context():
        token = new_feed_token(db.session.get(Person, person.id))
        db.session.commit()
    path = f"/feeds/me/{token}.ics"
    with time_machine.travel(tomorrow_at(6), tick=False) as clock:
        first = app.test_client().get(path)
        assert len(events_of(first.get_data())) == 3
        clock.shift(timedelta(hours=1))
        login(person)
        client.submit(
            f"/offerings/{course.id}/cancel", {"confirm": "yes"}, page=f"/offerings/{course.id}"
        )
        again = poll_after(app.test_client(), path, first)
    assert again.status_code == 200
    assert events_of(again.get_data()) == {}
    assert modified(again) > modified(first)


@pytest.mark.parametrize("path", ["/feeds/partners/kncu.ics", "/feeds/all.ics?partner=kncu"])
def test_removing_a_cohost_moves_its_feeds_forward(app, client, login, changwon, cohosted, path):
    course, _kncu, climate, gardens = cohosted
    _, organizer = changwon
    with time_machine.travel(tomorrow_at(6), tick=False) as clock:
        first = client.get(path)
        assert {e["summary"] for e in events_of(first.get_data()).values()} == {course.title}
        clock.shift(timedelta(hours=1))
        login(organizer)
        save_offering_as_organizer(app, client, course, theme_ids=[climate.id, gardens.id])
        again = poll_after(client, path, first)
    assert again.status_code == 200
    assert events_of(again.get_data()) == {}
    assert modified(again) > modified(first)


@pytest.mark.parametrize(
    "path", ["/feeds/themes/urban-gardens.ics", "/feeds/all.ics?theme=urban-gardens"]
)
def test_removing_a_theme_moves_its_feeds_forward(app, client, login, changwon, cohosted, path):
    course, kncu, climate, _gardens = cohosted
    _, organizer = changwon
    with time_machine.travel(tomorrow_at(6), tick=False) as clock:
        first = client.get(path)
        assert len(events_of(first.get_data())) == 2
        clock.shift(timedelta(hours=1))
        login(organizer)
        save_offering_as_organizer(
            app, client, course, theme_ids=[climate.id], cohost_ids=[kncu.id]
        )
        again = poll_after(client, path, first)
    assert again.status_code == 200
    assert events_of(again.get_data()) == {}
    assert modified(again) > modified(first)


def test_a_cancelled_offering_leaving_the_window_moves_the_feeds_forward(
    app, client, login, changwon, course
):
    _, organizer = changwon
    path = "/feeds/partners/changwon-city.ics"
    with time_machine.travel(tomorrow_at(6), tick=False) as clock:
        login(organizer)
        client.submit(
            f"/workspace/offerings/{course.id}/cancel",
            {"confirm": "yes", "reason": "The instructor is ill."},
            page=f"/workspace/offerings/{course.id}",
        )
        first = client.get(path)
        assert {e["status"] for e in events_of(first.get_data()).values()} == {"CANCELLED"}
        clock.shift(timedelta(days=31))  # 30 days after its cancellation it leaves the feeds
        again = poll_after(client, path, first)
    assert again.status_code == 200
    assert events_of(again.get_data()) == {}
    assert modified(again) > modified(first)


def test_a_change_within_the_same_second_still_moves_last_modified_forward(
    app, client, course, make_person, register
):
    from learning_platform.accounts.services import new_feed_token
    from learning_platform.enrollment.services import active_registration, cancel
    from learning_platform.extensions import db
    from learning_platform.models import Person

    person = make_person()
    register(course, person)
    with app.app_context():
        token = new_feed_token(db.session.get(Person, person.id))
        db.session.commit()
    path = f"/feeds/me/{token}.ics"
    with time_machine.travel(tomorrow_at(6), tick=False):
        first = client.get(path)
        with app.app_context():
            cancel(active_registration(course.id, person.id))
            db.session.commit()
        again = poll_after(client, path, first)
    assert again.status_code == 200
    assert events_of(again.get_data()) == {}
    assert modified(again) > modified(first)


def test_last_modified_holds_across_workers_and_restarts(make_app, changwon, cohosted):
    """Each worker (a fresh app: nothing remembered in memory) answers alike."""
    course, _kncu, climate, gardens = cohosted
    path = "/feeds/partners/kncu.ics"
    one, two = make_app(FEED_VALIDATOR_SECONDS=10), make_app(FEED_VALIDATOR_SECONDS=10)
    with time_machine.travel(tomorrow_at(6), tick=False) as clock:
        first = one.test_client().get(path)
        assert (
            two.test_client().get(path).headers["Last-Modified"] == first.headers["Last-Modified"]
        )
        clock.shift(timedelta(hours=1))
        with one.app_context():
            from learning_platform.extensions import db
            from learning_platform.offerings.services import save_offering
            from tests.test_workspace import load

            offering = db.session.merge(load(one, course.id))
            save_offering(
                offering,
                {
                    **{name: getattr(offering, name) for name in ("kind", "title", "summary")},
                    "language": offering.language,
                    "format": offering.format,
                    "venue_name": offering.venue_name,
                    "timezone": offering.timezone,
                    "contact_email": offering.contact_email,
                    "capacity": offering.capacity,
                    "theme_ids": [climate.id, gardens.id],
                    "cohost_ids": [],
                },
            )
            db.session.commit()
        restarted = make_app(FEED_VALIDATOR_SECONDS=10)
        again = poll_after(restarted.test_client(), path, first)
        later = two.test_client().get(path)
    assert again.status_code == 200
    assert events_of(again.get_data()) == {}
    assert modified(again) > modified(first)
    assert later.headers["Last-Modified"] == again.headers["Last-Modified"]


def test_renaming_a_partner_moves_its_feed_forward(app, client, changwon, course):
    from sqlalchemy import update

    from learning_platform.extensions import db
    from learning_platform.models import Partner

    path = "/feeds/partners/changwon-city.ics"
    with time_machine.travel(tomorrow_at(6), tick=False) as clock:
        first = client.get(path)
        clock.shift(timedelta(hours=1))
        with app.app_context():
            db.session.execute(
                update(Partner).where(Partner.slug == "changwon-city").values(name="Changwon")
            )
            db.session.commit()
        again = poll_after(client, path, first)
    assert again.status_code == 200
    assert "X-WR-CALNAME:Learning for Sustainable Cities · Changwon\r\n" in again.get_data(
        as_text=True
    )
    assert modified(again) > modified(first)


def test_racing_workers_never_lower_a_feeds_mark(app):
    """Workers record a new version only over the one they read (compare-and-set)."""
    from sqlalchemy import select

    from learning_platform.calendar import feeds
    from learning_platform.extensions import db
    from learning_platform.models import FeedMark

    start = tomorrow_at(6)
    with app.app_context():
        db.session.add(FeedMark(key="k", etag="e1", last_modified=start))
        db.session.commit()
        # A worker that read e0 at an older time finds e1 recorded: it goes on from there.
        later = feeds._record("k", "e2", start, "e0", start - timedelta(hours=1))
        assert later == start + timedelta(seconds=1)
        # One that saw its own version recorded by another takes that one's time.
        assert feeds._record("k", "e2", start + timedelta(hours=1), "e1", start) == later
        # e1 again after e2 (the data went back): still a later time, never an older one.
        again = feeds._record("k", "e1", start, "e1", start - timedelta(hours=2))
        assert again == later + timedelta(seconds=1)
        db.session.commit()
        row = db.session.execute(select(FeedMark.etag, FeedMark.last_modified)).one()
        assert tuple(row) == ("e1", again)


def test_a_filter_naming_nothing_keeps_no_mark_and_gives_no_last_modified(
    app, client, changwon, make_partner, make_offering
):
    from sqlalchemy import func, select

    from learning_platform.extensions import db
    from learning_platform.models import FeedMark

    partner, _ = changwon
    path = "/feeds/all.ics?partner=masan-bay"
    for made_up in range(3):
        response = client.get(f"{path}{made_up}")
        assert response.status_code == 200
        assert "Last-Modified" not in response.headers
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(FeedMark)) == 0
    before = client.get(f"{path}0")
    masan = make_partner(slug="masan-bay0")
    make_offering(partner, status="published", sessions=[in_days(3)], cohosts=[masan])
    after = client.get(f"{path}0", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert len(events_of(after.get_data())) == 1
    assert "Last-Modified" in after.headers
