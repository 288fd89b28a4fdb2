"""Content written in several languages: which language a reader gets, and the fallback.

Organizers and admins write texts (an offering's title, a partner's name, a session's note)
in any of the content languages. A reader gets each text in their language, else in the
text's primary language (the one its author wrote first), else in any language it has. The
rule lives here once; `models.translated` stores the texts and applies it.

The reading language is the interface language of the request (or of a mail, under
`flask_babel.force_locale`), unless code asks for another with `reading(language)`: a feed
built for `?lang=th`, the edit form that shows the primary texts, the search index that
reads every language.
"""

from __future__ import annotations

import contextvars
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from flask import has_app_context
from flask_babel import force_locale, get_locale

from learning_platform.languages import CONTENT_LANGUAGES

_override: contextvars.ContextVar[str | None] = contextvars.ContextVar("reading", default=None)
#: `reading(None)`: the primary language, whatever the request's language.
_PRIMARY = "*"


def reading_language() -> str | None:
    """The language texts are read in now, or None outside any request, mail or `reading()`
    (then texts come in their primary language)."""
    chosen = _override.get()
    if chosen == _PRIMARY:
        return None
    if chosen:
        return chosen
    if has_app_context():
        locale = get_locale()
        if locale is not None:
            return str(locale.language)
    return None


@contextmanager
def reading(language: str | None) -> Iterator[None]:
    """Read texts in `language` inside the block (None: the primary language)."""
    token = _override.set(language or _PRIMARY)
    try:
        yield
    finally:
        _override.reset(token)


@contextmanager
def in_language(language: str) -> Iterator[None]:
    """The interface and every text in `language` inside the block: what one recipient of a
    mail (its subject, body and attached calendar) or one feed reads, whatever the request's
    language."""
    with force_locale(language), reading(language):
        yield


@dataclass(frozen=True)
class Written:
    """A field's texts as they were (a session's place before it moved), read like the field:
    in the reading language when it is used, not when it was taken."""

    texts: Mapping[str, str]
    primary: str

    def __str__(self) -> str:
        return pick(self.texts, reading_language(), self.primary)[0]

    def __bool__(self) -> bool:
        return any(self.texts.values())


def fallback_order(reader: str | None, primary: str) -> Iterable[str]:
    """The languages to try, in order: the reader's, the primary one, then the others."""
    seen = dict.fromkeys(code for code in (reader, primary) if code)
    seen.update(dict.fromkeys(CONTENT_LANGUAGES))
    return seen


def pick(texts: Mapping[str, str], reader: str | None, primary: str) -> tuple[str, str]:
    """(text, its language) of `texts` ({language: text}) for `reader`: theirs, else the
    primary language's, else any; ("", primary) when no language has one."""
    for language in fallback_order(reader, primary):
        text = texts.get(language)
        if text:
            return text, language
    return "", primary


#: A Thai syllable written with its vowel first (เ แ โ ใ ไ) sorts by its consonant.
_THAI_LEADING_VOWEL = re.compile("([\u0e40-\u0e44])([\u0e01-\u0e2e])")


def sort_key(text: str) -> str:
    """A key that sorts names as a reader of their language expects, near enough for short
    lists people scan (partners, cities): case and width ignored, Hangul in dictionary order
    (its code points are), Thai by consonant before its leading vowel."""
    folded = unicodedata.normalize("NFKC", text).casefold().strip()
    return _THAI_LEADING_VOWEL.sub(r"\2\1", folded)
