"""Which sessions a feed holds, its cheap validator, and building it.

A feed holds the sessions that ended at most 30 days ago (counted in whole UTC days, so the
window moves only at midnight), cancelled ones for 30 days after their cancellation, and never
drafts. Every change a calendar must see touches the session (SEQUENCE, updated_at), so the
ETag comes from one aggregate query: the number of sessions, their ids and their newest update
time, with the day and the feed's name.

Last-Modified is a high-water mark kept per feed in `feed_mark`, read in that same query. The
newest update time of what a feed holds *now* can go backwards: when a seat is cancelled, a
co-host or a theme removed, or an offering leaves the 30 days, the sessions that leave take
their times with them, and a calendar polling with If-Modified-Since would get a 304 and keep
them. So the first request that sees a new ETag records it with a Last-Modified later than the
feed's previous one (its own time, or one second past the previous mark when that is not
later), and every answer for that ETag carries the recorded time. A changed body always has a
new ETag, so its Last-Modified is always later than any a calendar holds: whatever left the
feed, on every worker (the mark is in the database) and after restarts. The record is a
compare-and-set on the version read, so racing workers never lower it. Polls of an unchanged
feed stay one SELECT; a change costs one UPDATE, once, on the first request after it.
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from flask_babel import force_locale, gettext
from sqlalchemy import func, or_, select, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import contains_eager

from learning_platform.calendar.ical import EventText, build_calendar
from learning_platform.extensions import db
from learning_platform.models import (
    FeedMark,
    Offering,
    OfferingSession,
    OfferingStatus,
    Person,
    Registration,
    RegistrationStatus,
    SessionStatus,
    public_status,
)

KEEP_DAYS = 30


@dataclass(frozen=True)
class Validator:
    etag: str
    #: None for a feed whose filters name no theme or partner (see `validator`).
    last_modified: datetime | None
    #: The values of the `extra` columns asked for (e.g. the feed's name).
    extras: tuple = ()

    def dump(self) -> list:
        """As JSON data, for the cache (public feeds: the extras are names)."""
        modified = self.last_modified.isoformat() if self.last_modified else None
        return [self.etag, modified, list(self.extras)]

    @classmethod
    def load(cls, data: list) -> "Validator":
        etag, modified, extras = data
        return cls(etag, datetime.fromisoformat(modified) if modified else None, tuple(extras))


def window_start(now: datetime) -> datetime:
    today = datetime.combine(now.astimezone(UTC).date(), time(0), tzinfo=UTC)
    return today - timedelta(days=KEEP_DAYS)


def visible(start: datetime) -> list:
    """SQL conditions for the sessions any feed may show."""
    return [
        public_status(),
        OfferingSession.ends_at >= start,
        or_(
            OfferingSession.status == SessionStatus.SCHEDULED,
            OfferingSession.cancelled_at >= start,
        ),
        or_(Offering.status == OfferingStatus.PUBLISHED, Offering.cancelled_at >= start),
    ]


def validator(
    key: str, conditions: Sequence, now: datetime, extra=(), known=None
) -> tuple[Validator, bool]:
    """The feed's ETag and Last-Modified from one query, without building it; and whether a
    new version was recorded (the caller commits it).

    `known` is an SQL condition that the things the key names exist (a theme, a partner):
    anyone can make up keys, so only real feeds get a mark; the others are answered without
    Last-Modified, so no If-Modified-Since can ever get a wrong 304 from them.
    """
    start = window_start(now)
    key_hash = hashlib.sha256(key.encode()).hexdigest()
    mark = select(FeedMark.etag, FeedMark.last_modified).where(FeedMark.key == key_hash)
    count, ids, newest, seen_etag, seen_modified, is_known, *more = db.session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(OfferingSession.id), 0),
            func.max(OfferingSession.updated_at),
            mark.with_only_columns(FeedMark.etag).scalar_subquery(),
            mark.with_only_columns(FeedMark.last_modified).scalar_subquery(),
            known if known is not None else true(),
            *extra,
        )
        .select_from(OfferingSession)
        .join(Offering, OfferingSession.offering_id == Offering.id)
        .where(*visible(start), *conditions)
    ).one()
    etag = hashlib.sha256(
        f"{key}|{start.date()}|{count}|{ids}|{_utc(newest)}|{more}".encode()
    ).hexdigest()[:40]
    if not is_known:
        return Validator(etag, None, tuple(more)), False
    if etag == seen_etag:
        return Validator(etag, _utc(seen_modified), tuple(more)), False
    # The update times of what the feed holds, in case a clock runs ahead of this one.
    stamps = [_utc(value) for value in (newest, *more) if isinstance(value, datetime)]
    modified = _record(key_hash, etag, max([now, *stamps]), seen_etag, _utc(seen_modified))
    return Validator(etag, modified, tuple(more)), True


def _record(
    key_hash: str, etag: str, now: datetime, seen_etag: str | None, seen: datetime | None
) -> datetime | None:
    """Record `etag` as the feed's version with a Last-Modified later than the one before.

    A compare-and-set on the version read: of workers racing on one feed, each writes only over
    the version it saw, then reads again and goes on from there, so the mark only ever rises.
    """
    for _attempt in range(5):
        modified = now.replace(microsecond=0)
        if seen is not None and modified <= seen:
            # HTTP dates have whole seconds: a change within the second of the previous
            # version still gets a later one, even if a second ahead of the clock.
            modified = seen + timedelta(seconds=1)
        if seen_etag is None:
            statement = _insert_if_absent(key_hash, etag, modified)
        else:
            statement = (
                update(FeedMark)
                .where(
                    FeedMark.key == key_hash,
                    FeedMark.etag == seen_etag,
                    FeedMark.last_modified == seen,
                )
                .values(etag=etag, last_modified=modified)
            )
        if db.session.execute(statement).rowcount == 1:
            return modified
        row = db.session.execute(
            select(FeedMark.etag, FeedMark.last_modified).where(FeedMark.key == key_hash)
        ).one()
        seen_etag, seen = row.etag, _utc(row.last_modified)
        if seen_etag == etag:
            return seen
    # Still racing: no Last-Modified at all rather than one that could be too early.
    return None


def _insert_if_absent(key_hash: str, etag: str, modified: datetime):
    dialect = db.session.get_bind(mapper=FeedMark).dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
    return (
        insert(FeedMark)
        .values(key=key_hash, etag=etag, last_modified=modified)
        .on_conflict_do_nothing(index_elements=[FeedMark.key])
    )


def _utc(value):
    """SQLite hands back aggregates of time stamps without their zone."""
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def sessions(conditions: Sequence, now: datetime) -> list[OfferingSession]:
    query = (
        select(OfferingSession)
        .join(OfferingSession.offering)
        .options(contains_eager(OfferingSession.offering).selectinload(Offering.themes))
        .where(*visible(window_start(now)), *conditions)
        .order_by(OfferingSession.starts_at, OfferingSession.id)
    )
    return list(db.session.scalars(query))


def event_text(language: str) -> EventText:
    with force_locale(language):
        return EventText(
            language=language,
            cancelled_prefix=gettext("[Cancelled]"),
            waitlist_note=_waitlist_note(language),
        )


def _waitlist_note(language: str):
    def note(position: int) -> str:
        with force_locale(language):
            return gettext(
                "You are number %(position)s on the waitlist; this session is not confirmed yet.",
                position=position,
            )

    return note


def public_feed(
    name: str,
    conditions: Sequence,
    language: str,
    now: datetime,
    url_for_offering,
    description: str = "",
) -> bytes:
    return build_calendar(
        name,
        sessions(conditions, now),
        event_text(language),
        url_for_offering,
        description=description,
    )


# The private feed -------------------------------------------------------------------------

_waiting = Registration.__table__.alias("waiting")


def person_conditions(person: Person) -> list:
    active = select(Registration.offering_id).where(
        Registration.person_id == person.id,
        Registration.status.in_([RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED]),
    )
    return [Offering.id.in_(active)]


def person_validator_extra(person: Person) -> list:
    """Waitlist places move when others cancel: their registrations are part of the validator."""
    mine = select(Registration.offering_id).where(
        Registration.person_id == person.id, Registration.status != RegistrationStatus.CANCELLED
    )
    others = select(func.count(), func.max(Registration.updated_at)).where(
        Registration.offering_id.in_(mine)
    )
    return [
        others.with_only_columns(func.count()).scalar_subquery(),
        others.with_only_columns(func.max(Registration.updated_at)).scalar_subquery(),
    ]


def personal_feed(
    person: Person, now: datetime, url_for_offering, language: str | None = None
) -> bytes:
    """Confirmed sessions, and waitlisted ones as TENTATIVE with the place in the queue; in
    `language` (default: the person's), which the caller also reads the texts in."""
    language = language or person.preferred_language
    conditions = person_conditions(person)
    found = sessions(conditions, now)
    offering_ids = {session.offering_id for session in found}
    registrations = db.session.execute(
        select(
            Registration.offering_id,
            Registration.status,
            select(func.count())
            .where(
                _waiting.c.offering_id == Registration.offering_id,
                _waiting.c.status == RegistrationStatus.WAITLISTED,
                _waiting.c.id <= Registration.id,
            )
            .correlate(Registration)
            .scalar_subquery(),
        ).where(
            Registration.person_id == person.id,
            Registration.offering_id.in_(offering_ids),
            Registration.status != RegistrationStatus.CANCELLED,
        )
    ).all()
    tentative = {
        offering_id: position
        for offering_id, status, position in registrations
        if status == RegistrationStatus.WAITLISTED
    }
    links = {
        session.offering_id: session.offering.online_link
        for session in found
        if session.offering_id not in tentative
        and session.offering.online_link
        and session.offering.has_online_part
    }
    with force_locale(language):
        name = gettext("My learning")
    alarm = person.feed_alarm_minutes
    return build_calendar(
        name,
        found,
        event_text(language),
        url_for_offering,
        tentative=tentative,
        online_links=links,
        uid_suffix="-me",
        alarm=timedelta(minutes=alarm) if alarm else None,
    )
