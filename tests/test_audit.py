"""The audit trail: every organizer and admin change recorded once, and read back by filter."""

import csv
import io

import pytest
from sqlalchemy import select

from learning_platform.extensions import db
from learning_platform.models import (
    AuditEvent,
    Membership,
    MembershipRole,
    Offering,
    Person,
    Registration,
)
from learning_platform.models.base import utcnow
from tests.test_workspace import in_days, offering_fields, submit_multi


def events(app) -> list[AuditEvent]:
    with app.app_context():
        rows = list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
        db.session.expunge_all()
        return rows


def the_one(app) -> AuditEvent:
    [event] = events(app)
    return event


@pytest.fixture
def organizer(make_person, make_partner, login):
    person = make_person("organizer@example.org", name="김서연")
    partner = make_partner(slug="changwon-city", name="Changwon City", members=[person])
    login(person)
    return person, partner


@pytest.fixture
def published(organizer, make_offering, make_theme, make_person, register):
    _person, partner = organizer
    offering = make_offering(
        partner,
        status="published",
        sessions=[in_days(7), in_days(14)],
        themes=[make_theme()],
        title="Climate Action 기후행동",
        capacity=20,
    )
    for number in range(3):
        register(offering, make_person(f"p{number}@example.org"))
    return offering


def ws(offering) -> str:
    return f"/workspace/offerings/{offering.id}"


# Each change, done through the web, is one entry ------------------------------------------


def test_an_edit_records_the_before_and_after_of_each_changed_field_but_not_the_link(
    app, client, organizer, published
):
    person, partner = organizer
    with app.app_context():
        themes = [t.id for t in db.session.get(Offering, published.id).themes]
    response = submit_multi(
        client,
        ws(published) + "/edit",
        offering_fields(
            themes,
            title="Climate Action 기후행동",
            summary="Learn by doing.",
            capacity="25",
            format="hybrid",
            online_link="https://meet.example.org/secret-room",
        ),
    )
    assert response.status_code == 302
    event = the_one(app)
    assert (event.action, event.target_type, event.target_id) == (
        "offering.edited",
        "offering",
        published.id,
    )
    assert (event.actor_id, event.partner_id, event.offering_id) == (
        person.id,
        partner.id,
        published.id,
    )
    assert event.changes["capacity"] == [20, 25]
    assert event.changes["format"] == ["in_person", "hybrid"]
    assert event.changes["online_link"] == ["", "***"]
    assert "secret-room" not in str(event.changes)


def test_a_refused_change_records_nothing(app, client, organizer, published):
    with app.app_context():
        themes = [t.id for t in db.session.get(Offering, published.id).themes]
    response = submit_multi(
        client,
        ws(published) + "/edit",
        offering_fields(themes, capacity="2"),  # 3 people have a seat
    )
    assert response.status_code == 422
    assert "capacity cannot be lower" in response.get_data(as_text=True)
    assert events(app) == []


def test_cancelling_an_offering_records_the_reason(app, client, organizer, published):
    client.submit(
        ws(published) + "/cancel",
        {"confirm": "yes", "reason": "The hall is flooded."},
        page=ws(published),
    )
    event = the_one(app)
    assert event.action == "offering.cancelled"
    assert event.note == "The hall is flooded."
    assert event.changes == {"status": ["published", "cancelled"]}


def test_session_added_changed_cancelled_each_once(app, client, organizer, published):
    session_id = published.sessions[0].id
    add = {"day": in_days(30)[0].date().isoformat(), "start_time": "10:00", "end_time": "12:00"}
    assert client.submit(ws(published) + "/sessions/new", add).status_code == 302
    edit = {
        "day": published.sessions[0].starts_at.astimezone(in_days(1)[0].tzinfo).date().isoformat(),
        "start_time": "19:00",
        "end_time": "21:00",
        "location": "Room 3",
        "note": "",
    }
    assert client.submit(f"{ws(published)}/sessions/{session_id}/edit", edit).status_code == 302
    client.submit(
        f"{ws(published)}/sessions/{session_id}/cancel",
        {"confirm": "yes", "reason": "The instructor is ill."},
        page=ws(published),
    )
    added, changed, cancelled = events(app)
    assert added.action == "session.added" and added.target_type == "session"
    assert changed.action == "session.changed" and changed.target_id == session_id
    assert changed.changes["location"] == ["", "Room 3"]
    assert (cancelled.action, cancelled.note) == ("session.cancelled", "The instructor is ill.")


def test_publish_and_duplicate(app, client, organizer, make_offering, make_theme):
    _person, partner = organizer
    draft = make_offering(partner, sessions=[in_days(5)], themes=[make_theme()])
    assert client.submit(ws(draft) + "/publish", page=ws(draft)).status_code == 302
    assert client.submit(ws(draft) + "/duplicate", page=ws(draft)).status_code == 302
    published, duplicated = events(app)
    assert published.changes == {"status": ["draft", "published"]}
    assert duplicated.action == "offering.duplicated" and duplicated.target_id != draft.id


def test_attendance_is_one_entry_with_counts(
    app, client, organizer, make_offering, make_person, register
):
    _person, partner = organizer
    offering = make_offering(partner, status="published", sessions=[in_days(-1)])
    for number in range(3):
        register(offering, make_person(f"a{number}@example.org"))
    with app.app_context():
        ids = list(db.session.scalars(select(Registration.id).order_by(Registration.id)))
    path = f"{ws(offering)}/sessions/{offering.sessions[0].id}/attendance"
    from werkzeug.datastructures import MultiDict

    token = client.csrf_token(path)
    response = client.post(
        path, data=MultiDict([("csrf_token", token), ("present", ids[0]), ("present", ids[1])])
    )
    assert response.status_code == 302
    event = the_one(app)
    assert event.action == "attendance.marked"
    assert event.changes == {"present": [None, 2], "absent": [None, 1]}


def test_a_message_records_subject_audience_and_count_not_the_body(
    app, client, organizer, published
):
    path = ws(published) + "/messages/new"
    client.submit(
        path,
        {
            "audience": "confirmed",
            "session_id": "",
            "subject": "Bring gloves",
            "body": "Private words",
            "send": "1",
        },
    )
    event = the_one(app)
    assert event.action == "message.sent"
    assert event.changes == {
        "subject": [None, "Bring gloves"],
        "audience": [None, "confirmed"],
        "recipients": [None, 3],
    }
    assert "Private words" not in str(event.changes) + event.note


def test_a_question_added(app, client, organizer, published):
    path = ws(published) + "/questions/new"
    response = client.submit(path, {"kind": "short_text", "text_en": "Diet?", "text_ko": ""})
    assert response.status_code == 302
    event = the_one(app)
    assert (event.action, event.target_label, event.offering_id) == (
        "question.added",
        "Diet?",
        published.id,
    )


# Members and roles ------------------------------------------------------------------------


@pytest.fixture
def managed(app, make_person, make_partner, login):
    boss = make_person("boss@example.org", name="Boss")
    helper = make_person("helper@example.org", name="Helper")
    partner = make_partner(slug="kncu", members=[boss, helper])
    with app.app_context():
        memberships = {m.person_id: m.id for m in db.session.scalars(select(Membership))}
        db.session.get(Membership, memberships[boss.id]).role = MembershipRole.MANAGER
        db.session.commit()
    login(boss)
    return partner, boss, helper, memberships


def test_a_manager_promotes_an_organizer_and_it_is_recorded(app, client, managed):
    partner, boss, helper, memberships = managed
    path = f"/workspace/{partner.slug}/members/"
    response = client.submit(f"{path}{memberships[helper.id]}/role", {"role": "manager"}, page=path)
    assert response.status_code == 302
    event = the_one(app)
    assert (event.action, event.actor_id, event.partner_id) == (
        "member.role_changed",
        boss.id,
        partner.id,
    )
    assert event.changes == {"role": ["organizer", "manager"]}


def test_the_last_manager_cannot_demote_themself(app, client, managed):
    partner, boss, _helper, memberships = managed
    path = f"/workspace/{partner.slug}/members/"
    url = f"{path}{memberships[boss.id]}/role"
    page = client.get(path).get_data(as_text=True)
    assert "The only manager: add another manager first." in page
    assert "Make organizer" not in page  # not offered, to be refused after confirming
    assert f'action="{url}"' not in page
    assert f'action="{path}{memberships[boss.id]}/remove"' not in page
    refused = client.submit(url, {"role": "organizer"}, page=path, follow_redirects=True)
    text = refused.get_data(as_text=True)
    assert "the only manager" in text and "Stop being a manager?" not in text
    confirmed = client.submit(
        url, {"role": "organizer", "confirm": "yes"}, page=path, follow_redirects=True
    )
    assert "the only manager" in confirmed.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Membership, memberships[boss.id]).role == MembershipRole.MANAGER
    assert events(app) == []


def test_a_manager_with_another_manager_may_step_down_after_confirming(app, client, managed):
    partner, boss, helper, memberships = managed
    with app.app_context():
        db.session.get(Membership, memberships[helper.id]).role = MembershipRole.MANAGER
        db.session.commit()
    path = f"/workspace/{partner.slug}/members/"
    page = client.get(path).get_data(as_text=True)
    assert "The only manager" not in page and page.count("Make organizer") == 2
    url = f"{path}{memberships[boss.id]}/role"
    asked = client.submit(url, {"role": "organizer"}, page=path)
    assert "Stop being a manager?" in asked.get_data(as_text=True)
    client.submit(url, {"role": "organizer", "confirm": "yes"}, page=path)
    with app.app_context():
        assert db.session.get(Membership, memberships[boss.id]).role == MembershipRole.ORGANIZER


def test_a_disabled_manager_does_not_count_as_the_other_manager(app, client, managed, make_person):
    partner, _boss, helper, memberships = managed
    with app.app_context():
        db.session.get(Membership, memberships[helper.id]).role = MembershipRole.MANAGER
        db.session.get(Person, helper.id).disabled_at = utcnow()
        db.session.commit()
    page = client.get(f"/workspace/{partner.slug}/members/").get_data(as_text=True)
    assert page.count("The only manager: add another manager first.") == 1
    assert page.count("Make organizer") == 1  # the disabled one may still step down


def test_adding_and_removing_a_member(app, client, managed, make_person):
    partner, _boss, _helper, _memberships = managed
    newcomer = make_person("new@example.org", name="New")
    path = f"/workspace/{partner.slug}/members/"
    client.submit(path, {"email": "new@example.org", "role": "organizer"})
    with app.app_context():
        new_id = db.session.scalar(select(Membership.id).where(Membership.person_id == newcomer.id))
    client.submit(f"{path}{new_id}/remove", {"confirm": "yes"}, page=path)
    added, removed = events(app)
    assert added.action == "member.added" and added.changes == {"role": [None, "organizer"]}
    assert removed.action == "member.removed" and removed.target_label == "New · " + partner.name


def test_admin_hides_and_approves_a_partner(app, client, login, make_person, make_partner):
    admin = make_person(admin=True)
    partner = make_partner(slug="masan")
    login(admin)
    client.submit(
        f"/admin/partners/{partner.slug}/suspend", {"confirm": "yes"}, page="/admin/partners/"
    )
    client.submit(f"/admin/partners/{partner.slug}/approve", page="/admin/partners/")
    hidden, approved = events(app)
    assert hidden.action == "partner.hidden" and hidden.actor_is_admin
    assert approved.changes == {"approved": [False, True]}


# Reading the trail ------------------------------------------------------------------------


def test_a_site_admin_finds_who_cancelled_a_session(
    app, client, login, organizer, published, make_person
):
    session_id = published.sessions[1].id
    client.submit(
        f"{ws(published)}/sessions/{session_id}/cancel",
        {"confirm": "yes", "reason": "The instructor is ill."},
        page=ws(published),
    )
    client.submit("/logout", page="/")
    login(make_person("root@example.org", admin=True))
    page = client.get(
        "/admin/audit", query_string={"action": "session.cancelled", "offering": "climate"}
    )
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "김서연" in text and "organizer@example.org" in text
    assert "cancelled the session" in text and "Climate Action" in text
    assert "The instructor is ill." in text
    assert "1 change" in text
    other = client.get("/admin/audit", query_string={"action": "offering.cancelled"})
    assert "No change matches these filters." in other.get_data(as_text=True)


def test_a_partner_sees_only_its_own_trail(
    app, client, login, organizer, published, make_person, make_partner, make_offering
):
    _person, partner = organizer
    stranger = make_person("stranger@example.org", name="Stranger")
    theirs = make_partner(slug="elsewhere", members=[stranger])
    secret = make_offering(theirs, status="published", sessions=[in_days(9)], title="Secret plan")
    client.submit(
        ws(published) + "/cancel", {"confirm": "yes", "reason": "Rain"}, page=ws(published)
    )
    client.submit("/logout", page="/")
    login(stranger)
    client.submit(ws(secret) + "/cancel", {"confirm": "yes", "reason": "Wind"}, page=ws(secret))
    assert client.get(f"/workspace/{partner.slug}/activity").status_code == 404
    offering_page = client.get(ws(secret)).get_data(as_text=True)
    assert f'href="/workspace/elsewhere/activity?offering={secret.id}"' in offering_page
    mine = client.get(f"/workspace/{theirs.slug}/activity").get_data(as_text=True)
    assert "Secret plan" in mine and "Climate Action" not in mine
    csv_text = client.get(f"/workspace/{theirs.slug}/activity.csv").get_data(as_text=True)
    assert "Secret plan" in csv_text and "Climate Action" not in csv_text


def test_the_csv_holds_the_filtered_trail_with_formulas_defused(
    app, client, login, organizer, published, make_person
):
    client.submit(
        ws(published) + "/cancel", {"confirm": "yes", "reason": "=HYPERLINK(1)"}, page=ws(published)
    )
    client.submit("/logout", page="/")
    login(make_person(admin=True))
    response = client.get("/admin/audit.csv", query_string={"actor": "organizer@"})
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 2
    assert rows[1][2] == "organizer@example.org"
    assert "'=HYPERLINK(1)" in rows[1]
    assert "Status: Published → Cancelled" in rows[1][-1]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"date_from": "2026-13-45"}, "Enter a date as YYYY-MM-DD."),
        ({"date_from": "2026-05-02", "date_to": "2026-05-01"}, "on or after the start date"),
        ({"action": "offering.exploded"}, "Choose one of the listed values."),
        ({"date_from": "2026-13-01", "date_to": "2020-01-01"}, "No change matches"),
        ({"partner": "999999"}, "Choose one of the listed values."),
    ],
)
def test_a_bad_filter_is_said_next_to_its_field(client, login, make_person, query, message):
    login(make_person(admin=True))
    response = client.get("/admin/audit", query_string=query)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)


def test_a_page_of_the_trail_costs_the_same_statements_however_long(
    app, client, login, organizer, make_offering, make_person, count_queries
):
    person, partner = organizer
    admin = make_person("root@example.org", admin=True)
    offering = make_offering(partner, sessions=[in_days(5)])

    def as_admin_count() -> int:
        client.submit("/logout", page="/")
        login(admin)
        client.get("/admin/audit")
        with count_queries() as statements:
            assert client.get("/admin/audit").status_code == 200
        client.submit("/logout", page="/")
        login(person)
        return len(statements)

    client.submit(ws(offering) + "/duplicate", page=ws(offering))
    few = as_admin_count()
    for _ in range(6):
        client.submit(ws(offering) + "/duplicate", page=ws(offering))
    assert len(events(app)) == 7
    assert as_admin_count() == few


def test_an_admin_edit_of_a_site_page_is_recorded(app, client, login, make_person):
    login(make_person(admin=True))
    path = "/admin/pages/about/en"
    response = client.submit(path, {"title": "About us", "body": "We learn together."})
    assert response.status_code == 302
    event = the_one(app)
    assert (event.action, event.target_type, event.target_label) == (
        "page.edited",
        "page",
        "about · en",
    )
    assert event.changes["body"][1] == "We learn together."
    assert event.partner_id is None


# What the product tester found (issue 14) -------------------------------------------------


def test_empty_date_filters_are_no_error_and_a_bad_date_still_is(client, login, make_person):
    login(make_person(admin=True))
    query = {"action": "session.cancelled", "date_from": "", "date_to": ""}
    text = client.get("/admin/audit", query_string=query).get_data(as_text=True)
    assert "Enter a date as YYYY-MM-DD." not in text and 'aria-invalid="true"' not in text
    bad = client.get("/admin/audit", query_string={**query, "date_to": "2026-02-30"})
    assert bad.get_data(as_text=True).count("Enter a date as YYYY-MM-DD.") == 1


def test_an_offerings_history_is_titled_by_it_and_leads_back_to_it(
    app, client, login, organizer, published, make_person, make_partner, make_offering
):
    _person, partner = organizer
    client.submit(
        ws(published) + "/cancel", {"confirm": "yes", "reason": "Rain"}, page=ws(published)
    )
    with app.app_context():
        db.session.get(
            Membership, db.session.scalar(select(Membership.id))
        ).role = MembershipRole.MANAGER
        db.session.commit()
    url = f"/workspace/{partner.slug}/activity"
    text = client.get(url, query_string={"offering": published.id}).get_data(as_text=True)
    assert "<h1>Changes to “Climate Action 기후행동”</h1>" in text
    assert f'href="{ws(published)}">← Climate Action 기후행동</a>' in text
    assert f'name="offering" value="{published.id}"' in text
    assert f'value="{published.id}" aria' not in text  # the number is not what the box shows
    assert "Activity of Changwon City" not in text
    # another partner's offering is not named in this partner's trail
    theirs = make_offering(make_partner(slug="elsewhere"), title="Secret plan")
    other = client.get(url, query_string={"offering": theirs.id}).get_data(as_text=True)
    assert "Activity of Changwon City" in other and "Secret plan" not in other


def test_the_trail_names_the_zone_in_words(client, login, make_person):
    login(make_person(admin=True))
    client.submit("/language", {"language": "ko"}, page="/")
    text = client.get("/admin/audit").get_data(as_text=True)
    assert "한국 시간(KST)" in text and "Asia/Seoul 기준" not in text


def test_the_csv_names_each_offering_by_its_title_in_constant_statements(
    app, client, login, organizer, published, make_person, make_offering, count_queries
):
    person, partner = organizer
    first = published.sessions[0].id
    client.submit(
        f"{ws(published)}/sessions/{first}/cancel",
        {"confirm": "yes", "reason": "Ill"},
        page=ws(published),
    )
    client.submit(
        ws(published) + "/cancel", {"confirm": "yes", "reason": "Rain"}, page=ws(published)
    )
    with app.app_context():
        db.session.get(Offering, published.id).title = "Renamed"
        db.session.commit()
    admin = make_person("root@example.org", admin=True)

    def csv_as_admin() -> tuple[list[list[str]], int]:
        client.submit("/logout", page="/")
        login(admin)
        with count_queries() as statements:
            response = client.get("/admin/audit.csv")
        client.submit("/logout", page="/")
        login(person)
        text = response.get_data(as_text=True).lstrip("\ufeff")
        return list(csv.reader(io.StringIO(text))), len(statements)

    rows, few = csv_as_admin()
    at = rows[0].index("Offering")
    assert rows[0][at + 1] == "Offering title"
    assert [row[at : at + 2] for row in rows[1:]] == [
        [str(published.id), "Climate Action 기후행동"],  # its own entry: the title it had
        [str(published.id), "Renamed"],  # a session's entry: the title now
    ]
    for number in range(3):
        other = make_offering(partner, status="published", sessions=[in_days(5 + number)])
        session_id = other.sessions[0].id
        client.submit(
            f"{ws(other)}/sessions/{session_id}/cancel",
            {"confirm": "yes", "reason": "Ill"},
            page=ws(other),
        )
    rows, many = csv_as_admin()
    assert len(rows) == 6 and many == few


def test_the_trail_says_unpublish_in_the_back_offices_words(
    app, client, login, make_person, published
):
    admin = make_person("root@example.org", admin=True)
    client.submit("/logout", page="/")
    login(admin)
    client.submit(
        f"/admin/offerings/{published.id}/unpublish",
        {"confirm": "yes", "reason": "Spam"},
        page="/admin/offerings/",
    )
    text = client.get("/admin/audit").get_data(as_text=True)
    assert "unpublished the offering “Climate Action 기후행동”" in text
    client.submit("/language", {"language": "ko"}, page="/")
    korean = client.get("/admin/audit").get_data(as_text=True)
    assert "프로그램 게시 내림" in korean and "게시를 내렸습니다" in korean
    assert "공개 중단" not in korean and 'label="과정"' not in korean
