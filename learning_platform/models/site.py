"""The site's own pages (about, privacy policy, terms, contact), their versions, and who agreed
to which version."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    exists,
    func,
    select,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from learning_platform.languages import CONTENT_LANGUAGES
from learning_platform.models.base import Base, enum_type, in_list, utcnow
from learning_platform.models.person import Person


class PageSlug(enum.StrEnum):
    ABOUT = "about"
    PRIVACY = "privacy"
    TERMS = "terms"
    CONTACT = "contact"


#: The pages a person agrees to at sign-up; a new version of one asks them to review it.
AGREED_PAGES = (PageSlug.PRIVACY, PageSlug.TERMS)


class SitePage(Base):
    """A page's version. Without a row, the page shows its built-in text as version 1."""

    __tablename__ = "site_page"
    __table_args__ = (
        CheckConstraint(in_list("slug", PageSlug), name="slug"),
        CheckConstraint("version >= 1", name="version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[PageSlug] = mapped_column(enum_type(PageSlug), unique=True)
    #: Bumped when an admin saves the text as a new version (privacy policy, terms).
    version: Mapped[int] = mapped_column(default=1)
    #: When the current version took effect.
    version_date: Mapped[datetime] = mapped_column(default=utcnow)

    texts: Mapped[list[SitePageText]] = relationship(
        back_populates="page", cascade="all, delete-orphan"
    )


class SitePageText(Base):
    """A page's Markdown in one language; a language without a row shows the built-in text.

    Any content language fits (Thai included): adding one needs no change here.
    """

    __tablename__ = "site_page_text"
    __table_args__ = (
        UniqueConstraint("page_id", "language"),
        CheckConstraint(in_list("language", CONTENT_LANGUAGES), name="language"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("site_page.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(200))
    #: Markdown, rendered and sanitized on output; empty means "not written in this language".
    body: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    page: Mapped[SitePage] = relationship(back_populates="texts")


class Consent(Base):
    """A person agreed to a version of the privacy policy or the terms, at this time."""

    __tablename__ = "consent"
    __table_args__ = (
        CheckConstraint(in_list("page", AGREED_PAGES), name="page"),
        CheckConstraint("version >= 1", name="version"),
        Index(None, "person_id", "page", "version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    page: Mapped[PageSlug] = mapped_column(enum_type(PageSlug))
    version: Mapped[int]
    consented_at: Mapped[datetime] = mapped_column(default=utcnow)


_agreed_version = (
    select(func.max(Consent.version))
    .where(Consent.person_id == Person.id, Consent.page == SitePage.slug)
    .correlate_except(Consent)
    .scalar_subquery()
)
#: A page the person agreed to has a newer version since (never true for someone who agreed
#: to nothing). Deferred: the user loader asks for it, in its one statement.
Person.policy_review_due = column_property(
    exists()
    .where(
        SitePage.slug.in_([str(page) for page in AGREED_PAGES]), SitePage.version > _agreed_version
    )
    .correlate_except(SitePage),
    deferred=True,
)
