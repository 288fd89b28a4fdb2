"""The alliance report (figures, page, PDF) and the public impact summary."""

import builtins
from datetime import UTC, date, datetime, timedelta

import pytest

from learning_platform.extensions import db
from learning_platform.impact import alliance
from learning_platform.impact.figures import DateRange
from learning_platform.models import Attendance, OfferingSession, Registration, Theme

YEAR = 2025
RANGE = DateRange(date(YEAR, 1, 1), date(YEAR + 1, 1, 1))


def at(month: int, day: int, hours: int = 2):
    start = datetime(YEAR, month, day, 10, tzinfo=UTC)
    return start, start + timedelta(hours=hours)


@pytest.fixture
def alliance_world(app, make_partner, make_offering, make_person, register):
    changwon = make_partner(name="Changwon City", city="Changwon")
    bangkok = make_partner(name="UNESCO Bangkok", city="Bangkok")
    nowhere = make_partner(name="No City")
    with app.app_context():
        climate = Theme(slug="climate", name_en="Climate", name_ko="기후", sdg_targets=["13.3"])
        school = Theme(slug="school", name_en="School", name_ko="학교", sdg_targets=["4.7", "13.1"])
        db.session.add_all([climate, school])
        db.session.commit()
        db.session.refresh(climate), db.session.refresh(school)
        db.session.expunge_all()
    cohosted = make_offering(
        changwon,
        status="published",
        sessions=[at(3, 1), at(3, 8, 3)],
        cohosts=[bangkok],
        themes=[climate, school],
    )
    single = make_offering(bangkok, status="published", sessions=[at(5, 1)], themes=[school])
    make_offering(changwon, status="cancelled", sessions=[at(6, 1)])
    make_offering(changwon, status="draft", sessions=[at(6, 1)])
    make_offering(
        nowhere,
        status="published",
        sessions=[
            (at(1, 1)[0].replace(year=YEAR + 1),) * 1 + (at(1, 1)[1].replace(year=YEAR + 1),)
        ],
    )
    ana, bo = make_person(name="Ana Citizen", email="ana@example.org"), make_person(name="Bo")
    register(cohosted, ana)
    register(cohosted, bo)
    register(single, ana)
    with app.app_context():
        first = db.session.get(OfferingSession, cohosted.sessions[0].id)
        for registration in db.session.query(Registration).filter_by(offering_id=cohosted.id):
            registration.created_at = datetime(YEAR, 2, 1, tzinfo=UTC)
            db.session.add(
                Attendance(
                    session_id=first.id,
                    registration_id=registration.id,
                    present=registration.person_id == ana.id,
                )
            )
        db.session.query(Registration).filter_by(offering_id=single.id).update(
            {"created_at": datetime(YEAR, 4, 1, tzinfo=UTC)}
        )
        db.session.commit()
    return {"changwon": changwon, "bangkok": bangkok}


def test_figures_follow_the_shared_definitions(app, alliance_world):
    with app.test_request_context():
        report = alliance.figures(RANGE)
    t = report.totals
    # The cancelled offering is counted apart, and its session was not held.
    assert (t.offerings, t.cancelled, t.cohosted, t.single) == (2, 1, 1, 1)
    assert t.sessions == 3 and round(t.hours_offered, 1) == 7.0
    assert t.registrations == {"confirmed": 3}
    assert t.learners == 2  # Ana learned with two partners: one learner of the alliance
    assert (t.marks, t.present, t.attendance_rate) == (2, 1, 0.5)
    assert round(t.hours_delivered, 1) == 2.0
    rows = {row.name: row.figures for row in report.partners}
    assert rows["Changwon City"].offerings == 1 and rows["Changwon City"].cancelled == 1
    assert rows["Changwon City"].learners == 2
    assert rows["UNESCO Bangkok"].offerings == 1 and rows["UNESCO Bangkok"].learners == 1
    cities = {row.city: row for row in report.cities}
    assert cities["Changwon"].figures.offerings == 1 and cities[""].figures.offerings == 0
    goals = {goal.number: goal for goal in report.goals}
    # The co-hosted offering has two themes on SDG 13: it counts once (2, not 3).
    assert (goals[13].offerings, goals[13].learners) == (2, 2)
    assert (goals[4].offerings, goals[4].learners) == (2, 2)
    assert len(report.goals) == 17 and goals[1].offerings == 0
    months = [period.figures for period in report.periods]
    assert len(months) == 12 and months[2].sessions == 2 and months[1].registrations_total == 2


def test_figures_take_the_same_statements_for_one_or_thirty_offerings(
    app, make_partner, make_offering, count_queries
):
    partner = make_partner(city="Changwon")
    make_offering(partner, status="published", sessions=[at(2, 1)])
    with app.test_request_context(), count_queries() as one:
        alliance.figures(RANGE)
    for _ in range(29):
        make_offering(partner, status="published", sessions=[at(2, 1)], cohosts=[make_partner()])
    with app.test_request_context(), count_queries() as thirty:
        assert alliance.figures(RANGE).totals.offerings == 30
    assert len(one) == len(thirty) <= 8


def test_admin_sees_the_report_and_downloads_its_pdf(client, login, make_person, alliance_world):
    login(make_person(admin=True))
    page = client.get(f"/admin/report?from={YEAR}-01-01&to={YEAR}-12-31").get_data(as_text=True)
    assert "Changwon City" in page and "Other/unknown" in page and "Climate Action" in page
    response = client.get(f"/admin/report.pdf?from={YEAR}-01-01&to={YEAR}-12-31&lang=ko")
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF") and response.data.rstrip().endswith(b"%%EOF")
    disposition = response.headers["Content-Disposition"]
    assert (
        f'filename="alliance-report-{YEAR}.pdf"' in disposition
        and "filename*=UTF-8''" in disposition
    )


def test_the_pdf_text_holds_the_totals(app, client, login, make_person, alliance_world, tmp_path):
    import shutil
    import subprocess

    if not (shutil.which("pdftotext") and shutil.which("pdfinfo")):
        pytest.skip("poppler-utils (pdftotext, pdfinfo) are not installed")
    login(make_person(admin=True))
    pdf = client.get(f"/admin/report.pdf?from={YEAR}-01-01&to={YEAR}-12-31&lang=ko").data
    (tmp_path / "r.pdf").write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True
    ).stdout
    pages = subprocess.run(["pdfinfo", str(tmp_path / "r.pdf")], capture_output=True, text=True)
    assert int(pages.stdout.split("Pages:")[1].split()[0]) >= 1
    assert "연합 보고서" in text and "Changwon City" in text
    assert "2025년 1월 1일~12월 31일" in text and "2025-01-01" not in text  # a date people read


def test_without_weasyprint_the_pdf_link_explains_with_a_503(
    client, login, make_person, monkeypatch
):
    real_import = builtins.__import__

    def refuse(name, *args, **kwargs):
        if name.startswith("weasyprint"):
            raise OSError("cannot load library 'libpango-1.0-0'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", refuse)
    login(make_person(admin=True))
    response = client.get("/admin/report.pdf")
    assert response.status_code == 503
    assert "PDF is not available on this server" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    [
        "from=2025-12-31&to=2025-01-01",
        "from=2025-02-30&to=2025-03-01",
        "from=2000-01-01&to=2025-01-01",
        "from=&to=2025-01-01",
    ],
)
def test_a_bad_range_gets_a_message_next_to_its_field(client, login, make_person, query):
    login(make_person(admin=True))
    response = client.get(f"/admin/report?{query}")
    assert response.status_code == 422
    assert 'class="error"' in response.get_data(as_text=True)
    assert client.get(f"/admin/report.pdf?{query}").status_code == 422


def test_the_public_impact_page_shows_totals_and_no_person(client, app, alliance_world):
    with app.app_context():
        # Move the data into this year and last year, which the public page shows.
        today = datetime.now(UTC)
        db.session.query(OfferingSession).update(
            {OfferingSession.starts_at: today - timedelta(days=1), OfferingSession.ends_at: today}
        )
        db.session.commit()
    page = client.get("/impact").get_data(as_text=True)
    assert "Changwon City" in page and "Climate Action" in page
    assert "Ana Citizen" not in page and "ana@example.org" not in page
    assert "/impact" in client.get("/").get_data(as_text=True)  # linked from the footer


def test_the_report_opens_on_this_year_so_far_with_last_year_one_click_away(
    client, login, make_person
):
    login(make_person(admin=True))
    page = client.get("/admin/report").get_data(as_text=True)
    assert 'preset=this-year-so-far" aria-current="page">This year so far' in page
    assert "preset=last-year" in page


def test_a_range_without_offerings_says_what_to_do_instead_of_empty_tables(
    client, login, make_person, tmp_path
):
    import shutil
    import subprocess

    login(make_person(admin=True))
    page = client.get("/admin/report?preset=last-year").get_data(as_text=True)
    assert "Nothing to show for this period yet" in page
    assert "report-table" not in page and "Download PDF" not in page
    pdf = client.get("/admin/report.pdf?preset=last-year&lang=en")
    assert pdf.status_code == 200
    if shutil.which("pdftotext") and shutil.which("pdfinfo"):
        (tmp_path / "r.pdf").write_bytes(pdf.data)
        text = subprocess.run(
            ["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True
        ).stdout
        info = subprocess.run(["pdfinfo", str(tmp_path / "r.pdf")], capture_output=True, text=True)
        assert "Nothing to show for this period yet" in text
        assert int(info.stdout.split("Pages:")[1].split()[0]) == 1  # not five pages of zeros


def test_the_report_writes_dates_and_hours_for_people(client, login, make_person, alliance_world):
    login(make_person(admin=True))
    page = client.get(f"/admin/report?from={YEAR}-01-01&to={YEAR}-12-31").get_data(as_text=True)
    assert f"Jan 1\u2009–\u2009Dec 31, {YEAR}" in page and f"{YEAR}-01-01 " not in page
    assert "Made on " in page and " h</td>" in page and ".0 h" not in page
