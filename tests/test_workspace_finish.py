"""The workspace, finished: deleting a draft, previewing it, where organizers land after logging
in, the Publish button that says what is missing, and a schedule imported from and exported
to an .ics or CSV file."""

import io
import time
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from learning_platform.extensions import db
from learning_platform.models import Image, Offering, OfferingSession
from learning_platform.models.offering import offering_theme
from tests.test_workspace import count, in_days, load, seoul

SEOUL_NEXT_YEAR = datetime.now(UTC).year + 1


def upload(client, path: str, content: bytes, name: str):
    token = client.csrf_token(path)
    return client.post(
        path,
        data={"csrf_token": token, "action": "preview", "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def save_preview(client, path: str, page: str):
    rows = _hidden(page, "rows")
    return client.post(
        path, data={"csrf_token": _hidden(page, "csrf_token"), "action": "save", "rows": rows}
    )


def _hidden(page: str, name: str) -> str:
    import html
    import re

    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', page
    )
    assert match, f"no {name} in the page"
    return html.unescape(match.group(1))


@pytest.fixture
def draft(organizer, make_offering, make_theme):
    _, partner = organizer
    return make_offering(
        partner, status="draft", title="Zero-waste kitchen", sessions=[in_days(10)], themes=[]
    )


def text(response) -> str:
    return response.get_data(as_text=True)


# Deleting a draft --------------------------------------------------------------------------------


def test_deleting_a_draft_asks_first_then_removes_it_with_its_sessions_links_and_cover(
    app, client, organizer, make_offering, make_theme
):
    _, partner = organizer
    theme = make_theme()
    offering = make_offering(partner, sessions=[in_days(5), in_days(12)], themes=[theme])
    with app.app_context():
        row = db.session.get(Offering, offering.id)
        row.cover = Image(
            kind="cover",
            key="a" * 64,
            width=1200,
            height=800,
            sizes=[400],
            alt_ko="표지",
            alt_en="Cover",
        )
        db.session.commit()
    path = f"/workspace/offerings/{offering.id}/delete"

    asked = client.submit(path, page=f"/workspace/offerings/{offering.id}")
    assert asked.status_code == 200
    assert "Delete this draft?" in text(asked)
    assert "Its 2 sessions are deleted with it." in text(asked)
    assert count(app, Offering) == 1  # asking changes nothing

    done = client.submit(path, {"confirm": "yes"}, page=f"/workspace/offerings/{offering.id}")
    assert done.status_code == 302
    assert done.headers["Location"].endswith(f"/workspace/{partner.slug}/")
    assert count(app, Offering) == 0
    assert count(app, OfferingSession) == 0
    assert count(app, Image) == 0
    with app.app_context():
        assert db.session.execute(select(offering_theme)).all() == []
    assert "The draft is deleted." in text(client.get(done.headers["Location"]))


@pytest.mark.parametrize("status", ["published", "cancelled"])
def test_a_published_or_cancelled_offering_cannot_be_deleted(
    app, client, organizer, make_offering, status
):
    _, partner = organizer
    offering = make_offering(partner, status=status, sessions=[in_days(5)])
    page = f"/workspace/offerings/{offering.id}"
    for data in ({}, {"confirm": "yes"}):
        response = client.submit(f"{page}/delete", data, page=page, follow_redirects=True)
        assert "Only a draft can be deleted." in text(response)
    assert count(app, Offering) == 1
    assert "Delete draft" not in text(client.get(page))


def test_a_delete_without_csrf_or_by_get_changes_nothing(app, client, draft):
    path = f"/workspace/offerings/{draft.id}/delete"
    assert client.post(path, data={"confirm": "yes"}).status_code == 400
    assert client.get(path).status_code == 405
    assert count(app, Offering) == 1


# Preview -----------------------------------------------------------------------------------------


def test_the_preview_shows_the_public_page_with_a_banner_and_no_working_register_button(
    client, draft
):
    response = client.get(f"/workspace/offerings/{draft.id}/preview")
    assert response.status_code == 200
    page = text(response)
    assert "Preview — not published" in page
    assert "Zero-waste kitchen" in page
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert "application/ld+json" not in page
    assert 'rel="canonical"' not in page
    # As it will be once published: seats left, and a register button that does nothing.
    assert "20 seats left" in page
    assert "disabled" in page and f"/offerings/{draft.id}/register" not in page


def test_only_the_offerings_organizers_see_the_preview(
    client, login, draft, make_person, make_partner
):
    path = f"/workspace/offerings/{draft.id}/preview"
    client.submit("/logout", page="/")
    assert client.get(path).status_code == 302  # to the login page
    citizen = make_person()
    login(citizen)
    assert client.get(path).status_code == 403
    client.submit("/logout", page="/")
    stranger = make_person()
    make_partner(members=[stranger])
    login(stranger)
    assert client.get(path).status_code == 404


def test_a_draft_stays_out_of_the_public_page_catalog_and_sitemap(client, draft):
    assert client.get(f"/offerings/{draft.id}").status_code == 404
    assert "Zero-waste kitchen" not in text(client.get("/offerings"))
    assert f"/offerings/{draft.id}" not in text(client.get("/sitemap.xml"))
    assert "Disallow: /workspace/" in text(client.get("/robots.txt"))


def test_the_preview_of_a_published_offering_is_its_public_page(client, organizer, make_offering):
    _, partner = organizer
    offering = make_offering(partner, status="published", sessions=[in_days(5)])
    response = client.get(f"/workspace/offerings/{offering.id}/preview")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/offerings/{offering.id}")


# Where a login leads -----------------------------------------------------------------------------


def test_an_organizer_lands_in_the_workspace(client, make_person, make_partner, login):
    person = make_person()
    make_partner(slug="green-school", members=[person])
    response = login(person)
    assert response.headers["Location"] == "/workspace/"


def test_a_citizen_lands_where_they_did(client, make_person, login):
    response = login(make_person())
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("forged", ["https://evil.example", "//evil", "/\\evil"])
def test_an_asked_for_page_wins_and_a_forged_one_is_ignored(
    client, make_person, make_partner, forged
):
    person = make_person()
    make_partner(members=[person])
    response = client.submit(
        "/login?next=/offerings",
        {"email": person.email, "password": "correct horse battery staple"},
    )
    assert response.headers["Location"] == "/offerings"
    client.submit("/logout", page="/")
    response = client.submit(
        f"/login?next={forged}",
        {"email": person.email, "password": "correct horse battery staple"},
        page="/login",
    )
    assert response.headers["Location"] == "/workspace/"


# The Publish button ------------------------------------------------------------------------------


def test_a_disabled_publish_button_lists_what_is_missing(client, organizer, make_offering):
    _, partner = organizer
    offering = make_offering(partner, summary="", contact_email="")
    page = text(client.get(f"/workspace/offerings/{offering.id}"))
    assert (
        '<button type="button" class="button button--disabled" disabled aria-disabled="true"'
        ' aria-describedby="publish-problems">Publish</button>'
    ) in page
    problems = page.split('id="publish-problems"')[1].split("</div>")[0]
    for missing in (
        "Add at least one session in the future.",
        "Write a short summary.",
        "Choose at least one theme.",
        "Give a contact email.",
    ):
        assert missing in problems


# Import: CSV -------------------------------------------------------------------------------------


def csv_rows(*rows: str, header: bool = True) -> str:
    lines = (["date,start,end,location,note"] if header else []) + list(rows)
    return "\r\n".join(lines) + "\r\n"


def test_a_csv_is_previewed_then_saved_in_the_offerings_zone(app, client, draft):
    path = f"/workspace/offerings/{draft.id}/import"
    year = SEOUL_NEXT_YEAR
    body = csv_rows(f"{year}-03-05,19:00,21:00,Room 301,", f"{year}-03-12,19:00,21:00,,Bring a cup")
    preview = upload(client, path, body.encode(), "schedule.csv")
    assert preview.status_code == 200, text(preview)
    page = text(preview)
    assert "2 sessions will be added" in page
    assert "Room 301" in page and "Bring a cup" in page
    assert count(app, OfferingSession) == 1  # a preview saves nothing

    saved = save_preview(client, path, page)
    assert saved.status_code == 302
    offering = load(app, draft.id)
    added = [s for s in offering.sessions if s.starts_at.year == year]
    assert [(s.starts_at, s.ends_at, s.location, s.note) for s in added] == [
        (seoul(year, 3, 5, 19), seoul(year, 3, 5, 21), "Room 301", ""),
        (seoul(year, 3, 12, 19), seoul(year, 3, 12, 21), "", "Bring a cup"),
    ]


def test_a_csv_from_korean_excel_in_cp949_with_a_bom_or_without(app, client, draft):
    path = f"/workspace/offerings/{draft.id}/import"
    year = SEOUL_NEXT_YEAR
    body = csv_rows(f"{year}/4/2,10:00,12:00,창원시 평생학습관 3층,텀블러 지참", header=False)
    for encoded in (body.encode("cp949"), "\ufeff".encode() + body.encode()):
        page = text(upload(client, path, encoded, "일정.csv"))
        assert "창원시 평생학습관 3층" in page
        assert "텀블러 지참" in page
        assert "1 session will be added" in page


def test_bad_csv_rows_are_reported_by_line_and_the_good_ones_kept(app, client, draft):
    path = f"/workspace/offerings/{draft.id}/import"
    year = SEOUL_NEXT_YEAR
    body = csv_rows(
        f"{year}-02-30,19:00,21:00",  # line 2: no such day
        f"{year}-03-05,25:00,26:00",  # line 3: no such time
        f"{year}-03-05,21:00,19:00",  # line 4: ends before it starts
        f"{year}-03-06,19:00,21:00",  # line 5: fine
        f"{year}-03-06,19:00,21:00",  # line 6: the same again
        f"{year}-03-06,20:00,22:00",  # line 7: overlaps line 5
        "2020-03-06,19:00,21:00",  # line 8: fine for a draft (the past is for published ones)
        f"{year}-03-07",  # line 9: too short
        "<script>x</script>,19:00,20:00",  # line 10: shown inert
    )
    response = upload(client, path, body.encode(), "schedule.csv")
    page = text(response)
    assert "2 sessions will be added" in page
    assert f"Line 2: &#39;{year}-02-30&#39; is not a date like 2026-03-05." in page
    assert "Line 3: &#39;25:00&#39; is not a time like 19:00." in page
    assert "Line 4: The end must be after the start." in page
    assert "Line 6: The same session as line 5." in page
    assert "Line 7: This overlaps another session of this offering" in page
    assert "Line 9: A row needs at least a date, a start and an end time." in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page and "<script>x" not in page
    assert count(app, OfferingSession) == 1


def test_a_file_that_is_nothing_usable_is_refused_next_to_the_field(client, draft):
    path = f"/workspace/offerings/{draft.id}/import"
    for content, name, message in (
        (b"", "empty.csv", "The file is empty."),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "photo.png", "This is not a calendar (.ics) or CSV file."),
        (b"hello", "notes.docx", "Choose a calendar file (.ics) or a CSV file (.csv)."),
        (b"\xff\xfe\xfd garbage", "x.csv", "could not be read"),
        (b"date,start,end\r\nnope,nope,nope\r\n", "x.csv", "no session that can be added"),
    ):
        response = upload(client, path, content, name)
        assert response.status_code == 422, name
        assert message in text(response), name
    response = client.submit(path, {"action": "preview"})
    assert response.status_code == 422
    assert "Choose a calendar (.ics) or CSV file." in text(response)


def test_a_file_over_the_size_limit_is_refused(app, client, draft):
    app.config["SCHEDULE_IMPORT_MAX_BYTES"] = 1000
    response = upload(client, f"/workspace/offerings/{draft.id}/import", b"x" * 1001, "a.csv")
    assert response.status_code == 422
    assert "The file is larger than 0 KB" in text(response)


def test_a_forged_save_step_is_refused(app, client, draft):
    path = f"/workspace/offerings/{draft.id}/import"
    token = client.csrf_token(path)
    for rows in (
        "not json",
        '[["2027-01-01T10:00:00", "x", "", ""]]',
        '[{"a": 1}]',
        '[["2027-01-01T10:00:00+00:00", "2027-01-01T11:00:00+00:00", "a\\u0000b", ""]]',
    ):
        response = client.post(path, data={"csrf_token": token, "action": "save", "rows": rows})
        assert response.status_code == 400
    assert count(app, OfferingSession) == 1


# Import: iCalendar -------------------------------------------------------------------------------


def ics(*events: str) -> bytes:
    body = "".join(f"BEGIN:VEVENT\r\n{event}END:VEVENT\r\n" for event in events)
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n" + body + "END:VCALENDAR\r\n"
    ).encode()


def test_an_ics_with_zones_utc_floating_durations_and_a_repetition(app, client, draft):
    year = SEOUL_NEXT_YEAR
    path = f"/workspace/offerings/{draft.id}/import"
    content = ics(
        # In another zone (Bangkok is two hours behind Seoul).
        f"UID:a\r\nDTSTART;TZID=Asia/Bangkok:{year}0401T170000\r\nDTEND;TZID=Asia/Bangkok:{year}0401T190000\r\nLOCATION:Room 1\r\n",
        # UTC, with a duration.
        f"UID:b\r\nDTSTART:{year}0402T100000Z\r\nDURATION:PT90M\r\n",
        # Floating: in the offering's zone.
        f"UID:c\r\nDTSTART:{year}0403T090000\r\nDTEND:{year}0403T110000\r\n",
        # Weekly, three times, one left out.
        f"UID:d\r\nDTSTART;TZID=Asia/Seoul:{year}0406T190000\r\nDTEND;TZID=Asia/Seoul:{year}0406T210000\r\n"
        f"RRULE:FREQ=WEEKLY;COUNT=3\r\nEXDATE;TZID=Asia/Seoul:{year}0413T190000\r\n",
        # All day: no times.
        f"UID:e\r\nDTSTART;VALUE=DATE:{year}0410\r\nDTEND;VALUE=DATE:{year}0411\r\n",
    )
    preview = upload(client, path, content, "course.ics")
    page = text(preview)
    assert "5 sessions will be added" in page
    assert "An all-day event has no times" in page
    save_preview(client, path, page)
    offering = load(app, draft.id)
    added = sorted((s.starts_at, s.ends_at) for s in offering.sessions if s.starts_at.year == year)
    assert added == [
        (seoul(year, 4, 1, 19), seoul(year, 4, 1, 21)),
        (seoul(year, 4, 2, 19), seoul(year, 4, 2, 20, 30)),
        (seoul(year, 4, 3, 9), seoul(year, 4, 3, 11)),
        (seoul(year, 4, 6, 19), seoul(year, 4, 6, 21)),
        (seoul(year, 4, 20, 19), seoul(year, 4, 20, 21)),
    ]


def test_an_ics_with_10000_events_is_refused_at_once(app, client, draft):
    # Small events, so that the test client's body stays in memory.
    event = "BEGIN:VEVENT\r\nUID:1\r\nEND:VEVENT\r\n"
    content = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + event * 10_000 + "END:VCALENDAR\r\n").encode()
    app.config["SCHEDULE_IMPORT_MAX_BYTES"] = len(content) + 1
    began = time.perf_counter()
    response = upload(client, f"/workspace/offerings/{draft.id}/import", content, "big.ics")
    assert time.perf_counter() - began < 2
    assert response.status_code == 422
    assert "The file has 10,000 events; an offering has at most 200 sessions." in text(response)
    assert count(app, OfferingSession) == 1


def test_endless_or_too_frequent_repetitions_are_refused_with_a_reason(client, draft):
    year = SEOUL_NEXT_YEAR
    content = ics(
        f"UID:a\r\nDTSTART:{year}0101T100000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=SECONDLY\r\n",
        f"UID:b\r\nDTSTART:{year}0101T100000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=DAILY\r\n",
        f"UID:c\r\nDTSTART:{year}0601T100000Z\r\nDURATION:PT1H\r\n",
    )
    page = text(upload(client, f"/workspace/offerings/{draft.id}/import", content, "x.ics"))
    assert "repeats more often than daily" in page
    assert "repeats more than 200 times" in page
    assert "1 session will be added" in page


def test_repetitions_that_add_up_to_too_many_sessions_are_refused(client, draft):
    year = SEOUL_NEXT_YEAR
    weekly = "RRULE:FREQ=DAILY;COUNT=150\r\n"
    content = ics(
        f"UID:a\r\nDTSTART:{year}0101T010000Z\r\nDURATION:PT1H\r\n{weekly}",
        f"UID:b\r\nDTSTART:{year}0101T050000Z\r\nDURATION:PT1H\r\n{weekly}",
    )
    response = upload(client, f"/workspace/offerings/{draft.id}/import", content, "x.ics")
    assert response.status_code == 422
    assert "The file's events make more than 200 sessions" in text(response)


def test_broken_lines_in_an_ics_are_reported_by_line_not_a_500(client, draft):
    year = SEOUL_NEXT_YEAR
    content = ics(
        f"UID:a\r\nDTSTART:{year}0501T100000Z\r\nthis is not a line\r\nDTEND:{year}0501T120000Z\r\n",
        f"UID:b\r\nDTSTART:not-a-date\r\nDTEND:{year}0502T120000Z\r\n",
        "UID:c\r\nSUMMARY:No start\r\n",
        f"UID:d\r\nDTSTART:{year}0503T120000Z\r\nDTEND:{year}0503T100000Z\r\n",
    )
    response = upload(client, f"/workspace/offerings/{draft.id}/import", content, "x.ics")
    page = text(response)
    assert response.status_code == 200
    assert "Line 7: This line is not a calendar line" in page
    assert "Line 10: The event's start could not be read." in page
    assert "Line 15: The event has no start (DTSTART)." in page
    assert "Line 19: The end must be after the start." in page
    assert "1 session will be added" in page


def test_wrong_content_named_ics_is_refused(client, draft):
    path = f"/workspace/offerings/{draft.id}/import"
    for content in (
        b"<html><script>alert(1)</script></html>",
        "BEGIN:VCALENDAR\r\n".encode("utf-16"),
    ):
        response = upload(client, path, content, "x.ics")
        assert response.status_code == 422


# Export ------------------------------------------------------------------------------------------


def test_the_schedule_exports_as_csv_and_ics_and_imports_back_the_same(
    app, client, organizer, make_offering
):
    _, partner = organizer
    source = make_offering(partner, sessions=[in_days(20), in_days(27, hour=10, hours=3)])
    with app.app_context():
        row = db.session.get(Offering, source.id)
        row.sessions[0].location = '=HYPERLINK("x")'
        row.sessions[1].note = "창원 · Room 3"
        db.session.commit()
    spans = sorted((s.starts_at, s.ends_at) for s in load(app, source.id).sessions)

    exported = client.get(f"/workspace/offerings/{source.id}/schedule.csv")
    assert exported.status_code == 200
    assert exported.mimetype == "text/csv"
    assert exported.data.startswith(b"\xef\xbb\xbfdate,start,end,location,note\r\n")
    assert b"'=HYPERLINK" in exported.data  # a spreadsheet shows it, never runs it
    calendar = client.get(f"/workspace/offerings/{source.id}/schedule.ics")
    assert calendar.mimetype == "text/calendar"
    assert len(Calendar.from_ical(calendar.data).walk("VEVENT")) == 2

    for body, name in ((exported.data, "schedule.csv"), (calendar.data, "schedule.ics")):
        target = make_offering(partner)
        path = f"/workspace/offerings/{target.id}/import"
        save_preview(client, path, text(upload(client, path, body, name)))
        copy = load(app, target.id)
        assert sorted((s.starts_at, s.ends_at) for s in copy.sessions) == spans, name
        details = sorted((s.location, s.note) for s in copy.sessions)
        assert details == sorted([('=HYPERLINK("x")', ""), ("", "창원 · Room 3")]), name


def test_importing_into_a_published_offering_keeps_its_rules(app, client, organizer, make_offering):
    _, partner = organizer
    offering = make_offering(partner, status="published", sessions=[in_days(5)])
    past = (datetime.now(UTC) - timedelta(days=3)).astimezone(seoul(2026, 1, 1).tzinfo).date()
    body = csv_rows(f"{past.isoformat()},19:00,21:00")
    response = upload(client, f"/workspace/offerings/{offering.id}/import", body.encode(), "a.csv")
    assert "Participants cannot come to a session in the past." in text(response)
    assert response.status_code == 422


def test_preview_and_exports_read_the_same_statements_whatever_the_number_of_sessions(
    client, organizer, make_offering, count_queries
):
    _, partner = organizer
    small = make_offering(partner, sessions=[in_days(5)])
    large = make_offering(partner, sessions=[in_days(5 + day) for day in range(30)])
    for suffix in ("/preview", "/schedule.csv", "/schedule.ics"):
        counts = []
        for offering in (small, large):
            with count_queries() as statements:
                assert client.get(f"/workspace/offerings/{offering.id}{suffix}").status_code == 200
            counts.append(len(statements))
        assert counts[0] == counts[1], suffix


def test_a_cancelled_offering_takes_no_imported_sessions(app, client, organizer, make_offering):
    _, partner = organizer
    offering = make_offering(partner, status="cancelled", sessions=[in_days(5)])
    body = csv_rows(f"{SEOUL_NEXT_YEAR}-03-05,19:00,21:00")
    response = upload(client, f"/workspace/offerings/{offering.id}/import", body.encode(), "a.csv")
    assert response.status_code == 422
    assert "A cancelled offering cannot be changed" in text(response)
