"""A person's rights over their data: a copy of all of it, and erasing it.

Services flush but never commit; the view owns the transaction.
"""

from datetime import datetime
from email import message_from_string, policy

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import aliased, contains_eager, joinedload, selectinload

from learning_platform.accounts.services import check_password
from learning_platform.boundary import DomainError
from learning_platform.enrollment import services as enrollment
from learning_platform.extensions import db
from learning_platform.i18n import current_language
from learning_platform.mail.services import external_url
from learning_platform.models import (
    AccountToken,
    Answer,
    Attendance,
    Consent,
    LoginSession,
    Membership,
    MembershipRole,
    Offering,
    OutboxMessage,
    OutboxStatus,
    Partner,
    Person,
    Registration,
    utcnow,
)
from learning_platform.questions.services import answer_text, delete_answers_of

#: Erased accounts get an address here: `.invalid` can never be delivered (RFC 2606), and
#: no one can sign up with it (the sign-up form refuses special-use domains).
ERASED_DOMAIN = "deleted.invalid"
ERASED_NAME = "Deleted account"
#: A password hash no password matches (not an argon2 hash at all).
NO_PASSWORD = "!erased"


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


# The copy ------------------------------------------------------------------------------------


def export(person: Person) -> dict:
    """Everything stored about `person`, as JSON data; a fixed number of queries.

    Secrets are left out: the password's hash, the tokens of login sessions and links, the
    calendar address's secret, and the text of mail that held a single-use link.
    """
    consents = db.session.scalars(
        select(Consent).where(Consent.person_id == person.id).order_by(Consent.id)
    ).all()
    memberships = db.session.scalars(
        select(Membership)
        .join(Membership.partner)
        .options(contains_eager(Membership.partner))
        .where(Membership.person_id == person.id)
        .order_by(Membership.id)
    ).all()
    registrations = db.session.scalars(
        select(Registration)
        .where(Registration.person_id == person.id)
        .options(
            joinedload(Registration.offering).joinedload(Offering.partner),
            selectinload(Registration.offering, Offering.sessions),
        )
        .order_by(Registration.id)
    ).all()
    attended = {
        (mark.registration_id, mark.session_id): mark
        for mark in db.session.scalars(
            select(Attendance)
            .join(Registration, Attendance.registration_id == Registration.id)
            .where(Registration.person_id == person.id)
        )
    }
    answers: dict[int, list[Answer]] = {}
    for answer in db.session.scalars(
        select(Answer)
        .join(Registration, Answer.registration_id == Registration.id)
        .where(Registration.person_id == person.id)
        .order_by(Answer.id)
    ):
        answers.setdefault(answer.registration_id, []).append(answer)
    sessions = db.session.execute(
        select(LoginSession.created_at, LoginSession.expires_at)
        .where(LoginSession.person_id == person.id)
        .order_by(LoginSession.id)
    ).all()
    mails = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.recipient == person.email)
        .order_by(OutboxMessage.id)
    ).all()
    return {
        "exported_at": _when(utcnow()),
        "site": external_url("main.index"),
        "profile": {
            "email": person.email,
            "display_name": person.display_name,
            "preferred_language": person.preferred_language,
            "site_admin": person.is_admin,
            "signed_up_at": _when(person.created_at),
            "email_confirmed_at": _when(person.email_verified_at),
            "updated_at": _when(person.updated_at),
        },
        "consents": [
            {"document": c.page.value, "version": c.version, "agreed_at": _when(c.consented_at)}
            for c in consents
        ],
        "calendar_feed": {
            "exists": person.feed_token_hash is not None,
            "created_at": _when(person.feed_token_created_at),
            "last_read_at": _when(person.feed_last_used_at),
        },
        "organizer_of": [
            {
                "partner": m.partner.name,
                "page": external_url("partners.detail", slug=m.partner.slug),
                "role": m.role.value,
                "since": _when(m.created_at),
            }
            for m in memberships
        ],
        "registrations": [
            _registration(r, attended) | {"answers": _answers(answers.get(r.id, []))}
            for r in registrations
        ],
        "login_sessions": [
            {"started_at": _when(row.created_at), "expires_at": _when(row.expires_at)}
            for row in sessions
        ],
        "mail": [_mail(row) for row in mails],
    }


def _answers(answers: list[Answer]) -> list[dict]:
    return [
        {
            "question": answer.question_text,
            "answer": answer_text(answer.value, current_language()),
            "answered_at": _when(answer.answered_at),
        }
        for answer in answers
    ]


def _registration(registration: Registration, attended: dict) -> dict:
    offering = registration.offering
    return {
        "status": registration.status.value,
        "registered_at": _when(registration.created_at),
        "updated_at": _when(registration.updated_at),
        "cancelled_at": _when(registration.cancelled_at),
        "offering": {
            "title": offering.title,
            "page": external_url("catalog.detail", offering_id=offering.id),
            "partner": offering.partner.name,
            "status": offering.status.value,
            "venue": ", ".join(filter(None, (offering.venue_name, offering.venue_address))),
            "time_zone": offering.timezone,
        },
        "sessions": [
            {
                "starts_at": _when(session.starts_at),
                "ends_at": _when(session.ends_at),
                "status": session.status.value,
                "location": session.location,
                "attended": (
                    attended[registration.id, session.id].present
                    if (registration.id, session.id) in attended
                    else None
                ),
            }
            for session in offering.sessions
        ],
    }


def _mail(row: OutboxMessage) -> dict:
    data = {
        "subject": row.subject,
        "status": row.status.value,
        "written_at": _when(row.created_at),
        "sent_at": _when(row.sent_at),
    }
    if row.contains_secret:
        data["text"] = None  # a single-use link: not to be handed out again, even to its owner
        return data
    message = message_from_string(row.raw, policy=policy.default)
    body = message.get_body(preferencelist=("plain",))
    data["text"] = body.get_content() if body is not None else None
    return data


# Erasure ------------------------------------------------------------------------------------


def sole_managed(person: Person) -> list[Partner]:
    """The partners of which `person` is the only manager: they must hand over first."""
    other = aliased(Membership)
    managers = (
        select(func.count())
        .where(other.partner_id == Partner.id, other.role == MembershipRole.MANAGER)
        .scalar_subquery()
    )
    return list(
        db.session.scalars(
            select(Partner)
            .join(Membership, Membership.partner_id == Partner.id)
            .where(
                Membership.person_id == person.id,
                Membership.role == MembershipRole.MANAGER,
                managers <= 1,
            )
            .order_by(Partner.name)
        )
    )


def delete_account(person: Person, password: str) -> None:
    """Erase the person: their name, address and password are replaced, their sessions,
    links, calendar address, consents and memberships removed, mail to them dropped, and
    their seats in offerings not yet started released to the waitlist. The row stays,
    anonymised, so registrations and attendance still count.

    :raise DomainError: a wrong password, or the only manager of a partner.
    """
    if not check_password(person, password):
        raise DomainError(_l("This is not your password. Nothing was deleted."), "password")
    # The person's row first: two confirmations at once (two tabs) erase once.
    erased = db.session.execute(
        update(Person)
        .where(Person.id == person.id, Person.deleted_at.is_(None))
        .values(deleted_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if erased.rowcount != 1:
        raise DomainError(_l("This account has already been deleted."))
    _leave_partners(person)
    address = person.email
    person.email = f"deleted-{person.id}@{ERASED_DOMAIN}"
    person.display_name = ERASED_NAME
    person.password_hash = NO_PASSWORD
    person.preferred_language = current_app.config["BABEL_DEFAULT_LOCALE"]
    person.is_admin = False
    person.email_verified_at = None
    person.feed_token_hash = person.feed_token_created_at = person.feed_last_used_at = None
    db.session.flush()
    _release_seats(person)
    delete_answers_of(person.id)
    for model in (LoginSession, AccountToken, Consent):
        db.session.execute(delete(model).where(model.person_id == person.id))
    # Mail not yet sent is dropped; sent and given-up copies go too (they hold the address,
    # the name and what they said). One being sent at this moment is left to its worker.
    db.session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.recipient == address, OutboxMessage.status != OutboxStatus.SENDING
        )
    )
    db.session.flush()


def _leave_partners(person: Person) -> None:
    """Remove the person's memberships. :raise DomainError: if they are a partner's only manager.

    Each partner's row lock (as partners.services.remove_member takes it) makes two managers
    leaving at the same moment count one after the other, so one of them is refused.
    """
    memberships = db.session.scalars(
        select(Membership)
        .where(Membership.person_id == person.id)
        .options(joinedload(Membership.partner))
        .order_by(Membership.partner_id)  # one order of locks: no deadlock between two
    ).all()
    for membership in memberships:
        if membership.role != MembershipRole.MANAGER:
            continue
        db.session.execute(
            update(Partner)
            .where(Partner.id == membership.partner_id)
            .values(id=Partner.id)
            .execution_options(synchronize_session=False)
        )
    blocking = sole_managed(person)
    if blocking:
        raise DomainError(
            _l(
                "You are the only manager of %(partners)s. Make someone else a manager there"
                " (on its Organizers page), or ask a site admin, before deleting your account.",
                partners=", ".join(partner.name for partner in blocking),
            )
        )
    for membership in memberships:
        db.session.delete(membership)
    person.memberships = []


def _release_seats(person: Person) -> None:
    """Cancel the person's registrations in offerings that have not started: a freed seat goes
    to the next person on the waitlist, who is mailed (enrollment.cancel does both, under the
    offering's lock). Registrations in offerings already started stay, anonymised."""
    now = utcnow()
    registrations = db.session.scalars(
        select(Registration)
        .where(Registration.person_id == person.id, Registration.status.in_(enrollment.ACTIVE))
        .options(selectinload(Registration.offering, Offering.sessions))
        .order_by(Registration.offering_id)
    ).all()
    for registration in registrations:
        if enrollment.can_cancel(registration.offering, now):
            # The cancellation mail to the person goes to the erased address: never stored.
            enrollment.cancel(registration)
