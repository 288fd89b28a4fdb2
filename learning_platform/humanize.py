"""Human formats: durations with translated units, and a time zone named in words.

Babel's `format_timedelta` rounds to one unit ("3 hours" for 2 h 30 min) and CLDR has no
abbreviation for most Asian zones ("+07" for Bangkok), so both are written out here.
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_interval, get_timezone_name
from flask_babel import get_locale, gettext
from markupsafe import Markup

from learning_platform.timezones import format_span, local, zone_abbreviation


def _locale() -> str:
    return str(get_locale() or "en")


def format_duration(value: timedelta | float | int) -> str:
    """'2 h 30 min' / '2시간 30분', exact to the minute; a number is taken as hours."""
    if not isinstance(value, timedelta):
        value = timedelta(hours=value)
    minutes = max(0, round(value.total_seconds() / 60))
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(gettext("%(hours)d h", hours=hours))
    if minutes or not hours:
        parts.append(gettext("%(minutes)d min", minutes=minutes))
    return " ".join(parts)


def zone_label(zone: str, moment: datetime | None = None) -> str:
    """'Korean Time (KST)' / '한국 시간(KST)': the zone in the reader's language."""
    abbreviation = zone_abbreviation(zone, moment)
    if zone in ("UTC", "Etc/UTC"):
        return abbreviation
    name = get_timezone_name(ZoneInfo(zone), "long", "generic", locale=_locale())
    return gettext("%(name)s (%(abbreviation)s)", name=name, abbreviation=abbreviation)


def your_time_label() -> str:
    """What local-time.js adds after a time, "{time}" standing for the reader's own time."""
    return gettext("(your time: %(time)s)", time="{time}")


def zone_note(zone: str, moment: datetime | None = None) -> Markup:
    """The one line per page naming the zone of its times; local-time.js reads its label."""
    return Markup('<p class="meta zone-note" data-your-time="{label}">{text}</p>').format(
        label=your_time_label(),
        text=gettext("Times are in %(zone)s.", zone=zone_label(zone, moment)),
    )


def time_span(
    starts: datetime, ends: datetime, zone: str, *, with_zone: bool = False, short: bool = False
) -> Markup:
    """A session's span as a <time> element local-time.js can restate in the reader's zone."""
    return Markup(
        '<time datetime="{start}" data-ends="{end}" data-zone="{zone}">{text}</time>'
    ).format(
        start=local(starts, zone).isoformat(timespec="minutes"),
        end=local(ends, zone).isoformat(timespec="minutes"),
        zone=zone,
        text=format_span(starts, ends, zone, with_zone=with_zone, short=short),
    )


def date_range(first: datetime, last: datetime, zone: str) -> str:
    """'Mar 3 – May 12' / '3월 3일~5월 12일' (with the year when not this one), in the offering's zone."""
    start, end = local(first, zone).date(), local(last, zone).date()
    this_year = start.year == end.year == datetime.now(UTC).year
    return format_interval(start, end, "MMMd" if this_year else "yMMMd", locale=_locale())
