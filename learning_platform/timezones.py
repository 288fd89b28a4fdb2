"""Local wall-clock times at the edges: entered and shown in an offering's zone, stored as UTC."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from flask_babel import get_locale


class NonexistentTime(ValueError):
    """The wall-clock time is skipped by a daylight-saving change in that zone."""


def to_utc(day: date, clock: time, zone: str) -> datetime:
    """The UTC instant of `clock` on `day` in `zone`. :raise NonexistentTime:

    An ambiguous time (clocks going back) means its first occurrence.
    """
    local = datetime.combine(day, clock, tzinfo=ZoneInfo(zone))
    instant = local.astimezone(UTC)
    if instant.astimezone(ZoneInfo(zone)).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise NonexistentTime(f"{day} {clock} does not exist in {zone}")
    return instant


def local(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(ZoneInfo(zone))


def format_span(starts: datetime, ends: datetime, zone: str) -> str:
    """'Tuesday, March 3, 2026, 7:00 PM – 9:00 PM (Asia/Seoul)', in the page's language."""
    locale = get_locale() or "en"
    start, end = local(starts, zone), local(ends, zone)
    text = (
        f"{format_date(start, 'full', locale=locale)}, {format_time(start, 'short', locale=locale)}"
    )
    if end.date() == start.date():
        text += f" – {format_time(end, 'short', locale=locale)}"
    else:
        text += f" – {format_date(end, 'medium', locale=locale)} {format_time(end, 'short', locale=locale)}"
    return f"{text} ({zone})"


def format_moment(moment: datetime, zone: str) -> str:
    locale = get_locale() or "en"
    when = local(moment, zone)
    return f"{format_date(when, 'medium', locale=locale)} {format_time(when, 'short', locale=locale)} ({zone})"
