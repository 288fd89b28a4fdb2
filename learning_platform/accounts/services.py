"""Account rules: sign-up, address check, login sessions and passwords.

Services flush but never commit; the view owns the transaction.
"""

from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, undefer

from learning_platform import security
from learning_platform.boundary import DomainError
from learning_platform.extensions import db
from learning_platform.i18n import current_language
from learning_platform.mail.services import external_url, send_template
from learning_platform.models import AccountToken, LoginSession, Person, TokenPurpose, utcnow
from learning_platform.pages.services import record_consent

#: Purpose of a mailed token -> (template, subject, endpoint, config key of its lifetime).
MAILED_TOKENS = {
    TokenPurpose.VERIFY: (
        "verify_email",
        _l("Confirm your email address"),
        "accounts.verify",
        "EMAIL_VERIFY_HOURS",
    ),
    TokenPurpose.RESET: (
        "reset_password",
        _l("Reset your password"),
        "accounts.reset_password",
        "PASSWORD_RESET_HOURS",
    ),
}


_WRONG_LOGIN = _l("The email or password is not right. Please try again.")
#: Told only after the right password, so it does not reveal which addresses have an account.
_DISABLED = _l(
    "This account is disabled by the site administrators. Write to %(email)s if you think this is a mistake."
)


def normalize_email(email: str) -> str:
    return email.strip().lower()


def find_person(email: str) -> Person | None:
    return db.session.scalar(select(Person).where(Person.email == normalize_email(email)))


def create_person(
    email: str,
    display_name: str,
    password: str,
    language: str,
    *,
    verified: bool = False,
    is_admin: bool = False,
) -> Person:
    person = Person(
        email=normalize_email(email),
        display_name=display_name,
        password_hash=security.hash_password(password),
        preferred_language=language,
        email_verified_at=utcnow() if verified else None,
        is_admin=is_admin,
    )
    db.session.add(person)
    db.session.flush()
    return person


def sign_up(email: str, display_name: str, password: str, language: str) -> None:
    """Create an unconfirmed account, record its consent to the current privacy policy and
    terms (the form requires it), and mail a confirmation link.

    The caller sees the same outcome whether or not the address has an account, so sign-up
    does not reveal who has one; the address's owner learns what happened by mail.
    """
    existing = find_person(email)
    if existing is None:
        try:
            with db.session.begin_nested():
                person = create_person(email, display_name, password, language)
        except IntegrityError:  # the same address signed up in a parallel request
            existing = find_person(email)
        else:
            record_consent(person)
            _mail_token(person, TokenPurpose.VERIFY)
            return
    if existing.email_verified_at is None:
        # Nobody has proved this address yet: the newest sign-up replaces the pending one.
        existing.display_name = display_name
        existing.preferred_language = language
        set_password(existing, password)
        record_consent(existing)
        _mail_token(existing, TokenPurpose.VERIFY)
        return
    security.hash_password(password)  # the same work as for a new account
    send_template(
        existing.email,
        existing.preferred_language,
        _l("You already have an account"),
        "account_exists",
        person=existing,
        login_url=external_url("accounts.login"),
        reset_url=external_url("accounts.reset_request"),
    )


def check_password(person: Person, password: str) -> bool:
    if not security.verify_password(person.password_hash, password):
        return False
    if security.password_needs_rehash(person.password_hash):
        person.password_hash = security.hash_password(password)
    return True


def verify_email(record: AccountToken, password: str) -> Person:
    """Confirm an address with its mailed link (`live_token`) and the account's password.

    Asking for the password means only someone who holds both the mailbox and the
    password confirms, so an account opened in someone else's name cannot be taken over
    by them clicking the link. :raise DomainError: (the link stays usable)
    """
    if not check_password(record.person, password):
        raise DomainError(_l("This is not the password of this account."), "password")
    _use_token(record)
    record.person.email_verified_at = record.person.email_verified_at or utcnow()
    return record.person


def log_in(email: str, password: str) -> Person:
    """The person with this email and password; an unconfirmed one is mailed a new link.

    :raise DomainError: the same for an unknown email and a wrong password.
    """
    person = find_person(email)
    if person is None:
        security.dummy_verify(password)  # as slow as for a real account
        raise DomainError(_WRONG_LOGIN, "password")
    if not check_password(person, password):
        raise DomainError(_WRONG_LOGIN, "password")
    if person.disabled_at is not None:
        # About the account, not the password typed: said above the form, the address a link.
        contact = current_app.config["CONTACT_EMAIL"]
        raise DomainError(
            Markup(escape(str(_DISABLED)))
            % {"email": Markup('<a href="mailto:{0}">{0}</a>').format(contact)}
        )
    if person.email_verified_at is None:
        _mail_token(person, TokenPurpose.VERIFY)
    return person


def start_session(person: Person, *, remember: bool) -> str:
    """Record a new login session and return its token for Flask-Login."""
    now = utcnow()
    db.session.execute(
        delete(LoginSession).where(
            LoginSession.person_id == person.id, LoginSession.expires_at < now
        )
    )
    days = current_app.config["REMEMBER_DAYS" if remember else "LOGIN_SESSION_DAYS"]
    token, token_hash = security.new_token()
    db.session.add(
        LoginSession(
            person_id=person.id, token_hash=token_hash, expires_at=now + timedelta(days=days)
        )
    )
    db.session.flush()
    person.session_token = token
    return token


def load_session_person(token: str) -> Person | None:
    """Flask-Login's user loader: the person of a live login session."""
    row = (
        db.session.execute(
            select(LoginSession, Person)
            .join(Person, LoginSession.person_id == Person.id)
            .where(LoginSession.token_hash == security.token_hash(token))
            # The header shows the workspace to members, and a notice to those who agreed to
            # an older privacy policy: one statement for all.
            .options(joinedload(Person.memberships), undefer(Person.policy_review_due))
        )
        .unique()
        .first()
    )
    if row is None or row.LoginSession.expires_at <= utcnow():
        return None
    if row.Person.deleted_at is not None or row.Person.disabled_at is not None:
        return None  # a login that raced the deletion or disabling of its account
    person = row.Person
    person.session_token = token
    return person


def end_session(token: str | None) -> None:
    if token:
        db.session.execute(
            delete(LoginSession).where(LoginSession.token_hash == security.token_hash(token))
        )


def set_password(person: Person, password: str) -> None:
    """Change the password; every browser is signed out and every mailed link stops working."""
    person.password_hash = security.hash_password(password)
    db.session.execute(delete(LoginSession).where(LoginSession.person_id == person.id))
    db.session.execute(
        update(AccountToken)
        .where(AccountToken.person_id == person.id, AccountToken.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def change_password(person: Person, current: str, new: str) -> None:
    """:raise DomainError: when `current` is not the password."""
    if not check_password(person, current):
        raise DomainError(_l("This is not your current password."), "current_password")
    set_password(person, new)


def request_password_reset(email: str) -> None:
    """Mail a reset link, or to an address without an account, a note saying so.

    Both cases store one message, so neither the answer nor its timing tells them apart.
    """
    person = find_person(email)
    if person is None:
        send_template(
            normalize_email(email),
            current_language(),
            _l("Reset your password"),
            "reset_no_account",
            signup_url=external_url("accounts.signup"),
        )
        return
    if person.disabled_at is not None:
        # No link: a new password would not let them in. They are told why, and whom to ask.
        send_template(
            person.email,
            person.preferred_language,
            _l("Reset your password"),
            "reset_disabled",
            contact_email=current_app.config["CONTACT_EMAIL"],
        )
        return
    _mail_token(person, TokenPurpose.RESET)


def reset_password(record: AccountToken, password: str) -> Person:
    """Set a new password through a mailed link (`live_token`), which then stops working.

    :raise DomainError: when the link was used meanwhile.
    """
    _use_token(record)
    person = record.person
    set_password(person, password)
    person.email_verified_at = person.email_verified_at or utcnow()  # the link proved it
    return person


def new_feed_token(person: Person) -> str:
    """A new secret for the person's private calendar feed; the old address stops working."""
    token, digest = security.new_token()
    person.feed_token_hash = digest
    person.feed_token_created_at = utcnow()
    person.feed_last_used_at = None
    return token


def send_verification(person: Person) -> None:
    """Mail a new address-check link (older ones keep working until they expire)."""
    _mail_token(person, TokenPurpose.VERIFY)


def _mail_token(person: Person, purpose: TokenPurpose) -> None:
    template, subject, endpoint, hours_key = MAILED_TOKENS[purpose]
    hours = current_app.config[hours_key]
    token, token_hash = security.new_token()
    db.session.add(
        AccountToken(
            person_id=person.id,
            purpose=purpose,
            token_hash=token_hash,
            expires_at=utcnow() + timedelta(hours=hours),
        )
    )
    send_template(
        person.email,
        person.preferred_language,
        subject,
        template,
        person=person,
        url=external_url(endpoint, token=token),
        hours=hours,
        secret=True,
    )


def live_token(token: str, purpose: TokenPurpose) -> AccountToken | None:
    """The mailed token if it is known, unused and unexpired; else None."""
    record = db.session.scalar(
        select(AccountToken).where(
            AccountToken.token_hash == security.token_hash(token), AccountToken.purpose == purpose
        )
    )
    if record is None or record.used_at is not None or record.expires_at <= utcnow():
        return None
    if record.person.disabled_at is not None:  # a disabled account's links do nothing
        return None
    return record


def _use_token(record: AccountToken) -> None:
    # A conditional update, so two requests racing with one link cannot both use it.
    used = db.session.execute(
        update(AccountToken)
        .where(AccountToken.id == record.id, AccountToken.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if used.rowcount != 1:
        raise DomainError(_l("This link has just been used. Request a new one if you need it."))
