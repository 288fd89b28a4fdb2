"""Reminder mails before each session, each sent once per person and session.

A reminder is due when a scheduled session of a published offering starts within the
offering's lead time (24 h by default, 2 h, or never) and has not started yet. It goes to every
confirmed participant who keeps reminders on (My account); waitlisted people get none: they
have no seat, and their waitlist and promotion mails already tell them where they stand.

Exactly once: the reminder's key, (session, registration, the session's start), is inserted
into `reminder_sent` with INSERT … SELECT … ON CONFLICT DO NOTHING in the same transaction as
the outbox message. Of workers racing on one reminder, the database lets one insert the key;
the others insert nothing and send nothing (PostgreSQL makes them wait for the first one's
commit; SQLite runs one writer at a time). The key is the first statement of its transaction,
so a SQLite worker never upgrades a stale read snapshot. A session moved to a new start gets a
new key, so a new reminder with the new time; a cancelled one gets none.

Who registers once the lead time has begun still gets one reminder, right away: it carries the
session's .ics and, online, the meeting link.
"""

import logging
from datetime import datetime, timedelta

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, literal, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from learning_platform.calendar.ical import EventText, build_calendar
from learning_platform.extensions import db
from learning_platform.mail.services import external_url, send_template
from learning_platform.models import (
    Offering,
    OfferingSession,
    OfferingStatus,
    Person,
    Registration,
    RegistrationStatus,
    ReminderLead,
    ReminderSent,
    SessionStatus,
    utcnow,
)
from learning_platform.multilingual import in_language
from learning_platform.timezones import format_moment

log = logging.getLogger(__name__)

#: How long before a session its reminder is due, per offering setting (OFF: never).
LEADS = {ReminderLead.DAY: timedelta(hours=24), ReminderLead.TWO_HOURS: timedelta(hours=2)}

SUBJECT = _l("Reminder: %(title)s, %(when)s")


def _due_conditions(now: datetime) -> list:
    """SQL conditions on OfferingSession, Offering, Registration and Person: a reminder is due."""
    lead_reached = or_(
        *(
            and_(Offering.reminder == lead, OfferingSession.starts_at <= now + before)
            for lead, before in LEADS.items()
        )
    )
    return [
        Offering.status == OfferingStatus.PUBLISHED,
        OfferingSession.status == SessionStatus.SCHEDULED,
        OfferingSession.starts_at > now,
        lead_reached,
        Registration.status == RegistrationStatus.CONFIRMED,
        Person.deleted_at.is_(None),
        Person.reminder_mails.is_(True),
    ]


def _pairs(now: datetime):
    return (
        select(OfferingSession.id, Registration.id)
        .join(Offering, OfferingSession.offering_id == Offering.id)
        .join(Registration, Registration.offering_id == Offering.id)
        .join(Person, Registration.person_id == Person.id)
        .where(*_due_conditions(now))
    )


def due_reminders(now: datetime, limit: int = 500) -> list[tuple[int, int]]:
    """(session id, registration id) of reminders due at `now` and not sent yet."""
    sent = exists().where(
        ReminderSent.session_id == OfferingSession.id,
        ReminderSent.registration_id == Registration.id,
        ReminderSent.starts_at == OfferingSession.starts_at,
    )
    query = (
        _pairs(now)
        .where(~sent)
        .order_by(OfferingSession.starts_at, OfferingSession.id, Registration.id)
        .limit(limit)
    )
    return [
        (session_id, registration_id) for session_id, registration_id in db.session.execute(query)
    ]


def _claim(session_id: int, registration_id: int, now: datetime) -> bool:
    """Insert the reminder's key if it is still due and nobody inserted it: whether we did."""
    dialect = db.session.get_bind(mapper=ReminderSent).dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
    still_due = (
        _pairs(now)
        .with_only_columns(
            OfferingSession.id,
            Registration.id,
            OfferingSession.starts_at,
            literal(now, ReminderSent.sent_at.type),
        )
        .where(OfferingSession.id == session_id, Registration.id == registration_id)
    )
    statement = (
        insert(ReminderSent)
        .from_select(["session_id", "registration_id", "starts_at", "sent_at"], still_due)
        .on_conflict_do_nothing(index_elements=["session_id", "registration_id", "starts_at"])
        .returning(ReminderSent.id)
    )
    return db.session.execute(statement).scalar() is not None


def enqueue_due(now: datetime | None = None, limit: int = 500) -> int:
    """Put every reminder due at `now` in the outbox, each in its own transaction; how many.

    Works through `limit` candidates at a time until none is left. A reminder whose mail
    cannot be built is logged and left for the next run.
    """
    now = now or utcnow()
    queued = 0
    while True:
        candidates = due_reminders(now, limit)
        db.session.commit()  # end the read: each claim starts its own transaction with a write
        queued_now = 0
        for session_id, registration_id in candidates:
            try:
                if _claim(session_id, registration_id, now):
                    _send(
                        db.session.get(OfferingSession, session_id),
                        db.session.get(Registration, registration_id),
                    )
                    queued_now += 1
                db.session.commit()
            except Exception:  # one broken reminder must not hold up the others
                db.session.rollback()
                log.exception(
                    "Reminder for session %s, registration %s failed", session_id, registration_id
                )
        queued += queued_now
        # A short batch was the last one; a batch that queued nothing (all failing, or all
        # taken by other workers) is left for the next run rather than retried at once.
        if len(candidates) < limit or not queued_now:
            return queued


def _send(session: OfferingSession, registration: Registration) -> None:
    offering, person = session.offering, registration.person
    language = person.preferred_language
    # Everything in the recipient's language: the subject's title and the calendar too.
    with in_language(language):
        when = format_moment(session.starts_at, offering.timezone)
        text = EventText(language=language, cancelled_prefix=gettext("[Cancelled]"))
        url = external_url("catalog.detail", offering_id=offering.id)
        link = offering.online_link if offering.has_online_part else ""
        calendar = build_calendar(
            offering.title,
            [session],
            text,
            lambda _offering: url,
            online_links={offering.id: link} if link else None,
        )
        send_template(
            person.email,
            language,
            SUBJECT,
            "session_reminder",
            subject_args={"title": offering.title, "when": when},
            attachments=((calendar, "session.ics"),),
            person=person,
            offering=offering,
            session=session,
            online_link=link,
            url=url,
            account_url=external_url("accounts.profile"),
        )
