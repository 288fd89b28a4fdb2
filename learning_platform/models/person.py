"""People, their login sessions and their single-use account tokens."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learning_platform.models.base import Base, enum_type, in_list, utcnow

if TYPE_CHECKING:
    from learning_platform.models.partner import Membership


class Person(UserMixin, Base):
    __tablename__ = "person"
    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-cased and stripped (see accounts.services.normalize_email).
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    preferred_language: Mapped[str] = mapped_column(String(8), default="en")
    is_admin: Mapped[bool] = mapped_column(default=False)
    email_verified_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    #: SHA-256 of the secret in the person's private calendar feed URL (never the token itself).
    feed_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    feed_token_created_at: Mapped[datetime | None]
    feed_last_used_at: Mapped[datetime | None]
    #: Reminder mails before each session the person registered for (enrollment.reminders).
    reminder_mails: Mapped[bool] = mapped_column(default=True, server_default=true())
    #: Minutes before each session at which the private calendar feed sets an alarm (VALARM);
    #: None for no alarm. Public feeds never carry alarms.
    feed_alarm_minutes: Mapped[int | None]
    #: When the person deleted their account; the row stays, anonymised, so counts of
    #: registrations and attendance stay right (rights.services.delete_account).
    deleted_at: Mapped[datetime | None]
    #: When a site admin disabled the account (backoffice.services.disable): it cannot log in,
    #: its private feed answers 404, its registrations stay. None while it is usable.
    disabled_at: Mapped[datetime | None]
    #: The admin's reason, kept for the other admins (never shown to the person).
    disabled_reason: Mapped[str] = mapped_column(String(500), default="", server_default="")

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="person", cascade="all, delete-orphan"
    )

    #: The raw token of the login session this object was loaded for (never stored).
    session_token = None

    def get_id(self) -> str | None:
        # Flask-Login keeps this in the session and the remember cookie: it names a
        # server-side LoginSession, so logging out can end the session on the server.
        return self.session_token

    @property
    def is_active(self) -> bool:
        return (
            self.email_verified_at is not None
            and self.deleted_at is None
            and self.disabled_at is None
        )

    def __repr__(self) -> str:
        return f"<Person {self.id} {self.email}>"


class LoginSession(Base):
    """One signed-in browser; deleting the row signs that browser out."""

    __tablename__ = "login_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    #: SHA-256 of the token kept in the browser's session or remember cookie.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]

    person: Mapped[Person] = relationship()


class TokenPurpose(enum.StrEnum):
    RESET = "reset"
    VERIFY = "verify"


class AccountToken(Base):
    """A single-use, expiring token mailed to a person (password reset, address check)."""

    __tablename__ = "account_token"
    __table_args__ = (CheckConstraint(in_list("purpose", TokenPurpose), name="purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[TokenPurpose] = mapped_column(enum_type(TokenPurpose, length=10))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    person: Mapped[Person] = relationship()
