"""The durable mail outbox: a message is stored with the change that causes it."""

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from learning_platform.models.base import Base, enum_type, in_list, utcnow


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    #: Claimed by a worker that is sending it.
    SENDING = "sending"
    SENT = "sent"
    #: Given up after MAIL_MAX_ATTEMPTS.
    FAILED = "failed"


class OutboxMessage(Base):
    __tablename__ = "outbox_message"
    __table_args__ = (
        CheckConstraint(in_list("status", OutboxStatus), name="status"),
        Index(None, "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    #: The whole RFC 5322 message, ready for SMTP.
    raw: Mapped[str] = mapped_column(Text)
    #: `raw` holds a secret (a single-use link) that nobody needs once it is sent: it is then
    #: replaced by a note saying so, and this flag cleared (mail.outbox.without_secret).
    contains_secret: Mapped[bool] = mapped_column(default=False, server_default=false())
    status: Mapped[OutboxStatus] = mapped_column(
        enum_type(OutboxStatus, length=10), default=OutboxStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Set while a worker holds the message; a stale claim is taken over after a lease.
    claim_token: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
