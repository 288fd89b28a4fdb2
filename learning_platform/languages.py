"""The one registry of languages: which the interface speaks, and which content is written in.

Forms, feeds, mail, JSON-LD and the catalog's filters all read it, so adding a language is
one line here (and, for the interface, a translation catalog).
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Language:
    code: str
    #: The language named in itself, as a language switcher shows it.
    native_name: str
    #: The language named in the reader's language, as a form or a filter shows it.
    label: object
    #: The interface has a complete translation catalog in it.
    interface: bool


LANGUAGES = (
    Language("ko", "한국어", _l("Korean"), interface=True),
    Language("en", "English", _l("English"), interface=True),
    Language("th", "ไทย", _l("Thai"), interface=True),
)
BY_CODE = {language.code: language for language in LANGUAGES}
#: Languages content (titles, feeds, mail) can be in.
CONTENT_LANGUAGES = tuple(language.code for language in LANGUAGES)
#: Languages the interface is offered in (the language switch, a person's preference).
INTERFACE_LANGUAGES = tuple(language.code for language in LANGUAGES if language.interface)

#: Languages of instruction: each content language, and courses taught in Korean and English.
INSTRUCTION_LANGUAGES: dict[str, tuple[str, ...]] = {
    **{code: (code,) for code in CONTENT_LANGUAGES},
    "ko-en": ("ko", "en"),
}
INSTRUCTION_LABELS = {
    **{language.code: language.label for language in LANGUAGES},
    "ko-en": _l("Korean and English"),
}


def taught_in(language: str) -> tuple[str, ...]:
    """The instruction languages a catalog filter for `language` matches (bilingual included)."""
    return tuple(code for code, spoken in INSTRUCTION_LANGUAGES.items() if language in spoken)
