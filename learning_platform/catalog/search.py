"""Word search over offerings: how text becomes terms, how a query matches them, and the
`offering_search` rows kept in step with the offerings.

Hand-written because neither database cuts Korean or Thai into words a person searches
for: both split on spaces, so 기후 would never find 기후행동. Text is normalized (NFKC, so
full-width ＵＮＥＳＣＯ is UNESCO; case-folded; Latin accents dropped) and cut into terms:

- a word in a spaced script (Latin, Cyrillic, digits …) is one term;
- a Hangul or Han/kana run gives each syllable and each pair of neighbouring syllables;
- a Thai run gives each pair of neighbouring characters.

A query is cut the same way. A spaced word matches as a prefix (garden finds gardens and
gardening); a Korean or Thai word matches when all its pairs are there (기후 finds 기후행동,
기후행동 finds 기후 행동); one Korean syllable matches that syllable. Several words must all
match. The same terms feed SQLite's FTS5 table and PostgreSQL's GIN index over tsvectors,
so both databases find the same offerings; both are made by the migration that made
`offering_search`, outside the models (see `in_models`).

Relevance: per query word, 3 when the title has it and 1 when the summary, partners, themes
or venue have it; ties go to the sooner offering.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import (
    Connection,
    case,
    cast,
    column,
    delete,
    false,
    func,
    select,
    table,
    union,
)
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, Select

from learning_platform.extensions import db
from learning_platform.models import Offering, OfferingSearch, Partner, Theme
from learning_platform.models.offering import offering_cohost, offering_theme

#: Made by the migration, not by the models: SQLite's FTS5 table (and its shadow tables,
#: which share the prefix); PostgreSQL's GIN index over the function joining the columns.
FTS_TABLE = "offering_search_fts"
PG_INDEX = "ix_offering_search_terms"
PG_TERMS = "offering_search_terms"

#: A query's words beyond this many are ignored; a term is cut at this many characters.
MAX_WORDS = 12
MAX_TERM = 60
#: Text of a description beyond this many characters is not searched.
MAX_BODY = 50_000

_HANGUL_HAN = (
    "\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff"  # Hangul
    "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # kana, Han
)
_THAI = "\u0e00-\u0e7f"


def _mark_ranges() -> str:
    """Combining marks (Unicode category M) of the BMP as a regex class body: Python's \\w
    leaves them out, which would cut "สวัสดี" or a decomposed "é" in pieces."""
    ranges, start, previous = [], None, None
    for code in range(0x300, 0x10000):
        if unicodedata.category(chr(code)).startswith("M"):
            if start is None:
                start = code
            previous = code
        elif start is not None:
            ranges.append(f"\\u{start:04x}-\\u{previous:04x}")
            start = None
    return "".join(ranges)


#: A run of letters, digits and combining marks: everything else separates terms.
_TOKEN = re.compile(rf"(?:[^\W_]|[{_mark_ranges()}])+")
_PARTS = re.compile(rf"([{_HANGUL_HAN}]+)|([{_THAI}]+)|([^{_HANGUL_HAN}{_THAI}]+)")
#: One-syllable particles after a Korean query word (기후를, 정원에): the word is searched
#: without them.
_PARTICLES = frozenset("을를이가은는의에도와과로")


def _normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _plain(word: str) -> str:
    """A spaced-script word without its accents: café and cafe are one term."""
    decomposed = unicodedata.normalize("NFD", word)
    kept = "".join(c for c in decomposed if not unicodedata.category(c).startswith("M"))
    return unicodedata.normalize("NFC", kept)[:MAX_TERM]


def _pairs(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)]


def _parts(text: str):
    """(kind, run) for each script run of each token: kind is "gram", "thai" or "word"."""
    for token in _TOKEN.findall(_normalize(text)):
        for gram, thai, word in _PARTS.findall(token):
            if gram:
                yield "gram", gram
            elif thai:
                yield "thai", thai
            else:
                plain = _plain(word)
                if plain:
                    yield "word", plain


def terms(*texts: str) -> str:
    """The searchable terms of `texts`, space-separated, each once."""
    found: dict[str, None] = {}
    for text in texts:
        for kind, run in _parts(text or ""):
            if kind == "word":
                found[run] = None
            elif kind == "gram":
                found.update(dict.fromkeys(run))
                found.update(dict.fromkeys(_pairs(run)))
            else:
                found.update(dict.fromkeys(_pairs(run) if len(run) > 1 else [run]))
    return " ".join(found)


@dataclass(frozen=True)
class Word:
    """One word of a query: all `terms` must be there; the last one as a prefix if `prefix`."""

    terms: tuple[str, ...]
    prefix: bool = False


def query_words(query: str) -> list[Word]:
    """The words of a search query, at most MAX_WORDS; none for punctuation or emoji only."""
    words: dict[Word, None] = {}
    for kind, run in _parts(query):
        if kind == "word":
            words[Word((run,), prefix=True)] = None
        elif kind == "gram":
            if len(run) > 2 and run[-1] in _PARTICLES:
                run = run[:-1]
            words[Word(tuple(_pairs(run)) if len(run) > 1 else (run,))] = None
        else:
            words[Word(tuple(_pairs(run)) if len(run) > 1 else (run,), prefix=len(run) == 1)] = None
    return list(words)[:MAX_WORDS]


# The documents ------------------------------------------------------------------------------


def _chunks(ids: list[int], size: int = 500):
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def rebuild(
    connection: Connection,
    offering_ids: Iterable[int] = (),
    *,
    partner_ids: Iterable[int] = (),
    theme_ids: Iterable[int] = (),
    everything: bool = False,
) -> int:
    """Rewrite the search rows of these offerings, of those of these partners (owned or
    co-hosted) and of these themes, or of every offering; returns how many."""
    ids = set(offering_ids)
    queries = []
    if everything:
        queries.append(select(Offering.id))
    if partner_ids := list(partner_ids):
        queries.append(select(Offering.id).where(Offering.partner_id.in_(partner_ids)))
        queries.append(
            select(offering_cohost.c.offering_id).where(
                offering_cohost.c.partner_id.in_(partner_ids)
            )
        )
    if theme_ids := list(theme_ids):
        queries.append(
            select(offering_theme.c.offering_id).where(offering_theme.c.theme_id.in_(theme_ids))
        )
    if queries:
        ids.update(connection.scalars(union(*queries) if len(queries) > 1 else queries[0]))
    for batch in _chunks(sorted(ids)):
        _write(connection, batch)
    return len(ids)


def _translated(translations: dict | None, field: str) -> list[str]:
    """`field`'s texts in the languages other than the primary one."""
    return [fields[field] for fields in (translations or {}).values() if fields.get(field)]


def _write(connection: Connection, ids: list[int]) -> None:
    names: dict[int, list[str]] = {offering_id: [] for offering_id in ids}
    for offering_id, name, translations in connection.execute(
        select(offering_cohost.c.offering_id, Partner.name, Partner.translations)
        .join(Partner, Partner.id == offering_cohost.c.partner_id)
        .where(offering_cohost.c.offering_id.in_(ids))
    ):
        names[offering_id].extend([name, *_translated(translations, "name")])
    for offering_id, name in connection.execute(
        select(offering_theme.c.offering_id, Theme.name_en + " " + Theme.name_ko)
        .join(Theme, Theme.id == offering_theme.c.theme_id)
        .where(offering_theme.c.offering_id.in_(ids))
        .union_all(
            select(offering_theme.c.offering_id, Theme.name_th)
            .join(Theme, Theme.id == offering_theme.c.theme_id)
            .where(offering_theme.c.offering_id.in_(ids)),
        )
    ):
        names[offering_id].append(name)
    rows = []
    for row in connection.execute(
        select(
            Offering.id,
            Offering.title,
            Offering.summary,
            Offering.description,
            Offering.venue_name,
            Offering.venue_address,
            Offering.translations,
            Partner.name,
            Partner.translations.label("partner_translations"),
        )
        .join(Partner, Partner.id == Offering.partner_id)
        .where(Offering.id.in_(ids))
    ):
        # Every language's words: a search in any language finds the offering.
        def every(field: str, row=row) -> list[str]:
            return [getattr(row, field) or "", *_translated(row.translations, field)]

        context = [
            *every("summary"),
            row.name,
            *_translated(row.partner_translations, "name"),
            *names[row.id],
            *every("venue_name"),
            *every("venue_address"),
        ]
        body = "\n".join(every("description"))
        rows.append(
            {
                "offering_id": row.id,
                "title": terms(*every("title")),
                "context": terms(*context),
                "body": terms(body[:MAX_BODY]),
            }
        )
    gone = set(ids) - {row["offering_id"] for row in rows}
    if gone:
        connection.execute(delete(OfferingSearch).where(OfferingSearch.offering_id.in_(gone)))
    if rows:
        # An upsert, not delete-then-insert: two transactions rewriting one offering's row
        # (a partner renamed while the offering is edited) wait for each other, not collide.
        upsert = (postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert)(
            OfferingSearch
        )
        connection.execute(
            upsert.on_conflict_do_update(
                index_elements=[OfferingSearch.offering_id],
                set_={name: upsert.excluded[name] for name in ("title", "context", "body")},
            ),
            rows,
        )


# Kept in step by the session: every change through the ORM, in the same transaction --------

_OFFERING_FIELDS = (
    "_title",
    "_summary",
    "_description",
    "_venue_name",
    "_venue_address",
    "translations",
    "partner_id",
    "partner",
    "themes",
    "cohosts",
)
_THEME_FIELDS = ("name_en", "name_ko", "name_th")
_PENDING = "offering_search_pending"


@dataclass
class _Pending:
    offerings: list = field(default_factory=list)
    partners: set[int] = field(default_factory=set)
    themes: set[int] = field(default_factory=set)


def _changed(instance, names: tuple[str, ...]) -> bool:
    attributes = db.inspect(instance).attrs
    return any(attributes[name].history.has_changes() for name in names)


def _collect(session: Session, _context, _instances) -> None:
    """Before a flush: note the offerings whose words change, and renamed partners and themes."""
    pending = session.info.setdefault(_PENDING, _Pending())
    for instance in session.new:
        if isinstance(instance, Offering):
            pending.offerings.append(instance)
    for instance in session.dirty:
        if isinstance(instance, Offering) and _changed(instance, _OFFERING_FIELDS):
            pending.offerings.append(instance)
        elif isinstance(instance, Partner) and _changed(instance, ("_name", "translations")):
            pending.partners.add(instance.id)
        elif isinstance(instance, Theme) and _changed(instance, _THEME_FIELDS):
            pending.themes.add(instance.id)


def _write_pending(session: Session, _context) -> None:
    """After a flush, in its transaction: rewrite the noted offerings' search rows."""
    pending = session.info.pop(_PENDING, None)
    if pending is None:
        return
    # New offerings have their id now, though not yet their identity key; read without
    # loading anything.
    ids = {db.inspect(offering).dict.get("id") for offering in pending.offerings} - {None}
    if ids or pending.partners or pending.themes:
        rebuild(session.connection(), ids, partner_ids=pending.partners, theme_ids=pending.themes)


def init_app(_app) -> None:
    """Keep the search rows in step with every session (services, seeding, factories)."""
    from sqlalchemy import event

    if not event.contains(Session, "before_flush", _collect):
        event.listen(Session, "before_flush", _collect)
        event.listen(Session, "after_flush", _write_pending)


# Matching -----------------------------------------------------------------------------------


def _postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _vector(search) -> ColumnElement:
    """The indexed expression: PG_INDEX is built on exactly this."""
    return getattr(func, PG_TERMS)(search.c.title, search.c.context, search.c.body)


def _tsquery(words: list[Word]) -> ColumnElement:
    # Terms hold only letters, digits and marks: quoting them needs no escapes.
    text = " & ".join(
        "(" + " & ".join(f"'{term}'" for term in word.terms) + (":*" if word.prefix else "") + ")"
        for word in words
    )
    return cast(text, TSQUERY)


#: A letter or digit: what FTS5's unicode61 tokenizer keeps of a term.
_TOKEN_CHARACTER = re.compile(r"[^\W_]")


def _fts_terms(word: Word) -> list[str]:
    """The terms of `word` FTS5 can find. Its unicode61 tokenizer counts combining marks as
    separators, so a Thai pair of two marks (the ี่ of เกี่ยว) is no token in the index: as an
    empty phrase in a query it would match nothing, and เกี่ยว nothing at all."""
    return [term for term in word.terms if _TOKEN_CHARACTER.search(term)]


def _fts_query(words: list[Word], columns: str = "") -> str | None:
    """The FTS5 query for `words`; None when no word has a term it can find."""
    # FTS5 strings in double quotes: terms hold no quote, so nothing is an operator.
    parts = [
        "(" + " AND ".join(f'"{term}"' for term in terms) + ("*" if word.prefix else "") + ")"
        for word in words
        if (terms := _fts_terms(word))
    ]
    if not parts:
        return None
    text = " AND ".join(parts)
    return f"{columns} : ({text})" if columns else text


_fts = table(FTS_TABLE, column("rowid"), column(FTS_TABLE))


def _fts_ids(query: str | None) -> Select:
    if query is None:
        return select(_fts.c.rowid).where(false())
    return select(_fts.c.rowid).where(_fts.c[FTS_TABLE].op("MATCH")(query))


def matching(words: list[Word]) -> ColumnElement[bool]:
    """SQL: the offering has every word; found through the search index."""
    if not words:
        return false()
    if _postgresql():
        search = OfferingSearch.__table__
        return Offering.id.in_(
            select(search.c.offering_id).where(_vector(search).op("@@")(_tsquery(words)))
        )
    return Offering.id.in_(_fts_ids(_fts_query(words)))


def relevance(words: list[Word]) -> ColumnElement[int]:
    """SQL: the offering's relevance to `words` (at least one), for offerings that match them."""
    if _postgresql():
        search = OfferingSearch.__table__.alias("relevance")
        score = sum(
            case((search.c.title.op("@@")(_tsquery([word])), 3), else_=0)
            + case((search.c.context.op("@@")(_tsquery([word])), 1), else_=0)
            for word in words
        )
        return select(score).where(search.c.offering_id == Offering.id).scalar_subquery()
    return sum(
        case((Offering.id.in_(_fts_ids(_fts_query([word], "title"))), 3), else_=0)
        + case((Offering.id.in_(_fts_ids(_fts_query([word], "context"))), 1), else_=0)
        for word in words
    )


def in_models(name: str | None, type_: str, _parents) -> bool:
    """Alembic's include_name: the search index's own objects are not the models' business."""
    if type_ == "table" and name and name.startswith(FTS_TABLE):
        return False
    return not (type_ == "index" and name == PG_INDEX)
