"""Local wall-clock times at the edges: entered and shown in an offering's zone, stored as UTC."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_interval, format_skeleton, format_time
from flask_babel import get_locale

#: Abbreviations people use where the tz database has none (it writes "+07").
ABBREVIATIONS = {
    "Asia/Bangkok": "ICT",
    "Asia/Ho_Chi_Minh": "ICT",
    "Asia/Phnom_Penh": "ICT",
    "Asia/Vientiane": "ICT",
    "Asia/Manila": "PHT",  # the tz database says PST, which readers take for California
    "Asia/Singapore": "SGT",
    "Asia/Kuala_Lumpur": "MYT",
    "Asia/Yangon": "MMT",
    "Asia/Dhaka": "BST",
    "Asia/Kathmandu": "NPT",
    "Asia/Thimphu": "BTT",
    "Asia/Colombo": "SLST",
    "Asia/Ulaanbaatar": "ULAT",
    "Asia/Tashkent": "UZT",
    "Asia/Almaty": "ALMT",
    "Asia/Dubai": "GST",
}


def zone_abbreviation(zone: str, moment: datetime | None = None) -> str:
    """'KST', 'ICT', 'CEST' (at `moment`, for zones that change), else 'UTC+7'."""
    if zone in ABBREVIATIONS:
        return ABBREVIATIONS[zone]
    when = (moment or datetime.now(UTC)).astimezone(ZoneInfo(zone))
    name = when.tzname() or ""
    if name.isalpha():
        return name
    offset = when.utcoffset() or timedelta()
    sign = "-" if offset < timedelta() else "+"
    hours, rest = divmod(abs(int(offset.total_seconds())) // 60, 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


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


def format_span(
    starts: datetime, ends: datetime, zone: str, *, with_zone: bool = True, short: bool = False
) -> str:
    """'Tuesday, March 3, 2026, 7:00 PM – 9:00 PM (KST)', in the page's language.

    Pages that name the zone once (humanize.zone_note) leave it out: `with_zone=False`.
    `short`: 'Tue, Mar 3 · 7:00 – 9:00 PM', the year only when it is not this one.
    """
    locale = get_locale() or "en"
    start, end = local(starts, zone), local(ends, zone)
    if short:
        skeleton = "MMMEd" if start.year == datetime.now(UTC).year else "yMMMEd"
        day = format_skeleton(skeleton, start, locale=locale)
        if end.date() == start.date():
            clock = format_interval(start.time(), end.time(), _hours(locale), locale=locale)
            text = f"{day} · {clock}"
        else:
            text = (
                f"{day} · {format_time(start, 'short', locale=locale)} – "
                f"{format_skeleton(skeleton, end, locale=locale)} {format_time(end, 'short', locale=locale)}"
            )
    else:
        text = f"{format_date(start, 'full', locale=locale)}, {format_time(start, 'short', locale=locale)}"
        if end.date() == start.date():
            text += f" – {format_time(end, 'short', locale=locale)}"
        else:
            text += f" – {format_date(end, 'medium', locale=locale)} {format_time(end, 'short', locale=locale)}"
    # Thai writes "19:00 น." (o'clock): a line must not break between the time and its unit.
    text = text.replace(" น.", "\u00a0น.")
    return f"{text} ({zone_abbreviation(zone, starts)})" if with_zone else text


def _hours(locale) -> str:
    """The skeleton of a clock time in the locale's own hour cycle: "hm" where times are
    told in 12 hours (en, ko), "Hm" in 24 (th: "14:00 น.", not "2:00 PM")."""
    return "Hm" if "H" in Locale.parse(locale).time_formats["short"].pattern else "hm"


def format_moment(moment: datetime, zone: str, *, with_zone: bool = True) -> str:
    """'Mar 3, 2026, 7:00 PM (KST)'; `with_zone=False` where the page names the zone once."""
    locale = get_locale() or "en"
    when = local(moment, zone)
    text = (
        f"{format_date(when, 'medium', locale=locale)} {format_time(when, 'short', locale=locale)}"
    )
    return f"{text} ({zone_abbreviation(zone, moment)})" if with_zone else text


def format_clock(moment: datetime, zone: str) -> str:
    """'7:00 PM' / '오후 7:00' in `zone`: a time of today, where the page names the day."""
    return format_time(local(moment, zone), "short", locale=get_locale() or "en")
