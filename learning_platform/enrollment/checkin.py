"""Check-in at the door: codes (signed for the QR code, short to read aloud) and marking.

The QR code carries `<registration id>.<short code>.<signature>`: an HMAC (itsdangerous, keyed
by SECRET_KEY) that cannot be made up for another registration. The short code is random and
unique within its offering; it is looked up only in the offering of the session at hand.

Marking is idempotent under concurrency: a conditional UPDATE of an "absent" mark, else an
INSERT ... ON CONFLICT DO NOTHING on the (session, registration) unique constraint; whoever
changes a row checked the person in, everyone else reads the mark and says "already".
"""

import enum
import io
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import segno
from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, Signer
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from learning_platform.audit.services import record
from learning_platform.boundary import DomainError
from learning_platform.extensions import db
from learning_platform.models import (
    Attendance,
    AuditAction,
    OfferingSession,
    Registration,
    RegistrationStatus,
    utcnow,
)
from learning_platform.models.offering import CHECKIN_ALPHABET, CHECKIN_CODE_LENGTH
from learning_platform.timezones import format_clock

#: The door opens before the session starts: people arrive early.
OPENS_BEFORE = timedelta(hours=6)

_SHORT = re.compile(f"[{CHECKIN_ALPHABET}]{{{CHECKIN_CODE_LENGTH}}}")


def _signer() -> Signer:
    return Signer(current_app.config["SECRET_KEY"], salt="checkin")


def qr_payload(registration: Registration) -> str:
    """What the QR code says: the registration and its code, signed."""
    return _signer().sign(f"{registration.id}.{registration.checkin_code}").decode()


def qr_svg(payload: str) -> str:
    """The QR code as an inline SVG (no script: segno writes paths only)."""
    buffer = io.BytesIO()
    # omitsize: a viewBox and no fixed size, so the page's CSS sizes it for the screen.
    segno.make(payload, error="m").save(
        buffer,
        kind="svg",
        border=4,
        omitsize=True,
        light="#fff",
        xmldecl=False,
        svgclass="qr__image",
        lineclass=None,
    )
    return buffer.getvalue().decode()


def qr_png(payload: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(payload, error="m").save(buffer, kind="png", scale=8, border=4)
    return buffer.getvalue()


def spaced(code: str) -> str:
    """`K7PQ3M` as `K7P 3QM`: easier to read aloud."""
    return f"{code[:3]} {code[3:]}"


class Outcome(enum.StrEnum):
    CHECKED_IN = "checked_in"
    ALREADY = "already"
    OTHER_OFFERING = "other_offering"
    UNKNOWN = "unknown"
    FORGED = "forged"
    NOT_CONFIRMED = "not_confirmed"


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    registration: Registration | None = None
    #: When the person was checked in (now, or by the earlier scan).
    marked_at: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.outcome in (Outcome.CHECKED_IN, Outcome.ALREADY)


def find(session: OfferingSession, code: str) -> Result | Registration:
    """The registration a typed or scanned `code` names for `session`, or why none."""
    text = code.strip()
    if "." in text:
        try:
            value = _signer().unsign(text).decode()
        except BadSignature:
            return Result(Outcome.FORGED)
        registration_id, _dot, short = value.partition(".")
        registration = db.session.get(Registration, int(registration_id))
        if registration is None or registration.checkin_code != short:
            return Result(Outcome.UNKNOWN)
        if registration.offering_id != session.offering_id:
            return Result(Outcome.OTHER_OFFERING, registration)
        return registration
    short = re.sub(r"[\s-]", "", text).upper()
    if not _SHORT.fullmatch(short):
        return Result(Outcome.UNKNOWN)
    registration = db.session.scalar(
        select(Registration).where(
            Registration.offering_id == session.offering_id, Registration.checkin_code == short
        )
    )
    return registration if registration is not None else Result(Outcome.UNKNOWN)


def check_in(session: OfferingSession, code: str) -> Result:
    """Check in whoever `code` names at `session` (a no-op when they already are).

    :raise DomainError: before the door opens.
    """
    found = find(session, code)
    if isinstance(found, Result):
        return found
    return check_in_registration(session, found)


def check_in_registration(session: OfferingSession, registration: Registration) -> Result:
    """Mark `registration` present at `session`, once, whoever else does the same."""
    if session.starts_at - OPENS_BEFORE > utcnow():
        raise DomainError(
            _l("Check-in opens %(hours)s hours before the session starts.", hours=6),
            status=409,
        )
    if registration.offering_id != session.offering_id:
        return Result(Outcome.OTHER_OFFERING, registration)
    if registration.status != RegistrationStatus.CONFIRMED:
        return Result(Outcome.NOT_CONFIRMED, registration)
    now = utcnow()
    attendance = Attendance.__table__
    # Core statements on the session's connection; the INSERT says what it inserted by
    # RETURNING (psycopg's rowcount of an INSERT ... ON CONFLICT is -1).
    connection = db.session.connection()
    # Absent (the sheet said so) -> present; the row lock makes a racing UPDATE find nothing.
    changed = connection.execute(
        update(attendance)
        .where(
            attendance.c.session_id == session.id,
            attendance.c.registration_id == registration.id,
            attendance.c.present.is_(False),
        )
        .values(present=True, marked_at=now)
    ).rowcount
    if not changed:
        insert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
        changed = (
            connection.execute(
                insert(attendance)
                .values(
                    session_id=session.id,
                    registration_id=registration.id,
                    present=True,
                    marked_at=now,
                )
                .on_conflict_do_nothing(index_elements=["session_id", "registration_id"])
                .returning(attendance.c.id)
            ).first()
            is not None
        )
    if changed:
        present = counts(session)[0]
        # One entry per check-in at the door, with the count (the person is on the sheet).
        record(
            AuditAction.ATTENDANCE_MARKED,
            session,
            changes={"checked_in": [present - 1, present]},
        )
        return Result(Outcome.CHECKED_IN, registration, now)
    marked_at = db.session.scalar(
        select(Attendance.marked_at).where(
            Attendance.session_id == session.id, Attendance.registration_id == registration.id
        )
    )
    return Result(Outcome.ALREADY, registration, marked_at)


def counts(session: OfferingSession) -> tuple[int, int]:
    """(checked in, confirmed) for `session`."""
    present = db.session.scalar(
        select(func.count())
        .select_from(Attendance)
        .join(Registration, Registration.id == Attendance.registration_id)
        .where(
            Attendance.session_id == session.id,
            Attendance.present.is_(True),
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    )
    confirmed = db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.offering_id == session.offering_id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    )
    return present, confirmed


def describe(result: Result, zone: str) -> str:
    """What the door sees after a scan, typed code or tap."""
    registration = result.registration
    name = registration.person.display_name if registration is not None else ""
    match result.outcome:
        case Outcome.CHECKED_IN:
            return gettext("%(name)s is checked in.", name=name)
        case Outcome.ALREADY:
            return gettext(
                "%(name)s is already checked in (since %(time)s).",
                name=name,
                time=format_clock(result.marked_at, zone),
            )
        case Outcome.OTHER_OFFERING:
            return gettext(
                "This code is for another course: %(title)s.", title=registration.offering.title
            )
        case Outcome.FORGED:
            return gettext("This code is not one of ours: it has been altered or made up.")
        case Outcome.NOT_CONFIRMED if registration.status == RegistrationStatus.WAITLISTED:
            return gettext("%(name)s is on the waitlist and has no seat.", name=name)
        case Outcome.NOT_CONFIRMED:
            return gettext("%(name)s cancelled their registration.", name=name)
    return gettext("No participant of this course has this code.")
