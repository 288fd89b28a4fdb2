"""The site's pages: which text a reader sees, admins' edits and versions, and consents.

Services flush but never commit; the view owns the transaction.
"""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from learning_platform.audit.services import diff, record
from learning_platform.boundary import explain_constraint
from learning_platform.extensions import db
from learning_platform.languages import INTERFACE_LANGUAGES
from learning_platform.models import (
    AGREED_PAGES,
    AuditAction,
    Consent,
    PageSlug,
    Person,
    SitePage,
    SitePageText,
    utcnow,
)
from learning_platform.pages import defaults

explain_constraint(
    "uq_site_page_text_page_id",
    _l("Someone else saved this page at the same moment. Please check it and save again."),
)

#: Whose text a page falls back on when the reader's language has none, in this order.
FALLBACK_ORDER = ("en", "ko")


@dataclass(frozen=True)
class PageText:
    title: str
    #: Markdown.
    body: str
    #: The language the text is written in.
    language: str
    #: Written by an admin (else the built-in text).
    edited: bool = False
    updated_at: datetime | None = None


@dataclass(frozen=True)
class ShownPage:
    slug: PageSlug
    text: PageText
    #: The reader's language, when the text is in another one (it had none in theirs).
    missing_language: str | None
    version: int
    version_date: datetime


def _load(slug: PageSlug) -> SitePage | None:
    return db.session.scalar(
        select(SitePage).where(SitePage.slug == slug).options(selectinload(SitePage.texts))
    )


def texts_of(slug: PageSlug, page: SitePage | None) -> dict[str, PageText]:
    """The page's text in each language that has one: an admin's, else the built-in one."""
    texts = {
        language: PageText(title, defaults.fill(body, current_app.config), language)
        for language, (title, body) in defaults.TEXTS[slug].items()
    }
    for row in page.texts if page else ():
        texts[row.language] = PageText(row.title, row.body, row.language, True, row.updated_at)
    return {language: text for language, text in texts.items() if text.body.strip()}


def shown_page(slug: PageSlug, language: str) -> ShownPage:
    """The page for a reader of `language`; in another language (and saying so) if it has
    no text in theirs."""
    page = _load(slug)
    texts = texts_of(slug, page) or texts_of(slug, None)  # all emptied: the built-in ones
    chosen = texts.get(language)
    if chosen is None:
        order = [*FALLBACK_ORDER, *sorted(texts)]
        chosen = next(texts[code] for code in order if code in texts)
    return ShownPage(
        slug,
        chosen,
        None if chosen.language == language else language,
        page.version if page else 1,
        page.version_date if page else defaults.VERSION_DATE,
    )


@dataclass(frozen=True)
class PageRow:
    """A line of the admins' list: a page, its version, and its text in each language."""

    slug: PageSlug
    version: int
    version_date: datetime
    texts: dict[str, PageText]
    edited: dict[str, bool]


def page_list() -> list[PageRow]:
    pages = {
        page.slug: page
        for page in db.session.scalars(select(SitePage).options(selectinload(SitePage.texts)))
    }
    rows = []
    for slug in PageSlug:
        page = pages.get(slug)
        texts = texts_of(slug, page)
        edited = {row.language: True for row in page.texts} if page else {}
        rows.append(
            PageRow(
                slug,
                page.version if page else 1,
                page.version_date if page else defaults.VERSION_DATE,
                texts,
                {language: edited.get(language, False) for language in INTERFACE_LANGUAGES},
            )
        )
    return rows


def editable_text(slug: PageSlug, language: str) -> PageText | None:
    """What the admin's form starts from: the text in `language`, admin's or built-in."""
    return texts_of(slug, _load(slug)).get(language)


def _page_row(slug: PageSlug) -> SitePage:
    """The page's row, created at version 1 if it has none yet (two admins at once: one row)."""
    page = _load(slug)
    if page is not None:
        return page
    try:
        with db.session.begin_nested():
            page = SitePage(slug=slug, version=1, version_date=defaults.VERSION_DATE)
            db.session.add(page)
    except IntegrityError:  # created by a parallel save
        page = _load(slug)
    return page


def save_text(
    slug: PageSlug, language: str, title: str, body: str, *, new_version: bool = False
) -> SitePage:
    """Store an admin's text of a page in one language; `new_version` (for the pages people
    agree to) makes it a new version dated now, which people are asked to review."""
    page = _page_row(slug)
    row = next((text for text in page.texts if text.language == language), None)
    if row is None:
        row = SitePageText(page=page, language=language)
        db.session.add(row)
    before = {"title": row.title or "", "body": row.body or "", "version": page.version}
    row.title, row.body, row.updated_at = title, body, utcnow()
    if new_version and slug in AGREED_PAGES:
        # One UPDATE: two admins publishing at once make two versions, never lose one.
        db.session.execute(
            update(SitePage)
            .where(SitePage.id == page.id)
            .values(version=SitePage.version + 1, version_date=utcnow())
            .execution_options(synchronize_session=False)
        )
    db.session.flush()  # a text saved meanwhile fails on uq_site_page_text_page_id
    db.session.refresh(page)
    before["body"] = _shortened(before["body"])
    changes = diff(before, {"title": title, "body": _shortened(body), "version": page.version})
    record(
        AuditAction.PAGE_EDITED,
        ("page", page.id, f"{slug.value} · {language}"),
        changes=changes,
    )
    return page


def _shortened(text: str) -> str:
    return text if len(text) <= 300 else text[:299] + "…"


# Consents -----------------------------------------------------------------------------------


def current_versions() -> dict[PageSlug, tuple[int, datetime]]:
    """The current version and its date of each page people agree to."""
    stored = {
        slug: (version, date)
        for slug, version, date in db.session.execute(
            select(SitePage.slug, SitePage.version, SitePage.version_date).where(
                SitePage.slug.in_(AGREED_PAGES)
            )
        )
    }
    return {slug: stored.get(slug, (1, defaults.VERSION_DATE)) for slug in AGREED_PAGES}


def record_consent(person: Person) -> None:
    """The person agrees, now, to the current version of each page people agree to."""
    now = utcnow()
    for slug, (version, _date) in current_versions().items():
        db.session.add(Consent(person_id=person.id, page=slug, version=version, consented_at=now))
    db.session.flush()


@dataclass(frozen=True)
class ChangedPage:
    slug: PageSlug
    version: int
    version_date: datetime


def pages_to_review(person: Person) -> list[ChangedPage]:
    """The pages with a newer version than the one the person last agreed to."""
    agreed = dict(
        db.session.execute(
            select(Consent.page, func.max(Consent.version))
            .where(Consent.person_id == person.id)
            .group_by(Consent.page)
        ).all()
    )
    return [
        ChangedPage(slug, version, date)
        for slug, (version, date) in current_versions().items()
        if slug in agreed and version > agreed[slug]
    ]
