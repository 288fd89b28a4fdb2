"""Queries behind the public pages: the catalog with its filters, partner and theme pages."""

from array import array
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property, partial
from math import ceil
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import and_, exists, func, select, union
from sqlalchemy.orm import joinedload, selectinload

from learning_platform.catalog import search as word_search
from learning_platform.enrollment.services import OfferingState, has_started, offering_state
from learning_platform.extensions import db
from learning_platform.forms import FIRST_YEAR, LAST_YEAR, page_number
from learning_platform.languages import CONTENT_LANGUAGES, taught_in
from learning_platform.memory import remembered
from learning_platform.models import (
    Offering,
    OfferingFormat,
    OfferingKind,
    OfferingSession,
    OfferingStatus,
    Partner,
    SessionStatus,
    Theme,
    public_status,
    utcnow,
)
from learning_platform.models.offering import offering_cohost, offering_theme
from learning_platform.multilingual import sort_key

PER_PAGE = 12
#: "relevance" only with words; the default then, "date" otherwise.
SORTS = ("relevance", "date", "newest")
#: Filters that /feeds/all.ics accepts.
FEED_FILTERS = ("theme", "partner", "kind", "format", "language")


@dataclass
class Filters:
    """The catalog's filters, read from (and written back to) the query string."""

    q: str = ""
    theme: str = ""
    partner: str = ""
    kind: str = ""
    format: str = ""
    language: str = ""
    date_from: date | None = None
    date_to: date | None = None
    seats: bool = False
    sort: str = "date"
    page: int = 1
    problems: list[str] = field(default_factory=list)

    @classmethod
    def from_args(cls, args) -> "Filters":
        """Unknown values are dropped, never an error: a shared link keeps working."""
        filters = cls(q=args.get("q", "").strip()[:100])
        filters.theme = args.get("theme", "")[:60]
        filters.partner = args.get("partner", "")[:80]
        filters.kind = args.get("kind", "") if args.get("kind") in set(OfferingKind) else ""
        filters.format = args.get("format", "") if args.get("format") in set(OfferingFormat) else ""
        filters.language = (
            args.get("language", "") if args.get("language") in CONTENT_LANGUAGES else ""
        )
        for name, key in (("date_from", "from"), ("date_to", "to")):
            raw = args.get(key, "")
            if raw:
                try:
                    value = date.fromisoformat(raw)
                except ValueError:
                    value = None
                if value is None or not FIRST_YEAR <= value.year <= LAST_YEAR:
                    filters.problems.append(key)
                else:
                    setattr(filters, name, value)
        filters.seats = args.get("seats") == "1"
        filters.sort = args.get("sort") if args.get("sort") in SORTS else filters.default_sort
        if filters.sort == "relevance" and not filters.q:
            filters.sort = "date"
        filters.page = page_number(args.get("page"))
        return filters

    def args(self, **changes) -> dict[str, str]:
        """The query-string form, without empty values; `changes` override."""
        values = {
            "q": self.q,
            "theme": self.theme,
            "partner": self.partner,
            "kind": self.kind,
            "format": self.format,
            "language": self.language,
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
            "seats": "1" if self.seats else "",
            "sort": "" if self.sort == self.default_sort else self.sort,
            "page": "" if self.page == 1 else str(self.page),
        }
        values.update({key: str(value) for key, value in changes.items()})
        return {key: value for key, value in values.items() if value}

    def feed_args(self) -> dict[str, str]:
        """The filters a calendar feed understands (no words, dates or pages)."""
        return {k: v for k, v in self.args().items() if k in FEED_FILTERS}

    @property
    def default_sort(self) -> str:
        return "relevance" if self.q else "date"

    @cached_property
    def words(self) -> list[word_search.Word]:
        """The query's words, as the search index matches them."""
        return word_search.query_words(self.q)

    @property
    def active(self) -> bool:
        return bool(set(self.args()) - {"sort", "page"})

    @property
    def filter_count(self) -> int:
        """How many filters narrow the results: the words, order and page are not filters."""
        return len(set(self.args()) - {"q", "sort", "page"})


@dataclass
class CatalogEntry:
    offering: Offering
    next_start: datetime
    next_end: datetime
    #: A session has already taken place: registration is closed.
    started: bool = False


@dataclass
class CatalogPage:
    entries: list[CatalogEntry]
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / PER_PAGE))


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(current_app.config["SITE_TIMEZONE"]))


def of_approved_partner():
    """SQL: the offering's partner is approved. A partner a site admin suspends is hidden
    with all its offerings: from the catalog, offering pages, public feeds and registration."""
    return Offering.partner_id.in_(select(Partner.id).where(Partner.approved.is_(True)))


def filtered_offerings(filters: Filters, now: datetime, statuses=(OfferingStatus.PUBLISHED,)):
    """The filter conditions on Offering, shared by the catalog and the public feeds.

    `statuses=None` leaves the status to the caller (feeds also show cancelled offerings).
    """
    conditions = [of_approved_partner()]
    if statuses:
        conditions.append(Offering.status.in_(statuses))
    if filters.q:
        # Words only punctuation or emoji match nothing: "no results", not every offering.
        conditions.append(word_search.matching(filters.words))
    if filters.theme:
        conditions.append(
            exists().where(
                offering_theme.c.offering_id == Offering.id,
                offering_theme.c.theme_id == Theme.id,
                Theme.slug == filters.theme,
            )
        )
    if filters.partner:
        partner_id = select(Partner.id).where(Partner.slug == filters.partner).scalar_subquery()
        # The partner's own offerings and its co-hosted ones as one id list, found by index:
        # "partner_id = x OR EXISTS (co-host)" made both databases test every offering.
        owned = Offering.__table__.alias("owned")
        conditions.append(
            Offering.id.in_(
                union(
                    select(owned.c.id).where(owned.c.partner_id == partner_id),
                    select(offering_cohost.c.offering_id).where(
                        offering_cohost.c.partner_id == partner_id
                    ),
                )
            )
        )
    if filters.kind:
        conditions.append(Offering.kind == filters.kind)
    if filters.format:
        conditions.append(Offering.format == filters.format)
    if filters.language:
        # A language filter matches offerings taught in it, bilingual ones included.
        conditions.append(Offering.language.in_(taught_in(filters.language)))
    if filters.seats:
        # Free seats one can still take: not once the offering has started.
        conditions.append(Offering.seats_taken < Offering.capacity)
        conditions.append(~has_started(Offering.id, now))
    return conditions


def _session_window(filters: Filters, now: datetime) -> list:
    """The sessions that make an offering upcoming (and match the date filters)."""
    window = [OfferingSession.status == SessionStatus.SCHEDULED, OfferingSession.ends_at > now]
    if filters.date_from:
        window.append(OfferingSession.starts_at >= _day_start(filters.date_from))
    if filters.date_to:
        window.append(OfferingSession.starts_at < _day_start(filters.date_to + timedelta(days=1)))
    return window


def _next_starts(window: list):
    return (
        select(
            OfferingSession.offering_id,
            func.min(OfferingSession.starts_at).label("next_start"),
        )
        .where(*window)
        .group_by(OfferingSession.offering_id)
        .subquery()
    )


def _ranking(filters: Filters, now: datetime) -> array:
    """Every matching offering's id, in catalog order: the costly part of a catalog page.

    It is remembered for CATALOG_RANKING_SECONDS per set of filters, so paging and repeated
    visits skip the sort over every upcoming session. Seats, titles and times on the page are
    always read fresh; only which offerings are listed, and their order, may be that many
    seconds old.
    """
    key = repr(sorted((k, v) for k, v in filters.args().items() if k != "page"))
    return remembered(
        "catalog-ranking",
        key,
        current_app.config["CATALOG_RANKING_SECONDS"],
        lambda: _rank(filters, now),
        dump=array.tolist,
        load=partial(array, "q"),
    )


def _rank(filters: Filters, now: datetime) -> array:
    upcoming = _next_starts(_session_window(filters, now))
    order = {
        "newest": [Offering.published_at.desc(), Offering.id.desc()],
    }.get(filters.sort, [upcoming.c.next_start, Offering.id])
    if filters.sort == "relevance" and filters.words:
        order.insert(0, word_search.relevance(filters.words).desc())
    return array(
        "q",
        db.session.scalars(
            select(Offering.id)
            .join(upcoming, upcoming.c.offering_id == Offering.id)
            .where(*filtered_offerings(filters, now))
            .order_by(*order)
        ),
    )


def search(filters: Filters) -> CatalogPage:
    """One page of upcoming published offerings: the ranking, then the page's offerings
    with their next session (plus themes and co-hosts)."""
    now = utcnow()
    ranking = _ranking(filters, now)
    start = (filters.page - 1) * PER_PAGE
    page_ids = list(ranking[start : start + PER_PAGE])
    if not page_ids:
        return CatalogPage([], len(ranking), filters.page)
    # A remembered ranking may be seconds old: the filters are checked again on the page's
    # offerings, so nothing cancelled, filled up (seats=1) or started since is shown.
    ordered = entries_of(
        page_ids, _session_window(filters, now), filtered_offerings(filters, now), now
    )
    return CatalogPage(ordered, len(ranking), filters.page)


def entries_of(ids: list[int], window: list, conditions: list, now: datetime) -> list[CatalogEntry]:
    """The offerings `ids` that still meet `conditions`, in the order of `ids`, each with its
    next session in `window` (plus partner, themes and co-hosts): three statements."""
    upcoming = _next_starts([*window, OfferingSession.offering_id.in_(ids)])
    next_session = OfferingSession.__table__.alias("next_session")
    query = (
        select(
            Offering, upcoming.c.next_start, next_session.c.ends_at, has_started(Offering.id, now)
        )
        .join(upcoming, upcoming.c.offering_id == Offering.id)
        .join(
            next_session,
            and_(
                next_session.c.offering_id == Offering.id,
                next_session.c.starts_at == upcoming.c.next_start,
                next_session.c.status == SessionStatus.SCHEDULED,
            ),
        )
        .where(Offering.id.in_(ids), *conditions)
        .options(
            joinedload(Offering.partner).joinedload(Partner.logo),
            joinedload(Offering.cover),
            selectinload(Offering.themes),
            selectinload(Offering.cohosts),
        )
        .order_by(next_session.c.ends_at.desc())  # of two sessions at one start, the longer
    )
    position = {offering_id: number for number, offering_id in enumerate(ids)}
    entries = {}
    for offering, next_start, next_end, begun in db.session.execute(query):
        # Two sessions starting at the same moment: keep one entry per offering.
        entries.setdefault(offering.id, CatalogEntry(offering, next_start, next_end, bool(begun)))
    return sorted(entries.values(), key=lambda entry: position[entry.offering.id])


def state_of(
    offering: Offering, entry: CatalogEntry | None = None, *, as_published: bool = False
) -> OfferingState:
    """The offering's public state, for pages and cards (a Jinja global). A catalog entry
    already knows whether the offering has begun, so a card reads no sessions. A draft's
    preview (`as_published`) shows the state it would have once published."""
    return offering_state(
        offering,
        utcnow(),
        started=entry.started if entry else None,
        as_published=as_published,
    )


def filter_choices() -> tuple[list[Theme], list[Partner]]:
    themes = db.session.scalars(select(Theme).order_by(Theme.position)).all()
    partners = db.session.scalars(select(Partner).where(Partner.approved.is_(True))).all()
    return themes, sorted(partners, key=lambda partner: sort_key(partner.name))


def upcoming_for_partner(partner: Partner) -> CatalogPage:
    """Published offerings the partner runs or co-hosts that have a session still to come."""
    return search(Filters(partner=partner.slug))


def upcoming_for_theme(theme: Theme) -> CatalogPage:
    return search(Filters(theme=theme.slug))


def public_offering(offering_id: int) -> Offering | None:
    """A public offering (published, or cancelled after it was) of an approved partner."""
    return db.session.scalar(
        select(Offering)
        .where(
            Offering.id == offering_id,
            public_status(),
            of_approved_partner(),
        )
        .options(
            joinedload(Offering.partner).joinedload(Partner.logo),
            joinedload(Offering.cover),
            selectinload(Offering.sessions),
            selectinload(Offering.themes),
            selectinload(Offering.cohosts),
        )
    )
