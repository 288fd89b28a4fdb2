"""An upload turned into the files we serve: decoded, checked, turned upright, stripped of its
metadata (EXIF with a home's GPS position, XMP), re-encoded as WebP in a few sizes.

Pure functions: no request, no database, no files.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from PIL import Image as Pillow
from PIL import ImageOps, UnidentifiedImageError

from learning_platform.models import ImageKind

#: What Pillow may decode an upload as; GIF, SVG, HTML and everything else are refused.
FORMATS = ("JPEG", "PNG", "WEBP")
EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp")
#: Covers: the widths stored (never wider than the upload). Logos: the square each fits in.
SIZES = {ImageKind.COVER: (400, 800, 1200), ImageKind.LOGO: (96, 192)}
#: Smaller uploads would look blurred: a cover this wide, a logo this large on its longer side.
MINIMUM = {ImageKind.COVER: 400, ImageKind.LOGO: 48}
QUALITY = {ImageKind.COVER: 80, ImageKind.LOGO: 90}


class UnusableImage(Exception):
    """An upload we refuse; the message says why, for the person who sent it."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class ProcessedImage:
    kind: ImageKind
    #: Names the files: the hash of their content, so a name never changes what it serves.
    key: str
    width: int
    height: int
    #: size (as in SIZES) -> the WebP file's bytes.
    files: dict[int, bytes]

    @property
    def sizes(self) -> list[int]:
        return sorted(self.files)


def has_accepted_extension(filename: str) -> bool:
    return filename.lower().endswith(EXTENSIONS)


def process(data: bytes, kind: ImageKind, max_pixels: int) -> ProcessedImage:
    """The files to store for the upload `data`.

    :raise UnusableImage: not a JPEG, PNG or WebP Pillow can decode, too many pixels (a
        decompression bomb), or too small.
    """
    picture = _decode(data, kind, max_pixels)
    minimum = MINIMUM[kind]
    longest = picture.width if kind == ImageKind.COVER else max(picture.size)
    if longest < minimum:
        if kind == ImageKind.COVER:
            raise UnusableImage(
                _l(
                    "This image is too small: a cover needs at least %(num)d pixels of width.",
                    num=minimum,
                )
            )
        raise UnusableImage(
            _l("This image is too small: a logo needs at least %(num)d pixels.", num=minimum)
        )
    files = {}
    for target in SIZES[kind]:
        size = min(target, longest)
        if size not in files:
            files[size] = _encode(_resized(picture, kind, size), kind)
    digest = hashlib.sha256()
    for size in sorted(files):
        digest.update(f"{size}:".encode())
        digest.update(files[size])
    return ProcessedImage(kind, digest.hexdigest()[:32], picture.width, picture.height, files)


def _decode(data: bytes, kind: ImageKind, max_pixels: int) -> Pillow.Image:
    unreadable = _l("This file is not a JPEG, PNG or WebP image we can read. Choose another file.")
    too_large = _l(
        "This image has too many pixels (more than %(num)d million). Choose a smaller one.",
        num=max_pixels // 1_000_000,
    )
    try:
        with warnings.catch_warnings():
            # Pillow only warns up to twice its own limit; ours is checked below anyway.
            warnings.simplefilter("error", Pillow.DecompressionBombWarning)
            with Pillow.open(io.BytesIO(data), formats=FORMATS) as opened:
                if opened.width * opened.height > max_pixels:
                    raise UnusableImage(too_large)
                if opened.format == "JPEG":
                    # Decode at 1/2, 1/4 or 1/8 scale when the largest file needs no more.
                    largest = max(SIZES[kind])
                    opened.draft("RGB", (largest, largest))
                opened.load()
                picture = ImageOps.exif_transpose(opened)
                if picture is opened:
                    picture = opened.copy()
    except (Pillow.DecompressionBombError, Pillow.DecompressionBombWarning):
        raise UnusableImage(too_large) from None
    except UnidentifiedImageError:
        raise UnusableImage(unreadable) from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError):
        # Truncated or malformed data inside a recognised header.
        raise UnusableImage(unreadable) from None
    return _normalised(picture, kind)


def _normalised(picture: Pillow.Image, kind: ImageKind) -> Pillow.Image:
    """RGB, or RGBA for a logo with transparency; a cover's transparency goes on white."""
    transparent = picture.mode in ("RGBA", "LA", "PA") or (
        picture.mode == "P" and "transparency" in picture.info
    )
    if not transparent:
        return picture.convert("RGB") if picture.mode != "RGB" else picture
    rgba = picture.convert("RGBA")
    if kind == ImageKind.LOGO:
        return rgba
    background = Pillow.new("RGBA", rgba.size, (255, 255, 255, 255))
    return Pillow.alpha_composite(background, rgba).convert("RGB")


def _resized(picture: Pillow.Image, kind: ImageKind, size: int) -> Pillow.Image:
    longest = picture.width if kind == ImageKind.COVER else max(picture.size)
    if size >= longest:
        return picture
    scale = size / longest
    dimensions = (max(1, round(picture.width * scale)), max(1, round(picture.height * scale)))
    return picture.resize(dimensions, Pillow.Resampling.LANCZOS, reducing_gap=3.0)


def _encode(picture: Pillow.Image, kind: ImageKind) -> bytes:
    clean = picture.copy()
    clean.info = {}  # no EXIF, XMP, comments or ICC from the upload: nothing is carried over
    buffer = io.BytesIO()
    clean.save(buffer, "WEBP", quality=QUALITY[kind], method=4)
    return buffer.getvalue()
