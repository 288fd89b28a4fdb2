"""The alliance's impact figures as open data: per partner, per SDG and per month, for each
calendar year (site zone) that has data. Counts only, computed by `impact.alliance.figures`
under the package's counting rules; no person, no offering.

Small counts could point at a person ("the one learner of partner X in 2025"), so the
per-partner and per-SDG `learners` and `registrations` below SUPPRESS_BELOW are left empty
(null in JSON); the alliance-wide monthly counts are written as they are.
"""

from __future__ import annotations

from datetime import UTC, date

from flask import g
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from learning_platform.extensions import db
from learning_platform.impact import alliance
from learning_platform.impact.figures import site_range, site_zone
from learning_platform.models import (
    Attendance,
    Offering,
    OfferingSession,
    Partner,
    Registration,
    public_status,
)
from learning_platform.opendata.services import (
    Column,
    Dataset,
    language_columns,
    public_data_fingerprint,
    register,
    texts_by_language,
)

#: Learner and registration counts under this are not published per partner or per goal.
SUPPRESS_BELOW = 5


def _years() -> list[int]:
    """The calendar years (site zone) with a session or a registration of a counted offering:
    one statement."""
    counted = (
        select(Offering.id)
        .join(Partner, Partner.id == Offering.partner_id)
        .where(
            Partner.approved.is_(True),
            public_status(),
        )
    )
    first_session, last_session, first_registration, last_registration = db.session.execute(
        select(
            select(func.min(OfferingSession.starts_at))
            .where(OfferingSession.offering_id.in_(counted))
            .scalar_subquery(),
            select(func.max(OfferingSession.starts_at))
            .where(OfferingSession.offering_id.in_(counted))
            .scalar_subquery(),
            select(func.min(Registration.created_at))
            .where(Registration.offering_id.in_(counted))
            .scalar_subquery(),
            select(func.max(Registration.created_at))
            .where(Registration.offering_id.in_(counted))
            .scalar_subquery(),
        )
    ).one()
    moments = [m for m in (first_session, last_session, first_registration, last_registration) if m]
    if not moments:
        return []
    zone = site_zone()
    years = [_local_year(moment, zone) for moment in moments]
    return list(range(min(years), max(years) + 1))


def _local_year(moment, zone) -> int:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone).year


def _reports() -> list[alliance.AllianceFigures]:
    """The alliance's figures of each year with data, once per request: the same few
    statements per year, whatever the number of offerings."""
    if "impact_years" not in g:
        g.impact_years = [
            alliance.figures(site_range(date(year, 1, 1), date(year + 1, 1, 1)))
            for year in _years()
        ]
    return g.impact_years


def _shown(count: int) -> int | None:
    return count if count >= SUPPRESS_BELOW else None


def _rate(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None


def _partner_texts() -> dict[str, dict]:
    """Each partner's name and city in every language, by slug (one statement)."""
    found = {}
    for slug, name, city, translations, primary in db.session.execute(
        select(
            Partner.slug,
            Partner._name,
            Partner._city,
            Partner.translations,
            Partner.primary_language,
        )
    ):
        found[slug] = {
            **texts_by_language("name", name, translations, primary, prefix="partner_name"),
            **texts_by_language("city", city, translations, primary),
        }
    return found


def partner_rows() -> list[dict]:
    rows = []
    texts = _partner_texts()
    empty = dict.fromkeys(texts_by_language("name", "", {}, "", prefix="partner_name"), "")
    empty.update(dict.fromkeys(texts_by_language("city", "", {}, ""), ""))
    for report in _reports():
        for row in report.partners:
            f = row.figures
            if not (f.offerings or f.cancelled or f.registrations_total):
                continue
            rows.append(
                {
                    "year": report.range.start.year,
                    "partner_slug": row.slug,
                    "partner_name": row.name,
                    "city": row.city,
                    "offerings": f.offerings,
                    "cancelled": f.cancelled,
                    "cohosted": f.cohosted,
                    "sessions": f.sessions,
                    "hours_offered": round(f.hours_offered, 1),
                    "registrations": _shown(f.registrations_total),
                    "learners": _shown(f.learners),
                    "hours_delivered": round(f.hours_delivered, 1),
                    "attendance_rate": _rate(f.attendance_rate),
                    **texts.get(row.slug, empty),
                }
            )
    return rows


def sdg_rows() -> list[dict]:
    rows = []
    with force_locale("en"):
        for report in _reports():
            for goal in report.goals:
                if goal.offerings:
                    rows.append(
                        {
                            "year": report.range.start.year,
                            "goal": goal.number,
                            "name_en": str(goal.name),
                            "offerings": goal.offerings,
                            "learners": _shown(goal.learners),
                        }
                    )
    return rows


def month_rows() -> list[dict]:
    rows = []
    for report in _reports():
        for period in report.periods:
            f = period.figures
            rows.append(
                {
                    "year": period.start.year,
                    "month": period.start.month,
                    "sessions": f.sessions,
                    "hours_offered": round(f.hours_offered, 1),
                    "registrations": f.registrations_total,
                    "confirmed": f.registrations.get("confirmed", 0),
                    "hours_delivered": round(f.hours_delivered, 1),
                    "attendance_rate": _rate(f.attendance_rate),
                }
            )
    return rows


def fingerprint() -> tuple:
    """The offerings' fingerprint and what registrations and attendance add: two statements."""

    def scalar(statement):
        return statement.scalar_subquery()

    people = db.session.execute(
        select(
            scalar(select(func.count()).select_from(Registration)),
            scalar(select(func.max(Registration.updated_at))),
            scalar(select(func.count()).select_from(Attendance)),
            scalar(select(func.max(Attendance.marked_at))),
        )
    ).one()
    return (*public_data_fingerprint(), *people)


YEAR = Column("year", "integer", _l("Calendar year, in the site's time zone."))
OFFERINGS = Column(
    "offerings", "integer", _l("Published offerings with a session starting in the year.")
)
HOURS_DELIVERED = Column(
    "hours_delivered",
    "number",
    _l("Learning hours delivered: each person marked present adds the session's length."),
)
ATTENDANCE = Column(
    "attendance_rate",
    "number",
    _l("Present marks out of all attendance marks (0 to 1); empty when none was taken."),
)
SESSIONS = Column("sessions", "integer", _l("Scheduled sessions of those offerings."))
HOURS_OFFERED = Column("hours_offered", "number", _l("Hours of those sessions together."))
SMALL = _l("empty when fewer than 5")

register(
    Dataset(
        name="impact_by_partner",
        title=_l("Impact per partner and year"),
        description=_l(
            "The alliance report's figures for each partner and calendar year: counts only."
            " Learners and registrations under 5 are left empty so that nobody can be"
            " recognised."
        ),
        columns=(
            YEAR,
            Column("partner_slug", "string", _l("Short name of the partner.")),
            Column("partner_name", "string", _l("Name of the partner.")),
            Column("city", "string", _l("The partner's city; empty when unknown.")),
            OFFERINGS,
            Column("cancelled", "integer", _l("Cancelled offerings, counted apart.")),
            Column("cohosted", "integer", _l("Offerings among them with a co-host.")),
            SESSIONS,
            HOURS_OFFERED,
            Column(
                "registrations",
                "integer",
                _l("Registrations made in the year; %(small)s.", small=SMALL),
            ),
            Column(
                "learners",
                "integer",
                _l("Different people with a confirmed place; %(small)s.", small=SMALL),
            ),
            HOURS_DELIVERED,
            ATTENDANCE,
            *language_columns(
                "partner_name",
                lambda label: _l(
                    "Partner's name in %(language)s; empty if not written.", language=label
                ),
            ),
            *language_columns(
                "city",
                lambda label: _l("The city in %(language)s; empty if not written.", language=label),
            ),
        ),
        rows=partner_rows,
        count=lambda: len(partner_rows()),
        fingerprint=fingerprint,
    )
)

register(
    Dataset(
        name="impact_by_sdg",
        title=_l("Impact per Sustainable Development Goal and year"),
        description=_l(
            "Offerings and learners for each goal the offerings' themes serve; an offering"
            " counts once for each of its goals."
        ),
        columns=(
            YEAR,
            Column("goal", "integer", _l("The goal's number, 1 to 17.")),
            Column("name_en", "string", _l("The goal's short name in English.")),
            OFFERINGS,
            Column(
                "learners",
                "integer",
                _l("Different people with a confirmed place; %(small)s.", small=SMALL),
            ),
        ),
        rows=sdg_rows,
        count=lambda: len(sdg_rows()),
        fingerprint=fingerprint,
    )
)

register(
    Dataset(
        name="impact_by_month",
        title=_l("Impact per month"),
        description=_l("The whole alliance's figures for each month of the years with data."),
        columns=(
            YEAR,
            Column("month", "integer", _l("Month, 1 to 12.")),
            SESSIONS,
            HOURS_OFFERED,
            Column(
                "registrations", "integer", _l("Registrations made in the month, any status now.")
            ),
            Column("confirmed", "integer", _l("Those of them confirmed now.")),
            HOURS_DELIVERED,
            ATTENDANCE,
        ),
        rows=month_rows,
        count=lambda: len(month_rows()),
        fingerprint=fingerprint,
    )
)
