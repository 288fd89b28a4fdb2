"""A message an organizer wrote to the participants of an offering: its history."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learning_platform.models.base import Base, enum_type, in_list, utcnow
from learning_platform.models.offering import Offering, OfferingSession
from learning_platform.models.person import Person

#: A message's subject and Markdown body may be this long, in characters.
MAX_MESSAGE_SUBJECT = 150
MAX_MESSAGE_BODY = 10_000


class Audience(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    BOTH = "both"
    #: The people marked present at one session.
    SESSION = "session"


class ParticipantMessage(Base):
    __tablename__ = "participant_message"
    __table_args__ = (
        CheckConstraint(in_list("audience", Audience), name="audience"),
        # The history, newest first, and the rate limit's count of the last day.
        Index(None, "offering_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    offering_id: Mapped[int] = mapped_column(ForeignKey("offering.id", ondelete="CASCADE"))
    #: Who wrote it; empty once their account is gone.
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    audience: Mapped[Audience] = mapped_column(enum_type(Audience))
    #: The session whose attendees it went to (audience "session"); empty once it is removed.
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("offering_session.id", ondelete="SET NULL"), index=True
    )
    subject: Mapped[str] = mapped_column(String(MAX_MESSAGE_SUBJECT))
    #: Markdown, as the organizer wrote it.
    body: Mapped[str] = mapped_column(Text)
    #: How many people it was sent to (one mail each).
    recipient_count: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    offering: Mapped[Offering] = relationship()
    author: Mapped[Person | None] = relationship()
    session: Mapped[OfferingSession | None] = relationship()
