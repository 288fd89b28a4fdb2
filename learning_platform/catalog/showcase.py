"""What the home page and the theme index show: offerings starting soon, new ones, themes."""

from datetime import datetime

from flask import current_app
from sqlalchemy import and_, func, or_, select

from learning_platform.catalog.services import (
    CatalogEntry,
    _next_starts,
    entries_of,
    of_approved_partner,
)
from learning_platform.enrollment.services import has_started
from learning_platform.extensions import db
from learning_platform.memory import remembered
from learning_platform.models import (
    Offering,
    OfferingSession,
    OfferingStatus,
    SessionStatus,
    Theme,
    utcnow,
)
from learning_platform.models.offering import offering_theme

#: Cards in "Starting soon" (two rows of three on a desktop) and in "New".
SOON = 6
NEW = 3


def _upcoming_window(now: datetime) -> list:
    """The sessions that make an offering upcoming, as in the catalog."""
    return [OfferingSession.status == SessionStatus.SCHEDULED, OfferingSession.ends_at > now]


def _public() -> list:
    return [Offering.status == OfferingStatus.PUBLISHED, of_approved_partner()]


def _registration_open(now: datetime) -> list:
    """SQL twin of enrollment.services.closed_reason() being None: open for registration
    (a full offering still takes its waitlist)."""
    return [
        or_(Offering.registration_opens_at.is_(None), Offering.registration_opens_at <= now),
        or_(Offering.registration_closes_at.is_(None), Offering.registration_closes_at > now),
        ~has_started(Offering.id, now),
    ]


def _home_rankings(now: datetime) -> tuple[list[int], list[int]]:
    """The ids under "Starting soon" and under "New", in order: two statements."""
    upcoming = _next_starts(_upcoming_window(now))
    soon = list(
        db.session.scalars(
            select(Offering.id)
            .join(upcoming, upcoming.c.offering_id == Offering.id)
            .where(*_public(), *_registration_open(now))
            .order_by(upcoming.c.next_start, Offering.id)
            .limit(SOON)
        )
    )
    # A few more than shown, so that leaving out those already under "Starting soon" leaves NEW.
    newest = db.session.scalars(
        select(Offering.id)
        .join(upcoming, upcoming.c.offering_id == Offering.id)
        .where(*_public(), Offering.published_at.is_not(None))
        .order_by(Offering.published_at.desc(), Offering.id.desc())
        .limit(SOON + NEW)
    )
    return soon, [offering_id for offering_id in newest if offering_id not in soon][:NEW]


def home_sections() -> tuple[list[CatalogEntry], list[CatalogEntry]]:
    """(starting soon, new): published upcoming offerings of approved partners, the first
    soonest first among those open for registration, the second newest first among the rest.

    Which offerings, in which order, is remembered like a catalog ranking (for
    CATALOG_RANKING_SECONDS); the cards are read fresh, and the rules checked again on them, so
    nothing cancelled, hidden or closed since is shown. Five statements, three when remembered.
    """
    now = utcnow()
    soon_ids, new_ids = remembered(
        "home-sections",
        "",
        current_app.config["CATALOG_RANKING_SECONDS"],
        lambda: _home_rankings(now),
        dump=list,
        load=lambda stored: (list(map(int, stored[0])), list(map(int, stored[1]))),
    )
    if not soon_ids and not new_ids:
        return [], []
    # The two lists never share an offering: registration is checked again on the first only.
    still_shown = or_(Offering.id.in_(new_ids), and_(*_registration_open(now)))
    entries = entries_of(soon_ids + new_ids, _upcoming_window(now), [*_public(), still_shown], now)
    return (
        [entry for entry in entries if entry.offering.id in soon_ids],
        [entry for entry in entries if entry.offering.id in new_ids],
    )


def themes_with_counts() -> list[tuple[Theme, int]]:
    """Every theme in its order, with how many upcoming offerings the catalog lists for it:
    one statement."""
    upcoming = select(OfferingSession.offering_id).where(*_upcoming_window(utcnow()))
    counts = (
        select(offering_theme.c.theme_id, func.count().label("upcoming"))
        .join(Offering, Offering.id == offering_theme.c.offering_id)
        .where(*_public(), Offering.id.in_(upcoming))
        .group_by(offering_theme.c.theme_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Theme, func.coalesce(counts.c.upcoming, 0))
        .outerjoin(counts, counts.c.theme_id == Theme.id)
        .order_by(Theme.position, Theme.id)
    )
    return [(theme, count) for theme, count in rows]
