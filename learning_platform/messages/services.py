"""Messages to an offering's participants: who gets them, the daily limit, the sending."""

from datetime import timedelta
from email.message import EmailMessage

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from learning_platform.audit.services import record
from learning_platform.boundary import DomainError
from learning_platform.extensions import db
from learning_platform.mail.html import Block
from learning_platform.mail.services import compose_template, enqueue, external_url, html_blocks
from learning_platform.models import (
    Attendance,
    Audience,
    AuditAction,
    Offering,
    OfferingSession,
    ParticipantMessage,
    Person,
    Registration,
    RegistrationStatus,
    utcnow,
)
from learning_platform.multilingual import in_language

TEMPLATE = "participant_message"

_STATUSES = {
    Audience.CONFIRMED: (RegistrationStatus.CONFIRMED,),
    Audience.WAITLISTED: (RegistrationStatus.WAITLISTED,),
    Audience.BOTH: (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED),
    # Attendees whose registration still stands.
    Audience.SESSION: (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED),
}


def recipients(
    offering: Offering, audience: Audience, session: OfferingSession | None = None
) -> list[Person]:
    """The people in `audience`, in one query: never a cancelled registration, never a
    deleted account (their address can receive nothing)."""
    query = (
        select(Person)
        .join(Registration, Registration.person_id == Person.id)
        .where(
            Registration.offering_id == offering.id,
            Registration.status.in_(_STATUSES[audience]),
            Person.deleted_at.is_(None),
        )
        .order_by(Registration.created_at, Registration.id)
    )
    if audience == Audience.SESSION:
        if session is None or session.offering_id != offering.id:
            raise DomainError(_l("Choose one of this offering's sessions."), "session_id")
        query = query.join(Attendance, Attendance.registration_id == Registration.id).where(
            Attendance.session_id == session.id, Attendance.present.is_(True)
        )
    return list(db.session.scalars(query))


def sent_today(offering: Offering) -> int:
    """How many messages were sent to the offering's participants in the last 24 hours."""
    return db.session.scalar(
        select(func.count(ParticipantMessage.id)).where(
            ParticipantMessage.offering_id == offering.id,
            ParticipantMessage.created_at > utcnow() - timedelta(days=1),
        )
    )


def check_limit(offering: Offering) -> None:
    """:raise DomainError: the offering's messages of the last 24 hours reached the limit."""
    limit = current_app.config["MESSAGES_PER_OFFERING_PER_DAY"]
    if sent_today(offering) >= limit:
        raise DomainError(
            _l(
                "This offering's participants got %(limit)s messages in the last 24 hours, the"
                " most there may be. Please wait, or put what you wanted to add in one message.",
                limit=limit,
            )
        )


def _context(offering: Offering, person: Person) -> dict:
    return {
        "person": person,
        "offering": offering,
        "url": external_url("enrollment.my_offering", offering_id=offering.id),
    }


def compose(offering: Offering, person: Person, subject: str, body: str) -> EmailMessage:
    """The mail `person` gets: the wrapper in their language, the organizer's words as
    written, branded with the partner and answered to the offering's contact."""
    return compose_template(
        person.email,
        person.preferred_language,
        # The subject is the organizer's, not a translated pattern with placeholders.
        subject.replace("%", "%%"),
        TEMPLATE,
        markdown=body,
        **_context(offering, person),
    )


def preview_blocks(offering: Offering, person: Person, text: str, body: str) -> list[Block]:
    """What the HTML part of `person`'s mail (plain part `text`) shows, for the preview."""
    with in_language(person.preferred_language):
        return html_blocks(TEMPLATE, text, body, _context(offering, person))


def send_message(
    offering: Offering,
    author: Person,
    audience: Audience,
    session: OfferingSession | None,
    subject: str,
    body: str,
) -> ParticipantMessage:
    """Put one mail per person in the outbox and the message in the offering's history.

    :raise DomainError: over the daily limit, or nobody in the group.
    """
    # Messages of one offering are sent one after another (PostgreSQL holds this row lock to
    # the commit; SQLite has one writer at a time), so the limit holds across workers.
    db.session.execute(select(Offering.id).where(Offering.id == offering.id).with_for_update())
    check_limit(offering)
    people = recipients(offering, audience, session)
    if not people:
        raise DomainError(_l("Nobody is in this group: there is no one to send it to."), "audience")
    for person in people:
        enqueue(compose(offering, person, subject, body))
    message = ParticipantMessage(
        offering_id=offering.id,
        author_id=author.id,
        audience=audience,
        session_id=session.id if session is not None else None,
        subject=subject,
        body=body,
        recipient_count=len(people),
    )
    db.session.add(message)
    db.session.flush()
    # Who it went to and how many; the body stays in the offering's message history.
    record(
        AuditAction.MESSAGE_SENT,
        message,
        changes={
            "subject": [None, subject],
            "audience": [None, audience.value],
            "recipients": [None, len(people)],
        },
        actor=author,
    )
    return message


def history(offering: Offering) -> list[ParticipantMessage]:
    return list(
        db.session.scalars(
            select(ParticipantMessage)
            .where(ParticipantMessage.offering_id == offering.id)
            .options(
                selectinload(ParticipantMessage.author), selectinload(ParticipantMessage.session)
            )
            .order_by(ParticipantMessage.created_at.desc(), ParticipantMessage.id.desc())
        )
    )
