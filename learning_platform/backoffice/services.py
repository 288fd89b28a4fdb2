"""The back office's rules: finding people and offerings, disabling accounts, unpublishing
offerings, and looking after the mail outbox.

Services flush but never commit; the view owns the transaction. Every change is recorded in
the audit trail in the same unit of work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import message_from_string
from email import policy as email_policy

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import joinedload, selectinload

from learning_platform.accounts import services as accounts
from learning_platform.audit.services import diff, record, snapshot
from learning_platform.boundary import DomainError
from learning_platform.enrollment.services import lock_offering
from learning_platform.extensions import db
from learning_platform.languages import CONTENT_LANGUAGES
from learning_platform.mail.outbox import GIVEN_UP_NOTE
from learning_platform.mail.services import external_url, send_template
from learning_platform.models import (
    AccountToken,
    AuditAction,
    Consent,
    LoginSession,
    Membership,
    MembershipRole,
    Offering,
    OfferingSession,
    OfferingStatus,
    OutboxMessage,
    OutboxStatus,
    Partner,
    Person,
    Registration,
    RegistrationStatus,
    SessionStatus,
    Theme,
    TokenPurpose,
    utcnow,
)
from learning_platform.multilingual import in_language, sort_key
from learning_platform.offerings.services import touch_sessions_of_theme

PER_PAGE = 25
#: How often an admin may resend one person's confirmation link.
RESEND_EVERY = timedelta(minutes=10)
#: How many failed and pending messages the mail page lists.
MAIL_LIST_LIMIT = 50


def _contains(column, words: str):
    """A case-insensitive substring match in which % and _ are plain characters."""
    return func.lower(column).contains(words.strip().lower(), autoescape=True)


# People ------------------------------------------------------------------------------------


def find_people(words: str, page: int):
    """Accounts whose name or e-mail contains `words`, newest first, a page at a time.

    Three statements whatever the page holds: the count, the rows, their memberships with
    their partners.
    """
    query = (
        select(Person)
        .where(Person.deleted_at.is_(None))
        .options(selectinload(Person.memberships).joinedload(Membership.partner))
        .order_by(Person.created_at.desc(), Person.id.desc())
    )
    if words.strip():
        query = query.where(_contains(Person.display_name, words) | _contains(Person.email, words))
    return db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)


def load_person(person_id: int) -> Person:
    return db.get_or_404(
        Person,
        person_id,
        options=[selectinload(Person.memberships).joinedload(Membership.partner)],
    )


@dataclass(frozen=True)
class PersonFacts:
    registrations: int
    sessions: int
    last_consent: datetime | None
    last_confirmation_sent: datetime | None


def person_facts(person: Person) -> PersonFacts:
    """What an admin needs to know of an account, in one statement."""
    now = utcnow()
    registrations = select(func.count()).where(
        Registration.person_id == person.id, Registration.status != RegistrationStatus.CANCELLED
    )
    sessions = select(func.count()).where(
        LoginSession.person_id == person.id, LoginSession.expires_at > now
    )
    consent = select(func.max(Consent.consented_at)).where(Consent.person_id == person.id)
    confirmation = select(func.max(AccountToken.created_at)).where(
        AccountToken.person_id == person.id, AccountToken.purpose == TokenPurpose.VERIFY
    )
    row = db.session.execute(
        select(
            registrations.scalar_subquery(),
            sessions.scalar_subquery(),
            consent.scalar_subquery(),
            confirmation.scalar_subquery(),
        )
    ).one()
    registered, signed_in, consented, confirmation_sent = row
    return PersonFacts(
        registered,
        signed_in,
        _aware(consented) if consented else None,
        _aware(confirmation_sent) if confirmation_sent else None,
    )


def _active_admins_besides(person: Person) -> int:
    return db.session.scalar(
        select(func.count()).where(
            Person.is_admin.is_(True),
            Person.disabled_at.is_(None),
            Person.deleted_at.is_(None),
            Person.id != person.id,
        )
    )


def disable(person: Person, reason: str, by: Person) -> None:
    """Disable the account: it is signed out everywhere at once and cannot log in; its
    private feed stops; its registrations stay.

    :raise DomainError: for one's own account, the last site admin, or one already disabled.
    """
    if person.id == by.id:
        raise DomainError(_l("You cannot disable your own account."))
    if person.disabled_at is not None:
        raise DomainError(_l("This account is already disabled."))
    if person.is_admin:
        # The admins' row locks: two admins disabling each other at the same moment count one
        # after the other, so the second is refused (PostgreSQL: row locks; SQLite: this first
        # write takes the database's write lock).
        db.session.execute(
            update(Person)
            .where(Person.is_admin.is_(True))
            .values(is_admin=Person.is_admin)
            .execution_options(synchronize_session=False)
        )
    if person.is_admin and not _active_admins_besides(person):
        raise DomainError(_l("This is the last site admin: make someone else admin first."))
    before = snapshot(person, ("disabled_at", "disabled_reason"))
    person.disabled_at = utcnow()
    person.disabled_reason = reason.strip()
    db.session.execute(delete(LoginSession).where(LoginSession.person_id == person.id))
    # Its mailed links (password reset, address check) stop working for good.
    db.session.execute(
        delete(AccountToken).where(
            AccountToken.person_id == person.id, AccountToken.used_at.is_(None)
        )
    )
    record(
        AuditAction.ACCOUNT_DISABLED,
        person,
        changes=diff(before, snapshot(person, ("disabled_at", "disabled_reason"))),
        note=reason.strip(),
    )


def enable(person: Person, reason: str) -> None:
    """:raise DomainError: when the account is not disabled."""
    if person.disabled_at is None:
        raise DomainError(_l("This account is not disabled."))
    before = snapshot(person, ("disabled_at", "disabled_reason"))
    person.disabled_at = None
    person.disabled_reason = ""
    record(
        AuditAction.ACCOUNT_ENABLED,
        person,
        changes=diff(before, snapshot(person, ("disabled_at", "disabled_reason"))),
        note=reason.strip(),
    )


def resend_confirmation(person: Person) -> None:
    """Mail a new address-check link to an unconfirmed account, at most every ten minutes.

    :raise DomainError: for a confirmed or disabled account, or too soon after the last link.
    """
    if person.email_verified_at is not None:
        raise DomainError(_l("This address is already confirmed."))
    if person.disabled_at is not None:
        raise DomainError(_l("This account is disabled: enable it first."))
    # The person's row lock: two clicks (or two admins) at once send one link.
    db.session.execute(
        update(Person)
        .where(Person.id == person.id)
        .values(updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    last = person_facts(person).last_confirmation_sent
    if last is not None and _aware(last) > utcnow() - RESEND_EVERY:
        minutes = int(RESEND_EVERY.total_seconds() // 60)
        raise DomainError(
            _l(
                "A confirmation link was sent less than %(minutes)d minutes ago. Please wait before sending another.",
                minutes=minutes,
            )
        )
    accounts.send_verification(person)
    record(AuditAction.CONFIRMATION_RESENT, person)


def _aware(value: datetime) -> datetime:
    """SQLite hands back aggregates of time stamps without their zone."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


# Offerings ---------------------------------------------------------------------------------


def find_offerings(words: str, partner_slug: str, status: str, page: int):
    """Any offering, drafts and cancelled ones included, newest first, a page at a time."""
    query = (
        select(Offering)
        .join(Offering.partner)
        .options(joinedload(Offering.partner))
        .order_by(Offering.created_at.desc(), Offering.id.desc())
    )
    if words.strip():
        query = query.where(_contains(Offering.title, words))
    if partner_slug:
        query = query.where(Partner.slug == partner_slug)
    if status in set(OfferingStatus):
        query = query.where(Offering.status == status)
    return db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)


def partner_choices() -> list[tuple[str, str]]:
    """(slug, name) of every partner, by name in the reader's language."""
    partners = sorted(db.session.scalars(select(Partner)), key=lambda p: sort_key(p.name))
    return [(partner.slug, partner.name) for partner in partners]


@dataclass(frozen=True)
class UnpublishImpact:
    """Who and what an unpublishing touches, for the admin to weigh on the confirm page."""

    confirmed: int
    waitlisted: int
    #: When its next scheduled session starts; None when none is still to come.
    next_start: datetime | None


def unpublish_impact(offering: Offering) -> UnpublishImpact:
    """The offering's registrations (seats, waitlist) and its next session, in one statement."""

    def registered(status: RegistrationStatus):
        return (
            select(func.count())
            .where(Registration.offering_id == offering.id, Registration.status == status)
            .scalar_subquery()
        )

    next_start = (
        select(func.min(OfferingSession.starts_at))
        .where(
            OfferingSession.offering_id == offering.id,
            OfferingSession.status == SessionStatus.SCHEDULED,
            OfferingSession.ends_at > utcnow(),
        )
        .scalar_subquery()
    )
    confirmed, waitlisted, first = db.session.execute(
        select(
            registered(RegistrationStatus.CONFIRMED),
            registered(RegistrationStatus.WAITLISTED),
            next_start,
        )
    ).one()
    return UnpublishImpact(confirmed, waitlisted, _aware(first) if first else None)


def unpublish(offering: Offering, reason: str) -> int:
    """Take a published offering out of the catalog, search, sitemap and every feed: it goes
    back to draft with the reason, and the partner's organizers and managers are mailed.

    Registrations stay and participants are not mailed: nothing of theirs is cancelled.
    Returns how many organizers were told. :raise DomainError: unless it is published.
    """
    lock_offering(offering)
    if offering.status != OfferingStatus.PUBLISHED:
        raise DomainError(_l("Only a published offering can be unpublished."))
    fields = ("status", "published_at", "unpublished_at", "unpublished_reason")
    before = snapshot(offering, fields)
    offering.status = OfferingStatus.DRAFT
    # No longer public: cancelled later, it stays out of public view (models.public_status).
    offering.published_at = None
    offering.unpublished_at = utcnow()
    offering.unpublished_reason = reason.strip()
    # Calendars see the change: each event leaves the feeds with a new ETag and Last-Modified.
    db.session.execute(
        update(OfferingSession)
        .where(
            OfferingSession.offering_id == offering.id,
            OfferingSession.status == SessionStatus.SCHEDULED,
        )
        .values(updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    record(
        AuditAction.OFFERING_UNPUBLISHED,
        offering,
        changes=diff(before, snapshot(offering, fields)),
        note=reason.strip(),
    )
    organizers = db.session.scalars(
        select(Person)
        .join(Membership, Membership.person_id == Person.id)
        .where(
            Membership.partner_id == offering.partner_id,
            Membership.role.in_([MembershipRole.ORGANIZER, MembershipRole.MANAGER]),
            Person.deleted_at.is_(None),
            Person.disabled_at.is_(None),
        )
        .order_by(Person.id)
    ).all()
    for person in organizers:
        with in_language(person.preferred_language):  # the subject's title too
            send_template(
                person.email,
                person.preferred_language,
                _l("Unpublished by the site admins: %(title)s"),
                "offering_unpublished",
                subject_args={"title": offering.title},
                person=person,
                offering=offering,
                url=external_url("workspace.detail", offering_id=offering.id),
            )
    return len(organizers)


# Mail --------------------------------------------------------------------------------------


def mail_counts() -> dict[OutboxStatus, int]:
    """How many messages are in each state, in one grouped statement."""
    counts = dict.fromkeys(OutboxStatus, 0)
    for status, count in db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    ):
        counts[OutboxStatus(status)] = count
    return counts


def mail_messages(status: OutboxStatus) -> list[OutboxMessage]:
    order = (
        OutboxMessage.next_attempt_at
        if status == OutboxStatus.PENDING
        else OutboxMessage.created_at.desc()
    )
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.status == status)
            .order_by(order, OutboxMessage.id)
            .limit(MAIL_LIST_LIMIT)
        )
    )


def mail_page(status: OutboxStatus, page: int):
    """Every message in `status`, newest first, a page at a time: the count and the rows."""
    return db.paginate(
        select(OutboxMessage)
        .where(OutboxMessage.status == status)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()),
        page=page,
        per_page=PER_PAGE,
        error_out=False,
    )


@dataclass(frozen=True)
class MailView:
    headers: list[tuple[str, str]]
    #: None when the message holds a single-use link: its text is never shown.
    body: str | None


SHOWN_HEADERS = ("From", "To", "Subject", "Date", "Message-ID", "Reply-To", "Auto-Submitted")


def mail_view(message: OutboxMessage) -> MailView:
    parsed = message_from_string(message.raw, policy=email_policy.default)
    headers = [(name, str(parsed[name])) for name in SHOWN_HEADERS if parsed[name] is not None]
    if message.contains_secret:
        return MailView(headers, None)
    part = parsed.get_body(preferencelist=("plain",))
    return MailView(headers, part.get_content() if part is not None else "")


def _link_removed(message: OutboxMessage) -> bool:
    """Its single-use link was removed when it was given up: sending it now helps no one."""
    body = message_from_string(message.raw, policy=email_policy.default).get_body(
        preferencelist=("plain",)
    )
    return body is not None and body.get_content().strip() == GIVEN_UP_NOTE


def _requeue(ids: list[int]) -> int:
    """Failed messages back to pending, due now, with a fresh count of attempts. Only failed
    ones are touched (a worker never holds those), so no claim is broken."""
    if not ids:
        return 0
    return db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.status == OutboxStatus.FAILED)
        .values(
            status=OutboxStatus.PENDING,
            next_attempt_at=utcnow(),
            attempts=0,
            claim_token=None,
            claimed_at=None,
        )
        .execution_options(synchronize_session=False)
    ).rowcount


def retry(message: OutboxMessage) -> None:
    """:raise DomainError: unless it failed, or when its single-use link was removed."""
    if message.status != OutboxStatus.FAILED:
        raise DomainError(_l("Only a failed message can be sent again."))
    if _link_removed(message):
        raise DomainError(
            _l(
                "This message held a single-use link that was removed when sending was given up. The person can ask for a new one."
            )
        )
    if not _requeue([message.id]):
        raise DomainError(_l("Only a failed message can be sent again."))
    # The recipient is what was retried: it names the entry; the note stays for a reason.
    record(
        AuditAction.MAIL_RETRIED,
        ("outbox", message.id, f"{message.subject} · {message.recipient}"),
    )
    db.session.expire(message)


def retry_all() -> tuple[int, int]:
    """(requeued, skipped): every failed message back to pending, but those whose single-use
    link was removed."""
    failed = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.FAILED)
    ).all()
    ids = [message.id for message in failed if not _link_removed(message)]
    requeued = _requeue(ids)
    if requeued:
        record(
            AuditAction.MAIL_RETRIED,
            ("outbox", None, "failed messages"),
            note=f"{requeued} failed messages sent again",
        )
    return requeued, len(failed) - len(ids)


# Themes -------------------------------------------------------------------------------------

#: A theme's texts as the audit trail names them: "name.th", "description.ko" …
THEME_FIELDS = tuple(
    f"{field}.{code}" for field in ("name", "description") for code in CONTENT_LANGUAGES
)


def save_theme(theme: Theme, data: dict) -> None:
    """Write the theme's name and description in each language, audited."""
    before = snapshot(theme, THEME_FIELDS)
    for field in THEME_FIELDS:
        column = field.replace(".", "_")
        setattr(theme, column, (data.get(column) or "").strip())
    db.session.flush()
    changes = diff(before, snapshot(theme, THEME_FIELDS))
    if any(field.startswith("name.") for field in changes):
        touch_sessions_of_theme(theme)
    if changes:
        record(AuditAction.THEME_EDITED, ("theme", theme.id, theme.name_en), changes=changes)
