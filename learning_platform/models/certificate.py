"""Certificates of completion: one per registration, issued or withheld by the organizers."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learning_platform.models.base import Base, enum_type, in_list, utcnow
from learning_platform.models.offering import Offering, Registration
from learning_platform.models.person import Person

#: An organizer's note on a decision, or a reason for revoking: a short paragraph.
MAX_CERTIFICATE_NOTE = 500


class CertificateStatus(enum.StrEnum):
    ISSUED = "issued"
    WITHHELD = "withheld"


def new_certificate_uid() -> str:
    """The public, unguessable id of the future /verify/<uid> (128 bits, 22 URL-safe chars)."""
    return secrets.token_urlsafe(16)


def certificate_number(year: int, ident: int) -> str:
    """The number people read and quote: "LP-2026-000123"."""
    return f"LP-{year}-{ident:06d}"


class Certificate(Base):
    """The decision on one participant's completion, and what it said when it was made.

    `hours`, the session counts and the learner's name are snapshots taken at issue: later
    attendance changes or a new display name do not change a certificate already issued.
    A withheld row records the organizer's decision (and its note); it has no number's worth
    to the learner and is never shown to them.
    """

    __tablename__ = "certificate"
    __table_args__ = (
        CheckConstraint(in_list("status", CertificateStatus), name="status"),
        Index(None, "offering_id", "status"),
        Index(None, "person_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True, default=new_certificate_uid)
    #: Set right after the insert, from the year and the id.
    number: Mapped[str | None] = mapped_column(String(32), unique=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), unique=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    offering_id: Mapped[int] = mapped_column(ForeignKey("offering.id", ondelete="CASCADE"))
    status: Mapped[CertificateStatus] = mapped_column(enum_type(CertificateStatus))
    note: Mapped[str] = mapped_column(String(MAX_CERTIFICATE_NOTE), default="", server_default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_at: Mapped[datetime | None]
    hours: Mapped[float] = mapped_column(default=0.0)
    sessions_attended: Mapped[int] = mapped_column(default=0)
    sessions_total: Mapped[int] = mapped_column(default=0)
    learner_name: Mapped[str] = mapped_column(String(100), default="", server_default="")
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str] = mapped_column(
        String(MAX_CERTIFICATE_NOTE), default="", server_default=""
    )
    #: The future Bitstring Status List index: max + 1, allocated when issued.
    status_index: Mapped[int | None] = mapped_column(unique=True)

    registration: Mapped[Registration] = relationship()
    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    offering: Mapped[Offering] = relationship()
    decided_by: Mapped[Person | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def is_issued(self) -> bool:
        return self.status == CertificateStatus.ISSUED and self.revoked_at is None
