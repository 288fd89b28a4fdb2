"""split texts that glue two or three languages together into their languages

Revision ID: b8e4d2f6a913
Revises: 7a1c0e5b3f21
Create Date: 2026-12-03 00:10:00

Before texts had languages, organizers wrote "기후행동 시민학교 · Climate Action Citizens'
School" or a Korean paragraph then an English one. This revision cuts such texts of offerings
(title, summary, description, audience, venue_name, cost_note) and partners (name,
description, city) into their languages: the part in the row's primary language stays in the
column, the others go to `translations`.

A text is cut on the first of these that works: " · ", " / ", blank-line paragraphs,
sentence ends, then the boundaries between scripts ("UNESCO Bangkok 유네스코 방콕"). Each part
gets a language from its script (Thai letters: th, Hangul: ko, Latin letters: en; acronyms
such as ESD or SDGs, numbers and links count for nothing), and must be clearly one language
(four in five of its words). A cut is taken only when the parts make two or three runs of
distinct languages: "지속가능발전목표 SDGs 입문" stays whole (Korean with an acronym), as does
an English sentence quoting 한글 (English, Korean, English again).

The row's primary language becomes the language of the first part of its title (name): the
previous revision guessed it from the script alone. When that changes it, a field that is not
glued but clearly written in one other language moves to that language's translation. A field
is left whole when none of its parts is in the primary language, or when a translation it
would fill is already written. Session texts (note, location) are not cut: they stay with
their offering's primary language.

Nothing is lost: each part keeps its characters (and the separators inside it); only the
separator at each cut and the spaces around it go. Downgrade glues every translation of these
fields back after the primary text (" · " between them, a blank line in descriptions), and
guesses the primary language from the script again, as the previous revision did; a text
that would no longer fit its column keeps its translations (the previous revision's downgrade
drops them with the column).
"""

import json
import re

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "b8e4d2f6a913"
down_revision = "7a1c0e5b3f21"
branch_labels = None
depends_on = None

LANGUAGES = ("ko", "en", "th")
#: table: (first field (decides the primary language), fields cut, {field: column length})
TABLES = {
    "offering": (
        "title",
        ("title", "summary", "description", "audience", "venue_name", "cost_note"),
        {"title": 200, "summary": 500, "audience": 200, "venue_name": 200, "cost_note": 200},
    ),
    "partner": ("name", ("name", "description", "city"), {"name": 200, "city": 100}),
}
PARAGRAPH_FIELDS = {"description"}

_SEPARATORS = (
    re.compile(r"[ \t]+·[ \t]+"),
    re.compile(r"[ \t]+/[ \t]+"),
    re.compile(r"\n[ \t]*\n\s*"),
    re.compile(r"(?<=[.!?。])\s+"),
)
_LINK = re.compile(r"^\S*(://|www\.|@)\S*$")
_ACRONYM = re.compile(r"^[^\w]*[A-Z][A-Z0-9&]+s?[^\w]*$")
#: Letters of a script none of our languages is written in (Han, Kana, Cyrillic …).
_OTHER = "other"


def _script(word: str) -> str | None:
    """The language a word's letters are written in; None for acronyms, numbers, links."""
    if any("\u0e00" <= c <= "\u0e7f" for c in word):
        return "th"
    if any("\uac00" <= c <= "\ud7af" or "\u1100" <= c <= "\u11ff" for c in word):
        return "ko"
    if _LINK.match(word) or _ACRONYM.match(word):
        return None
    if any(c.isalpha() and (c.isascii() or "\u00c0" <= c <= "\u024f") for c in word):
        return "en"
    return _OTHER if any(c.isalpha() for c in word) else None


def language_of(text: str) -> str | None:
    """The one language `text` is clearly written in (four in five words), else None."""
    counts: dict[str, int] = {}
    for word in text.split():
        script = _script(word)
        if script:
            counts[script] = counts.get(script, 0) + 1
    if not counts:
        return None
    language, most = max(counts.items(), key=lambda item: item[1])
    clear = most * 5 >= sum(counts.values()) * 4
    return language if clear and language != _OTHER else None


def _pieces(text: str, separator: re.Pattern) -> list[tuple[int, int]]:
    """(start, end) of the pieces between separators, empty pieces left out."""
    spans, start = [], 0
    for match in separator.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def _script_runs(text: str) -> list[tuple[int, int]]:
    """(start, end) of the runs of words in one script; neutral words join the run they
    follow (or, leading, the run they start)."""
    runs: list[list] = []  # [script, start, end]
    for match in re.finditer(r"\S+", text):
        script = _script(match.group())
        if runs and (script is None or runs[-1][0] in (None, script)):
            runs[-1][2] = match.end()
            runs[-1][0] = runs[-1][0] or script
        else:
            runs.append([script, match.start(), match.end()])
    return [(start, end) for _script_name, start, end in runs]


def split_languages(text: str) -> list[tuple[str, str]] | None:
    """[(language, text), ...] of a text that glues two or three languages, in the order they
    come; None when it is written in one language (or it is not clear which)."""
    if not text or not text.strip():
        return None
    attempts = [_pieces(text, separator) for separator in _SEPARATORS]
    if "\n" not in text.strip():
        attempts.append(_script_runs(text))
    for attempt in attempts:
        if len(attempt) < 2:
            continue
        languages = [language_of(text[a:b]) for a, b in attempt]
        if None in languages:  # a part mixing languages: the whole text does, leave it
            return None
        groups: list[tuple[str, int, int]] = []
        for language, (a, b) in zip(languages, attempt, strict=True):
            if groups and groups[-1][0] == language:
                groups[-1] = (language, groups[-1][1], b)
            else:
                groups.append((language, a, b))
        if 2 <= len(groups) <= 3 and len({g[0] for g in groups}) == len(groups):
            return [(language, text[a:b].strip()) for language, a, b in groups]
    return None


def _json(value) -> dict:
    if isinstance(value, str):  # SQLite hands JSON back as text
        return json.loads(value or "{}")
    return dict(value or {})


def _rows(connection, table: str, fields) -> list:
    columns = ", ".join(("id", "primary_language", "translations", *fields))
    return connection.execute(sa.text(f"SELECT {columns} FROM {table} ORDER BY id")).all()


def _update(connection, table: str, row_id: int, values: dict) -> None:
    statement = sa.table(
        table,
        sa.column("id"),
        sa.column("primary_language"),
        sa.column("translations", sa.JSON()),
        *(sa.column(name) for name in values if name not in ("primary_language", "translations")),
    )
    connection.execute(sa.update(statement).where(statement.c.id == row_id).values(**values))


def split_row(primary: str, translations: dict, texts: dict, first: str):
    """(primary language, translations, {field: column text}) of one row after the cut;
    `texts` is {field: text} as stored. Pure, so tests can try it without a database."""
    translations = {code: dict(fields) for code, fields in translations.items()}
    columns: dict[str, str] = {}
    parts = {field: split_languages(texts[field] or "") for field in texts}
    old = primary
    if parts.get(first) and not translations:
        primary = parts[first][0][0]
    for field, text in texts.items():
        text = text or ""
        found = parts[field]
        if found is None:
            language = language_of(text) if primary != old and text else None
            if language and language != primary and not translations.get(language, {}).get(field):
                translations.setdefault(language, {})[field] = text
                columns[field] = ""
            continue
        if primary not in {language for language, _ in found}:
            continue
        if any(
            translations.get(language, {}).get(field)
            for language, _ in found
            if language != primary
        ):
            continue
        for language, part in found:
            if language == primary:
                columns[field] = part
            else:
                translations.setdefault(language, {})[field] = part
    return primary, translations, columns


def upgrade():
    connection = op.get_bind()
    for table, (first, fields, _lengths) in TABLES.items():
        for row in _rows(connection, table, fields):
            texts = {field: getattr(row, field) for field in fields}
            before = _json(row.translations)
            primary, translations, columns = split_row(row.primary_language, before, texts, first)
            if primary == row.primary_language and translations == before and not columns:
                continue
            _update(
                connection,
                table,
                row.id,
                {"primary_language": primary, "translations": translations, **columns},
            )


def _guess(text: str) -> str:
    """The previous revision's guess: Thai letters Thai, Hangul Korean, else English."""
    if any("\u0e00" <= c <= "\u0e7f" for c in text):
        return "th"
    if any("\uac00" <= c <= "\ud7af" or "\u1100" <= c <= "\u11ff" for c in text):
        return "ko"
    return "en"


def glue_row(primary: str, translations: dict, texts: dict, first: str, lengths: dict):
    """(primary language, translations, {field: column text}) with the translations of
    `texts`' fields glued after the primary text; the inverse of `split_row`."""
    translations = {code: dict(fields) for code, fields in translations.items()}
    columns: dict[str, str] = {}
    for field, text in texts.items():
        others = [
            translations[code][field]
            for code in LANGUAGES
            if code != primary and translations.get(code, {}).get(field)
        ]
        if not others:
            continue
        separator = "\n\n" if field in PARAGRAPH_FIELDS else " · "
        glued = separator.join([t for t in [text or ""] if t] + others)
        if field in lengths and len(glued) > lengths[field]:
            continue
        columns[field] = glued
        for code in LANGUAGES:
            if code != primary:
                translations.get(code, {}).pop(field, None)
    translations = {code: fields for code, fields in translations.items() if fields}
    title = columns.get(first, texts.get(first) or "")
    return _guess(title), translations, columns


def downgrade():
    connection = op.get_bind()
    for table, (first, fields, lengths) in TABLES.items():
        for row in _rows(connection, table, fields):
            before = _json(row.translations)
            if not before:
                continue
            texts = {field: getattr(row, field) for field in fields}
            primary, translations, columns = glue_row(
                row.primary_language, before, texts, first, lengths
            )
            _update(
                connection,
                table,
                row.id,
                {"primary_language": primary, "translations": translations, **columns},
            )
