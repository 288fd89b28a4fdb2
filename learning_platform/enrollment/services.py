"""Enrollment rules. Seats are taken and freed only by conditional UPDATEs.

"Count, then insert" double-books under concurrency on both databases. What holds: one
UPDATE ... SET seats_taken = seats_taken + 1 WHERE seats_taken < capacity, checking that one
row changed, plus the unique index on active registrations and the check constraint on
seats_taken. On SQLite the first UPDATE takes the write lock (the busy timeout makes others
queue), so every later statement of the transaction sees the latest state.

Services flush but never commit; the view owns the transaction.
"""

import enum
from dataclasses import dataclass
from datetime import datetime

from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select, update

from learning_platform.audit.services import record
from learning_platform.boundary import DomainError, explain_constraint
from learning_platform.calendar.ical import EventText, build_calendar
from learning_platform.enrollment import checkin
from learning_platform.extensions import db
from learning_platform.mail.services import external_url, send_template
from learning_platform.models import (
    Attendance,
    AuditAction,
    Offering,
    OfferingSession,
    OfferingStatus,
    Person,
    Registration,
    RegistrationStatus,
    SessionStatus,
    utcnow,
)
from learning_platform.multilingual import in_language

# Two clicks racing, or two tabs: the unique index keeps one active registration.
explain_constraint("uq_registration_active", _l("You are already registered for this offering."))
# Two organizers saving the same session's sheet at once.
explain_constraint(
    "uq_attendance_session_id",
    _l("Someone else saved this attendance sheet at the same moment. Please check it again."),
)


@dataclass(frozen=True)
class Outcome:
    registration: Registration
    #: 1-based place on the waitlist, None when confirmed.
    position: int | None


ACTIVE = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)


def has_started(offering_id: int, now: datetime):
    """SQL: a scheduled session of the offering has already begun."""
    return exists().where(
        OfferingSession.offering_id == offering_id,
        OfferingSession.status == SessionStatus.SCHEDULED,
        OfferingSession.starts_at <= now,
    )


class OfferingState(enum.StrEnum):
    """What an offering is, for the public: the one answer every page and card shows."""

    OPEN = "open"  #: registration open, seats left
    FULL = "full"  #: registration open, every seat taken: the waitlist
    OPENS_LATER = "opens_later"  #: registration has not opened yet
    CLOSED = "closed"  #: registration closed before the start (or nothing left to attend)
    UNDER_WAY = "under_way"  #: a session has begun, one is still to come
    ENDED = "ended"  #: its last session is over
    CANCELLED = "cancelled"
    DRAFT = "draft"  #: never public


#: Whether one can still register, by state: only while open or full (the waitlist).
TAKES_REGISTRATIONS = frozenset({OfferingState.OPEN, OfferingState.FULL})


def offering_state(
    offering: Offering, now: datetime, *, started: bool | None = None, as_published: bool = False
) -> OfferingState:
    """The offering's public state. `started`, when the caller knows it (a catalog entry,
    which lists only offerings with a session still to come), spares reading the sessions.
    `as_published`: a draft's state once published (its preview)."""
    if offering.status == OfferingStatus.CANCELLED:
        return OfferingState.CANCELLED
    if offering.status != OfferingStatus.PUBLISHED and not as_published:
        return OfferingState.DRAFT
    if started is None:
        first = offering.first_start
        if first is None:  # every session cancelled: nothing to register for
            return OfferingState.CLOSED
        if offering.is_past(now):
            return OfferingState.ENDED
        started = first <= now
    if started:
        return OfferingState.UNDER_WAY
    if offering.registration_opens_at and now < offering.registration_opens_at:
        return OfferingState.OPENS_LATER
    if offering.registration_closes_at and now >= offering.registration_closes_at:
        return OfferingState.CLOSED
    if offering.seats_taken >= offering.capacity:
        return OfferingState.FULL
    return OfferingState.OPEN


_CLOSED_REASONS = {
    OfferingState.CANCELLED: _l("This offering is not open for registration."),
    OfferingState.DRAFT: _l("This offering is not open for registration."),
    OfferingState.OPENS_LATER: _l("Registration has not opened yet."),
    OfferingState.CLOSED: _l("Registration has closed."),
    OfferingState.UNDER_WAY: _l("This offering has already started."),
    OfferingState.ENDED: _l("This offering has ended."),
}


def closed_reason(offering: Offering, now: datetime):
    """Why registration is closed right now, or None when it is open (seats or waitlist)."""
    return _CLOSED_REASONS.get(offering_state(offering, now))


def can_cancel(offering: Offering, now: datetime) -> bool:
    """Registrations can be cancelled until the first session starts."""
    first = offering.first_start
    return offering.status == OfferingStatus.PUBLISHED and (first is None or first > now)


def active_registration(offering_id: int, person_id: int) -> Registration | None:
    return db.session.scalar(
        select(Registration).where(
            Registration.offering_id == offering_id,
            Registration.person_id == person_id,
            Registration.status.in_(ACTIVE),
        )
    )


def waitlist_position(registration: Registration) -> int | None:
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = db.session.scalar(
        select(func.count()).where(
            Registration.offering_id == registration.offering_id,
            Registration.status == RegistrationStatus.WAITLISTED,
            Registration.id < registration.id,
        )
    )
    return ahead + 1


def lock_offering(offering: Offering) -> None:
    """Take the offering's row lock for the rest of the transaction, then read it afresh.

    Registrations, cancellations and capacity changes of one offering run one after another:
    each then sees the others' committed seats and waitlist (PostgreSQL: the row lock;
    SQLite: this first write takes the database's write lock).
    """
    db.session.execute(
        update(Offering)
        .where(Offering.id == offering.id)
        .values(seats_taken=Offering.seats_taken)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(offering)


def _take_seat(offering: Offering, now: datetime) -> bool:
    """One conditional update: a seat if one is free; the count can never pass the capacity."""
    return bool(
        db.session.execute(
            update(Offering)
            .where(
                Offering.id == offering.id,
                Offering.status == OfferingStatus.PUBLISHED,
                Offering.seats_taken < Offering.capacity,
                ~has_started(offering.id, now),
            )
            .values(seats_taken=Offering.seats_taken + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
    )


def _hold_account(person: Person) -> None:
    """Share-lock the person's row, so that deleting the account (which locks it first, see
    rights.services) waits for this registration, or this one waits for the deletion and is
    refused: a seat is never held by a deleted person. After the offering's lock, so that on
    SQLite (no row locks) it reads under the write lock. :raise DomainError:"""
    deleted_at = db.session.execute(
        select(Person.deleted_at).where(Person.id == person.id).with_for_update(read=True)
    ).scalar_one()
    if deleted_at is not None:
        raise DomainError(_l("This account has been deleted."), status=403)


def register(offering: Offering, person: Person) -> Outcome:
    """Confirm a seat if one is free, else join the waitlist. :raise DomainError:

    A registration racing with another for the same person fails on the unique index, which
    the boundary reports as "already registered".
    """
    lock_offering(offering)
    _hold_account(person)
    now = utcnow()
    reason = closed_reason(offering, now)
    if reason:
        raise DomainError(reason)
    if active_registration(offering.id, person.id):
        raise DomainError(_l("You are already registered for this offering."))
    took_seat = _take_seat(offering, now)
    status = RegistrationStatus.CONFIRMED if took_seat else RegistrationStatus.WAITLISTED
    registration = Registration(offering_id=offering.id, person_id=person.id, status=status)
    db.session.add(registration)
    db.session.flush()
    db.session.refresh(offering)
    outcome = Outcome(registration, waitlist_position(registration))
    _mail_outcome(person, offering, outcome)
    return outcome


def _cancel_if(registration: Registration, status: RegistrationStatus, now: datetime) -> bool:
    return bool(
        db.session.execute(
            update(Registration)
            .where(Registration.id == registration.id, Registration.status == status)
            .values(status=RegistrationStatus.CANCELLED, cancelled_at=now, updated_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
    )


def cancel(registration: Registration) -> bool:
    """Cancel `registration` (before the offering starts); a freed seat goes to the oldest
    waitlisted person. Returns False when it was already cancelled. :raise DomainError:
    """
    offering = registration.offering
    lock_offering(offering)
    now = utcnow()
    if offering.status == OfferingStatus.PUBLISHED and not can_cancel(offering, now):
        raise DomainError(_l("The offering has started; it can no longer be cancelled."))
    # Statuses only move waitlisted -> confirmed -> cancelled: whichever step changes the row
    # says what it really was, whatever was loaded earlier.
    if _cancel_if(registration, RegistrationStatus.WAITLISTED, now):
        freed = False
    elif _cancel_if(registration, RegistrationStatus.CONFIRMED, now):
        freed = True
        db.session.execute(
            update(Offering)
            .where(Offering.id == offering.id)
            .values(seats_taken=Offering.seats_taken - 1)
            .execution_options(synchronize_session=False)
        )
    else:
        return False  # cancelling twice changes nothing
    db.session.refresh(registration)
    mail_about(
        registration.person,
        offering,
        _l("Registration cancelled: %(title)s"),
        "registration_cancelled",
    )
    if freed:
        fill_free_seats(offering)
    return True


def fill_free_seats(offering: Offering) -> list[Registration]:
    """Give free seats to the waitlist, oldest first, and tell each person promoted.

    Runs in the transaction that freed the seats (a cancellation, a higher capacity), which
    holds the offering's lock. Nobody is promoted once the offering has started.
    """
    now = utcnow()
    promoted = []
    while True:
        candidate = db.session.scalar(
            select(Registration.id)
            .where(
                Registration.offering_id == offering.id,
                Registration.status == RegistrationStatus.WAITLISTED,
            )
            .order_by(Registration.id)
            .limit(1)
        )
        if candidate is None:
            break
        if not _take_seat(offering, now):
            break
        db.session.execute(
            update(Registration)
            .where(Registration.id == candidate)
            .values(status=RegistrationStatus.CONFIRMED, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        registration = db.session.get(Registration, candidate)
        db.session.refresh(registration)
        promoted.append(registration)
    db.session.refresh(offering)
    for registration in promoted:
        _mail_outcome(registration.person, offering, Outcome(registration, None), promoted=True)
    return promoted


# Attendance -------------------------------------------------------------------------------


def mark_attendance(session: OfferingSession, present_ids: set[int]) -> None:
    """Record who came to `session`: confirmed registrations in `present_ids` were present.

    :raise DomainError: before the session has started.
    """
    if session.starts_at > utcnow():
        raise DomainError(_l("Attendance can be marked once the session has started."))
    registrations = db.session.scalars(
        select(Registration).where(
            Registration.offering_id == session.offering_id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    ).all()
    marks = {
        mark.registration_id: mark
        for mark in db.session.scalars(
            select(Attendance).where(Attendance.session_id == session.id)
        )
    }
    present_before = sum(1 for mark in marks.values() if mark.present)
    present_after = 0
    for registration in registrations:
        present = registration.id in present_ids
        present_after += present
        mark = marks.get(registration.id)
        if mark is None:
            db.session.add(
                Attendance(session_id=session.id, registration_id=registration.id, present=present)
            )
        elif mark.present != present:
            mark.present, mark.marked_at = present, utcnow()
    db.session.flush()
    # One entry per sheet saved, with the counts: who came is on the sheet, not in the trail.
    record(
        AuditAction.ATTENDANCE_MARKED,
        session,
        changes={
            "present": [present_before if marks else None, present_after],
            "absent": [
                len(marks) - present_before if marks else None,
                len(registrations) - present_after,
            ],
        },
    )


# Mail -------------------------------------------------------------------------------------

_OUTCOME_MAILS = {
    RegistrationStatus.CONFIRMED: (_l("You are registered: %(title)s"), "registration_confirmed"),
    RegistrationStatus.WAITLISTED: (
        _l("You are on the waitlist: %(title)s"),
        "registration_waitlisted",
    ),
}
_PROMOTED_MAIL = (_l("A seat is yours: %(title)s"), "registration_promoted")


def _mail_outcome(person: Person, offering: Offering, outcome: Outcome, promoted: bool = False):
    subject, template = _PROMOTED_MAIL if promoted else _OUTCOME_MAILS[outcome.registration.status]
    registration = outcome.registration
    # The check-in code and QR are for the door: an online offering has none.
    seated = registration.status == RegistrationStatus.CONFIRMED and offering.has_door
    if seated:
        with force_locale(person.preferred_language):
            alt = gettext("QR code for check-in")
        code = checkin.spaced(registration.checkin_code)
        image = (checkin.qr_png(checkin.qr_payload(registration)), alt, code)
    mail_about(
        person,
        offering,
        subject,
        template,
        position=outcome.position,
        attach_calendar=outcome.position is None,
        checkin_code=code if seated else None,
        image=image if seated else None,
    )


def mail_about(
    person: Person, offering: Offering, subject, template: str, *, attach_calendar=False, **context
):
    """Mail `person` about `offering` in their own language: the title in the subject and the
    attached calendar too, not in the language of the request that sends the mail."""
    with in_language(person.preferred_language):
        attachments = (
            ((offering_calendar_for(person, offering), "offering.ics"),) if attach_calendar else ()
        )
        send_template(
            person.email,
            person.preferred_language,
            subject,
            template,
            subject_args={"title": offering.title},
            attachments=attachments,
            person=person,
            offering=offering,
            url=external_url("catalog.detail", offering_id=offering.id),
            **context,
        )


def offering_calendar_for(person: Person, offering: Offering) -> bytes:
    """The offering's sessions as an .ics file, in the person's language, with the meeting
    link when they hold a confirmed seat."""
    with force_locale(person.preferred_language):
        text = EventText(
            language=person.preferred_language, cancelled_prefix=gettext("[Cancelled]")
        )
    registration = active_registration(offering.id, person.id)
    confirmed = registration is not None and registration.status == RegistrationStatus.CONFIRMED
    links = (
        {offering.id: offering.online_link}
        if confirmed and offering.online_link and offering.has_online_part
        else {}
    )
    waiting = registration is not None and not confirmed
    with in_language(person.preferred_language):
        return build_calendar(
            offering.title,
            offering.sessions,
            text,
            lambda o: external_url("catalog.detail", offering_id=o.id),
            online_links=links,
            tentative={offering.id: waitlist_position(registration)} if waiting else None,
        )
