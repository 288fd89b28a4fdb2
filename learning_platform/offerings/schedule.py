"""The schedule helper: a weekly series of sessions, as pure date arithmetic."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from learning_platform.timezones import NonexistentTime, to_utc


@dataclass(frozen=True)
class PlannedSession:
    day: date
    starts_at: datetime | None  # None when the time does not exist that day (DST gap)
    ends_at: datetime | None
    skipped: bool = False


def weekly_series(
    *,
    weekdays: set[int],
    first_day: date,
    weeks: int,
    start: time,
    end: time,
    zone: str,
    skip: set[date] = frozenset(),
) -> list[PlannedSession]:
    """Every chosen weekday (0 = Monday) in `weeks` weeks from `first_day`, in `zone`.

    Skipped days are kept in the list, marked, so a preview can show them.
    """
    planned = []
    for offset in range(weeks * 7):
        day = first_day + timedelta(days=offset)
        if day.weekday() not in weekdays:
            continue
        if day in skip:
            planned.append(PlannedSession(day, None, None, skipped=True))
            continue
        try:
            planned.append(PlannedSession(day, to_utc(day, start, zone), to_utc(day, end, zone)))
        except NonexistentTime:
            planned.append(PlannedSession(day, None, None))
    return planned
