"""Account rules: sign-up, address check, login sessions and passwords.

Services flush but never commit; the view owns the transaction.
"""

from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update

from learning_platform import security
from learning_platform.extensions import db
from learning_platform.mail.services import external_url, send_template
from learning_platform.models import AccountToken, LoginSession, Person, utcnow


class InvalidToken(Exception):
    """The link is unknown, expired or already used."""


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
    """Create an unconfirmed account and mail a confirmation link.

    A known address gets a mail saying so instead, and the caller sees no difference,
    so sign-up does not reveal who has an account.
    """
    existing = find_person(email)
    if existing is not None:
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
        return
    person = create_person(email, display_name, password, language)
    send_verification(person)


def send_verification(person: Person) -> None:
    _mail_link(person, "verify", _l("Confirm your email address"), "accounts.verify")


def verify_email(token: str) -> Person:
    """Confirm the address the token was mailed to. :raise InvalidToken:"""
    record = _use_token(token, "verify")
    if record.person.email_verified_at is None:
        record.person.email_verified_at = utcnow()
    return record.person


def authenticate(email: str, password: str) -> Person | None:
    """The person with this email and password, or None; as slow either way."""
    person = find_person(email)
    if person is None:
        security.dummy_verify(password)
        return None
    if not security.verify_password(person.password_hash, password):
        return None
    if security.password_needs_rehash(person.password_hash):
        person.password_hash = security.hash_password(password)
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
    row = db.session.execute(
        select(LoginSession, Person)
        .join(Person, LoginSession.person_id == Person.id)
        .where(LoginSession.token_hash == security.token_hash(token))
    ).first()
    if row is None or row.LoginSession.expires_at <= utcnow():
        return None
    person = row.Person
    person.session_token = token
    return person


def end_session(token: str | None) -> None:
    if token:
        db.session.execute(
            delete(LoginSession).where(LoginSession.token_hash == security.token_hash(token))
        )


def end_all_sessions(person: Person) -> None:
    db.session.execute(delete(LoginSession).where(LoginSession.person_id == person.id))


def set_password(person: Person, password: str) -> None:
    """Change the password and sign every browser out."""
    person.password_hash = security.hash_password(password)
    end_all_sessions(person)


def request_password_reset(email: str) -> None:
    """Mail a reset link if the address has an account; do the same work either way."""
    person = find_person(email)
    if person is None:
        security.token_hash(email)
        return
    _mail_link(person, "reset", _l("Reset your password"), "accounts.reset_password")


def check_reset_token(token: str) -> AccountToken:
    """The live reset token. :raise InvalidToken:"""
    return _live_token(token, "reset")


def reset_password(token: str, password: str) -> Person:
    """Set a new password through a mailed link, which then stops working. :raise InvalidToken:"""
    record = _use_token(token, "reset")
    person = record.person
    set_password(person, password)
    if person.email_verified_at is None:
        person.email_verified_at = utcnow()  # the link proved the address
    # Other outstanding reset links die with this one.
    for other in db.session.scalars(
        select(AccountToken).where(
            AccountToken.person_id == person.id,
            AccountToken.purpose == "reset",
            AccountToken.used_at.is_(None),
        )
    ):
        other.used_at = utcnow()
    return person


#: Purpose of a mailed token -> (template, config key of its lifetime in hours).
MAILED_TOKENS = {
    "verify": ("verify_email", "EMAIL_VERIFY_HOURS"),
    "reset": ("reset_password", "PASSWORD_RESET_HOURS"),
}


def _mail_link(person: Person, purpose: str, subject, endpoint: str) -> None:
    template, hours_key = MAILED_TOKENS[purpose]
    hours = current_app.config[hours_key]
    token = _issue_token(person, purpose, hours)
    send_template(
        person.email,
        person.preferred_language,
        subject,
        template,
        person=person,
        url=external_url(endpoint, token=token),
        hours=hours,
    )


def _issue_token(person: Person, purpose: str, hours: int) -> str:
    token, token_hash = security.new_token()
    db.session.add(
        AccountToken(
            person_id=person.id,
            purpose=purpose,
            token_hash=token_hash,
            expires_at=utcnow() + timedelta(hours=hours),
        )
    )
    return token


def _live_token(token: str, purpose: str) -> AccountToken:
    record = db.session.scalar(
        select(AccountToken).where(
            AccountToken.token_hash == security.token_hash(token), AccountToken.purpose == purpose
        )
    )
    if record is None or record.used_at is not None or record.expires_at <= utcnow():
        raise InvalidToken
    return record


def _use_token(token: str, purpose: str) -> AccountToken:
    record = _live_token(token, purpose)
    # A conditional update, so two requests racing with one link cannot both use it.
    used = db.session.execute(
        update(AccountToken)
        .where(AccountToken.id == record.id, AccountToken.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if used.rowcount != 1:
        raise InvalidToken
    db.session.refresh(record)
    return record
