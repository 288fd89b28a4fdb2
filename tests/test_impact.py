"""One set of impact figures: the alliance report agrees with the dashboard and with itself,
and the aggregate open data hold counts only."""

import csv
import io
import json
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from learning_platform.extensions import db
from learning_platform.impact import alliance
from learning_platform.impact.figures import partner_figures, site_range
from learning_platform.models import Attendance, OfferingSession, Registration, utcnow
from tests.test_workspace import in_days


def site_today():
    return utcnow().astimezone(ZoneInfo("Asia/Seoul")).date()


@pytest.fixture
def two_partners(app, make_partner, make_person, make_offering, make_theme, register):
    """Changwon owns a course Bangkok co-hosts, and a cancelled one; Bangkok owns a walk."""
    changwon = make_partner(name="Changwon City", slug="changwon", city="Changwon")
    bangkok = make_partner(name="UNESCO Bangkok", slug="bangkok", city="Bangkok")
    climate = make_theme("climate")
    course = make_offering(
        changwon,
        status="published",
        cohosts=[bangkok],
        themes=[climate],
        sessions=[in_days(-10), in_days(-3, hours=3), in_days(5)],
    )
    make_offering(changwon, status="cancelled", sessions=[in_days(-2)])
    walk = make_offering(bangkok, status="published", sessions=[in_days(-5)])
    people = [make_person(name=f"Learner {n}") for n in range(4)]
    for person in people[:3]:
        register(course, person)
    register(course, people[3], "waitlisted")
    register(walk, people[0])
    register(walk, people[3], "cancelled")
    with app.app_context():
        registrations = db.session.scalars(select(Registration)).all()
        for session in db.session.scalars(select(OfferingSession)):
            if session.starts_at.replace(tzinfo=None) > in_days(0)[0].replace(tzinfo=None):
                continue
            for registration in registrations:
                if registration.offering_id == session.offering_id and (
                    registration.status == "confirmed"
                ):
                    db.session.add(
                        Attendance(
                            session_id=session.id,
                            registration_id=registration.id,
                            present=registration.person_id != people[2].id,
                        )
                    )
        db.session.commit()
    return {"changwon": changwon, "bangkok": bangkok}


def _range():
    today = site_today()
    return site_range(today - timedelta(days=30), today + timedelta(days=30))


def test_alliance_totals_are_the_sums_of_its_partners(app, two_partners):
    with app.test_request_context():
        report = alliance.figures(_range())
    t, rows = report.totals, [row.figures for row in report.partners]
    for name in ("offerings", "cancelled", "cohosted", "sessions", "marks", "present"):
        assert getattr(t, name) == sum(getattr(row, name) for row in rows), name
    for name in ("hours_offered", "hours_delivered"):
        assert getattr(t, name) == pytest.approx(sum(getattr(row, name) for row in rows)), name
    assert t.registrations_total == sum(row.registrations_total for row in rows)
    # Learners are different people: one who learned with both partners counts once.
    assert t.learners == 3 < sum(row.learners for row in rows) == 4
    assert (t.offerings, t.cancelled, t.cohosted, t.single) == (2, 1, 1, 1)
    assert sum(period.figures.registrations_total for period in report.periods) == 6


def test_a_partner_row_equals_its_dashboard(app, two_partners):
    """Bangkok co-hosts Changwon's course: its dashboard counts it, the alliance does not.
    Changwon co-hosts nothing: its row and its dashboard agree."""
    with app.test_request_context():
        period = _range()
        report = alliance.figures(period)
        row = next(row.figures for row in report.partners if row.name == "Changwon City")
        mine = partner_figures(two_partners["changwon"], period)
        theirs = partner_figures(two_partners["bangkok"], period)
    assert (mine.offerings, mine.cancelled_offerings, mine.cohosted_offerings) == (
        row.offerings,
        row.cancelled,
        row.cohosted,
    )
    assert mine.registrations == row.registrations_total == 4
    assert mine.learners == row.learners == 3
    assert (mine.present, mine.marks) == (row.present, row.marks) == (4, 6)
    assert mine.attendance_rate == row.attendance_rate
    assert mine.hours_delivered == pytest.approx(row.hours_delivered) == 2 * 2 + 2 * 3
    assert mine.hours_offered == pytest.approx(row.hours_offered) == 2 + 3 + 2
    assert (mine.sessions_taken, mine.sessions_past) == (row.sessions_taken, row.past_sessions)
    # Bangkok's dashboard includes what it co-hosts; the alliance lists that under Changwon.
    assert theirs.offerings == 2
    assert next(r.figures.offerings for r in report.partners if r.name == "UNESCO Bangkok") == 1


def test_every_page_says_how_the_figures_count(client, login, make_person):
    sentence = "Offerings count when one of their sessions starts in the range"
    login(make_person(admin=True))
    assert sentence in client.get("/admin/report").get_data(as_text=True)
    assert sentence in client.get("/impact").get_data(as_text=True)


def test_the_report_and_impact_page_draw_charts(client, login, make_person, two_partners):
    today = site_today()
    login(make_person(admin=True))
    page = client.get(
        "/admin/report",
        query_string={
            "from": (today - timedelta(days=30)).isoformat(),
            "to": (today + timedelta(days=30)).isoformat(),
        },
    ).get_data(as_text=True)
    for chart in ("registrations", "hours", "partner-registrations", "goals", "cohosted"):
        assert f'id="report-{chart}-title"' in page, chart
    assert "Registrations per week" in page and "SDG 17 · Partnerships for the Goals" in page
    assert page.count('role="img"') >= 6
    public = client.get("/impact").get_data(as_text=True)
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in public


def test_the_report_checks_its_range_as_the_dashboard_does(client, login, make_person):
    login(make_person(admin=True))
    response = client.get("/admin/report?from=2020-01-01&to=2026-01-01")
    assert response.status_code == 422
    assert "Choose a range of at most five years." in response.get_data(as_text=True)
    text = client.get("/admin/report?preset=this-year").get_data(as_text=True)
    assert f"{site_today().year}-12-31" in text


def _csv(client, name):
    text = client.get(f"/data/{name}.csv").get_data().decode("utf-8")
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


def test_impact_open_data_hold_counts_and_hide_small_ones(client, two_partners):
    year = str(site_today().year)
    partners = _csv(client, "impact_by_partner")
    assert {row["partner_slug"] for row in partners} >= {"changwon", "bangkok"}
    changwon = next(r for r in partners if r["partner_slug"] == "changwon" and r["year"] == year)
    assert (changwon["offerings"], changwon["cancelled"], changwon["cohosted"]) == ("1", "1", "1")
    assert changwon["learners"] == "" and changwon["registrations"] == ""  # under 5: hidden
    data = json.loads(client.get("/data/impact_by_partner.json").get_data())
    assert all(row["learners"] is None for row in data["rows"])
    goals = _csv(client, "impact_by_sdg")
    assert goals and all(row["name_en"] for row in goals)
    months = _csv(client, "impact_by_month")
    assert sum(int(r["registrations"]) for r in months) == 6
    assert {r["month"] for r in months} >= {str(n) for n in range(1, 13)}
    text = "".join(
        client.get(f"/data/impact_{name}.json").get_data(as_text=True)
        for name in ("by_partner", "by_sdg", "by_month")
    )
    assert "Learner 0" not in text and "@" not in text


def test_impact_open_data_take_the_same_statements_for_one_or_thirty_offerings(
    client, count_queries, make_partner, make_offering
):
    partner = make_partner()
    make_offering(partner, status="published", sessions=[in_days(2)])
    paths = [f"/data/impact_{name}.csv" for name in ("by_partner", "by_sdg", "by_month")]

    def statements():
        counts = []
        for path in paths:
            with count_queries() as seen:
                client.get(path).get_data()
            counts.append(len(seen))
        return counts

    before = statements()
    for _ in range(29):
        make_offering(partner, status="published", sessions=[in_days(3)], cohosts=[make_partner()])
    assert statements() == before


def test_a_draft_cancelled_before_publishing_counts_nowhere(app, two_partners, make_offering):
    """Only what was public counts: a draft cancelled before anyone saw it is not an offering
    the alliance ran, on the report, the dashboard or in the open data."""
    make_offering(
        two_partners["changwon"], status="cancelled", published_at=None, sessions=[in_days(-1)]
    )
    with app.test_request_context():
        period = _range()
        report = alliance.figures(period)
        mine = partner_figures(two_partners["changwon"], period)
    assert report.totals.cancelled == 1  # the one cancelled after it was published
    assert mine.cancelled_offerings == 1


def test_impact_shows_its_years_as_dates_people_read(client):
    today = site_today()
    page = client.get("/impact").get_data(as_text=True)
    assert f"{today.year}-01-01" not in page
    assert f"{today.year - 1}-12-31" not in page
    assert f"Dec 31, {today.year - 1}" in page


def test_alliance_figures_survive_the_cache_unchanged(app, two_partners):
    with app.app_context():
        report = alliance.figures(_range())
        data = json.loads(json.dumps(alliance.dump(report)))
        assert alliance.load(data) == report


def test_impact_figures_are_remembered_for_a_few_minutes_in_any_language(
    make_app, two_partners, make_offering
):
    import time_machine

    from tests.conftest import statements_of

    app = make_app(IMPACT_PAGE_SECONDS=300, CACHE_REDIS_URL="")
    client = app.test_client()

    def figures_shown() -> str:
        page = client.get("/impact").get_data(as_text=True)
        return page[page.index('<div class="impact">') : page.index('id="partners-title"')]

    with time_machine.travel(utcnow(), tick=False) as clock:
        first = figures_shown()
        with statements_of(app) as statements:
            korean = client.get("/impact", headers={"Accept-Language": "ko"})
        assert korean.status_code == 200
        assert "올해 지금까지" in korean.get_data(as_text=True)  # the page is in Korean
        figure_statements = [s for s in statements if "registration" in s.lower()]
        assert figure_statements == []  # the figures came from memory
        make_offering(two_partners["bangkok"], status="published", sessions=[in_days(-1)])
        clock.shift(299)
        assert figures_shown() == first
        clock.shift(2)
        assert figures_shown() != first
