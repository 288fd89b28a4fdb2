"""Offerings (courses, workshops, events), their sessions and who registered."""

from __future__ import annotations

import enum
import secrets
import uuid
from datetime import datetime, timedelta

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    or_,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learning_platform.languages import CONTENT_LANGUAGES, INSTRUCTION_LANGUAGES
from learning_platform.models.base import Base, enum_type, in_list, utcnow
from learning_platform.models.image import Image
from learning_platform.models.partner import Partner
from learning_platform.models.person import Person
from learning_platform.models.theme import Theme
from learning_platform.models.translated import Translated, translated


class OfferingKind(enum.StrEnum):
    COURSE = "course"
    WORKSHOP = "workshop"
    EVENT = "event"


class OfferingFormat(enum.StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    HYBRID = "hybrid"


class OfferingStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class SessionStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class ReminderLead(enum.StrEnum):
    """How long before each session participants get a reminder mail."""

    DAY = "24h"
    TWO_HOURS = "2h"
    OFF = "off"


class RegistrationStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


MAX_CAPACITY = 10_000
MAX_SESSIONS = 200
#: An organizer's reason for cancelling, or note for a changed session: a short paragraph.
MAX_REASON = 500

offering_theme = Table(
    "offering_theme",
    Base.metadata,
    Column("offering_id", ForeignKey("offering.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True, index=True),
)

offering_cohost = Table(
    "offering_cohost",
    Base.metadata,
    Column("offering_id", ForeignKey("offering.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "partner_id", ForeignKey("partner.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
)


class Offering(Translated, Base):
    __tablename__ = "offering"
    __table_args__ = (
        CheckConstraint(in_list("kind", OfferingKind), name="kind"),
        CheckConstraint(in_list("format", OfferingFormat), name="format"),
        CheckConstraint(in_list("status", OfferingStatus), name="status"),
        CheckConstraint(in_list("language", INSTRUCTION_LANGUAGES), name="language"),
        CheckConstraint(in_list("primary_language", CONTENT_LANGUAGES), name="primary_language"),
        CheckConstraint(in_list("reminder", ReminderLead), name="reminder"),
        CheckConstraint(f"capacity BETWEEN 1 AND {MAX_CAPACITY}", name="capacity"),
        CheckConstraint("seats_taken >= 0 AND seats_taken <= capacity", name="seats_taken"),
        CheckConstraint("completion_percent BETWEEN 1 AND 100", name="completion_percent"),
        CheckConstraint(
            "registration_closes_at IS NULL OR registration_opens_at IS NULL"
            " OR registration_closes_at > registration_opens_at",
            name="registration_window",
        ),
        # One index per catalog filter; the catalog always filters on status.
        Index(None, "status", "partner_id"),
        Index("ix_offering_status_kind", "status", "kind"),
        Index("ix_offering_status_format", "status", "format"),
        Index("ix_offering_status_language", "status", "language"),
        Index("ix_offering_status_published_at", "status", "published_at"),
    )

    #: `completion_percent` comes from the database's default; it is read when first used
    #: rather than returned by every INSERT, so code that predates it still writes offerings.
    __mapper_args__ = {"eager_defaults": False}

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The owning partner: only its members edit the offering.
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="RESTRICT"))
    kind: Mapped[OfferingKind] = mapped_column(enum_type(OfferingKind))
    status: Mapped[OfferingStatus] = mapped_column(
        enum_type(OfferingStatus), default=OfferingStatus.DRAFT
    )
    #: The texts below (title … change note) are written in several languages
    #: (models.translated): each column holds the primary language's text.
    TRANSLATED = (
        "title",
        "summary",
        "description",
        "audience",
        "venue_name",
        "venue_address",
        "cost_note",
        "cancel_reason",
        "change_note",
    )
    #: The language the organizer writes in first: readers whose language is not written
    #: get this one.
    primary_language: Mapped[str] = mapped_column(String(8), default="ko", server_default="ko")
    _title: Mapped[str] = mapped_column("title", String(200))
    title = translated("title")
    _summary: Mapped[str] = mapped_column("summary", String(500), default="")
    summary = translated("summary")
    #: Markdown, rendered and sanitized on output.
    _description: Mapped[str] = mapped_column("description", Text, default="")
    description = translated("description")
    #: The language(s) it is taught in (INSTRUCTION_LANGUAGES), not the language of its texts.
    language: Mapped[str] = mapped_column(String(8))
    _audience: Mapped[str] = mapped_column("audience", String(200), default="")
    audience = translated("audience")
    format: Mapped[OfferingFormat] = mapped_column(enum_type(OfferingFormat))
    _venue_name: Mapped[str] = mapped_column("venue_name", String(200), default="")
    venue_name = translated("venue_name")
    _venue_address: Mapped[str] = mapped_column("venue_address", String(300), default="")
    venue_address = translated("venue_address")
    #: Shown only to confirmed participants: never in public pages or public feeds.
    online_link: Mapped[str] = mapped_column(String(500), default="")
    capacity: Mapped[int]
    #: Confirmed registrations; changed only by the conditional updates in enrollment.
    seats_taken: Mapped[int] = mapped_column(default=0)
    registration_opens_at: Mapped[datetime | None]
    registration_closes_at: Mapped[datetime | None]
    #: IANA zone in which times are entered and shown.
    timezone: Mapped[str] = mapped_column(String(64))
    _cost_note: Mapped[str] = mapped_column("cost_note", String(200), default="")
    cost_note = translated("cost_note")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    #: Why the organizer cancelled it: shown on its page, in the mails and in the feeds.
    _cancel_reason: Mapped[str] = mapped_column("cancel_reason", String(MAX_REASON), default="")
    cancel_reason = translated("cancel_reason")
    #: The organizer's note to participants about a change (a new venue or link): on its page,
    #: in My learning, in the change mail and in every event's description.
    _change_note: Mapped[str] = mapped_column("change_note", String(MAX_REASON), default="")
    change_note = translated("change_note")
    #: When a site admin took it out of the catalog (it went back to draft), and why: the
    #: organizers see both in the workspace until they publish it again.
    unpublished_at: Mapped[datetime | None]
    unpublished_reason: Mapped[str] = mapped_column(
        String(MAX_REASON), default="", server_default=""
    )
    #: When participants get a reminder mail before each session (enrollment.reminders).
    reminder: Mapped[ReminderLead] = mapped_column(
        enum_type(ReminderLead, length=10), default=ReminderLead.DAY, server_default="24h"
    )
    #: The completion rule: attended at least this share (%) of its sessions (completion).
    #: The database's default only (80), so rows written by older code (and the migration
    #: tests that insert at an earlier revision) need not name it.
    completion_percent: Mapped[int] = mapped_column(server_default="80")
    #: The uploaded cover image; without one, pages show the default art of its first theme.
    cover_id: Mapped[int | None] = mapped_column(
        ForeignKey("image.id", ondelete="SET NULL"), index=True
    )

    partner: Mapped[Partner] = relationship()
    cover: Mapped[Image | None] = relationship()
    sessions: Mapped[list[OfferingSession]] = relationship(
        back_populates="offering",
        cascade="all, delete-orphan",
        order_by="OfferingSession.starts_at",
    )
    themes: Mapped[list[Theme]] = relationship(secondary=offering_theme, order_by=Theme.position)
    cohosts: Mapped[list[Partner]] = relationship(secondary=offering_cohost, order_by=Partner.name)

    def change_primary_language(self, language: str) -> None:
        """Make `language` the primary one, for the offering and its sessions (whose primary
        language is the offering's): every text stays in its own language."""
        sessions = [(session, session.every_text()) for session in self.sessions]
        super().change_primary_language(language)
        for session, every in sessions:
            session.store_texts(language, every)

    @property
    def active_sessions(self) -> list[OfferingSession]:
        return [s for s in self.sessions if s.status == SessionStatus.SCHEDULED]

    @property
    def has_online_part(self) -> bool:
        """Online or hybrid: there is a meeting link for confirmed participants."""
        return self.format != OfferingFormat.IN_PERSON

    @property
    def has_door(self) -> bool:
        """In person or hybrid: there is a door where participants show their check-in code."""
        return self.format != OfferingFormat.ONLINE

    @property
    def learning_hours(self) -> float:
        total = sum((s.ends_at - s.starts_at for s in self.active_sessions), timedelta())
        return total.total_seconds() / 3600

    @property
    def first_start(self) -> datetime | None:
        active = self.active_sessions
        return active[0].starts_at if active else None

    @property
    def last_end(self) -> datetime | None:
        return max((s.ends_at for s in self.active_sessions), default=None)

    @property
    def is_public(self) -> bool:
        """The same rule as `public_status()` and the catalog's approved partner: its public
        page exists. Links to it are shown only then (never a link to a 404)."""
        shown = self.status == OfferingStatus.PUBLISHED or (
            self.status == OfferingStatus.CANCELLED and self.published_at is not None
        )
        return shown and self.partner.approved

    @property
    def taken_down(self) -> bool:
        """The site admins took it out of the catalog and the organizers have not yet published
        it again."""
        return self.status == OfferingStatus.DRAFT and self.unpublished_at is not None

    def is_past(self, now: datetime) -> bool:
        last_end = self.last_end
        return last_end is not None and last_end <= now

    def __repr__(self) -> str:
        return f"<Offering {self.id} {self.title!r}>"


def public_status():
    """SQL: the offering may be seen by the public — published, or cancelled after it had been
    public. A draft cancelled before it was ever published, and one the site admins took out
    of the catalog (unpublishing clears `published_at`), stay private even once cancelled."""
    return or_(
        Offering.status == OfferingStatus.PUBLISHED,
        and_(Offering.status == OfferingStatus.CANCELLED, Offering.published_at.is_not(None)),
    )


class OfferingSession(Translated, Base):
    """One meeting of an offering: one VEVENT in the calendar feeds."""

    #: Written in the offering's languages; the primary one is the offering's.
    TRANSLATED = ("note", "location", "cancel_reason")

    __tablename__ = "offering_session"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(in_list("status", SessionStatus), name="status"),
        Index(None, "offering_id", "starts_at"),
        Index(None, "starts_at"),
        # The catalog's "next session of each upcoming offering" and the feeds' window read
        # only the sessions still to come: an index-only range scan instead of all of them.
        Index(
            "ix_offering_session_status_ends_at", "status", "ends_at", "offering_id", "starts_at"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    offering_id: Mapped[int] = mapped_column(ForeignKey("offering.id", ondelete="CASCADE"))
    #: Stable and globally unique: the iCal UID, never a row number.
    uid: Mapped[str] = mapped_column(String(64), unique=True, default=lambda: uuid.uuid4().hex)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    #: Overrides the offering's venue for this session ("Room 301", another building).
    _location: Mapped[str] = mapped_column("location", String(200), default="")
    location = translated("location")
    _note: Mapped[str] = mapped_column("note", String(500), default="")
    note = translated("note")
    status: Mapped[SessionStatus] = mapped_column(
        enum_type(SessionStatus), default=SessionStatus.SCHEDULED
    )
    #: Bumped on every change calendar apps must see (iCal SEQUENCE).
    sequence: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The time of the last such change (iCal LAST-MODIFIED and DTSTAMP).
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]
    #: Why the organizer cancelled this session (the offering's own reason covers them all).
    _cancel_reason: Mapped[str] = mapped_column("cancel_reason", String(MAX_REASON), default="")
    cancel_reason = translated("cancel_reason")

    offering: Mapped[Offering] = relationship(back_populates="sessions")

    @property
    def primary_language(self) -> str:  # type: ignore[override]
        return self.offering.primary_language

    def touch(self) -> None:
        """Record a change that calendars must pick up."""
        self.sequence = (self.sequence or 0) + 1  # a new row has no default before its insert
        self.updated_at = utcnow()


#: Check-in codes are read aloud at the door: no 0/O, 1/I to confuse.
CHECKIN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CHECKIN_CODE_LENGTH = 6


def new_checkin_code() -> str:
    """A random short code (30 bits); unique within the offering by a constraint."""
    return "".join(secrets.choice(CHECKIN_ALPHABET) for _ in range(CHECKIN_CODE_LENGTH))


class Registration(Base):
    __tablename__ = "registration"
    __table_args__ = (
        CheckConstraint(in_list("status", RegistrationStatus), name="status"),
        UniqueConstraint("offering_id", "checkin_code"),
        # One active registration per person and offering, enforced by the database.
        Index(
            "uq_registration_active",
            "offering_id",
            "person_id",
            unique=True,
            sqlite_where=text("status != 'cancelled'"),
            postgresql_where=text("status != 'cancelled'"),
        ),
        Index(None, "person_id"),
        Index(None, "offering_id", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    offering_id: Mapped[int] = mapped_column(ForeignKey("offering.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    status: Mapped[RegistrationStatus] = mapped_column(enum_type(RegistrationStatus))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    cancelled_at: Mapped[datetime | None]
    #: The code a person shows (as a QR code, signed) or reads aloud at the door.
    checkin_code: Mapped[str] = mapped_column(String(CHECKIN_CODE_LENGTH), default=new_checkin_code)

    offering: Mapped[Offering] = relationship()
    person: Mapped[Person] = relationship()


class Attendance(Base):
    """Whether a confirmed participant came to one session; present sessions count as learning hours."""

    __tablename__ = "attendance"
    __table_args__ = (
        UniqueConstraint("session_id", "registration_id"),
        Index(None, "registration_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("offering_session.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    present: Mapped[bool]
    marked_at: Mapped[datetime] = mapped_column(default=utcnow)

    session: Mapped[OfferingSession] = relationship()
    registration: Mapped[Registration] = relationship()


class ReminderSent(Base):
    """A reminder mail put in the outbox for one person and one session's start.

    The unique key is the idempotency key of the reminder scheduler: it is inserted in the
    same transaction as the mail, so racing workers and restarts send each reminder once. The
    key holds the start the reminder announced: a session moved later gets a new reminder.
    """

    __tablename__ = "reminder_sent"
    __table_args__ = (
        UniqueConstraint("session_id", "registration_id", "starts_at"),
        Index(None, "registration_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("offering_session.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    #: The session's start when the reminder was sent.
    starts_at: Mapped[datetime]
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
