"""The partner dashboard: its figures against hand-made data, on the page and in each CSV."""

import csv
import io
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date
from sqlalchemy import select

from learning_platform.extensions import db
from learning_platform.impact.dashboard import CHART_NAMES
from learning_platform.impact.figures import partner_figures, site_range
from learning_platform.models import Attendance, OfferingSession, Person, Registration, utcnow
from learning_platform.rights.services import delete_account
from tests.factories import PASSWORD
from tests.test_workspace import in_days

SEOUL = ZoneInfo("Asia/Seoul")


def today():
    return utcnow().astimezone(SEOUL).date()


def range_args() -> dict:
    """Thirty days either side of today, by week (60 days)."""
    return {
        "from": (today() - timedelta(days=30)).isoformat(),
        "to": (today() + timedelta(days=29)).isoformat(),
    }


@pytest.fixture
def world(app, organizer, make_person, make_partner, make_offering, make_theme, register):
    """Changwon's offerings: one in range with attendance, one it co-hosts, one cancelled,
    one with sessions only out of range, a draft; and another partner's, not counted."""
    _person, changwon = organizer
    other = make_partner(slug="busan")
    stranger = make_partner(slug="stranger")
    climate, cities = make_theme("climate"), make_theme("cities")
    with app.app_context():
        from learning_platform.models import Theme

        db.session.get(Theme, climate.id).sdg_targets = ["4.7", "13.3"]
        db.session.get(Theme, cities.id).sdg_targets = ["4.7", "11.3"]
        db.session.commit()
    people = {
        name: make_person(name=name) for name in ("alice", "bob", "carol", "dave", "erin", "gina")
    }
    course = make_offering(
        changwon,
        status="published",
        capacity=4,
        title="Climate school",
        themes=[climate, cities],
        sessions=[in_days(-60), in_days(-10), in_days(-3, hours=3), in_days(5)],
    )
    cohosted = make_offering(
        other,
        status="published",
        title="Busan walk",
        language="en",
        format="online",
        capacity=10,
        themes=[climate],
        cohosts=[changwon],
        sessions=[in_days(7)],
    )
    make_offering(changwon, status="cancelled", title="Called off", sessions=[in_days(3)])
    earlier = make_offering(changwon, status="published", title="Spring", sessions=[in_days(-90)])
    make_offering(changwon, status="draft", title="Draft", sessions=[in_days(4)])
    elsewhere = make_offering(stranger, status="published", sessions=[in_days(2)])
    for name in ("alice", "bob", "carol"):
        register(course, people[name])
    register(course, people["dave"], "waitlisted")
    register(course, people["erin"], "cancelled")
    register(cohosted, people["alice"])
    register(earlier, people["gina"])
    register(elsewhere, people["bob"])
    with app.app_context():
        registration = {
            r.person_id: r.id
            for r in db.session.scalars(
                select(Registration).where(Registration.offering_id == course.id)
            )
        }
        sessions = db.session.scalars(
            select(OfferingSession)
            .where(OfferingSession.offering_id == course.id)
            .order_by(OfferingSession.starts_at)
        ).all()
        marks = [
            (sessions[0], "alice", True),  # out of range: not counted
            (sessions[1], "alice", True),
            (sessions[1], "bob", True),
            (sessions[1], "carol", False),
            (sessions[2], "alice", True),
            (sessions[2], "bob", False),
        ]
        for session, name, present in marks:
            db.session.add(
                Attendance(
                    session_id=session.id,
                    registration_id=registration[people[name].id],
                    present=present,
                )
            )
        db.session.commit()
        # A deleted account's registration stays, anonymised, and still counts.
        delete_account(db.session.get(Person, people["carol"].id), PASSWORD)
        db.session.commit()
    return {"partner": changwon, "course": course, "cohosted": cohosted}


def test_figures_follow_the_shared_definitions(app, world):
    with app.test_request_context():
        start = today() - timedelta(days=30)
        figures = partner_figures(world["partner"], site_range(start, start + timedelta(days=60)))
    assert (figures.offerings, figures.cancelled_offerings, figures.cohosted_offerings) == (2, 1, 1)
    # Registrations made in the range, of the partner's offerings (the spring one's included).
    assert (figures.confirmed, figures.waitlisted, figures.cancelled) == (5, 1, 1)
    assert figures.learners == 3  # alice, bob, carol (deleted): distinct, in offerings in range
    assert (figures.present, figures.marks) == (3, 5)
    assert figures.attendance_rate == pytest.approx(0.6)
    assert (figures.sessions_taken, figures.sessions_past) == (2, 2)
    assert figures.hours_delivered == pytest.approx(2 * 2 + 3)
    assert figures.hours_offered == pytest.approx(2 + 3 + 2 + 2)
    assert figures.waitlist_demand == 1
    assert sum(p.registrations for p in figures.periods) == 7
    assert sum(p.hours_delivered for p in figures.periods) == pytest.approx(7)
    assert [(o.title, o.seats_taken, o.waitlisted, o.cohosted) for o in figures.per_offering] == [
        ("Climate school", 3, 1, False),
        ("Busan walk", 1, 0, True),
    ]
    themes = {s.key: (s.offerings, s.registrations, s.hours_delivered) for s in figures.by_theme}
    assert themes == {"climate": (2, 6, 7.0), "cities": (1, 5, 7.0)}
    assert {s.key: s.offerings for s in figures.by_sdg} == {"4": 2, "11": 1, "13": 2}
    assert {s.key: s.offerings for s in figures.by_language} == {"ko": 1, "en": 1}
    assert {s.key: s.offerings for s in figures.by_format} == {"in_person": 1, "online": 1}


def headline(text: str, label: str) -> str:
    match = re.search(rf"<dt>{re.escape(label)}</dt><dd>(.*?)</dd>", text)
    assert match, label
    return match.group(1)


def test_the_page_shows_the_figures_and_a_chart_for_each(client, world):
    response = client.get("/workspace/changwon-city/dashboard", query_string=range_args())
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert headline(text, "Offerings") == "2"
    assert headline(text, "Registrations") == "7"
    assert headline(text, "Learners") == "3"
    assert headline(text, "Attendance rate") == "60%"
    assert headline(text, "Learning hours delivered") == "7 h"  # whole hours, with the unit
    assert headline(text, "Waitlisted") == "1"
    assert "including those you co-host" in text
    assert text.count('role="img"') == len(CHART_NAMES)
    assert text.count("Show the data as a table") == len(CHART_NAMES)
    assert "Registrations per week" in text
    for name in CHART_NAMES:
        assert f"/workspace/changwon-city/dashboard/{name}.csv?" in text


def read_csv(client, name: str, **args) -> list[dict]:
    response = client.get(
        f"/workspace/changwon-city/dashboard/{name}.csv", query_string=args or range_args()
    )
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")  # Excel reads Korean right
    return list(csv.DictReader(io.StringIO(body[1:])))


def test_each_csv_holds_the_numbers_of_its_chart(client, world):
    registrations = read_csv(client, "registrations")
    assert sum(int(row["total"]) for row in registrations) == 7
    assert sum(int(row["confirmed"]) for row in registrations) == 5
    assert registrations[0]["period_start"] == range_args()["from"]
    assert registrations[-1]["period_end"] == range_args()["to"]
    hours = read_csv(client, "hours")
    assert sum(float(row["hours_delivered"]) for row in hours) == pytest.approx(7)
    assert read_csv(client, "attendance") == [
        {
            "present": "3",
            "marks": "5",
            "attendance_rate": "0.6",
            "sessions_taken": "2",
            "sessions_past": "2",
        }
    ]
    fill = read_csv(client, "fill")
    assert [(r["title"], r["seats_taken"], r["capacity"], r["fill_rate"]) for r in fill] == [
        ("Climate school", "3", "4", "0.75"),
        ("Busan walk", "1", "10", "0.1"),
    ]
    assert [r["cohosted"] for r in fill] == ["no", "yes"]
    assert [(r["title"], r["waitlisted"]) for r in read_csv(client, "waitlist")] == [
        ("Climate school", "1")
    ]
    themes = {r["theme"]: r for r in read_csv(client, "themes")}
    assert themes["climate"] == {
        "theme": "climate",
        "name": themes["climate"]["name"],
        "offerings": "2",
        "registrations": "6",
    }
    theme_hours = {r["theme"]: r for r in read_csv(client, "theme-hours")}
    assert (theme_hours["climate"]["offerings"], theme_hours["climate"]["hours_delivered"]) == (
        "2",
        "7.0",
    )
    assert "registrations" not in theme_hours["climate"]
    assert {r["key"]: r["offerings"] for r in read_csv(client, "sdgs")} == {
        "4": "2",
        "11": "1",
        "13": "2",
    }
    assert {r["key"]: r["offerings"] for r in read_csv(client, "formats")} == {
        "in_person": "1",
        "online": "1",
    }


def test_csv_cells_cannot_be_formulas(client, organizer, make_offering, register, make_person):
    _person, partner = organizer
    offering = make_offering(
        partner, status="published", title='=HYPERLINK("x")', sessions=[in_days(2)]
    )
    register(offering, make_person())
    rows = read_csv(client, "fill")
    assert rows[0]["title"] == '\'=HYPERLINK("x")'


def test_an_unknown_chart_is_not_found(client, organizer):
    assert client.get("/workspace/changwon-city/dashboard/secrets.csv").status_code == 404


def test_an_empty_period_says_what_to_do(client, organizer):
    text = client.get("/workspace/changwon-city/dashboard").get_data(as_text=True)
    assert "Nothing to show for this period yet" in text
    assert 'role="img"' not in text


@pytest.mark.parametrize(
    ("args", "field", "message"),
    [
        ({"from": "2026-02-31"}, "from", "Not a valid date value."),
        (
            {"from": "2026-05-01", "to": "2026-04-01"},
            "to",
            "The last day must be on or after the first day.",
        ),
        ({"from": "2020-01-01", "to": "2026-01-01"}, "to", "Choose a range of at most five years."),
        ({"from": "1066-10-14", "to": "2026-01-01"}, "from", "Choose a day between 2000 and 2100."),
        ({"preset": "forever"}, "preset", "Not a valid choice."),
    ],
)
def test_a_bad_range_is_explained_and_this_term_is_shown(client, organizer, args, field, message):
    response = client.get("/workspace/changwon-city/dashboard", query_string=args)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert message in text
    if field != "preset":
        assert f'id="{field}-error"' in text
    start = today().replace(month=1 if today().month <= 6 else 7, day=1)
    assert f"From {format_date(start, locale='en')} to" in text  # this term, shown instead
    csv_response = client.get("/workspace/changwon-city/dashboard/fill.csv", query_string=args)
    assert csv_response.status_code == 400


def test_presets_choose_the_term_and_the_years(client, organizer):
    text = client.get("/workspace/changwon-city/dashboard?preset=last-year").get_data(as_text=True)
    year = today().year - 1
    assert f"{year}-01-01" in text and f"{year}-12-31" in text
    assert "Registrations" not in text or "Nothing to show" in text


def test_the_dashboard_runs_a_fixed_number_of_statements(
    client, count_queries, world, make_offering, make_person, register
):
    path = "/workspace/changwon-city/dashboard"
    client.get(path)

    def statements() -> int:
        with count_queries() as seen:
            assert client.get(path).status_code == 200
        return len(seen)

    small = statements()
    partner = world["partner"]
    learner = make_person()
    for number in range(30):
        offering = make_offering(
            partner, status="published", title=f"More {number}", sessions=[in_days(number % 20)]
        )
        register(offering, learner)
    assert statements() == small
    assert small <= 16


def test_the_workspace_links_to_the_dashboard(client, organizer):
    text = client.get("/workspace/changwon-city/").get_data(as_text=True)
    assert 'href="/workspace/changwon-city/dashboard"' in text


def test_no_two_charts_share_a_csv(client, world):
    """Each chart's CSV holds that chart's numbers: never another chart's file."""
    from learning_platform.impact.dashboard import CHART_NAMES

    files = {name: read_csv(client, name) for name in CHART_NAMES}
    for name, rows in files.items():
        assert rows, name
        others = [other for other, their in files.items() if other != name and their == rows]
        assert others == [], name
    assert {r["key"]: r["offerings"] for r in files["languages"]} == {"ko": "1", "en": "1"}
