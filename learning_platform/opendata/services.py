"""The open data sets: a registry of what each holds, their rows, and their CSV and JSON text.

A data set is one declaration (`register(Dataset(...))`): its name (the file name under
/data), what it holds, its columns (stable snake_case names, a type and a meaning, the README
table repeats them) and a row source, a callable giving dicts keyed by column name. Rows hold
plain values: str, int, float, bool, None, a datetime (written as ISO 8601 in UTC) or a list
of those. Only published facts go in: never a person, an online link or a draft.
"""

import csv
import hashlib
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select

from config import OPEN_DATA_LICENCES
from learning_platform.catalog.services import of_approved_partner
from learning_platform.extensions import db
from learning_platform.languages import LANGUAGES
from learning_platform.mail.services import external_url
from learning_platform.models import (
    AuditEvent,
    Offering,
    OfferingSession,
    OfferingStatus,
    Partner,
    SessionStatus,
    Theme,
    public_status,
)
from learning_platform.models.offering import offering_cohost, offering_theme
from learning_platform.offerings.schedule_files import spreadsheet_safe

FORMATS = ("csv", "json")
#: Rows are fetched from the database this many at a time while the answer is written.
BATCH = 500


@dataclass(frozen=True)
class Licence:
    id: str
    name: str
    url: str
    #: As a citation names it: "CC BY 4.0".
    short: str


def licence() -> Licence:
    """The licence the site's data carries (OPEN_DATA_LICENCE, checked at start-up)."""
    spdx = current_app.config["OPEN_DATA_LICENCE"]
    return Licence(spdx, *OPEN_DATA_LICENCES[spdx])


@dataclass(frozen=True)
class Column:
    name: str
    #: string, integer, number, datetime, list of strings, list of integers.
    type: str
    meaning: object


@dataclass(frozen=True)
class Dataset:
    name: str
    title: object
    description: object
    columns: tuple[Column, ...]
    #: The rows, in a stable order; may be a generator reading the database in batches.
    rows: Callable[[], Iterable[dict]]
    #: How many rows there are now (one statement).
    count: Callable[[], int]
    #: Values that change whenever the rows may have (one statement): the data set's ETag.
    fingerprint: Callable[[], tuple] = field(default=lambda: public_data_fingerprint())

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]


#: Every data set, by name, in the order /data lists them.
DATASETS: dict[str, Dataset] = {}


def register(dataset: Dataset) -> Dataset:
    DATASETS[dataset.name] = dataset
    return dataset


# Which offerings are public data --------------------------------------------------------------


def public_offerings():
    """SQL: offerings of approved partners that are published, or were before being cancelled
    (a draft cancelled before anyone saw it is not public)."""
    return and_(of_approved_partner(), public_status())


def _public_ids():
    return select(Offering.id).where(public_offerings())


def public_data_fingerprint() -> tuple:
    """One statement whose values change with anything the offering and session data sets show.

    Seats, statuses and texts move an offering's `updated_at`; session changes calendars must
    see `touch` the session; themes and co-hosts are counted; partner and theme renames are
    recorded in the audit trail, whose newest id changes with them.
    """

    def scalar(statement):
        return statement.scalar_subquery()

    sessions = OfferingSession.offering_id.in_(_public_ids())
    return tuple(
        db.session.execute(
            select(
                scalar(select(func.count()).select_from(Offering).where(public_offerings())),
                scalar(select(func.max(Offering.updated_at)).where(public_offerings())),
                scalar(
                    select(func.coalesce(func.sum(Offering.seats_taken), 0)).where(
                        public_offerings()
                    )
                ),
                scalar(select(func.count()).select_from(OfferingSession).where(sessions)),
                scalar(select(func.max(OfferingSession.updated_at)).where(sessions)),
                scalar(
                    select(func.coalesce(func.sum(OfferingSession.sequence), 0)).where(sessions)
                ),
                scalar(select(func.count()).select_from(offering_theme)),
                scalar(select(func.count()).select_from(offering_cohost)),
                scalar(select(func.count()).select_from(Partner).where(Partner.approved.is_(True))),
                scalar(select(func.count()).select_from(Theme)),
                scalar(select(func.max(AuditEvent.id))),
            )
        ).one()
    )


def last_updated(fingerprint: tuple) -> datetime | None:
    """The newest change to an offering or a session, from the fingerprint."""
    stamps = [stamp for stamp in (fingerprint[1], fingerprint[4]) if stamp is not None]
    return max((_utc(stamp) for stamp in stamps), default=None)


def etag(dataset: Dataset, fmt: str, fingerprint: tuple) -> str:
    key = repr((dataset.name, fmt, current_app.config["OPEN_DATA_LICENCE"], fingerprint))
    return hashlib.sha256(key.encode()).hexdigest()[:32]


# Offerings --------------------------------------------------------------------------------------


def _sdg_goals(targets: Iterable[str]) -> list[int]:
    goals = set()
    for target in targets:
        head = str(target).split(".", 1)[0]
        if head.isdigit() and 1 <= int(head) <= 17:
            goals.add(int(head))
    return sorted(goals)


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def texts_by_language(
    field: str, primary_text: str | None, translations, primary: str, *, prefix: str = ""
) -> dict:
    """{`prefix or field`_ko: …, _en: …, _th: …}: the text as written in each language, ""
    where it is not (no fallback: the data says what was written)."""
    return {
        f"{prefix or field}_{language.code}": (
            primary_text
            if language.code == primary
            else ((translations or {}).get(language.code) or {}).get(field)
        )
        or ""
        for language in LANGUAGES
    }


def language_columns(field: str, meaning) -> tuple[Column, ...]:
    """One column per content language; `meaning(label)` says what it holds."""
    return tuple(
        Column(f"{field}_{language.code}", "string", meaning(language.label))
        for language in LANGUAGES
    )


def offering_rows() -> Iterator[dict]:
    """Four statements whatever the number of offerings: the offerings with their partner
    (read in batches), and their scheduled sessions, themes and co-hosts."""
    ids = _public_ids()
    schedule: dict[int, list] = {}
    for offering_id, starts_at, ends_at in db.session.execute(
        select(OfferingSession.offering_id, OfferingSession.starts_at, OfferingSession.ends_at)
        .where(
            OfferingSession.offering_id.in_(ids),
            OfferingSession.status == SessionStatus.SCHEDULED,
        )
        .order_by(OfferingSession.offering_id, OfferingSession.starts_at)
    ):
        entry = schedule.setdefault(offering_id, [None, None, 0, timedelta()])
        entry[0] = starts_at if entry[0] is None else min(entry[0], starts_at)
        entry[1] = ends_at if entry[1] is None else max(entry[1], ends_at)
        entry[2] += 1
        entry[3] += ends_at - starts_at
    themes: dict[int, list] = {}
    for offering_id, slug, targets in db.session.execute(
        select(offering_theme.c.offering_id, Theme.slug, Theme.sdg_targets)
        .join(Theme, Theme.id == offering_theme.c.theme_id)
        .where(offering_theme.c.offering_id.in_(ids))
        .order_by(offering_theme.c.offering_id, Theme.position, Theme.id)
    ):
        themes.setdefault(offering_id, []).append((slug, targets or []))
    cohosts: dict[int, list[str]] = {}
    for offering_id, slug in db.session.execute(
        select(offering_cohost.c.offering_id, Partner.slug)
        .join(Partner, Partner.id == offering_cohost.c.partner_id)
        .where(offering_cohost.c.offering_id.in_(ids), Partner.approved.is_(True))
        .order_by(offering_cohost.c.offering_id, Partner.name, Partner.id)
    ):
        cohosts.setdefault(offering_id, []).append(slug)
    # The router builds one offering's address; each id takes the placeholder's place.
    placeholder = 2**31 - 1
    head, tail = external_url("catalog.detail", offering_id=placeholder).split(str(placeholder))
    offerings = db.session.execute(
        select(
            Offering.id,
            Offering.title,
            Offering.summary,
            Offering.kind,
            Offering.format,
            Offering.language,
            Partner.slug,
            Partner.name,
            Offering.capacity,
            Offering.seats_taken,
            Offering.status,
            Offering.timezone,
            Offering.venue_name,
            Offering.venue_address,
            Offering.contact_email,
            Offering.published_at,
            Offering.updated_at,
            Offering.cancel_reason,
            Offering.primary_language,
            Offering.translations,
            Partner.primary_language.label("partner_language"),
            Partner.translations.label("partner_translations"),
        )
        .join(Partner, Partner.id == Offering.partner_id)
        .where(public_offerings())
        .order_by(Offering.id)
        .execution_options(yield_per=BATCH)
    )
    for row in offerings:
        first_start, last_end, session_count, hours = schedule.get(
            row.id, (None, None, 0, timedelta())
        )
        offering_themes = themes.get(row.id, [])
        yield {
            "id": row.id,
            "url": f"{head}{row.id}{tail}",
            "title": row.title,
            "summary": row.summary,
            "kind": str(row.kind),
            "format": str(row.format),
            "language": row.language,
            "partner_slug": row.slug,
            "partner_name": row.name,
            "cohost_slugs": cohosts.get(row.id, []),
            "theme_slugs": [slug for slug, _targets in offering_themes],
            "sdg_goals": _sdg_goals(t for _slug, targets in offering_themes for t in targets),
            "capacity": row.capacity,
            "seats_taken": row.seats_taken,
            "status": str(row.status),
            "timezone": row.timezone,
            "first_start": first_start,
            "last_end": last_end,
            "session_count": session_count,
            "hours": round(hours.total_seconds() / 3600, 2),
            "venue_name": row.venue_name,
            "venue_address": row.venue_address,
            "contact_email": row.contact_email,
            "published_at": row.published_at,
            "updated_at": row.updated_at,
            "cancel_reason": row.cancel_reason,
            "primary_language": row.primary_language,
            **texts_by_language("title", row.title, row.translations, row.primary_language),
            **texts_by_language("summary", row.summary, row.translations, row.primary_language),
            **texts_by_language(
                "name",
                row.name,
                row.partner_translations,
                row.partner_language,
                prefix="partner_name",
            ),
        }


def count_offerings() -> int:
    return db.session.scalar(select(func.count()).select_from(Offering).where(public_offerings()))


def session_rows() -> Iterator[dict]:
    """One statement, read in batches."""
    sessions = db.session.execute(
        select(
            OfferingSession.uid,
            OfferingSession.offering_id,
            OfferingSession.starts_at,
            OfferingSession.ends_at,
            OfferingSession.status,
            OfferingSession.location,
            OfferingSession.cancel_reason,
            Offering.status.label("offering_status"),
            Offering.venue_name,
            Offering.venue_address,
        )
        .join(Offering, Offering.id == OfferingSession.offering_id)
        .where(public_offerings())
        .order_by(OfferingSession.offering_id, OfferingSession.starts_at, OfferingSession.id)
        .execution_options(yield_per=BATCH)
    )
    for row in sessions:
        # As the calendar feeds show it: a cancelled offering cancels each of its sessions.
        cancelled = (
            row.status == SessionStatus.CANCELLED or row.offering_status == OfferingStatus.CANCELLED
        )
        yield {
            "uid": row.uid,
            "offering_id": row.offering_id,
            "starts_at": row.starts_at,
            "ends_at": row.ends_at,
            "status": str(SessionStatus.CANCELLED if cancelled else row.status),
            "location": row.location
            or ", ".join(part for part in (row.venue_name, row.venue_address) if part),
            "cancel_reason": row.cancel_reason,
        }


def count_sessions() -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(OfferingSession)
        .join(Offering, Offering.id == OfferingSession.offering_id)
        .where(public_offerings())
    )


register(
    Dataset(
        name="offerings",
        title=_l("Offerings"),
        description=_l(
            "Every published course, workshop and event of the approved partners, and the"
            " cancelled ones that had been published, one row each."
        ),
        columns=(
            Column("id", "integer", _l("The offering's number; stable, used in its address.")),
            Column("url", "string", _l("Address of the offering's page.")),
            Column("title", "string", _l("Title, in its primary language (primary_language).")),
            Column("summary", "string", _l("One-paragraph summary.")),
            Column("kind", "string", _l("course, workshop or event.")),
            Column("format", "string", _l("in_person, online or hybrid.")),
            Column("language", "string", _l("Language of instruction (ko, en, th, ko-en …).")),
            Column("partner_slug", "string", _l("Short name of the organising partner.")),
            Column("partner_name", "string", _l("Name of the organising partner.")),
            Column("cohost_slugs", "list of strings", _l("Short names of the co-hosts.")),
            Column("theme_slugs", "list of strings", _l("Short names of its themes.")),
            Column(
                "sdg_goals",
                "list of integers",
                _l("Sustainable Development Goals its themes serve."),
            ),
            Column("capacity", "integer", _l("Seats offered.")),
            Column("seats_taken", "integer", _l("Confirmed registrations.")),
            Column("status", "string", _l("published or cancelled.")),
            Column("timezone", "string", _l("IANA time zone in which its times are shown.")),
            Column("first_start", "datetime", _l("Start of its first scheduled session (UTC).")),
            Column("last_end", "datetime", _l("End of its last scheduled session (UTC).")),
            Column("session_count", "integer", _l("Scheduled sessions (cancelled ones left out).")),
            Column("hours", "number", _l("Hours of all scheduled sessions together.")),
            Column("venue_name", "string", _l("Venue; empty for online offerings.")),
            Column("venue_address", "string", _l("Venue's address.")),
            Column("contact_email", "string", _l("Public contact address the organizer gave.")),
            Column("published_at", "datetime", _l("When it was published (UTC).")),
            Column("updated_at", "datetime", _l("Its last change (UTC).")),
            Column("cancel_reason", "string", _l("Why it was cancelled; empty otherwise.")),
            Column(
                "primary_language",
                "string",
                _l("Language its texts were first written in (ko, en or th)."),
            ),
            *language_columns(
                "title",
                lambda label: _l("Title in %(language)s; empty if not written.", language=label),
            ),
            *language_columns(
                "summary",
                lambda label: _l("Summary in %(language)s; empty if not written.", language=label),
            ),
            *language_columns(
                "partner_name",
                lambda label: _l(
                    "Partner's name in %(language)s; empty if not written.", language=label
                ),
            ),
        ),
        rows=offering_rows,
        count=count_offerings,
    )
)

register(
    Dataset(
        name="sessions",
        title=_l("Sessions"),
        description=_l(
            "Every session (meeting) of the offerings above, cancelled ones included, one row each."
        ),
        columns=(
            Column("uid", "string", _l("The session's stable identifier (its iCal UID).")),
            Column("offering_id", "integer", _l("The offering it belongs to (offerings.id).")),
            Column("starts_at", "datetime", _l("Start (UTC).")),
            Column("ends_at", "datetime", _l("End (UTC).")),
            Column(
                "status",
                "string",
                _l("scheduled or cancelled (every session of a cancelled offering is)."),
            ),
            Column("location", "string", _l("Its room or place, else the offering's venue.")),
            Column("cancel_reason", "string", _l("Why this session was cancelled, if it was.")),
        ),
        rows=session_rows,
        count=count_sessions,
    )
)


# The alliance's aggregate figures (counts only) are registered by this module.
from learning_platform.opendata import impact as _impact  # noqa: E402, F401

# Writing --------------------------------------------------------------------------------------


def _json_value(value):
    if isinstance(value, datetime):
        return _utc(value).isoformat(timespec="seconds")
    return value


def _csv_cell(value) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime):
        return _json_value(value)
    if isinstance(value, list | tuple):
        value = ";".join(str(item) for item in value)
    # A spreadsheet would run a cell starting with = + - @ as a formula: it gets a quote.
    return spreadsheet_safe(str(value))


class _Line:
    """A file object the csv writer writes one line into at a time."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text


def csv_chunks(dataset: Dataset) -> Iterator[bytes]:
    """UTF-8 with a byte-order mark (Excel then reads Korean text right), a header row of
    the column names, CRLF line ends (RFC 4180); written as the rows are read."""
    line = _Line()
    writer = csv.writer(line)
    writer.writerow(dataset.column_names)
    buffer = io.StringIO()
    buffer.write("\ufeff" + line.text)
    names = dataset.column_names
    for number, row in enumerate(dataset.rows(), start=1):
        line.text = ""
        writer.writerow([_csv_cell(row[name]) for name in names])
        buffer.write(line.text)
        if number % BATCH == 0:
            yield buffer.getvalue().encode()
            buffer = io.StringIO()
    yield buffer.getvalue().encode()


def json_chunks(dataset: Dataset, generated_at: datetime) -> Iterator[bytes]:
    """One JSON document: the licence and the columns beside the rows, written as the rows
    are read. Values are exact (no spreadsheet quoting); lists stay lists."""
    current = licence()
    with force_locale("en"):
        head = {
            "dataset": dataset.name,
            "title": str(dataset.title),
            "description": str(dataset.description),
            "licence": {"id": current.id, "name": current.name, "url": current.url},
            "generated_at": _json_value(generated_at),
            "columns": [
                {"name": c.name, "type": c.type, "description": str(c.meaning)}
                for c in dataset.columns
            ],
        }
    text = json.dumps(head, ensure_ascii=False)
    parts = [text[:-1] + ', "rows": [']
    names = dataset.column_names
    for number, row in enumerate(dataset.rows(), start=1):
        record = {name: _json_value(row[name]) for name in names}
        parts.append(("\n" if number == 1 else ",\n") + json.dumps(record, ensure_ascii=False))
        if number % BATCH == 0:
            yield "".join(parts).encode()
            parts = []
    parts.append("\n]}\n")
    yield "".join(parts).encode()
