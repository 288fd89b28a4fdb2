"""Read models: a person's learning overview, an offering's attendee list and attendance sheet.

Each is a fixed number of queries, whatever the number of registrations or sessions.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from learning_platform.completion import services as completion
from learning_platform.extensions import db
from learning_platform.models import (
    Attendance,
    Certificate,
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


#: Past offerings per page of My learning.
PAST_PER_PAGE = 10


@dataclass
class Enrolment:
    """One offering in a person's learning: where they stand and what comes next."""

    registration: Registration
    #: scheduled (not cancelled) sessions, their first start and last end
    sessions: int
    first_start: datetime | None
    last_end: datetime | None
    next_session: OfferingSession | None = None
    #: 1-based place on the waitlist; None with a seat
    position: int | None = None
    attended: int = 0
    attended_time: timedelta = field(default_factory=timedelta)
    #: its first session has begun: a seat can no longer be given back
    under_way: bool = False
    #: sessions still to come that the organizer cancelled (shown with the reason)
    cancelled_sessions: list[OfferingSession] = field(default_factory=list)
    #: the certificate issued for it (completion), if any
    certificate: Certificate | None = None

    @property
    def offering(self) -> Offering:
        return self.registration.offering

    @property
    def waitlisted(self) -> bool:
        return self.registration.status == RegistrationStatus.WAITLISTED


@dataclass
class Overview:
    #: registrations (seat or waitlist) whose offering has not ended, soonest first
    current: list[Enrolment]
    #: one page of the offerings that ended or were cancelled while holding a seat, latest first
    past: list[Enrolment]
    past_total: int
    past_page: int
    attended_time: timedelta

    @property
    def past_pages(self) -> int:
        return max(1, -(-self.past_total // PAST_PER_PAGE))

    @property
    def zones(self) -> list[str]:
        """The zones of the upcoming sessions shown, to name them once."""
        return sorted({e.offering.timezone for e in self.current if e.next_session})


def overview(person: Person, now: datetime, past_page: int = 1) -> Overview:
    """A person's learning in a fixed number of statements, whatever the number of offerings."""
    mine = select(Registration.offering_id).where(
        Registration.person_id == person.id, Registration.status != RegistrationStatus.CANCELLED
    )
    span = (
        select(
            OfferingSession.offering_id,
            func.min(OfferingSession.starts_at).label("first_start"),
            func.max(OfferingSession.ends_at).label("last_end"),
            func.count().label("sessions"),
        )
        .where(
            OfferingSession.status == SessionStatus.SCHEDULED,
            OfferingSession.offering_id.in_(mine),
        )
        .group_by(OfferingSession.offering_id)
        .subquery()
    )
    ended = or_(Offering.status == OfferingStatus.CANCELLED, span.c.last_end <= now)
    rows = (
        select(Registration, span.c.sessions, span.c.first_start, span.c.last_end)
        .join(Registration.offering)
        .outerjoin(span, span.c.offering_id == Registration.offering_id)
        .where(
            Registration.person_id == person.id,
            Registration.status != RegistrationStatus.CANCELLED,
        )
        .options(contains_eager(Registration.offering).joinedload(Offering.partner))
    )
    current = [
        Enrolment(registration, sessions or 0, first_start, last_end)
        for registration, sessions, first_start, last_end in db.session.execute(
            rows.where(
                Offering.status != OfferingStatus.CANCELLED,
                or_(span.c.last_end.is_(None), span.c.last_end > now),
            )
        )
    ]
    # A waitlist place on an offering that is over means nothing any more.
    past_rows = rows.where(Registration.status == RegistrationStatus.CONFIRMED, ended)
    past_total = db.session.scalar(select(func.count()).select_from(past_rows.subquery()))
    past_page = min(max(1, past_page), max(1, -(-past_total // PAST_PER_PAGE)))
    past = [
        Enrolment(registration, sessions or 0, first_start, last_end)
        for registration, sessions, first_start, last_end in db.session.execute(
            past_rows.options(contains_eager(Registration.offering).selectinload(Offering.sessions))
            .order_by(
                func.coalesce(span.c.last_end, Offering.cancelled_at).desc(), Registration.id.desc()
            )
            .limit(PAST_PER_PAGE)
            .offset((past_page - 1) * PAST_PER_PAGE)
        )
    ]
    _add_next_sessions(current, now)
    _add_cancelled_sessions(current, now)
    for enrolment in current:
        enrolment.under_way = enrolment.first_start is not None and enrolment.first_start <= now
    positions = _waitlist_positions([e.offering.id for e in current if e.waitlisted])
    for enrolment in current:
        enrolment.position = positions.get(enrolment.registration.id)
    attended_time = _add_attendance(person, current + past)
    issued = completion.issued_for(person, [e.offering.id for e in past])
    for enrolment in past:
        enrolment.certificate = issued.get(enrolment.offering.id)
    current.sort(
        key=lambda e: (e.next_session is None, e.next_session and e.next_session.starts_at)
    )
    return Overview(current, past, past_total, past_page, attended_time)


def _add_next_sessions(enrolments: list[Enrolment], now: datetime) -> None:
    """Each offering's next session still to come or under way, in one statement."""
    by_offering = {e.offering.id: e for e in enrolments}
    if not by_offering:
        return
    rank = (
        func.row_number()
        .over(partition_by=OfferingSession.offering_id, order_by=OfferingSession.starts_at)
        .label("rank")
    )
    coming = (
        select(OfferingSession.id, rank)
        .where(
            OfferingSession.offering_id.in_(by_offering),
            OfferingSession.status == SessionStatus.SCHEDULED,
            OfferingSession.ends_at > now,
        )
        .subquery()
    )
    for session in db.session.scalars(
        select(OfferingSession)
        .join(coming, coming.c.id == OfferingSession.id)
        .where(coming.c.rank == 1)
    ):
        by_offering[session.offering_id].next_session = session


def _add_cancelled_sessions(enrolments: list[Enrolment], now: datetime) -> None:
    """The cancelled sessions still to come of each offering, in one statement."""
    by_offering = {e.offering.id: e for e in enrolments}
    if not by_offering:
        return
    for session in db.session.scalars(
        select(OfferingSession)
        .where(
            OfferingSession.offering_id.in_(by_offering),
            OfferingSession.status == SessionStatus.CANCELLED,
            OfferingSession.ends_at > now,
        )
        .order_by(OfferingSession.starts_at)
    ):
        by_offering[session.offering_id].cancelled_sessions.append(session)


def _add_attendance(person: Person, enrolments: list[Enrolment]) -> timedelta:
    """Sessions attended per enrolment; returns the time attended in all offerings."""
    by_registration = {e.registration.id: e for e in enrolments}
    total = timedelta()
    for registration_id, starts_at, ends_at in db.session.execute(
        select(Attendance.registration_id, OfferingSession.starts_at, OfferingSession.ends_at)
        .join(OfferingSession, Attendance.session_id == OfferingSession.id)
        .join(Registration, Attendance.registration_id == Registration.id)
        .where(
            Registration.person_id == person.id,
            Registration.status == RegistrationStatus.CONFIRMED,
            OfferingSession.status == SessionStatus.SCHEDULED,
            Attendance.present.is_(True),
        )
    ):
        total += ends_at - starts_at
        if enrolment := by_registration.get(registration_id):
            enrolment.attended += 1
            enrolment.attended_time += ends_at - starts_at
    return total


@dataclass
class SessionMark:
    session: OfferingSession
    #: True present, False absent, None not marked (or still to come)
    present: bool | None


def registration_of(person: Person, offering_id: int) -> Registration | None:
    """The person's active registration for the offering, with its offering and sessions."""
    return db.session.scalar(
        select(Registration)
        .where(
            Registration.offering_id == offering_id,
            Registration.person_id == person.id,
            Registration.status != RegistrationStatus.CANCELLED,
        )
        .options(
            joinedload(Registration.offering).selectinload(Offering.sessions),
            joinedload(Registration.offering).joinedload(Offering.partner),
        )
    )


def sessions_of(registration: Registration) -> list[SessionMark]:
    """Every session of the registration's offering with the person's attendance mark."""
    marks = dict(
        db.session.execute(
            select(Attendance.session_id, Attendance.present).where(
                Attendance.registration_id == registration.id
            )
        ).all()
    )
    return [SessionMark(s, marks.get(s.id)) for s in registration.offering.sessions]


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


@dataclass(frozen=True)
class DoorRow:
    registration: Registration
    #: When they were checked in; None while they are not (or marked absent).
    checked_in_at: datetime | None


def door_list(session: OfferingSession, search: str = "") -> list[DoorRow]:
    """The confirmed participants of `session`'s offering by name, those whose name or
    check-in code contains `search` (literally: `%` and `_` are not wildcards)."""
    query = (
        select(Registration, Attendance.present, Attendance.marked_at)
        .join(Registration.person)
        .outerjoin(
            Attendance,
            (Attendance.registration_id == Registration.id) & (Attendance.session_id == session.id),
        )
        .where(
            Registration.offering_id == session.offering_id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
        .options(contains_eager(Registration.person))
        .order_by(Person.display_name, Registration.id)
    )
    if search:
        query = query.where(
            or_(
                Person.display_name.icontains(search, autoescape=True),
                Registration.checkin_code == search.replace(" ", "").upper(),
            )
        )
    return [
        DoorRow(registration, marked_at if present else None)
        for registration, present, marked_at in db.session.execute(query)
    ]
