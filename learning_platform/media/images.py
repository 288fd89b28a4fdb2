"""An upload turned into the files we serve: decoded, checked, turned upright, stripped of its
metadata (EXIF with a home's GPS position, XMP), re-encoded as WebP in a few sizes.

Pure functions: no request, no database, no files.
"""

from __future__ import annotations

import hashlib
import io
import logging
import math
import warnings
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from PIL import Image as Pillow
from PIL import UnidentifiedImageError

from learning_platform.models import ImageKind

#: What Pillow may decode an upload as; GIF, SVG, HTML and everything else are refused.
FORMATS = ("JPEG", "PNG", "WEBP")
EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp")
#: Covers: the widths stored (never wider than the upload). Logos: the square each fits in.
SIZES = {ImageKind.COVER: (400, 800, 1200), ImageKind.LOGO: (96, 192)}
#: Smaller uploads would look blurred: a cover this wide, a logo this large on its longer side.
MINIMUM = {ImageKind.COVER: 400, ImageKind.LOGO: 48}
QUALITY = {ImageKind.COVER: 80, ImageKind.LOGO: 90}
#: A picture's longer side may be at most this many times its shorter one (a long banner
#: logo, a panorama cover); WebP itself holds no more than 16,383 pixels on a side.
MAX_ASPECT = {ImageKind.COVER: 5, ImageKind.LOGO: 8}
#: The picture is reduced (averaging blocks of pixels) to no less than this many times the
#: largest stored size before the final, finer resizing.
REDUCING_GAP = 2
#: Converted and reduced this many pixels at a time, so that an upload never holds a second
#: full-size copy of itself (a 6,300 x 6,300 grey PNG with transparency is 160 MB decoded).
STRIP_PIXELS = 1_000_000
#: EXIF orientation -> the transposition that stands the picture upright (as ImageOps does).
UPRIGHT = {
    2: Pillow.Transpose.FLIP_LEFT_RIGHT,
    3: Pillow.Transpose.ROTATE_180,
    4: Pillow.Transpose.FLIP_TOP_BOTTOM,
    5: Pillow.Transpose.TRANSPOSE,
    6: Pillow.Transpose.ROTATE_270,
    7: Pillow.Transpose.TRANSVERSE,
    8: Pillow.Transpose.ROTATE_90,
}
SIXTEEN_BITS = ("I;16", "I;16L", "I;16B", "I;16N")

logger = logging.getLogger(__name__)


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


#: How many times MEDIA_MAX_PIXELS a JPEG may have (it stays under Pillow's own bomb warning,
#: 89 million pixels, at the default).
JPEG_ALLOWANCE = 3


def process(data: bytes, kind: ImageKind, max_pixels: int) -> ProcessedImage:
    """The files to store for the upload `data`.

    :raise UnusableImage: not a JPEG, PNG or WebP Pillow can decode, too many pixels (a
        decompression bomb), too small, too long and narrow, or anything Pillow fails on.
    """
    try:
        return _process(data, kind, max_pixels)
    except UnusableImage:
        raise
    except (Pillow.DecompressionBombError, Pillow.DecompressionBombWarning):
        raise UnusableImage(_too_many_pixels(max_pixels)) from None
    except UnidentifiedImageError:
        raise UnusableImage(_unreadable()) from None
    except Exception:  # whatever a decoder or an encoder raises is a refusal
        # Truncated or malformed data inside a recognised header, a mode or size an encoder
        # refuses: said to the person, logged for us.
        logger.warning("image upload refused: Pillow failed on it", exc_info=True)
        raise UnusableImage(_unreadable()) from None


def _unreadable():
    return _l("This file is not a JPEG, PNG or WebP image we can read. Choose another file.")


def _too_many_pixels(max_pixels: int):
    return _l(
        "This image has too many pixels (more than %(num)d million). Choose a smaller one.",
        num=max_pixels // 1_000_000,
    )


def _process(data: bytes, kind: ImageKind, max_pixels: int) -> ProcessedImage:
    with warnings.catch_warnings():
        # Pillow only warns up to twice its own limit; ours is checked below anyway.
        warnings.simplefilter("error", Pillow.DecompressionBombWarning)
        with Pillow.open(io.BytesIO(data), formats=FORMATS) as opened:
            # A JPEG is decoded at a reduced scale (draft, below): a phone's 48-megapixel
            # photo costs a quarter of its size or less, so it may have three times as many.
            limit = max_pixels * (JPEG_ALLOWANCE if opened.format == "JPEG" else 1)
            if opened.width * opened.height > limit:
                raise UnusableImage(_too_many_pixels(limit))
            orientation = _orientation(opened)
            width, height = opened.size
            if orientation in (5, 6, 7, 8):
                width, height = height, width
            _check_shape(width, height, kind)
            longest = width if kind == ImageKind.COVER else max(width, height)
            sizes = sorted({min(target, longest) for target in SIZES[kind]})
            # The largest stored file, in the picture's own (not yet upright) orientation.
            box = _dimensions((width, height), kind, sizes[-1])
            if orientation in (5, 6, 7, 8):
                box = box[::-1]
            if opened.format == "JPEG":
                # Decode at 1/2, 1/4 or 1/8 scale when the largest file needs no more.
                opened.draft("RGB", box)
            opened.load()
            picture = _flattened(opened, kind, box)
    if orientation in UPRIGHT:
        picture = picture.transpose(UPRIGHT[orientation])
    files = {size: _encode(_resized(picture, (width, height), kind, size), kind) for size in sizes}
    digest = hashlib.sha256()
    for size in sorted(files):
        digest.update(f"{size}:".encode())
        digest.update(files[size])
    return ProcessedImage(kind, digest.hexdigest()[:32], width, height, files)


def _orientation(opened: Pillow.Image) -> int:
    try:
        value = opened.getexif().get(0x0112, 1)
    except Exception:  # unreadable EXIF: the picture is taken as it stands
        return 1
    return value if isinstance(value, int) else 1


def _check_shape(width: int, height: int, kind: ImageKind) -> None:
    """Too small to look sharp, or too long and narrow to show (or to encode)."""
    minimum = MINIMUM[kind]
    longest = width if kind == ImageKind.COVER else max(width, height)
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
    if max(width, height) > MAX_ASPECT[kind] * min(width, height):
        raise UnusableImage(
            _l(
                "This image is too long and narrow: its longer side may be at most %(num)d times its shorter side. Crop it and choose it again.",
                num=MAX_ASPECT[kind],
            )
        )


def _flattened(picture: Pillow.Image, kind: ImageKind, box: tuple[int, int]) -> Pillow.Image:
    """The decoded `picture` as RGB (RGBA for a logo with transparency; a cover's transparency
    goes on white), reduced to no less than REDUCING_GAP times `box`.

    Done a strip of rows at a time: the only full-size copy held is the decoded one.
    """
    factor = max(
        1,
        min(
            picture.width // (box[0] * REDUCING_GAP),
            picture.height // (box[1] * REDUCING_GAP),
        ),
    )
    convert = _converter(picture, kind)
    rows = max(1, STRIP_PIXELS // picture.width // factor) * factor
    result = None
    for top in range(0, picture.height, rows):
        strip = convert(picture.crop((0, top, picture.width, min(picture.height, top + rows))))
        if factor > 1:
            strip = strip.reduce(factor)
        if result is None:
            size = (math.ceil(picture.width / factor), math.ceil(picture.height / factor))
            result = Pillow.new(strip.mode, size)
        result.paste(strip, (0, top // factor))
    return result


def _converter(picture: Pillow.Image, kind: ImageKind):
    """How to turn a strip of `picture` into RGB or RGBA, faithful to its picture: 16-bit and
    floating-point greys scaled to 8 bits (not clipped to white), palettes and transparency
    kept, CMYK turned into RGB."""
    mode = picture.mode
    transparent = mode in ("RGBA", "RGBa", "LA", "La", "PA") or (
        mode in ("P", "L", "RGB") and "transparency" in picture.info
    )
    if mode in SIXTEEN_BITS:
        grey = lambda strip: strip.convert("I").point(lambda value: value / 257).convert("L")  # noqa: E731
    elif mode in ("I", "F"):
        # 32-bit integers or floats hold 8-bit, 16-bit or 0-to-1 values: which, the range says.
        brightest = picture.getextrema()[1]
        scale = 255 if mode == "F" and brightest <= 1 else 1 if brightest <= 255 else 1 / 257
        grey = lambda strip: strip.point(lambda value: value * scale).convert("L")  # noqa: E731
    elif mode == "1":
        grey = lambda strip: strip.convert("L")  # noqa: E731
    else:
        grey = None
    if grey is not None:
        return lambda strip: grey(strip).convert("RGB")
    if not transparent:
        return lambda strip: strip if strip.mode == "RGB" else strip.convert("RGB")
    if kind == ImageKind.LOGO:
        return lambda strip: strip.convert("RGBA")

    def on_white(strip: Pillow.Image) -> Pillow.Image:
        rgba = strip.convert("RGBA")
        background = Pillow.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba)
        return background

    return on_white


def _dimensions(original: tuple[int, int], kind: ImageKind, size: int) -> tuple[int, int]:
    """Width and height of the stored file of `size` (as Image.dimensions says)."""
    width, height = original
    longest = width if kind == ImageKind.COVER else max(width, height)
    scale = min(1.0, size / longest)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _resized(
    picture: Pillow.Image, original: tuple[int, int], kind: ImageKind, size: int
) -> Pillow.Image:
    dimensions = _dimensions(original, kind, size)
    if picture.size == dimensions:
        return picture
    return picture.resize(dimensions, Pillow.Resampling.LANCZOS)


def _encode(picture: Pillow.Image, kind: ImageKind) -> bytes:
    clean = picture.copy()
    clean.info = {}  # no EXIF, XMP, comments or ICC from the upload: nothing is carried over
    buffer = io.BytesIO()
    clean.save(buffer, "WEBP", quality=QUALITY[kind], method=4)
    return buffer.getvalue()
