"""The shared parts of the impact figures, and a partner's figures over a date range.

Shared by the dashboard, the alliance report and the open data: `DateRange` (calendar days
[start, end) in the site zone) and its weeks or months (`buckets`, `bucket_of` in SQL), and
durations computed by the database (`hours_expr`). The counting rules are written once, in
the package's docstring (`learning_platform.impact`).

`partner_figures` counts the partner's own offerings and those it co-hosts; every figure is
an SQL aggregate, in the same number of statements whatever the data size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Float, case, distinct, exists, func, literal_column, select, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

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
    public_status,
    utcnow,
)
from learning_platform.models.offering import offering_cohost, offering_theme
from learning_platform.sdgs import GOALS

#: Ranges up to this many days are shown by week; longer ones by month.
WEEKLY_UP_TO_DAYS = 92


# Durations in SQL ------------------------------------------------------------------------------


class hours_between(FunctionElement):  # noqa: N801 - an SQL function, named like one
    """The hours from `start` to `end` (two datetime columns), computed by the database."""

    type = Float()
    inherit_cache = True
    name = "hours_between"


@compiles(hours_between)
def _hours_default(element, compiler, **kw):
    start, end = list(element.clauses)
    return f"(EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - {compiler.process(start, **kw)})) / 3600.0)"


@compiles(hours_between, "sqlite")
def _hours_sqlite(element, compiler, **kw):
    start, end = list(element.clauses)
    return f"((julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)})) * 24.0)"


def hours_expr(start, end) -> hours_between:
    """A portable SQL expression for the hours between two datetime columns."""
    return hours_between(start, end)


# Ranges --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bucket:
    """One week or month of a range (clipped to it), in the site zone."""

    start: date
    end: date
    monthly: bool


@dataclass(frozen=True)
class DateRange:
    """Calendar days [start, end) in the site zone."""

    start: date
    end: date
    zone: str = "Asia/Seoul"

    @property
    def last(self) -> date:
        """The last day in the range (people read ranges inclusively)."""
        return self.end - timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def utc(self, day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=ZoneInfo(self.zone)).astimezone(UTC)

    @property
    def monthly(self) -> bool:
        return self.days > WEEKLY_UP_TO_DAYS

    def buckets(self) -> list[Bucket]:
        """Weeks (from Monday) for ranges up to 92 days, else calendar months."""
        buckets = []
        day = self.start
        while day < self.end:
            if self.monthly:
                following = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
            else:
                following = day + timedelta(days=7 - day.weekday())
            buckets.append(Bucket(day, min(following, self.end), self.monthly))
            day = following
        return buckets


def term_of(today: date) -> tuple[date, date]:
    """The half-year containing `today`: January to June or July to December, [start, end)."""
    if today.month <= 6:
        return date(today.year, 1, 1), date(today.year, 7, 1)
    return date(today.year, 7, 1), date(today.year + 1, 1, 1)


def site_today() -> date:
    return utcnow().astimezone(ZoneInfo(current_app.config["SITE_TIMEZONE"])).date()


def site_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["SITE_TIMEZONE"])


def this_year_so_far(today: date) -> tuple[date, date]:
    """[1 January, tomorrow): the public page's "this year so far"."""
    return date(today.year, 1, 1), today + timedelta(days=1)


def site_range(start: date, end: date) -> DateRange:
    return DateRange(start, end, current_app.config["SITE_TIMEZONE"])


def bucket_of(column, period: DateRange, buckets: list[Bucket]):
    """SQL: the index of the bucket `column` (a UTC datetime inside the range) falls in."""
    if len(buckets) == 1:
        return literal_column("0")
    whens = [(column < period.utc(bucket.end), index) for index, bucket in enumerate(buckets[:-1])]
    return case(*whens, else_=len(buckets) - 1)


# The figures ---------------------------------------------------------------------------------


@dataclass
class Period:
    """The figures of one bucket of the range."""

    bucket: Bucket
    confirmed: int = 0
    waitlisted: int = 0
    cancelled: int = 0
    sessions: int = 0
    hours_offered: float = 0.0
    hours_delivered: float = 0.0

    @property
    def registrations(self) -> int:
        return self.confirmed + self.waitlisted + self.cancelled


@dataclass(frozen=True)
class OfferingFigures:
    id: int
    title: str
    status: OfferingStatus
    capacity: int
    seats_taken: int
    waitlisted: int
    #: Whether the partner co-hosts it (another partner runs it).
    cohosted: bool

    @property
    def fill_rate(self) -> float:
        return self.seats_taken / self.capacity if self.capacity else 0.0


@dataclass(frozen=True)
class Share:
    """One row of a breakdown: a label's key (theme slug, SDG number, language, format)."""

    key: str
    label: str
    offerings: int
    registrations: int = 0
    hours_delivered: float = 0.0


@dataclass
class Figures:
    period: DateRange
    offerings: int = 0
    cancelled_offerings: int = 0
    cohosted_offerings: int = 0
    confirmed: int = 0
    waitlisted: int = 0
    cancelled: int = 0
    learners: int = 0
    present: int = 0
    marks: int = 0
    sessions_past: int = 0
    sessions_taken: int = 0
    hours_delivered: float = 0.0
    hours_offered: float = 0.0
    #: Waitlisted registrations now, over the offerings in range.
    waitlist_demand: int = 0
    periods: list[Period] = field(default_factory=list)
    per_offering: list[OfferingFigures] = field(default_factory=list)
    by_theme: list[Share] = field(default_factory=list)
    by_sdg: list[Share] = field(default_factory=list)
    by_language: list[Share] = field(default_factory=list)
    by_format: list[Share] = field(default_factory=list)

    @property
    def registrations(self) -> int:
        return self.confirmed + self.waitlisted + self.cancelled

    @property
    def attendance_rate(self) -> float | None:
        """Present / all marks; None when no attendance was taken."""
        return self.present / self.marks if self.marks else None

    @property
    def empty(self) -> bool:
        return not (self.offerings or self.cancelled_offerings or self.registrations)


def _scope(partner_id: int):
    """Ids of the offerings that count for the partner: its own and those it co-hosts, of
    approved owners, never drafts."""
    own = select(Offering.id).where(Offering.partner_id == partner_id)
    cohosted_here = select(offering_cohost.c.offering_id).where(
        offering_cohost.c.partner_id == partner_id
    )
    # A union, not an OR: each side is an index lookup, and the ids drive the join.
    return (
        select(Offering.id)
        .join(Partner, Partner.id == Offering.partner_id)
        .where(
            Offering.id.in_(union_all(own, cohosted_here)),
            Partner.approved.is_(True),
            public_status(),
        )
    )


def _in_range(scope, period: DateRange, *, published_only: bool = False):
    starting = exists().where(
        OfferingSession.offering_id == Offering.id,
        OfferingSession.starts_at >= period.utc(period.start),
        OfferingSession.starts_at < period.utc(period.end),
    )
    chosen = scope.where(starting)
    if published_only:
        chosen = chosen.where(Offering.status == OfferingStatus.PUBLISHED)
    return chosen


def _active_sessions_in(scope, period: DateRange):
    """Scheduled sessions starting in the range, of the scope's published offerings (a
    cancelled offering's sessions were not held, whatever their own status)."""
    return (
        OfferingSession.status == SessionStatus.SCHEDULED,
        OfferingSession.offering_id.in_(scope.where(Offering.status == OfferingStatus.PUBLISHED)),
        OfferingSession.starts_at >= period.utc(period.start),
        OfferingSession.starts_at < period.utc(period.end),
        OfferingSession.offering_id.in_(scope),
    )


def partner_figures(partner: Partner, period: DateRange, language: str = "en") -> Figures:
    """All of the partner's figures over `period`, in a fixed number of statements."""
    session = db.session
    scope = _scope(partner.id)
    in_range = _in_range(scope, period)
    held = _in_range(scope, period, published_only=True)
    buckets = period.buckets()
    figures = Figures(period=period, periods=[Period(bucket) for bucket in buckets])
    start, end = period.utc(period.start), period.utc(period.end)

    # Offerings by status; the co-hosted ones among them.
    has_cohost = exists().where(offering_cohost.c.offering_id == Offering.id)
    for status, count, cohosted in session.execute(
        select(Offering.status, func.count(), func.sum(case((has_cohost, 1), else_=0)))
        .where(Offering.id.in_(in_range))
        .group_by(Offering.status)
    ):
        if status == OfferingStatus.CANCELLED:
            figures.cancelled_offerings = count
        else:
            figures.offerings = count
            figures.cohosted_offerings = int(cohosted or 0)

    # Registrations created in the range, by bucket and status now.
    created = (
        select(
            bucket_of(Registration.created_at, period, buckets).label("bucket"),
            Registration.status.label("status"),
        )
        .where(
            Registration.offering_id.in_(scope),
            Registration.created_at >= start,
            Registration.created_at < end,
        )
        .subquery()
    )
    for index, status, count in session.execute(
        select(created.c.bucket, created.c.status, func.count()).group_by(
            created.c.bucket, created.c.status
        )
    ):
        setattr(figures.periods[index], str(status), count)
        setattr(figures, str(status), getattr(figures, str(status)) + count)

    figures.learners = session.scalar(
        select(func.count(distinct(Registration.person_id))).where(
            Registration.status == RegistrationStatus.CONFIRMED,
            Registration.offering_id.in_(in_range),
        )
    )

    # Active sessions in range: hours offered, and whether attendance was taken at past ones.
    now = utcnow()
    marked = exists().where(Attendance.session_id == OfferingSession.id)
    sessions = (
        select(
            bucket_of(OfferingSession.starts_at, period, buckets).label("bucket"),
            hours_expr(OfferingSession.starts_at, OfferingSession.ends_at).label("hours"),
            case((OfferingSession.starts_at < now, 1), else_=0).label("past"),
            case(((OfferingSession.starts_at < now) & marked, 1), else_=0).label("taken"),
        )
        .where(*_active_sessions_in(scope, period))
        .subquery()
    )
    for index, count, hours, past, taken in session.execute(
        select(
            sessions.c.bucket,
            func.count(),
            func.sum(sessions.c.hours),
            func.sum(sessions.c.past),
            func.sum(sessions.c.taken),
        ).group_by(sessions.c.bucket)
    ):
        figures.periods[index].sessions = count
        figures.periods[index].hours_offered = sql_hours(hours)
        figures.hours_offered += sql_hours(hours)
        figures.sessions_past += int(past or 0)
        figures.sessions_taken += int(taken or 0)

    # Attendance marks of those sessions: the rate, and the hours of those present.
    marks = (
        select(
            bucket_of(OfferingSession.starts_at, period, buckets).label("bucket"),
            case((Attendance.present.is_(True), 1), else_=0).label("present"),
            case(
                (
                    Attendance.present.is_(True),
                    hours_expr(OfferingSession.starts_at, OfferingSession.ends_at),
                ),
                else_=0.0,
            ).label("hours"),
        )
        .join(OfferingSession, OfferingSession.id == Attendance.session_id)
        .where(*_active_sessions_in(scope, period))
        .subquery()
    )
    for index, count, present, hours in session.execute(
        select(
            marks.c.bucket, func.count(), func.sum(marks.c.present), func.sum(marks.c.hours)
        ).group_by(marks.c.bucket)
    ):
        figures.marks += count
        figures.present += int(present or 0)
        figures.periods[index].hours_delivered = sql_hours(hours)
        figures.hours_delivered += sql_hours(hours)

    # Each published offering in range: fill rate and waitlist demand now.
    waiting = (
        select(Registration.offering_id, func.count().label("waitlisted"))
        .where(
            Registration.status == RegistrationStatus.WAITLISTED,
            Registration.offering_id.in_(held),
        )
        .group_by(Registration.offering_id)
        .subquery()
    )
    rows = session.execute(
        select(
            Offering.id,
            Offering.title,
            Offering.status,
            Offering.capacity,
            Offering.seats_taken,
            func.coalesce(waiting.c.waitlisted, 0),
            Offering.partner_id != partner.id,
        )
        .outerjoin(waiting, waiting.c.offering_id == Offering.id)
        .where(Offering.id.in_(held))
        .order_by(
            func.coalesce(waiting.c.waitlisted, 0).desc(),
            (Offering.seats_taken * 1.0 / Offering.capacity).desc(),
            Offering.title,
            Offering.id,
        )
    )
    figures.per_offering = [OfferingFigures(*row) for row in rows]
    figures.waitlist_demand = sum(row.waitlisted for row in figures.per_offering)

    _breakdowns(figures, scope, held, period, language)
    return figures


def _breakdowns(figures: Figures, scope, held, period: DateRange, language: str) -> None:
    session = db.session
    themes = session.scalars(select(Theme).order_by(Theme.position, Theme.id)).all()
    offerings_of = dict(
        session.execute(
            select(offering_theme.c.theme_id, func.count(distinct(offering_theme.c.offering_id)))
            .where(offering_theme.c.offering_id.in_(held))
            .group_by(offering_theme.c.theme_id)
        ).all()
    )
    registrations_of = dict(
        session.execute(
            select(offering_theme.c.theme_id, func.count(Registration.id))
            .join(Registration, Registration.offering_id == offering_theme.c.offering_id)
            .where(
                offering_theme.c.offering_id.in_(held),
                Registration.created_at >= period.utc(period.start),
                Registration.created_at < period.utc(period.end),
            )
            .group_by(offering_theme.c.theme_id)
        ).all()
    )
    hours_of = dict(
        session.execute(
            select(
                offering_theme.c.theme_id,
                func.sum(hours_expr(OfferingSession.starts_at, OfferingSession.ends_at)),
            )
            .select_from(Attendance)
            .join(OfferingSession, OfferingSession.id == Attendance.session_id)
            .join(offering_theme, offering_theme.c.offering_id == OfferingSession.offering_id)
            .where(Attendance.present.is_(True), *_active_sessions_in(scope, period))
            .group_by(offering_theme.c.theme_id)
        ).all()
    )
    figures.by_theme = [
        Share(
            theme.slug,
            theme.name(language),
            offerings_of.get(theme.id, 0),
            registrations_of.get(theme.id, 0),
            sql_hours(hours_of.get(theme.id)),
        )
        for theme in themes
        if offerings_of.get(theme.id)
    ]

    # SDGs: an offering counts once for each goal any of its themes serves.
    themes_of_goal: dict[int, list[int]] = {}
    for theme in themes:
        for target in theme.sdg_targets or []:
            number = str(target).split(".", 1)[0]
            if number.isdigit() and int(number) in GOALS:
                themes_of_goal.setdefault(int(number), []).append(theme.id)
    goals = sorted(themes_of_goal)
    if goals:
        counts = session.execute(
            select(
                *(
                    func.count(
                        distinct(
                            case(
                                (
                                    offering_theme.c.theme_id.in_(themes_of_goal[goal]),
                                    offering_theme.c.offering_id,
                                )
                            )
                        )
                    )
                    for goal in goals
                )
            ).where(offering_theme.c.offering_id.in_(held))
        ).one()
        figures.by_sdg = [
            Share(str(goal), f"SDG {goal} · {GOALS[goal]}", count)
            for goal, count in zip(goals, counts, strict=True)
            if count
        ]

    by_language: dict[str, int] = {}
    by_format: dict[str, int] = {}
    for language_code, format_, count in session.execute(
        select(Offering.language, Offering.format, func.count())
        .where(Offering.id.in_(held))
        .group_by(Offering.language, Offering.format)
    ):
        by_language[language_code] = by_language.get(language_code, 0) + count
        by_format[str(format_)] = by_format.get(str(format_), 0) + count
    figures.by_language = [
        Share(key, key, count) for key, count in sorted(by_language.items(), key=_largest)
    ]
    figures.by_format = [
        Share(key, key, count) for key, count in sorted(by_format.items(), key=_largest)
    ]


def sql_hours(value) -> float:
    """Hours from SQL, without the float noise of julianday arithmetic."""
    return round(float(value or 0), 4)


def _largest(item: tuple[str, int]):
    return (-item[1], item[0])
