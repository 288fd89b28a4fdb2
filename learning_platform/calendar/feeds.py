"""Which sessions a feed holds, its cheap validator, and building it.

A feed holds the sessions that ended at most 30 days ago (counted in whole UTC days, so the
window moves only at midnight), cancelled ones for 30 days after their cancellation, and never
drafts. Every change a calendar must see touches the session (SEQUENCE, updated_at), so the
validator is one aggregate query: the number of sessions and their newest update time.
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from flask_babel import force_locale, gettext
from sqlalchemy import func, or_, select
from sqlalchemy.orm import contains_eager

from learning_platform.calendar.ical import EventText, build_calendar
from learning_platform.extensions import db
from learning_platform.models import (
    Offering,
    OfferingSession,
    OfferingStatus,
    Person,
    Registration,
    RegistrationStatus,
    SessionStatus,
)

KEEP_DAYS = 30
LANGUAGES = ("ko", "en", "th")
#: Thai has no UI catalog yet; the one word a feed needs is here.
_THAI_CANCELLED = "[ยกเลิกแล้ว]"


@dataclass(frozen=True)
class Validator:
    etag: str
    last_modified: datetime
    #: The values of the `extra` columns asked for (e.g. the feed's name).
    extras: tuple = ()

    def dump(self) -> list:
        """As JSON data, for the cache (public feeds: the extras are names)."""
        return [self.etag, self.last_modified.isoformat(), list(self.extras)]

    @classmethod
    def load(cls, data: list) -> "Validator":
        etag, last_modified, extras = data
        return cls(etag, datetime.fromisoformat(last_modified), tuple(extras))


def window_start(now: datetime) -> datetime:
    today = datetime.combine(now.astimezone(UTC).date(), time(0), tzinfo=UTC)
    return today - timedelta(days=KEEP_DAYS)


def visible(start: datetime) -> list:
    """SQL conditions for the sessions any feed may show."""
    return [
        Offering.status.in_([OfferingStatus.PUBLISHED, OfferingStatus.CANCELLED]),
        OfferingSession.ends_at >= start,
        or_(
            OfferingSession.status == SessionStatus.SCHEDULED,
            OfferingSession.cancelled_at >= start,
        ),
        or_(Offering.status == OfferingStatus.PUBLISHED, Offering.cancelled_at >= start),
    ]


def validator(key: str, conditions: Sequence, now: datetime, extra=()) -> Validator:
    """The feed's ETag and Last-Modified from one aggregate query, without building it."""
    start = window_start(now)
    count, newest, *more = db.session.execute(
        select(func.count(), func.max(OfferingSession.updated_at), *extra)
        .select_from(OfferingSession)
        .join(Offering, OfferingSession.offering_id == Offering.id)
        .where(*visible(start), *conditions)
    ).one()
    newest = newest.replace(tzinfo=UTC) if newest and newest.tzinfo is None else newest
    day = start + timedelta(days=KEEP_DAYS)
    digest = hashlib.sha256(f"{key}|{start.date()}|{count}|{newest}|{more}".encode()).hexdigest()[
        :40
    ]
    # Extra time stamps (registrations, for the private feed) move Last-Modified too, so an
    # If-Modified-Since never gets a 304 for a changed body.
    stamps = [newest, day, *(value for value in more if isinstance(value, datetime))]
    stamps = [s.replace(tzinfo=UTC) if s and s.tzinfo is None else s for s in stamps]
    return Validator(etag=digest, last_modified=max(filter(None, stamps)), extras=tuple(more))


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
    if language == "th":
        return EventText(language="th", cancelled_prefix=_THAI_CANCELLED)
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


def personal_feed(person: Person, now: datetime, url_for_offering) -> bytes:
    """Confirmed sessions, and waitlisted ones as TENTATIVE with the place in the queue."""
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
        and session.offering.format != "in_person"
    }
    with force_locale(person.preferred_language):
        name = gettext("My learning")
    return build_calendar(
        name,
        found,
        event_text(person.preferred_language),
        url_for_offering,
        tentative=tentative,
        online_links=links,
        uid_suffix="-me",
    )
