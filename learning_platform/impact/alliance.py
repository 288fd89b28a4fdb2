"""The alliance figures: all approved partners together, for a range of calendar days.

The counting rules are those of the whole impact package (see `learning_platform.impact`);
ranges, buckets and durations come from `impact.figures`. Every figure is a SQL aggregate:
`figures()` runs the same few statements whatever the number of offerings, sessions and
registrations.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
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

from learning_platform.extensions import db
from learning_platform.impact.figures import (
    Bucket,
    DateRange,
    bucket_of,
    hours_expr,
    site_zone,
    sql_hours,
)
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
)
from learning_platform.models.base import utcnow
from learning_platform.models.offering import offering_cohost, offering_theme
from learning_platform.multilingual import sort_key
from learning_platform.sdgs import GOALS, goals_of


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
    #: The week or month, clipped to the range.
    bucket: Bucket
    figures: Figures

    @property
    def start(self) -> date:
        return self.bucket.start


@dataclass
class AllianceFigures:
    range: DateRange
    totals: Figures
    partners: list[PartnerRow]
    cities: list[CityRow]
    goals: list[GoalRow]
    periods: list[PeriodRow]
    made_at: datetime

    @property
    def made_on(self) -> date:
        """The day the report was made, in the site's zone."""
        return self.made_at.astimezone(site_zone()).date()

    @property
    def monthly(self) -> bool:
        return self.range.monthly

    @property
    def empty(self) -> bool:
        """No offering had a session in the range and nobody registered in it."""
        t = self.totals
        return not (t.offerings or t.cancelled or t.registrations_total)


def dump(report: AllianceFigures) -> dict[str, Any]:
    """The figures as JSON data, for the cache (`memory.remembered`): numbers, names and days
    only, nothing translated (goal names are looked up again on `load`)."""
    return {
        "range": [report.range.start.isoformat(), report.range.end.isoformat(), report.range.zone],
        "totals": asdict(report.totals),
        "partners": [
            [row.id, row.name, row.slug, row.city, asdict(row.figures)] for row in report.partners
        ],
        "cities": [[row.city, row.partners, asdict(row.figures)] for row in report.cities],
        "goals": [[row.number, row.offerings, row.learners] for row in report.goals],
        "periods": [
            [
                row.bucket.start.isoformat(),
                row.bucket.end.isoformat(),
                row.bucket.monthly,
                asdict(row.figures),
            ]
            for row in report.periods
        ],
        "made_at": report.made_at.isoformat(),
    }


def load(data: dict[str, Any]) -> AllianceFigures:
    """`dump`'s data back into figures."""
    start, end, zone = data["range"]
    return AllianceFigures(
        range=DateRange(date.fromisoformat(start), date.fromisoformat(end), zone),
        totals=Figures(**data["totals"]),
        partners=[
            PartnerRow(id_, name, slug, city, Figures(**figures))
            for id_, name, slug, city, figures in data["partners"]
        ],
        cities=[
            CityRow(city, count, Figures(**figures)) for city, count, figures in data["cities"]
        ],
        goals=[
            GoalRow(number, GOALS[number], offerings, learners)
            for number, offerings, learners in data["goals"]
        ],
        periods=[
            PeriodRow(
                Bucket(date.fromisoformat(first), date.fromisoformat(after), monthly),
                Figures(**figures),
            )
            for first, after, monthly, figures in data["periods"]
        ],
        made_at=datetime.fromisoformat(data["made_at"]),
    )


def named(report: AllianceFigures, loaded: Iterable[Partner] = ()) -> AllianceFigures:
    """`report` with its partners' names and cities in the reading language, sorted by them.

    The figures (and their cache) group by the texts in each partner's primary language; a
    city is named as its first partner names it in the reader's language. `loaded`: the
    partners already at hand (no statement then for those).
    """
    partners = {partner.id: partner for partner in loaded}
    ids = [row.id for row in report.partners if row.id not in partners]
    if ids:
        partners.update(
            (p.id, p) for p in db.session.scalars(select(Partner).where(Partner.id.in_(ids)))
        )
    cities: dict[str, str] = {}
    for row in report.partners:
        partner = partners.get(row.id)
        if partner is None:  # deleted since the figures were remembered
            continue
        cities.setdefault(row.city, partner.city)
        row.name, row.city = partner.name, partner.city
    for city in report.cities:
        city.city = cities.get(city.city, city.city)
    report.partners.sort(key=lambda row: sort_key(row.name))
    report.cities.sort(key=lambda row: (row.city == "", sort_key(row.city)))
    return report


def figures(day_range: DateRange) -> AllianceFigures:
    """All the alliance's figures for `day_range`, in eight statements."""
    low, high = day_range.utc(day_range.start), day_range.utc(day_range.end)
    now = utcnow()
    buckets = day_range.buckets()
    approved = Partner.approved.is_(True)
    counted = public_status()
    published = Offering.status == OfferingStatus.PUBLISHED
    in_range = exists().where(
        OfferingSession.offering_id == Offering.id,
        OfferingSession.starts_at >= low,
        OfferingSession.starts_at < high,
    )
    #: Published and cancelled offerings in range: their confirmed people are learners.
    scope = (
        select(Offering.id, Offering.partner_id)
        .join(Partner, Partner.id == Offering.partner_id)
        .where(approved, counted, in_range)
        .subquery("scope")
    )

    partners = db.session.execute(
        select(Partner.id, Partner.name, Partner.slug, Partner.city)
        .where(approved)
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
        .where(approved, counted, in_range)
        .subquery()
    )
    for partner_id, status, is_cohosted, count in db.session.execute(
        select(
            offerings.c.partner_id, offerings.c.status, offerings.c.cohosted, func.count()
        ).group_by(offerings.c.partner_id, offerings.c.status, offerings.c.cohosted)
    ):
        row = by_partner[partner_id]
        if status == OfferingStatus.CANCELLED:
            row.cancelled += count
        else:
            row.offerings += count
            row.cohosted += count if is_cohosted else 0

    # Sessions held: scheduled ones of published offerings (a cancelled offering's were not).
    duration = hours_expr(OfferingSession.starts_at, OfferingSession.ends_at)
    active_in_range = (
        approved,
        published,
        OfferingSession.status == SessionStatus.SCHEDULED,
        OfferingSession.starts_at >= low,
        OfferingSession.starts_at < high,
    )
    taken = exists().where(Attendance.session_id == OfferingSession.id)
    past = OfferingSession.starts_at < now
    sessions = (
        select(
            Offering.partner_id,
            bucket_of(OfferingSession.starts_at, day_range, buckets).label("bucket"),
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
            func.sum(sessions.c.hours),
            func.coalesce(func.sum(sessions.c.past), 0),
            func.coalesce(func.sum(sessions.c.taken), 0),
        ).group_by(sessions.c.partner_id, sessions.c.bucket)
    ):
        for row in (by_partner[partner_id], by_period[index]):
            row.sessions += count
            row.hours_offered += sql_hours(hours)
            row.past_sessions += int(past_count)
            row.sessions_taken += int(taken_count)

    registrations = (
        select(
            Offering.partner_id,
            Registration.status,
            bucket_of(Registration.created_at, day_range, buckets).label("bucket"),
        )
        .join(Offering, Offering.id == Registration.offering_id)
        .join(Partner, Partner.id == Offering.partner_id)
        .where(approved, counted, Registration.created_at >= low, Registration.created_at < high)
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
            bucket_of(OfferingSession.starts_at, day_range, buckets).label("bucket"),
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
            func.sum(marks.c.hours),
        ).group_by(marks.c.partner_id, marks.c.bucket)
    ):
        for row in (by_partner[partner_id], by_period[index]):
            row.marks += count
            row.present += int(present_count)
            row.hours_delivered += sql_hours(hours)

    held = (
        select(Offering.id, Offering.partner_id)
        .join(Partner, Partner.id == Offering.partner_id)
        .where(approved, published, in_range)
        .subquery("held")
    )
    goals = _goals(held)

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
            PeriodRow(bucket, by_period.get(index, Figures()))
            for index, bucket in enumerate(buckets)
        ],
        made_at=now,
    )


def _goals(scope) -> list[GoalRow]:
    """Published offerings in range and their learners per SDG: an offering with two themes
    on one goal counts once for it, and an offering counts for every goal of its themes.

    The themes' goals are a small table of (goal, theme) pairs written into the statement;
    the (goal, offering) pairs are made distinct once, then counted and joined to the
    confirmed registrations, grouped by goal: one statement, two aggregates."""
    pairs_of_goal = sorted(
        {
            (goal.number, theme_id)
            for theme_id, targets in db.session.execute(select(Theme.id, Theme.sdg_targets))
            for goal in goals_of(list(targets or []))
        }
    )
    counts: dict[tuple[str, int], int] = {}
    if pairs_of_goal:
        goal_map = union_all(
            *(
                select(
                    literal_column(str(goal), Integer).label("goal"),
                    literal_column(str(theme_id), Integer).label("theme_id"),
                )
                for goal, theme_id in pairs_of_goal
            )
        ).subquery("goal_map")
        pairs = (
            select(goal_map.c.goal, offering_theme.c.offering_id)
            .join(goal_map, goal_map.c.theme_id == offering_theme.c.theme_id)
            .join(scope, scope.c.id == offering_theme.c.offering_id)
            .distinct()
            .subquery("pairs")
        )
        people = (
            select(
                literal_column("'learners'"),
                pairs.c.goal,
                func.count(distinct(Registration.person_id)),
            )
            .join(Registration, Registration.offering_id == pairs.c.offering_id)
            .where(Registration.status == RegistrationStatus.CONFIRMED)
            .group_by(pairs.c.goal)
        )
        offerings = select(literal_column("'offerings'"), pairs.c.goal, func.count()).group_by(
            pairs.c.goal
        )
        for kind, goal, count in db.session.execute(union_all(offerings, people)):
            counts[(kind, int(goal))] = count
    return [
        GoalRow(
            number, name, counts.get(("offerings", number), 0), counts.get(("learners", number), 0)
        )
        for number, name in GOALS.items()
    ]
