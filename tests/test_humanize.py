"""Human formats: hours and minutes, the zone named once in words, the reader's own time."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from flask_babel import force_locale

from learning_platform.humanize import date_range, format_duration, zone_label, zone_note
from learning_platform.timezones import format_span, zone_abbreviation
from tests.test_workspace import in_days

DURATIONS = [
    (timedelta(0), "0 min", "0분"),
    (timedelta(minutes=45), "45 min", "45분"),
    (timedelta(hours=1), "1 h", "1시간"),
    (timedelta(hours=2, minutes=30), "2 h 30 min", "2시간 30분"),
    (timedelta(hours=10, minutes=5), "10 h 5 min", "10시간 5분"),
    (2.5, "2 h 30 min", "2시간 30분"),  # learning hours as a number
    (timedelta(minutes=59, seconds=50), "1 h", "1시간"),  # to the nearest minute
]


@pytest.mark.parametrize(("value", "english", "korean"), DURATIONS)
def test_durations_read_as_hours_and_minutes(app, value, english, korean):
    with app.test_request_context():
        with force_locale("en"):
            assert format_duration(value) == english
        with force_locale("ko"):
            assert format_duration(value) == korean


@pytest.mark.parametrize(
    ("zone", "english", "korean"),
    [
        ("Asia/Seoul", "Korean Time (KST)", "한국 시간(KST)"),
        ("Asia/Bangkok", "Thailand Time (ICT)", "태국 시간(ICT)"),
        ("Asia/Tokyo", "Japan Time (JST)", "일본 시간(JST)"),
        ("UTC", "UTC", "UTC"),
    ],
)
def test_a_zone_is_named_in_the_readers_language(app, zone, english, korean):
    with app.test_request_context():
        with force_locale("en"):
            assert zone_label(zone) == english
        with force_locale("ko"):
            assert zone_label(zone) == korean


def test_abbreviations_follow_daylight_saving_and_fall_back_to_the_offset():
    winter, summer = datetime(2026, 1, 15, tzinfo=UTC), datetime(2026, 7, 15, tzinfo=UTC)
    assert zone_abbreviation("Europe/Paris", winter) == "CET"
    assert zone_abbreviation("Europe/Paris", summer) == "CEST"
    assert zone_abbreviation("Asia/Ho_Chi_Minh") == "ICT"  # the tz database says "+07"
    assert zone_abbreviation("America/Sao_Paulo") == "UTC-3"
    assert zone_abbreviation("Asia/Kolkata", winter) == "IST"
    assert zone_abbreviation("Australia/Eucla", winter) == "UTC+8:45"


def plain(text: str) -> str:
    """Babel separates with thin and narrow no-break spaces."""
    return re.sub(r"\s", " ", text)


@time_machine.travel(datetime(2026, 12, 1, tzinfo=UTC))
def test_spans_name_the_zone_only_when_asked(app):
    start = datetime(2026, 12, 9, 1, 0, tzinfo=UTC)  # 10:00 in Seoul
    end = start + timedelta(hours=2, minutes=30)

    def span(**options) -> str:
        return plain(format_span(start, end, "Asia/Seoul", **options))

    with app.test_request_context(), force_locale("en"):
        assert span() == "Wednesday, December 9, 2026, 10:00 AM – 12:30 PM (KST)"
        assert span(with_zone=False) == "Wednesday, December 9, 2026, 10:00 AM – 12:30 PM"
        assert span(with_zone=False, short=True) == "Wed, Dec 9 · 10:00 AM – 12:30 PM"
        march, may = datetime(2025, 3, 3, 1, tzinfo=UTC), datetime(2025, 5, 12, 1, tzinfo=UTC)
        assert plain(date_range(march, may, "Asia/Seoul")) == "Mar 3 – May 12, 2025"
        assert date_range(start, start, "Asia/Seoul") == "Dec 9"  # this year: no year
    with app.test_request_context(), force_locale("ko"):
        assert span(with_zone=False, short=True) == "12월 9일 (수) · 오전 10:00 ~ 오후 12:30"


def test_the_zone_note_carries_the_label_for_the_readers_own_time(app):
    with app.test_request_context(), force_locale("ko"):
        note = str(zone_note("Asia/Seoul"))
    assert "시간은 한국 시간(KST) 기준입니다." in note
    assert 'data-your-time="(내 지역 시간: {time})"' in note


def test_offering_page_names_the_zone_once_and_gives_hours_in_words(
    client, make_partner, make_offering
):
    partner = make_partner()
    sessions = [in_days(3, hours=2), in_days(10, hours=2)]
    sessions.append(
        (sessions[1][0] + timedelta(days=7), sessions[1][0] + timedelta(days=7, minutes=30))
    )
    offering = make_offering(partner, status="published", sessions=sessions)
    page = client.get(f"/offerings/{offering.id}", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert page.count("Korean Time (KST)") == 1
    assert "(KST)" not in page.replace("Korean Time (KST)", "")  # not after every date
    assert "Asia/Seoul" not in page.replace('data-zone="Asia/Seoul"', "")
    assert page.count('<time datetime="') == 3
    assert "4 h 30 min" in page and "4.5" not in page
    assert 'src="/static/js/local-time.js"' in page
    assert '"courseWorkload": "PT4H30M"' in page  # for search engines too, to the minute

    korean = client.get(f"/offerings/{offering.id}", headers={"Accept-Language": "ko"})
    text = korean.get_data(as_text=True)
    assert text.count("한국 시간(KST)") == 1 and "4시간 30분" in text


def test_workspace_pages_give_hours_and_the_zone_in_words(client, organizer, make_offering):
    _, partner = organizer
    offering = make_offering(partner, sessions=[in_days(3, hours=3)])
    page = client.get(f"/workspace/offerings/{offering.id}").get_data(as_text=True)
    assert "<dd>3 h</dd>" in page and "3.0" not in page
    assert page.count("Korean Time (KST)") == 1
    schedule = client.get(f"/workspace/offerings/{offering.id}/schedule").get_data(as_text=True)
    assert "Times are in Korean Time (KST)." in schedule
