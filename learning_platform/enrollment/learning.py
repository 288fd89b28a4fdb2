"""Read models: a person's learning overview, an offering's attendee list and attendance sheet.

Each is a fixed number of queries, whatever the number of registrations or sessions.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from learning_platform.extensions import db
from learning_platform.models import (
    Attendance,
    Offering,
    OfferingSession,
    OfferingStatus,
    Person,
    Registration,
    RegistrationStatus,
    SessionStatus,
)


def _waitlist_positions(offering_ids: list[int]) -> dict[int, int]:
    """Registration id -> 1-based waitlist position, for all those offerings in one query."""
    if not offering_ids:
        return {}
    position = (
        func.row_number()
        .over(partition_by=Registration.offering_id, order_by=Registration.id)
        .label("position")
    )
    rows = db.session.execute(
        select(Registration.id, position).where(
            Registration.offering_id.in_(offering_ids),
            Registration.status == RegistrationStatus.WAITLISTED,
        )
    ).all()
    return dict(rows)


@dataclass
class UpcomingSession:
    session: OfferingSession
    offering: Offering


@dataclass
class Overview:
    upcoming: list[UpcomingSession] = field(default_factory=list)
    #: (registration, position)
    waiting: list[tuple[Registration, int]] = field(default_factory=list)
    #: confirmed registrations whose offering has not ended
    current: list[Registration] = field(default_factory=list)
    past: list[Registration] = field(default_factory=list)
    hours_attended: float = 0.0


def overview(person: Person, now: datetime) -> Overview:
    registrations = db.session.scalars(
        select(Registration)
        .where(
            Registration.person_id == person.id, Registration.status != RegistrationStatus.CANCELLED
        )
        .options(
            selectinload(Registration.offering).selectinload(Offering.sessions),
            selectinload(Registration.offering).joinedload(Offering.partner),
        )
        .order_by(Registration.id)
    ).all()
    result = Overview()
    positions = _waitlist_positions(
        [r.offering_id for r in registrations if r.status == RegistrationStatus.WAITLISTED]
    )
    for registration in registrations:
        offering = registration.offering
        if registration.status == RegistrationStatus.WAITLISTED:
            if offering.status == OfferingStatus.PUBLISHED and not offering.is_past(now):
                result.waiting.append((registration, positions.get(registration.id, 0)))
            continue
        if offering.status == OfferingStatus.CANCELLED or offering.is_past(now):
            result.past.append(registration)
            continue
        result.current.append(registration)
        # Cancelled sessions stay in the list, struck through with the organizer's reason.
        result.upcoming.extend(
            UpcomingSession(session, offering)
            for session in offering.sessions
            if session.ends_at > now
        )
    result.upcoming.sort(key=lambda item: item.session.starts_at)
    attended = db.session.execute(
        select(OfferingSession.starts_at, OfferingSession.ends_at)
        .join(Attendance, Attendance.session_id == OfferingSession.id)
        .join(Registration, Attendance.registration_id == Registration.id)
        .where(
            Registration.person_id == person.id,
            Registration.status == RegistrationStatus.CONFIRMED,
            OfferingSession.status == SessionStatus.SCHEDULED,
            Attendance.present.is_(True),
        )
    ).all()
    result.hours_attended = (
        sum((end - start for start, end in attended), timedelta()).total_seconds() / 3600
    )
    return result


@dataclass
class AttendeeRow:
    registration: Registration
    person: Person
    position: int | None
    attended: int


def attendee_list(offering: Offering) -> list[AttendeeRow]:
    """Confirmed people first (by registration time), then the waitlist in order."""
    registrations = db.session.scalars(
        select(Registration)
        .where(
            Registration.offering_id == offering.id,
            Registration.status != RegistrationStatus.CANCELLED,
        )
        .options(joinedload(Registration.person))
        .order_by(Registration.id)
    ).all()
    attended = dict(
        db.session.execute(
            select(Attendance.registration_id, func.count())
            .join(Registration, Attendance.registration_id == Registration.id)
            .where(Registration.offering_id == offering.id, Attendance.present.is_(True))
            .group_by(Attendance.registration_id)
        ).all()
    )
    confirmed, waiting = [], []
    for registration in registrations:
        if registration.status == RegistrationStatus.CONFIRMED:
            confirmed.append(
                AttendeeRow(
                    registration, registration.person, None, attended.get(registration.id, 0)
                )
            )
        else:
            waiting.append(AttendeeRow(registration, registration.person, len(waiting) + 1, 0))
    return confirmed + waiting


def attendance_sheet(session: OfferingSession) -> list[tuple[Registration, bool | None]]:
    """Each confirmed registration with its mark for `session` (None: not marked yet)."""
    rows = db.session.execute(
        select(Registration, Attendance.present)
        .outerjoin(
            Attendance,
            (Attendance.registration_id == Registration.id) & (Attendance.session_id == session.id),
        )
        .where(
            Registration.offering_id == session.offering_id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
        .options(joinedload(Registration.person))
        .order_by(Registration.id)
    ).all()
    return [(registration, present) for registration, present in rows]
