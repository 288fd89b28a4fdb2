"""The alliance figures: all approved partners together, for a range of calendar days.

The definitions are shared with the partner dashboard (see the README, "Alliance report and
public impact page"). Every figure is a SQL aggregate: `figures()` runs the same few statements
whatever the number of offerings, sessions and registrations.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Float,
    Integer,
    String,
    case,
    cast,
    distinct,
    exists,
    func,
    literal_column,
    null,
    select,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from learning_platform.boundary import DomainError
from learning_platform.extensions import db
from learning_platform.models import (
    Attendance,
    Offering,
    OfferingSession,
    OfferingStatus,
    Partner,
    Registration,
    RegistrationStatus,
    SessionStatus,
    Theme,
)
from learning_platform.models.base import utcnow
from learning_platform.models.offering import offering_cohost, offering_theme
from learning_platform.sdgs import GOALS, goals_of

#: The longest range a report covers: its months stay a short list.
MAX_DAYS = 3660
#: Up to this many days the figures over time are per week, beyond it per month.
WEEKLY_UP_TO = 92


class HoursBetween(FunctionElement):
    """SQL: the hours from `starts` to `ends` (a float), on SQLite and PostgreSQL."""

    type = Float()
    inherit_cache = True


@compiles(HoursBetween, "sqlite")
def _hours_sqlite(element, compiler, **kw):
    starts, ends = list(element.clauses)
    return (
        f"((julianday({compiler.process(ends, **kw)})"
        f" - julianday({compiler.process(starts, **kw)})) * 24.0)"
    )


@compiles(HoursBetween)
def _hours_postgresql(element, compiler, **kw):
    starts, ends = list(element.clauses)
    return (
        f"(extract(epoch from {compiler.process(ends, **kw)}"
        f" - {compiler.process(starts, **kw)}) / 3600.0)"
    )


@dataclass(frozen=True)
class Range:
    """Calendar days [start, end) in the site's zone."""

    start: date
    end: date

    @classmethod
    def last_year(cls, today: date) -> Range:
        return cls(date(today.year - 1, 1, 1), date(today.year, 1, 1))

    @classmethod
    def this_year(cls, today: date) -> Range:
        return cls(date(today.year, 1, 1), today + timedelta(days=1))

    @classmethod
    def checked(cls, start: date | None, end: date | None) -> Range:
        """The range from the form's days; `end` is the last day included.

        :raise DomainError: when a day is missing, the end is before the start, or the range
            is longer than ten years.
        """
        if start is None:
            raise DomainError(_l("Enter the first day as a date, such as 2026-01-01."), "from")
        if end is None:
            raise DomainError(_l("Enter the last day as a date, such as 2026-12-31."), "to")
        if end < start:
            raise DomainError(_l("The last day must be on or after the first day."), "to")
        if (end - start).days >= MAX_DAYS:
            raise DomainError(_l("Choose a range of at most ten years."), "to")
        return cls(start, end + timedelta(days=1))

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def weekly(self) -> bool:
        return self.days <= WEEKLY_UP_TO

    def buckets(self) -> list[date]:
        """The first day of each week (Monday) or month the range touches."""
        if self.weekly:
            first = self.start - timedelta(days=self.start.weekday())
            return [first + timedelta(weeks=n) for n in range((self.end - first).days // 7 + 1)]
        days, day = [], self.start.replace(day=1)
        while day < self.end:
            days.append(day)
            day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
        return days


@dataclass
class Figures:
    """One row of figures: the whole alliance, one partner, one city or one period."""

    #: Published and cancelled offerings with a session in the range (cancelled included).
    offerings: int = 0
    cancelled: int = 0
    cohosted: int = 0
    sessions: int = 0
    hours_offered: float = 0.0
    #: Registrations made in the range, by their status now.
    registrations: dict[str, int] = field(default_factory=dict)
    learners: int = 0
    marks: int = 0
    present: int = 0
    hours_delivered: float = 0.0
    past_sessions: int = 0
    sessions_taken: int = 0

    @property
    def registrations_total(self) -> int:
        return sum(self.registrations.values())

    @property
    def single(self) -> int:
        return self.offerings - self.cohosted

    @property
    def cohosted_share(self) -> float | None:
        return self.cohosted / self.offerings if self.offerings else None

    @property
    def attendance_rate(self) -> float | None:
        """Present marks among all marks; None when no attendance was taken."""
        return self.present / self.marks if self.marks else None

    def add(self, other: Figures) -> None:
        for name in ("offerings", "cancelled", "cohosted", "sessions", "marks", "present"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("past_sessions", "sessions_taken", "hours_offered", "hours_delivered"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for status, count in other.registrations.items():
            self.registrations[status] = self.registrations.get(status, 0) + count


@dataclass
class PartnerRow:
    id: int
    name: str
    slug: str
    city: str
    figures: Figures


@dataclass
class CityRow:
    #: "" for partners without a city.
    city: str
    partners: int
    figures: Figures


@dataclass
class GoalRow:
    number: int
    name: object
    offerings: int
    learners: int


@dataclass
class PeriodRow:
    #: The first day of the week or month.
    start: date
    figures: Figures


@dataclass
class AllianceFigures:
    range: Range
    totals: Figures
    partners: list[PartnerRow]
    cities: list[CityRow]
    goals: list[GoalRow]
    periods: list[PeriodRow]
    made_at: datetime

    @property
    def made_on(self) -> date:
        """The day the report was made, in the site's zone."""
        return self.made_at.astimezone(_zone()).date()

    @property
    def weekly(self) -> bool:
        return self.range.weekly


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["SITE_TIMEZONE"])


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=_zone())


def _bucket(column, starts: list[date]):
    """SQL: the index of the week or month in which `column` falls (site zone)."""
    whens = [(column < _moment(day), index - 1) for index, day in enumerate(starts[1:], 1)]
    last = literal_column(str(len(starts) - 1))
    if not whens:
        return last
    return case(*((when, literal_column(str(index))) for when, index in whens), else_=last)


def _counted_offering():
    """SQL conditions: an offering of an approved partner that is published or cancelled."""
    return (
        Partner.approved.is_(True),
        Offering.status.in_([OfferingStatus.PUBLISHED, OfferingStatus.CANCELLED]),
    )


def figures(day_range: Range) -> AllianceFigures:
    """All the alliance's figures for `day_range`, in eight statements."""
    low, high = _moment(day_range.start), _moment(day_range.end)
    now = utcnow()
    starts = day_range.buckets()
    in_range = exists().where(
        OfferingSession.offering_id == Offering.id,
        OfferingSession.starts_at >= low,
        OfferingSession.starts_at < high,
    )
    scope = (
        select(Offering.id, Offering.partner_id)
        .join(Partner, Partner.id == Offering.partner_id)
        .where(*_counted_offering(), in_range)
        .subquery("scope")
    )

    partners = db.session.execute(
        select(Partner.id, Partner.name, Partner.slug, Partner.city)
        .where(Partner.approved.is_(True))
        .order_by(Partner.name)
    ).all()
    by_partner: dict[int, Figures] = defaultdict(Figures)
    by_period: dict[int, Figures] = defaultdict(Figures)

    # Grouped from subqueries: PostgreSQL does not match a GROUP BY expression holding
    # parameters (the bucket's bounds) with the same expression in the select list.
    cohosted = exists().where(offering_cohost.c.offering_id == Offering.id)
    offerings = (
        select(Offering.partner_id, Offering.status, cohosted.label("cohosted"))
        .join(Partner, Partner.id == Offering.partner_id)
        .where(*_counted_offering(), in_range)
        .subquery()
    )
    for partner_id, status, is_cohosted, count in db.session.execute(
        select(
            offerings.c.partner_id, offerings.c.status, offerings.c.cohosted, func.count()
        ).group_by(offerings.c.partner_id, offerings.c.status, offerings.c.cohosted)
    ):
        row = by_partner[partner_id]
        row.offerings += count
        row.cancelled += count if status == OfferingStatus.CANCELLED else 0
        row.cohosted += count if is_cohosted else 0

    duration = HoursBetween(OfferingSession.starts_at, OfferingSession.ends_at)
    active_in_range = (
        *_counted_offering(),
        OfferingSession.status == SessionStatus.SCHEDULED,
        OfferingSession.starts_at >= low,
        OfferingSession.starts_at < high,
    )
    taken = exists().where(Attendance.session_id == OfferingSession.id)
    past = OfferingSession.ends_at <= now
    sessions = (
        select(
            Offering.partner_id,
            _bucket(OfferingSession.starts_at, starts).label("bucket"),
            duration.label("hours"),
            case((past, 1), else_=0).label("past"),
            case((past & taken, 1), else_=0).label("taken"),
        )
        .join(Offering, Offering.id == OfferingSession.offering_id)
        .join(Partner, Partner.id == Offering.partner_id)
        .where(*active_in_range)
        .subquery()
    )
    for partner_id, index, count, hours, past_count, taken_count in db.session.execute(
        select(
            sessions.c.partner_id,
            sessions.c.bucket,
            func.count(),
            func.coalesce(func.sum(sessions.c.hours), 0.0),
            func.coalesce(func.sum(sessions.c.past), 0),
            func.coalesce(func.sum(sessions.c.taken), 0),
        ).group_by(sessions.c.partner_id, sessions.c.bucket)
    ):
        for row in (by_partner[partner_id], by_period[index]):
            row.sessions += count
            row.hours_offered += float(hours)
            row.past_sessions += int(past_count)
            row.sessions_taken += int(taken_count)

    registrations = (
        select(
            Offering.partner_id,
            Registration.status,
            _bucket(Registration.created_at, starts).label("bucket"),
        )
        .join(Offering, Offering.id == Registration.offering_id)
        .join(Partner, Partner.id == Offering.partner_id)
        .where(*_counted_offering(), Registration.created_at >= low, Registration.created_at < high)
        .subquery()
    )
    for partner_id, status, index, count in db.session.execute(
        select(
            registrations.c.partner_id,
            registrations.c.status,
            registrations.c.bucket,
            func.count(),
        ).group_by(registrations.c.partner_id, registrations.c.status, registrations.c.bucket)
    ):
        for row in (by_partner[partner_id], by_period[index]):
            row.registrations[str(status)] = row.registrations.get(str(status), 0) + count

    # Learners are distinct people: per partner and per city they do not add up to the total.
    confirmed = (
        select(Registration.person_id, Partner.id.label("partner_id"), Partner.city)
        .join(scope, scope.c.id == Registration.offering_id)
        .join(Partner, Partner.id == scope.c.partner_id)
        .where(Registration.status == RegistrationStatus.CONFIRMED)
        .subquery("confirmed")
    )
    people = func.count(distinct(confirmed.c.person_id))
    no_partner, no_city = cast(null(), Integer), cast(null(), String)
    learners = db.session.execute(
        union_all(
            select(literal_column("'all'"), no_partner, no_city, people),
            select(literal_column("'partner'"), confirmed.c.partner_id, no_city, people).group_by(
                confirmed.c.partner_id
            ),
            select(literal_column("'city'"), no_partner, confirmed.c.city, people).group_by(
                confirmed.c.city
            ),
        )
    ).all()

    present = Attendance.present.is_(True)
    marks = (
        select(
            Offering.partner_id,
            _bucket(OfferingSession.starts_at, starts).label("bucket"),
            case((present, 1), else_=0).label("present"),
            case((present, duration), else_=0.0).label("hours"),
        )
        .select_from(Attendance)
        .join(OfferingSession, OfferingSession.id == Attendance.session_id)
        .join(Offering, Offering.id == OfferingSession.offering_id)
        .join(Partner, Partner.id == Offering.partner_id)
        .where(*active_in_range)
        .subquery()
    )
    for partner_id, index, count, present_count, hours in db.session.execute(
        select(
            marks.c.partner_id,
            marks.c.bucket,
            func.count(),
            func.coalesce(func.sum(marks.c.present), 0),
            func.coalesce(func.sum(marks.c.hours), 0.0),
        ).group_by(marks.c.partner_id, marks.c.bucket)
    ):
        for row in (by_partner[partner_id], by_period[index]):
            row.marks += count
            row.present += int(present_count)
            row.hours_delivered += float(hours)

    goals = _goals(scope)

    totals = Figures()
    partner_rows = []
    for partner_id, name, slug, city in partners:
        row = by_partner.get(partner_id, Figures())
        totals.add(row)
        partner_rows.append(PartnerRow(partner_id, name, slug, city, row))
    cities: dict[str, CityRow] = {}
    for row in partner_rows:
        city = cities.setdefault(row.city, CityRow(row.city, 0, Figures()))
        city.partners += 1
        city.figures.add(row.figures)
    rows_by_id = {row.id: row for row in partner_rows}
    for kind, partner_id, city, count in learners:
        if kind == "all":
            totals.learners = count
        elif kind == "partner" and partner_id in rows_by_id:
            rows_by_id[partner_id].figures.learners = count
        elif kind == "city" and city in cities:
            cities[city].figures.learners = count
    return AllianceFigures(
        range=day_range,
        totals=totals,
        partners=partner_rows,
        cities=sorted(cities.values(), key=lambda row: (row.city == "", row.city.casefold())),
        goals=goals,
        periods=[
            PeriodRow(day, by_period.get(index, Figures())) for index, day in enumerate(starts)
        ],
        made_at=now,
    )


def _goals(scope) -> list[GoalRow]:
    """Offerings and learners per SDG: an offering with two themes on one goal counts once
    for it, and an offering counts for every goal of its themes."""
    themes_of_goal: dict[int, list[int]] = defaultdict(list)
    for theme_id, targets in db.session.execute(select(Theme.id, Theme.sdg_targets)):
        for goal in goals_of(list(targets or [])):
            themes_of_goal[goal.number].append(theme_id)
    joined = (
        select(offering_theme.c.theme_id, scope.c.id.label("offering_id"), Registration.person_id)
        .join(scope, scope.c.id == offering_theme.c.offering_id)
        .outerjoin(
            Registration,
            (Registration.offering_id == scope.c.id)
            & (Registration.status == RegistrationStatus.CONFIRMED),
        )
        .subquery("joined")
    )
    columns = []
    for number in GOALS:
        theme_ids = themes_of_goal.get(number)
        if theme_ids:
            member = joined.c.theme_id.in_(theme_ids)
            columns += [
                func.count(distinct(case((member, joined.c.offering_id)))),
                func.count(distinct(case((member, joined.c.person_id)))),
            ]
        else:
            columns += [literal_column("0"), literal_column("0")]
    # Without any theme on a goal the columns are no aggregates, and an empty join has no row.
    counts = db.session.execute(select(*columns).select_from(joined)).first() or [0] * len(columns)
    return [
        GoalRow(number, name, counts[2 * index], counts[2 * index + 1])
        for index, (number, name) in enumerate(GOALS.items())
    ]
