"""Text columns written in several languages.

Storage: each translated field keeps its primary-language text in its own column (so SQL
that sorts, filters or exports still has one plain value) and the other languages' texts
in one JSON column, `translations` = {"en": {"title": "…", "summary": "…"}, "th": {…}}.
A language the author has not written is absent (never an empty copy of the primary).

Reading: `offering.title` is the title in the reading language (`multilingual`), with the
fallback rule; `Offering.title` in a query is the primary-language column. Writing
`offering.title = …` sets the primary text; `set_text(field, language, text)` any language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from sqlalchemy import JSON
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column

from learning_platform.languages import CONTENT_LANGUAGES
from learning_platform.multilingual import Written, pick, reading_language


def translated(field: str) -> Any:
    """The attribute `field` over the column attribute `_<field>`: the text in the reading
    language on an instance, the primary-language column in SQL."""
    column = f"_{field}"

    def read(self) -> str:
        if not self.translations:  # written in one language: no need to know which
            return getattr(self, column) or ""
        return self.shown(field)[0]

    def write(self, value: str) -> None:
        setattr(self, column, value)

    def expression(cls):
        return getattr(cls, column).label(field)

    return hybrid_property(read, write, expr=expression)


class Translated:
    """Mixin: the fields named in `TRANSLATED` are written in several languages."""

    #: The translated fields, the first one the text a language needs to count as written
    #: (an offering's title, a partner's name).
    TRANSLATED: ClassVar[tuple[str, ...]] = ()

    #: {language: {field: text}} for the languages other than the primary one.
    translations: Mapped[dict[str, dict[str, str]]] = mapped_column(
        JSON, default=dict, server_default="{}"
    )
    # `primary_language`, the language of the `_<field>` columns, is a column on offerings
    # and partners, and the offering's on its sessions.

    def texts(self, field: str) -> dict[str, str]:
        """{language: text} of `field` in every language it is written in."""
        found = {self.primary_language: getattr(self, f"_{field}") or ""}
        for language, fields in (self.translations or {}).items():
            if language != self.primary_language and fields.get(field):
                found[language] = fields[field]
        return {language: text for language, text in found.items() if text}

    def text(self, field: str, language: str) -> str:
        """`field` as written in `language` exactly ("" when it is not)."""
        if language == self.primary_language:
            return getattr(self, f"_{field}") or ""
        return ((self.translations or {}).get(language) or {}).get(field, "")

    def shown(self, field: str, reader: str | None = None) -> tuple[str, str]:
        """(text, language) of `field` for `reader` (default: the reading language)."""
        reader = reader or reading_language()
        primary = self.primary_language
        # The common cases without building every language's texts (a feed reads thousands).
        if reader and reader != primary:
            text = ((self.translations or {}).get(reader) or {}).get(field)
            if text:
                return text, reader
        text = getattr(self, f"_{field}")
        if text:
            return text, primary
        return pick(self.texts(field), reader, primary)

    def written(self, field: str) -> Written:
        """`field` in every language as it is now, to be read later in the reader's."""
        return Written(self.texts(field), self.primary_language)

    def language_of(self, field: str) -> str:
        """The language `field` is shown in to the reader now (for a `lang` attribute)."""
        return self.shown(field)[1]

    def set_text(self, field: str, language: str, text: str) -> None:
        self.set_texts(language, {field: text})

    def set_texts(self, language: str, values: Mapping[str, str]) -> None:
        """Write `values` ({field: text}) in `language`; an empty text removes that language's."""
        if language == self.primary_language:
            for field, text in values.items():
                setattr(self, f"_{field}", text or "")
            return
        translations = {code: dict(fields) for code, fields in (self.translations or {}).items()}
        fields = translations.setdefault(language, {})
        for field, text in values.items():
            if text:
                fields[field] = text
            else:
                fields.pop(field, None)
        if not fields:
            del translations[language]
        self.translations = translations  # a new value, so the change is flushed

    def written_in(self) -> list[str]:
        """The languages it is written in (those with its first field), primary first."""
        first = self.TRANSLATED[0]
        return [code for code in self.languages_in_order() if self.text(first, code)]

    def languages_in_order(self) -> list[str]:
        """Every content language, the primary one first."""
        return [
            self.primary_language,
            *(c for c in CONTENT_LANGUAGES if c != self.primary_language),
        ]

    def missing(self, language: str, fields: Iterable[str] | None = None) -> list[str]:
        """The fields written in the primary language and not in `language`."""
        return [
            field
            for field in fields or self.TRANSLATED
            if self.text(field, self.primary_language) and not self.text(field, language)
        ]

    def change_primary_language(self, language: str) -> None:
        """Make `language` the primary one; every text stays in its own language."""
        if language == self.primary_language:
            return
        every = self.every_text()
        self.primary_language = language
        self.store_texts(language, every)

    def every_text(self) -> dict[str, dict[str, str]]:
        """{field: {language: text}} of every translated field."""
        return {field: self.texts(field) for field in self.TRANSLATED}

    def store_texts(self, primary: str, every: Mapping[str, Mapping[str, str]]) -> None:
        """Store `every` ({field: {language: text}}) with `primary` in the columns."""
        translations: dict[str, dict[str, str]] = {}
        for field, texts in every.items():
            texts = dict(texts)
            setattr(self, f"_{field}", texts.pop(primary, ""))
            for code, text in texts.items():
                translations.setdefault(code, {})[field] = text
        self.translations = translations

    def audit_value(self, field: str) -> Any:
        """What the audit trail records of `field`: "title" is the primary text, "title.th"
        the Thai one; other fields as they are."""
        name, _, language = field.partition(".")
        if name in self.TRANSLATED:
            return self.text(name, language or self.primary_language)
        return getattr(self, field)
