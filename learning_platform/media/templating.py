"""What templates use to show images: URLs of stored files and default art, monograms,
and the date badge of catalog cards. Registered as Jinja globals."""

from __future__ import annotations

import unicodedata
import zlib
from datetime import datetime

from babel.dates import format_date
from flask import Flask, url_for
from flask_babel import get_locale

from learning_platform.i18n import current_language
from learning_platform.mail.services import external_url
from learning_platform.models import Image, ImageKind, Offering, Partner
from learning_platform.timezones import local

#: Themes with default cover art of their own, static/covers/<slug>.svg (drawn for this
#: project, no text in them), and <slug>.png rendered from it at 1200 x 675 by Chromium
#: (`chromium --headless --screenshot=<slug>.png --window-size=1200,675 <slug>.svg`).
#: Other themes, and offerings without one, get DEFAULT_COVER.
THEME_COVERS = frozenset(
    {
        "esd",
        "lifelong-learning",
        "future-of-cities",
        "climate-action",
        "biodiversity",
        "resource-efficiency",
        "inclusion",
        "digital-media-literacy",
        "global-citizenship",
    }
)
DEFAULT_COVER = "default"
#: The default art's size (all share it): 16:9.
DEFAULT_COVER_SIZE = (1200, 675)
#: Colours of monograms (CSS classes monogram--0 ... monogram--5).
MONOGRAM_COLOURS = 6
_SMALL_WORDS = frozenset({"of", "for", "the", "and", "de", "la", "le", "du", "des"})


def nearest_size(image: Image, wanted: int) -> int:
    """The smallest stored size at least `wanted`, else the largest."""
    sizes = sorted(image.sizes)
    return next((size for size in sizes if size >= wanted), sizes[-1])


def media_url(image: Image, size: int, external: bool = False) -> str:
    name = image.file_name(nearest_size(image, size))
    if external:
        return external_url("media.file", name=name)
    return url_for("media.file", name=name)


def image_srcset(image: Image) -> str:
    """`srcset` with width descriptors: every stored file of a cover."""
    return ", ".join(
        f"{url_for('media.file', name=image.file_name(size))} {image.dimensions(size)[0]}w"
        for size in sorted(image.sizes)
    )


def default_cover(offering: Offering) -> str:
    """The name of the default art: the first theme that has its own, else the neutral one."""
    for theme in offering.themes:
        if theme.slug in THEME_COVERS:
            return theme.slug
    return DEFAULT_COVER


def cover_url(
    offering: Offering, width: int = 800, external: bool = False, vector: bool = False
) -> str:
    """The URL of the offering's cover at least `width` wide (or its largest), or of its
    default art; `external=True` for an absolute one on BASE_URL (og:image, mail).

    The default art is a PNG (what link previews and mail clients show), or with `vector=True`
    the SVG it was rendered from (pages).
    """
    if offering.cover is not None:
        return media_url(offering.cover, width, external)
    filename = f"covers/{default_cover(offering)}.{'svg' if vector else 'png'}"
    if external:
        return external_url("static", filename=filename)
    return url_for("static", filename=filename)


def alt_text(image: Image) -> str:
    """The image's text alternative in the reader's language (English if not given)."""
    return image.alt(current_language())


def initials(name: str) -> str:
    """One or two letters standing for `name`: "UNESCO Bangkok" -> "UB", "창원시" -> "창"."""
    words = [word for word in name.split() if word[:1].isalnum()]
    significant = [word for word in words if word.lower() not in _SMALL_WORDS] or words
    if not significant:
        return "?"
    first = significant[0]
    if unicodedata.name(first[0], "").startswith("HANGUL") or len(significant) == 1:
        return _letter(first).upper()
    return (_letter(first) + _letter(significant[1])).upper()


#: Thai vowels written before the consonant they follow in speech (เมือง is "m-ue-ang").
_LEADING_VOWELS = frozenset("เแโใไ")


def _letter(word: str) -> str:
    """The letter that stands for `word`: the first consonant in Thai (not a leading vowel
    or a mark written over or under a letter), the first letter otherwise."""
    for character in word:
        if character in _LEADING_VOWELS or unicodedata.category(character).startswith("M"):
            continue
        if character.isalnum():
            return character
    return word[0]


def monogram_colour(partner: Partner) -> int:
    """A colour for the partner's monogram that stays the same on every page."""
    return zlib.crc32(partner.slug.encode()) % MONOGRAM_COLOURS


def date_badge(moment: datetime, zone: str) -> tuple[str, str]:
    """(day, month) of `moment` in `zone`, e.g. ("5", "12월") or ("5", "Dec")."""
    day = local(moment, zone)
    return str(day.day), format_date(day, "LLL", locale=get_locale())


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        cover_url=cover_url,
        media_url=media_url,
        image_srcset=image_srcset,
        alt_text=alt_text,
        initials=initials,
        monogram_colour=monogram_colour,
        date_badge=date_badge,
        DEFAULT_COVER_SIZE=DEFAULT_COVER_SIZE,
        ImageKind=ImageKind,
    )
