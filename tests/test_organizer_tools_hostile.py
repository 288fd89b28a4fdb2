"""Hostile input to the organizer tools of issue 13 (found by a review; each test failed before
its fix): line separators in subjects and titles, endless repetition rules, forged import
steps, formulas in question texts."""

import csv
import io
from datetime import UTC, datetime, timedelta

from learning_platform.enrollment.reminders import enqueue_due
from learning_platform.offerings.schedule_files import read_ics
from tests.test_messages import course, message, new, people  # noqa: F401 (fixtures)
from tests.test_questions import ask
from tests.test_workspace import in_days
from tests.test_workspace_finish import draft, ics  # noqa: F401 (fixture)

# 1. Message subject with a Unicode line separator: 500 instead of a field error -----------------


def test_a_subject_with_a_unicode_line_separator_is_refused_not_a_500(
    app,
    client,
    course,  # noqa: F811 (a fixture imported above)
    people,  # noqa: F811
    outbox,
):
    # Form.validate refuses C0 controls only; str.splitlines (used by email.policy) also
    # splits on U+2028/U+2029/U+0085, so build_message raises ValueError -> 500.
    response = client.submit(
        new(course),
        {**message(course, subject="Bring gloves\u2028Bcc: x@evil.example"), "preview": "1"},
    )
    assert response.status_code == 422
    assert outbox() == []


# 2. Reminder never sent for an offering whose title holds U+2028 ------------------------------


def test_a_reminder_goes_out_even_when_the_title_holds_a_line_separator(
    app, make_partner, make_offering, make_person, register, outbox
):
    start = datetime(2031, 3, 4, 1, 0, tzinfo=UTC)
    partner = make_partner(name="Changwon")
    offering = make_offering(
        partner,
        status="published",
        title="Urban\u2028gardening",
        sessions=[(start, start + timedelta(hours=2))],
    )
    person = make_person("minji@example.org")
    register(offering, person)
    with app.app_context():
        # The subject "Reminder: %(title)s, ..." cannot be set: ValueError, logged, retried
        # forever; the participant never gets a reminder.
        assert enqueue_due(start - timedelta(hours=1)) == 1
    assert len(outbox()) == 1


# 3. An .ics RRULE that never matches burns seconds of CPU per event (200 events allowed) -------


def test_a_repetition_rule_is_followed_a_few_years_ahead_only(app):
    """A rule that never matches (the 30th of February) or ends in the year 9999 would be
    walked day by day to that year (seconds of CPU per event, 200 events a file): rules are
    followed five years ahead, and each of these gets its reason instead."""
    data = ics(
        "UID:a\r\nDTSTART:20300101T100000Z\r\nDTEND:20300101T110000Z\r\n"
        "RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;UNTIL=99991231T000000Z\r\n",
        "UID:b\r\nDTSTART:20300101T100000Z\r\nDTEND:20300101T110000Z\r\n"
        "RRULE:FREQ=YEARLY;UNTIL=99991231T000000Z\r\n",
        "UID:c\r\nDTSTART:20300101T100000Z\r\nDTEND:20300101T110000Z\r\n"
        "RRULE:FREQ=YEARLY;COUNT=12\r\n",
    )
    with app.test_request_context():
        reading = read_ics(data, "Asia/Seoul")
    reasons = [str(problem.reason) for problem in reading.problems]
    assert "The event's repetition rule matches no date." in reasons
    assert sum("repeats beyond 5 years" in reason for reason in reasons) == 2
    assert not reading.rows


# 4. A forged save step with an out-of-range instant: 500 instead of 400 ----------------------


def test_a_forged_save_step_with_an_out_of_range_instant_is_a_400(app, client, draft):  # noqa: F811
    path = f"/workspace/offerings/{draft.id}/import"
    token = client.csrf_token(path)
    rows = '[["0001-01-01T00:00:00+01:00", "0001-01-01T01:00:00+01:00", "", ""]]'
    response = client.post(path, data={"csrf_token": token, "action": "save", "rows": rows})
    assert response.status_code == 400


# 5. The attendees CSV header carries question text unescaped (formula injection) -------------


def test_a_question_text_in_the_csv_header_is_not_a_formula(app, client, organizer, make_offering):
    _person, partner = organizer
    offering = make_offering(partner, status="published", sessions=[in_days(7)])
    ask(app, offering, "short_text", en='=HYPERLINK("https://evil.example","x")')
    body = client.get(f"/workspace/offerings/{offering.id}/attendees.csv").get_data(as_text=True)
    header = next(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert not header[-1].startswith("=")
