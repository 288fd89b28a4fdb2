"""Partner organisations and the people who organise for them."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learning_platform.languages import CONTENT_LANGUAGES
from learning_platform.models.base import Base, enum_type, in_list, utcnow
from learning_platform.models.image import Image
from learning_platform.models.person import Person
from learning_platform.models.translated import Translated, translated


class PartnerKind(enum.StrEnum):
    UN_AGENCY = "un_agency"
    CITY = "city"
    NATIONAL_COMMISSION = "national_commission"
    NGO = "ngo"
    UNIVERSITY = "university"
    OTHER = "other"


class MembershipRole(enum.StrEnum):
    ORGANIZER = "organizer"
    MANAGER = "manager"


class Partner(Translated, Base):
    __tablename__ = "partner"
    __table_args__ = (
        CheckConstraint(in_list("kind", PartnerKind), name="kind"),
        CheckConstraint(in_list("primary_language", CONTENT_LANGUAGES), name="primary_language"),
    )
    #: Written in several languages (models.translated): 창원특례시 / Changwon City.
    TRANSLATED = ("name", "description", "city")

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    #: The language its name, description and city are first written in.
    primary_language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    _name: Mapped[str] = mapped_column("name", String(200))
    name = translated("name")
    kind: Mapped[PartnerKind] = mapped_column(enum_type(PartnerKind, length=30))
    _description: Mapped[str] = mapped_column("description", Text, default="")
    description = translated("description")
    website: Mapped[str] = mapped_column(String(500), default="")
    #: Where the partner is based, as plain text ("Changwon"); the alliance report groups by it.
    _city: Mapped[str] = mapped_column("city", String(100), default="", server_default="")
    city = translated("city")
    #: IANA zone name; the default zone of the partner's offerings.
    timezone: Mapped[str] = mapped_column(String(64))
    #: Only approved partners are public and may publish.
    approved: Mapped[bool] = mapped_column(default=False, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The uploaded logo; without one, pages show the partner's initials.
    logo_id: Mapped[int | None] = mapped_column(
        ForeignKey("image.id", ondelete="SET NULL"), index=True
    )

    #: Who proposed the partner (partners.services.propose_partner); None when a site admin
    #: created it, or the account is gone.
    proposed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )

    logo: Mapped[Image | None] = relationship()
    proposed_by: Mapped[Person | None] = relationship()
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="partner", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Partner {self.slug}>"


class Membership(Base):
    __tablename__ = "membership"
    __table_args__ = (
        UniqueConstraint("person_id", "partner_id"),
        CheckConstraint(in_list("role", MembershipRole), name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partner.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[MembershipRole] = mapped_column(
        enum_type(MembershipRole), default=MembershipRole.ORGANIZER
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    person: Mapped[Person] = relationship(back_populates="memberships")
    partner: Mapped[Partner] = relationship(back_populates="memberships")
