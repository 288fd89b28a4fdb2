"""States that never contradict, and destructive actions that ask first.

Each offering state reads the same to everyone (anonymous or logged in); an organizer's
cancellation reason and a session's change note reach the page, the mail, My learning and
the feeds; every destructive action changes nothing until its confirmation page is sent.
"""

import re
from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from learning_platform.catalog.services import CatalogEntry
from learning_platform.enrollment.services import OfferingState, offering_state
from learning_platform.extensions import db
from learning_platform.models import Membership, Offering, Registration, utcnow
from tests.conftest import mail_body
from tests.test_workspace import SEOUL, in_days, load

REASON = "강사가 아파서 취소합니다 · The instructor is ill."
CONFIRMED = {"confirm": "yes", "reason": REASON}


@pytest.fixture
def partner(make_partner, make_person):
    organizer = make_person("organizer@example.org", name="김서연")
    partner = make_partner(slug="changwon-city", name="Changwon City", members=[organizer])
    partner.organizer = organizer
    return partner


@pytest.fixture
def citizen(make_person):
    return make_person("minji@example.org", name="Minji", language="ko")


def page_of(client, offering) -> str:
    response = client.get(f"/offerings/{offering.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def aside(page: str) -> str:
    """The registration panel: where seats, waitlist and buttons live."""
    return page[page.index('<aside class="panel enroll"') : page.index("</aside>")]


# One state, decided once ------------------------------------------------------------------

STATES = {
    "open": {"sessions": [in_days(7)]},
    "full": {"sessions": [in_days(7)], "capacity": 1, "full": True},
    "opens_later": {"sessions": [in_days(7)], "registration_opens_at_days": 3},
    "closed": {"sessions": [in_days(7)], "registration_closes_at_days": -1},
    "under_way": {"sessions": [in_days(-2), in_days(5)]},
    "ended": {"sessions": [in_days(-9), in_days(-2)]},
    "cancelled": {"sessions": [in_days(5), in_days(12)], "status": "cancelled"},
}


@pytest.fixture
def offering_in(partner, make_offering, make_person, register):
    def make(state: str):
        values = {"status": "published", **STATES[state]}
        full = values.pop("full", False)
        for name in ("registration_opens_at", "registration_closes_at"):
            days = values.pop(f"{name}_days", None)
            if days is not None:
                values[name] = utcnow() + timedelta(days=days)
        if state == "cancelled":
            values["cancel_reason"] = REASON
        offering = make_offering(partner, title=f"A {state} course", **values)
        if full:
            register(offering, make_person())
        return offering

    return make


@pytest.mark.parametrize("state", STATES)
def test_offering_state_is_decided_in_one_place(app, offering_in, state):
    offering = offering_in(state)
    with app.app_context():
        assert offering_state(load(app, offering.id), utcnow()) == OfferingState(state)


def test_a_catalog_entry_knows_it_has_begun_without_reading_sessions(app, offering_in):
    offering = offering_in("open")
    entry = CatalogEntry(offering, *in_days(1), started=True)
    assert offering_state(entry.offering, utcnow(), started=True) == OfferingState.UNDER_WAY


@pytest.mark.parametrize("logged_in", [False, True], ids=["anonymous", "logged-in"])
@pytest.mark.parametrize("state", STATES)
def test_each_state_reads_the_same_to_everyone_and_never_contradicts(
    client, login, make_person, offering_in, state, logged_in
):
    offering = offering_in(state)
    if logged_in:
        login(make_person())
    page = page_of(client, offering)
    panel = aside(page)
    can_join = state in ("open", "full")
    # Seats are only offered while one can register; the waitlist only while it is full.
    assert ("seat left" in panel or "seats left" in panel) is (state == "open")
    assert ("waitlist" in panel) is (state == "full")
    assert ("Register</button>" in panel or "Join the waitlist</button>" in panel) is (
        can_join and logged_in
    )
    assert ("Log in to" in panel) is (can_join and not logged_in)
    assert ("started" in page) is (state == "under_way")
    assert ("has ended" in page) is (state == "ended")
    assert ("This offering is cancelled" in page) is (state == "cancelled")
    assert ("Add to calendar" in page) is (state not in ("ended", "cancelled"))


def test_a_full_offering_asks_an_anonymous_visitor_to_log_in_and_comes_back(client, offering_in):
    offering = offering_in("full")
    panel = aside(page_of(client, offering))
    assert "Log in to join the waitlist" in panel
    assert f'href="/login?next=/offerings/{offering.id}"' in panel
    assert "seats left" not in panel


def test_an_ended_offering_tells_its_participant_they_had_a_seat(
    client, login, offering_in, citizen, register
):
    offering = offering_in("ended")
    register(offering, citizen)
    login(citizen)
    page = page_of(client, offering)
    assert "이 과정은 끝났습니다" in page
    assert "대기" not in aside(page)  # no waitlist, in Korean either
    assert "취소" not in aside(page)  # nothing to cancel


def test_a_cancelled_offering_strikes_every_session_and_shows_no_seats(client, offering_in):
    offering = offering_in("cancelled")
    page = page_of(client, offering)
    assert page.count("<del>") == 2
    assert REASON in page
    assert "seats" not in aside(page)
    assert "Registration is closed: the offering is cancelled." in aside(page)


def test_the_state_badge_is_the_same_on_the_page_for_a_korean_visitor(client, offering_in):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ko"
    assert "신청 시작" in page_of(client, offering_in("opens_later"))
    assert "신청 마감" in page_of(client, offering_in("closed"))


# Reasons and notes reach everyone ---------------------------------------------------------


@pytest.fixture
def published(partner, make_offering, make_theme, register, citizen, make_person):
    offering = make_offering(
        partner,
        status="published",
        title="도시 텃밭 Urban Gardening",
        sessions=[in_days(5), in_days(12)],
        themes=[make_theme("biodiversity")],
    )
    register(offering, citizen)
    register(offering, make_person("john@example.org"))
    return offering


def feed_descriptions(client, offering) -> dict[str, tuple[str, str]]:
    body = client.get(f"/feeds/offerings/{offering.id}.ics").get_data()
    return {
        str(event["UID"]): (str(event["STATUS"]), str(event["DESCRIPTION"]))
        for event in Calendar.from_ical(body).walk("VEVENT")
    }


def test_an_offering_cancelled_with_a_reason_says_why_everywhere(
    app, client, login, partner, published, citizen, outbox
):
    login(partner.organizer)
    path = f"/workspace/offerings/{published.id}/cancel"
    response = client.submit(path, CONFIRMED, page=f"/workspace/offerings/{published.id}")
    assert response.status_code == 302
    assert load(app, published.id).cancel_reason == REASON

    [mail] = outbox(citizen.email)
    assert REASON in mail_body(mail) and "주최 측 사유" in mail_body(mail)
    assert REASON in page_of(client, published)
    events = feed_descriptions(client, published)
    assert {status for status, _ in events.values()} == {"CANCELLED"}
    assert all(
        description.startswith(f"[Cancelled] {REASON}") for _, description in events.values()
    )

    client.submit("/logout", page="/")
    login(citizen)
    assert REASON in client.get("/me/learning").get_data(as_text=True)


def test_a_session_cancelled_with_a_reason_says_why_everywhere(
    client, login, partner, published, citizen, outbox
):
    login(partner.organizer)
    session = published.sessions[1]
    path = f"/workspace/offerings/{published.id}/sessions/{session.id}/cancel"
    assert client.submit(path, CONFIRMED, page="/").status_code == 302

    [mail] = outbox(citizen.email)
    assert REASON in mail_body(mail)
    page = page_of(client, published)
    assert REASON in page and page.count("<del>") == 1
    status, description = feed_descriptions(client, published)[f"{session.uid}@learning-platform"]
    assert status == "CANCELLED" and REASON in description

    client.submit("/logout", page="/")
    login(citizen)
    learning = client.get("/me/learning").get_data(as_text=True)
    assert REASON in learning and "is-cancelled" in learning


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501])
@pytest.mark.parametrize("what", ["offering", "session"])
def test_an_organizer_must_give_a_sensible_reason(
    app, client, login, partner, published, outbox, reason, what
):
    login(partner.organizer)
    path = f"/workspace/offerings/{published.id}"
    if what == "session":
        path += f"/sessions/{published.sessions[0].id}"
    response = client.submit(f"{path}/cancel", {"confirm": "yes", "reason": reason}, page="/")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = re.search(r'<p class="error" id="reason-error">(.*?)</p>', page, re.S)
    assert error and ("Give a reason" in error.group(1) or "at most 500" in error.group(1))
    assert 'aria-invalid="true"' in page
    after = load(app, published.id)
    assert after.status == "published"
    assert [s.status for s in after.sessions] == ["scheduled", "scheduled"]
    assert outbox() == []


def test_the_change_note_reaches_the_mail_page_my_learning_and_the_feed(
    client, login, partner, published, citizen, outbox
):
    note = "공사로 301호로 옮깁니다 · Moved to room 301 for building works."
    login(partner.organizer)
    session = published.sessions[0]
    new_day = session.starts_at.astimezone(SEOUL).date() + timedelta(days=1)
    response = client.submit(
        f"/workspace/offerings/{published.id}/sessions/{session.id}/edit",
        {
            "day": new_day.isoformat(),
            "start_time": "10:00",
            "end_time": "12:00",
            "location": "Room 301",
            "note": note,
        },
    )
    assert response.status_code == 302
    [mail] = outbox(citizen.email)
    assert note in mail_body(mail) and "주최 측 메모" in mail_body(mail)
    assert note in page_of(client, published)
    _status, description = feed_descriptions(client, published)[f"{session.uid}@learning-platform"]
    assert note in description
    client.submit("/logout", page="/")
    login(citizen)
    assert note in client.get("/me/learning").get_data(as_text=True)


# Every destructive action asks first -------------------------------------------------------


def registration_of(app, offering, person) -> str:
    with app.app_context():
        return db.session.scalar(
            select(Registration.status).where(
                Registration.offering_id == offering.id, Registration.person_id == person.id
            )
        )


def asks(response, *, button: str, keep: str) -> str:
    """The response is a confirmation page: the question, the danger button, a way back."""
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'name="confirm"' in page and 'value="yes"' in page
    assert 'name="csrf_token"' in page
    assert button in page and keep in page
    return page


def test_cancelling_a_seat_asks_first(app, client, login, published, citizen, outbox):
    login(citizen)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ko"
    path = f"/offerings/{published.id}"
    page = asks(client.submit(f"{path}/cancel", page=path), button="신청 취소", keep="자리 유지")
    assert published.title in page
    assert registration_of(app, published, citizen) == "confirmed"
    assert outbox() == []

    done = client.submit(f"{path}/cancel", {"confirm": "yes"}, page=path)
    assert done.status_code == 302 and done.headers["Location"] == path
    assert registration_of(app, published, citizen) == "cancelled"


def test_leaving_the_waitlist_from_my_learning_asks_and_returns_there(
    app, client, login, partner, make_offering, make_person, register, citizen
):
    full = make_offering(partner, status="published", sessions=[in_days(6)], capacity=1)
    register(full, make_person())
    register(full, citizen, status="waitlisted")
    login(citizen)
    path = f"/offerings/{full.id}/cancel"
    page = asks(
        client.submit(path, {"next": "learning"}, page="/me/learning"),
        button="대기 명단에서 빠질까요?",
        keep="대기 유지",
    )
    assert "대기 1번" in page
    assert 'name="next" value="learning"' in page
    assert registration_of(app, full, citizen) == "waitlisted"
    done = client.submit(path, {"confirm": "yes", "next": "learning"}, page="/me/learning")
    assert done.headers["Location"] == "/me/learning"
    assert registration_of(app, full, citizen) == "cancelled"


def test_cancelling_an_offering_asks_first_and_says_who_is_told(
    app, client, login, partner, published, make_person, register, outbox
):
    register(published, make_person(), status="waitlisted")
    login(partner.organizer)
    path = f"/workspace/offerings/{published.id}/cancel"
    page = asks(client.submit(path, page="/"), button="Cancel the offering", keep="Keep it")
    assert "2 confirmed participants and 1 person on the waitlist will be told" in page
    assert "2 remaining sessions" in page
    assert 'name="reason"' in page and "reason-error" not in page
    assert f'href="/workspace/offerings/{published.id}"' in page  # "Keep it" leads back
    assert load(app, published.id).status == "published"
    assert outbox() == []


def test_cancelling_a_session_asks_first(app, client, login, partner, published, outbox):
    login(partner.organizer)
    session = published.sessions[0]
    path = f"/workspace/offerings/{published.id}/sessions/{session.id}/cancel"
    page = asks(client.submit(path, page="/"), button="Cancel the session", keep="Keep it")
    assert "2 confirmed participants will be told" in page
    assert load(app, published.id).sessions[0].status == "scheduled"
    assert outbox() == []


def test_removing_a_member_asks_first(app, client, login, partner, make_person):
    manager = make_person(admin=True)
    login(manager)
    with app.app_context():
        membership = db.session.scalar(select(Membership.id))
    path = f"/workspace/{partner.slug}/members/"
    page = asks(
        client.submit(f"{path}{membership}/remove", page=path),
        button="Remove 김서연",
        keep="Keep 김서연",
    )
    assert "can no longer open the workspace of Changwon City" in page
    with app.app_context():
        assert db.session.get(Membership, membership) is not None
    client.submit(f"{path}{membership}/remove", {"confirm": "yes"}, page=path)
    with app.app_context():
        assert db.session.get(Membership, membership) is None


def test_replacing_the_calendar_address_asks_first_creating_it_does_not(
    app, client, login, citizen
):
    login(citizen)
    first = client.submit("/account/calendar", page="/account").get_data(as_text=True)
    url = re.search(r'value="http://localhost(/feeds/me/[^"]+\.ics)"', first).group(1)
    asks(
        client.submit("/account/calendar", page="/account"),
        button="새 주소",
        keep="지금 주소 유지",
    )
    assert app.test_client().get(url).status_code == 200  # the old address still works
    client.submit("/account/calendar", {"confirm": "yes"}, page="/account")
    assert app.test_client().get(url).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/offerings/{offering}/cancel",
        "/workspace/offerings/{offering}/cancel",
        "/workspace/offerings/{offering}/sessions/{session}/cancel",
    ],
)
def test_a_confirmation_without_its_csrf_token_changes_nothing(
    app, client, login, partner, published, citizen, path
):
    login(partner.organizer if "workspace" in path else citizen)
    url = path.format(offering=published.id, session=published.sessions[0].id)
    assert client.post(url, data=CONFIRMED).status_code == 400
    assert client.get(url).status_code == 405
    after = load(app, published.id)
    assert after.status == "published" and after.sessions[0].status == "scheduled"
    assert registration_of(app, published, citizen) == "confirmed"


def test_a_confirmation_page_fits_the_action_it_confirms(app, client, login, citizen, published):
    """The confirmation step of one offering's seat cannot cancel another: it posts to itself."""
    login(citizen)
    page = client.submit(f"/offerings/{published.id}/cancel", page="/").get_data(as_text=True)
    form = re.search(r"<form [^>]*>", page[page.index("confirm-title") :]).group(0)
    assert "action=" not in form  # the page's own address, the one just asked
    with app.app_context():
        assert db.session.get(Offering, published.id).seats_taken == 2


def test_my_learning_offers_no_cancel_button_once_an_offering_is_under_way(
    client, login, offering_in, citizen, register
):
    under_way, upcoming = offering_in("under_way"), offering_in("open")
    register(under_way, citizen)
    register(upcoming, citizen)
    login(citizen)
    page = client.get("/me/learning").get_data(as_text=True)
    assert f"/offerings/{upcoming.id}/cancel" in page
    assert f"/offerings/{under_way.id}/cancel" not in page
    assert "진행 중 · 신청 마감" in page or "Under way" in page


def test_a_venue_change_note_reaches_the_mail_page_my_learning_and_the_feed(
    client, login, partner, published, citizen, outbox
):
    from tests.test_workspace import offering_fields, submit_multi

    note = "1층 공사로 2층 세미나실에서 모입니다 · We meet upstairs during the works."
    login(partner.organizer)
    edit = f"/workspace/offerings/{published.id}/edit"
    assert "change_note" in client.get(edit).get_data(as_text=True)
    pairs = offering_fields(
        [t.id for t in published.themes],
        title=published.title,
        venue_name="Masan Bay Eco Centre",
        capacity="20",
        change_note=note,
    )
    assert submit_multi(client, edit, pairs).status_code == 302
    [mail] = outbox(citizen.email)
    assert "Masan Bay Eco Centre" in mail_body(mail) and note in mail_body(mail)
    assert note in page_of(client, published)
    assert all(
        note in description for _, description in feed_descriptions(client, published).values()
    )
    client.submit("/logout", page="/")
    login(citizen)
    assert note in client.get("/me/learning").get_data(as_text=True)


@pytest.mark.parametrize(
    ("state", "started", "badge"),
    [
        ("open", False, "seats left"),
        ("full", False, "Full · waitlist open"),
        ("opens_later", False, "Registration opens"),
        ("closed", False, "Registration closed"),
        ("open", True, "Under way · registration closed"),
    ],
)
def test_the_badge_reads_a_catalog_entry_without_its_sessions(
    app, count_queries, offering_in, state, started, badge
):
    from flask import render_template_string

    offering = offering_in(state)
    with app.app_context():
        row = db.session.get(Offering, offering.id)
        db.session.expunge(row)  # a card's offering: its sessions are not loaded
        entry = CatalogEntry(row, *in_days(7), started=started)
        with app.test_request_context(), count_queries() as statements:
            html = render_template_string('{% include "catalog/_state_badge.html" %}', entry=entry)
    assert badge in html
    assert statements == []


def test_a_long_korean_reason_keeps_the_feed_clean(client, login, partner, published):
    from tests.test_feeds import assert_clean_bytes

    reason = ("강사가 아파서 이번 과정을 취소합니다; 새 일정은, 다시 알려 드립니다.\r\n" * 12)[:500]
    login(partner.organizer)
    path = f"/workspace/offerings/{published.id}/cancel"
    assert client.submit(path, {"confirm": "yes", "reason": reason}, page="/").status_code == 302
    body = client.get(f"/feeds/offerings/{published.id}.ics").get_data()
    assert_clean_bytes(body)
    events = Calendar.from_ical(body).walk("VEVENT")
    assert len(events) == 2 and not Calendar.from_ical(body).walk("VALARM")
    assert all(reason.strip().replace("\r\n", "\n") in str(e["DESCRIPTION"]) for e in events)


def test_a_manager_removing_themself_is_asked_in_their_own_words(
    app, client, login, make_person, make_partner
):
    manager = make_person(name="Malee")
    other = make_person("other@example.org", name="Somchai")  # so that Malee may leave
    partner = make_partner(name="UNESCO Bangkok", members=[manager, other])
    with app.app_context():
        for membership in db.session.scalars(select(Membership)):
            membership.role = "manager"
        db.session.commit()
        membership_id = db.session.scalar(
            select(Membership.id).where(Membership.person_id == manager.id)
        )
    login(manager)
    path = f"/workspace/{partner.slug}/members/"
    page = asks(
        client.submit(f"{path}{membership_id}/remove", page=path),
        button="Remove me",
        keep="Stay an organizer",
    )
    assert "You can no longer open the workspace of UNESCO Bangkok" in page


def test_a_long_schedule_shows_what_comes_next_and_unfolds_the_rest(client, partner, make_offering):
    """Twelve weekly sessions, three of them over: those three and the last three unfold on request
    (a <details>, no script), the next six are in sight, and every session is on the page."""
    offering = make_offering(
        partner, status="published", sessions=[in_days(7 * week - 15) for week in range(12)]
    )
    page = page_of(client, offering)
    start = page.index('id="sessions-title"')
    sessions = page[start : page.index('<details class="subscribe', start)]
    folds = re.findall(r'<details class="more-sessions">\s*<summary>([^<]+)</summary>', sessions)
    assert folds == ["3 sessions took place", "3 more sessions"]
    _, after_it = sessions.split('<details class="more-sessions">', 1)
    in_sight = after_it[
        after_it.index("</details>") : after_it.index('<details class="more-sessions">')
    ]
    assert in_sight.count("<li") == 6
    assert sessions.count('<li class="is-past">') == 3
    assert sessions.count("<li") == 12


def test_a_short_schedule_shows_every_session(client, partner, make_offering):
    offering = make_offering(
        partner, status="published", sessions=[in_days(d) for d in range(3, 11)]
    )
    page = page_of(client, offering)
    assert "more-sessions" not in page


def test_a_person_with_a_seat_sees_it_beside_the_title(
    client, login, citizen, offering_in, register
):
    offering = offering_in("open")
    register(offering, citizen)
    login(citizen)
    page = page_of(client, offering)
    line = page[
        page.index('<p class="state-line">') : page.index(
            "</p>", page.index('<p class="state-line">')
        )
    ]
    assert 'href="#enroll-title">참가 확정</a>' in line


def test_an_address_in_a_reason_is_a_plain_link_in_the_mail_never_our_button(
    client, login, partner, published, outbox
):
    """Organizer text reaches every participant's mail; an address in it stays an inline link,
    so nobody can mail participants a button that looks like ours and leads elsewhere."""
    login(partner.organizer)
    reason = "Please confirm your seat for the new date:\nhttps://evil.example/login"
    path = f"/workspace/offerings/{published.id}/cancel"
    assert client.submit(path, {"confirm": "yes", "reason": reason}, page="/").status_code == 302
    html = outbox("minji@example.org")[-1].get_body(preferencelist=("html",)).get_content()
    assert 'href="https://evil.example/login"' in html  # still a link the reader can follow
    assert 'class="button" href="https://evil.example/login"' not in html


def test_the_log_in_link_comes_back_under_the_apps_path_prefix(client, offering_in):
    offering = offering_in("full")
    page = client.get(f"/offerings/{offering.id}", base_url="http://localhost/learn")
    assert f'/learn/login?next=/learn/offerings/{offering.id}"' in page.get_data(as_text=True)
