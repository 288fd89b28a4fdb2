"""A schedule as a file: read sessions from an .ics or a CSV, write them as both.

Pure functions: bytes in, rows out (UTC instants, with the line each came from), and
problems a person can fix, each with its line number. Nothing here touches the database;
the offering's own rules (overlaps, the past, MAX_SESSIONS) are checked by the services.

CSV columns: date,start,end[,location,note] — a date like 2026-03-05 (or 2026/3/5, 2026.3.5),
times like 19:00, in the offering's zone; a header row is optional. UTF-8 with or without a
byte order mark, or CP949 (what Korean Excel saves).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from dateutil.rrule import rrulestr
from flask import Response
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from icalendar import Calendar, Event

from learning_platform.models import MAX_REASON, MAX_SESSIONS
from learning_platform.timezones import NonexistentTime, local, to_utc

MAX_LOCATION = 200
CSV_COLUMNS = ("date", "start", "end", "location", "note")
#: Spreadsheets run a cell starting with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DATE = re.compile(r"(\d{4})\s*[-./]\s*(\d{1,2})\s*[-./]\s*(\d{1,2})\.?")
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")
#: Repeating faster than daily is nobody's course, and expands without end.
_TOO_FREQUENT = {"SECONDLY", "MINUTELY", "HOURLY"}
#: How far ahead a repeating event is followed (an offering's sessions are within a few years).
REPEAT_HORIZON = timedelta(days=5 * 365 + 1)
_EVENT_START = re.compile(rb"^BEGIN:VEVENT\s*$", re.MULTILINE | re.IGNORECASE)
_CONTENT_LINE = re.compile(r"^[A-Za-z0-9-]+(;[^:]*)?:")


class UnreadableFile(ValueError):
    """The file as a whole cannot be used; `message` says why, for the person."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Row:
    """One session read from a file, at `line`."""

    line: int
    starts_at: datetime
    ends_at: datetime
    location: str = ""
    note: str = ""


@dataclass(frozen=True)
class Problem:
    """Why the row at `line` is left out. A reason quoting the file is translated at once
    (gettext): a lazy string is taken for markup and would not be escaped."""

    line: int
    reason: object


@dataclass
class Reading:
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def is_calendar(data: bytes, filename: str) -> bool:
    return filename.lower().endswith(".ics") or data.lstrip(b"\xef\xbb\xbf \r\n\t")[
        :15
    ].upper().startswith(b"BEGIN:VCALENDAR")


def read_schedule(data: bytes, filename: str, zone: str) -> Reading:
    """:raise UnreadableFile:"""
    if not data.strip():
        raise UnreadableFile(_l("The file is empty."))
    if b"\x00" in data:
        raise UnreadableFile(
            _l("This is not a calendar (.ics) or CSV file. Choose the file again.")
        )
    if is_calendar(data, filename):
        return read_ics(data, zone)
    if filename.lower().endswith((".csv", ".txt")) or not filename:
        return read_csv(data, zone)
    raise UnreadableFile(_l("Choose a calendar file (.ics) or a CSV file (.csv)."))


def has_control_characters(text: str) -> bool:
    return bool(_CONTROL.search(text)) or any(c in text for c in "\r\n")


def _clean(text: str, limit: int) -> str:
    text = _CONTROL.sub("", text.replace("\r\n", " ").replace("\n", " ").replace("\r", " "))
    text = text.strip()
    # What our own export escaped for spreadsheets comes back as it was.
    if text.startswith("'") and text[1:2] and text[1:2] in _FORMULA_START:
        text = text[1:]
    return text[:limit]


# CSV ------------------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in ("utf-8", "cp949"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile(
        _l("The file's characters could not be read. Save it as CSV UTF-8 and try again.")
    )


def _date(text: str) -> date | None:
    match = _DATE.fullmatch(text.strip())
    if not match:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def _time(text: str) -> time | None:
    match = _TIME.fullmatch(text.strip())
    if not match:
        return None
    hour, minute, second = (int(part or 0) for part in match.groups())
    if hour > 23 or minute > 59 or second > 59:
        return None
    return time(hour, minute)


def read_csv(data: bytes, zone: str) -> Reading:
    """:raise UnreadableFile:"""
    text = _decode(data)
    lines = text.splitlines()
    if len(lines) > MAX_SESSIONS + 1 and sum(1 for line in lines if line.strip()) > (
        MAX_SESSIONS + 1
    ):
        raise UnreadableFile(
            _l(
                "The file has more than %(max)s rows; an offering has at most %(max)s sessions.",
                max=MAX_SESSIONS,
            )
        )
    reading = Reading()
    reader = csv.reader(io.StringIO(text))
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error:
            reading.problems.append(
                Problem(reader.line_num, _l("This line could not be read (a quote is not closed)."))
            )
            break
        line = reader.line_num
        cells = [cell.strip() for cell in cells]
        if not any(cells):
            continue
        if line == 1 and cells[0].lstrip("\ufeff").lower() in ("date", "날짜"):
            continue  # the header
        if len(cells) < 3:
            reading.problems.append(
                Problem(line, _l("A row needs at least a date, a start and an end time."))
            )
            continue
        day, start, end = _date(cells[0]), _time(cells[1]), _time(cells[2])
        if day is None:
            reading.problems.append(
                Problem(line, _("'%(value)s' is not a date like 2026-03-05.", value=cells[0][:20]))
            )
            continue
        if not 2000 <= day.year <= 2100:
            reading.problems.append(Problem(line, _l("The date must be between 2000 and 2100.")))
            continue
        if start is None or end is None:
            bad = cells[1] if start is None else cells[2]
            reading.problems.append(
                Problem(line, _("'%(value)s' is not a time like 19:00.", value=bad[:20]))
            )
            continue
        if end <= start:
            reading.problems.append(Problem(line, _l("The end must be after the start.")))
            continue
        try:
            starts_at, ends_at = to_utc(day, start, zone), to_utc(day, end, zone)
        except NonexistentTime:
            reading.problems.append(
                Problem(
                    line, _l("This time does not exist in %(zone)s (the clocks change).", zone=zone)
                )
            )
            continue
        location = _clean(cells[3], MAX_LOCATION) if len(cells) > 3 else ""
        note = _clean(cells[4], MAX_REASON) if len(cells) > 4 else ""
        reading.rows.append(Row(line, starts_at, ends_at, location, note))
    return reading


def write_csv(sessions, zone: str) -> bytes:
    """The sessions as CSV in `zone`, UTF-8 with a byte order mark (Excel reads it so)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for session in sessions:
        starts, ends = local(session.starts_at, zone), local(session.ends_at, zone)
        writer.writerow(
            [
                starts.date().isoformat(),
                starts.strftime("%H:%M"),
                ends.strftime("%H:%M"),
                spreadsheet_safe(session.location),
                spreadsheet_safe(session.note),
            ]
        )
    return "\ufeff".encode() + out.getvalue().encode()


def spreadsheet_safe(text: str) -> str:
    """`text` for a CSV cell a spreadsheet opens: one starting like a formula gets a quote."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_download(rows: Iterable[Sequence], filename: str) -> Response:
    """`rows` (the header first) as a CSV file to download: every text cell formula-safe,
    UTF-8 with a byte-order mark (Excel then reads Korean right), never cached."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([spreadsheet_safe(cell) if isinstance(cell, str) else cell for cell in row])
    return Response(
        "\ufeff" + buffer.getvalue(),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )


# iCalendar ------------------------------------------------------------------------------------


def _unfolded_lines(text: str) -> list[tuple[int, str]]:
    """(first physical line number, content line) after RFC 5545 unfolding."""
    lines: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw.startswith((" ", "\t")) and lines:
            first, content = lines[-1]
            lines[-1] = (first, content + raw[1:])
        else:
            lines.append((number, raw))
    return lines


def read_ics(data: bytes, zone: str) -> Reading:
    """:raise UnreadableFile:"""
    # Counted on the raw bytes before anything is parsed: 10,000 events are refused at once.
    events = len(_EVENT_START.findall(data))
    if events > MAX_SESSIONS:
        raise UnreadableFile(
            _l(
                "The file has %(count)s events; an offering has at most %(max)s sessions.",
                count=f"{events:,}",
                max=MAX_SESSIONS,
            )
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFile(
            _l("The calendar file is not in UTF-8, as calendar files must be.")
        ) from None
    reading = Reading()
    kept: list[str] = []
    starts: list[int] = []  # the line of each VEVENT, in order
    for number, content in _unfolded_lines(text):
        if not content.strip():
            continue
        if not _CONTENT_LINE.match(content):
            reading.problems.append(
                Problem(number, _l("This line is not a calendar line; it is left out."))
            )
            continue
        if content.upper().startswith("BEGIN:VEVENT"):
            starts.append(number)
        kept.append(content)
    if not kept or not kept[0].upper().startswith("BEGIN:VCALENDAR"):
        raise UnreadableFile(
            _l("This is not a calendar file: it does not start with BEGIN:VCALENDAR.")
        )
    try:
        calendar = Calendar.from_ical("\r\n".join(kept) + "\r\n")
    except (ValueError, KeyError, IndexError, TypeError):
        raise UnreadableFile(_l("The calendar file could not be read. Export it again.")) from None
    vevents = [c for c in calendar.walk() if c.name == "VEVENT"]
    # Moved occurrences of a repeating event come as events of their own: their original
    # time is left out of the repetition.
    moved: dict[str, set[datetime]] = {}
    for event in vevents:
        if event.get("recurrence-id") is not None:
            try:
                original = _instant(event.decoded("recurrence-id"), zone)
            except (ValueError, KeyError, TypeError, NonexistentTime):
                continue
            moved.setdefault(str(event.get("uid", "")), set()).add(original)
    for index, event in enumerate(vevents):
        line = starts[index] if index < len(starts) else 0
        try:
            _read_event(event, line, zone, moved, reading)
        except (ValueError, KeyError, TypeError, OverflowError, AttributeError):
            reading.problems.append(Problem(line, _l("This event could not be read.")))
        if len(reading.rows) > MAX_SESSIONS:
            # Repetitions can multiply a few events into thousands: stop reading here.
            raise UnreadableFile(
                _l(
                    "The file's events make more than %(max)s sessions; an offering has at most %(max)s.",
                    max=MAX_SESSIONS,
                )
            )
    reading.rows.sort(key=lambda row: row.starts_at)
    return reading


def _instant(value, zone: str) -> datetime:
    """A DTSTART's value as UTC: aware times converted, floating ones in `zone`.

    :raise NonexistentTime: :raise TypeError: for a date (an all-day event)
    """
    if not isinstance(value, datetime):
        raise TypeError("a date, not a time")
    if value.tzinfo is None:
        return to_utc(value.date(), value.time(), zone)
    return value.astimezone(UTC)


def _read_event(event, line: int, zone: str, moved: dict, reading: Reading) -> None:
    if str(event.get("status", "")).upper() == "CANCELLED":
        reading.problems.append(Problem(line, _l("The event is cancelled; it is left out.")))
        return
    if event.get("dtstart") is None:
        reading.problems.append(Problem(line, _l("The event has no start (DTSTART).")))
        return
    start = event.decoded("dtstart")
    if not isinstance(start, date):
        reading.problems.append(Problem(line, _l("The event's start could not be read.")))
        return
    if not isinstance(start, datetime):
        reading.problems.append(
            Problem(
                line,
                _l(
                    "An all-day event has no times; give it a start and an end time in your calendar."
                ),
            )
        )
        return
    if event.get("dtend") is not None:
        end = event.decoded("dtend")
        if not isinstance(end, datetime):
            reading.problems.append(Problem(line, _l("The event's end has no time.")))
            return
        if end.tzinfo is None and start.tzinfo is not None:
            end = end.replace(tzinfo=start.tzinfo)
        length = _naive_or_aware_difference(start, end)
    elif event.get("duration") is not None:
        length = event.decoded("duration")
    else:
        reading.problems.append(Problem(line, _l("The event has no end (DTEND or DURATION).")))
        return
    if not isinstance(length, timedelta) or length <= timedelta():
        reading.problems.append(Problem(line, _l("The end must be after the start.")))
        return
    location = _clean(str(event.get("location", "")), MAX_LOCATION)
    note = _clean(str(event.get("description", "")), MAX_REASON)
    occurrences = [start]
    if event.get("rrule") is not None:
        occurrences = _expand(event, start, moved.get(str(event.get("uid", "")), set()), zone)
        if not isinstance(occurrences, list):
            reading.problems.append(Problem(line, occurrences))
            return
    for occurrence in occurrences:
        try:
            starts_at = _instant(occurrence, zone)
        except NonexistentTime:
            reading.problems.append(
                Problem(
                    line, _l("This time does not exist in %(zone)s (the clocks change).", zone=zone)
                )
            )
            continue
        if occurrence.tzinfo is None:
            ends_at = to_utc((occurrence + length).date(), (occurrence + length).time(), zone)
        else:
            ends_at = (occurrence + length).astimezone(UTC)
        reading.rows.append(Row(line, starts_at, ends_at, location, note))


def _naive_or_aware_difference(start: datetime, end: datetime) -> timedelta:
    if (start.tzinfo is None) != (end.tzinfo is None):
        raise ValueError("mixed floating and zoned times")
    if start.tzinfo is None:
        return end - start
    return end.astimezone(UTC) - start.astimezone(UTC)


def _later_than(until, horizon: datetime) -> bool:
    """Whether an RRULE's UNTIL (a date, or a naive or aware date-time) is past `horizon`."""
    if not isinstance(until, datetime):
        return until > horizon.date()
    if until.tzinfo is None:
        until = until.replace(tzinfo=horizon.tzinfo)
    return until > horizon


def _expand(event, start: datetime, moved: set[datetime], zone: str):
    """The occurrences of a repeating event (at most MAX_SESSIONS), or why not (a message)."""
    rule = event.get("rrule")
    if str((rule.get("FREQ") or [""])[0]).upper() in _TOO_FREQUENT:
        return _l("The event repeats more often than daily; add its sessions one by one.")
    too_many = _l(
        "The event repeats more than %(max)s times; give its repetition an end date or a count.",
        max=MAX_SESSIONS,
    )
    if not rule.get("COUNT") and not rule.get("UNTIL"):
        return too_many  # endless: more than any offering's sessions
    text = rule.to_ical().decode()
    # Dates are looked for within a horizon only: a rule that never matches (the 30th of
    # February) would otherwise be walked day by day to the year 9999.
    horizon = start + REPEAT_HORIZON
    try:
        occurrences = rrulestr(text, dtstart=start).between(start, horizon, inc=True)
    except (ValueError, OverflowError):
        return _l("The event's repetition rule could not be read.")
    if len(occurrences) > MAX_SESSIONS:
        return too_many
    if not occurrences:
        return _l("The event's repetition rule matches no date.")
    wanted = int((rule.get("COUNT") or [0])[0])
    until = (rule.get("UNTIL") or [None])[0]
    if (wanted and len(occurrences) < wanted) or (
        until is not None and _later_than(until, horizon)
    ):
        return _l(
            "The event repeats beyond %(years)s years from its first session; import the sessions of the coming years only.",
            years=REPEAT_HORIZON.days // 365,
        )
    excluded = set(moved)
    for exdate in _as_list(event.get("exdate")):
        for item in exdate.dts:
            try:
                excluded.add(_instant(item.dt, zone))
            except (TypeError, NonexistentTime):
                continue
    kept = []
    for occurrence in occurrences:
        try:
            if _instant(occurrence, zone) in excluded:
                continue
        except NonexistentTime:
            pass
        kept.append(occurrence)
    return kept


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def write_ics(title: str, sessions, product: str) -> bytes:
    """The sessions as a calendar file to import elsewhere (or here again): times in UTC."""
    calendar = Calendar()
    calendar.add("prodid", product)
    calendar.add("version", "2.0")
    now = datetime.now(UTC)
    for session in sessions:
        event = Event()
        event.add("uid", f"{session.uid}@learning-platform")
        event.add("dtstamp", now)
        event.add("dtstart", session.starts_at.astimezone(UTC))
        event.add("dtend", session.ends_at.astimezone(UTC))
        event.add("summary", title)
        if session.location:
            event.add("location", session.location)
        if session.note:
            event.add("description", session.note)
        calendar.add_component(event)
    return calendar.to_ical()
