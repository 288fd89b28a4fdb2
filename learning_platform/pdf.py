"""HTML to PDF with WeasyPrint, which fetches nothing from the network.

The page is rendered from one of our templates; the only files it may load are our own static
files, read from disk. WeasyPrint needs pango and fonts from the system: where they are missing,
`render_pdf` raises `PdfUnavailable` and the view answers 503 with a page that says why.
"""

from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app
from werkzeug.security import safe_join

#: The CSS font families that hold Korean, Thai and Latin glyphs (fontconfig finds them).
FONT_STACK = (
    '"Noto Sans CJK KR", "NanumGothic", "Noto Sans Thai", "Loma", "Noto Sans", "DejaVu Sans",'
    " sans-serif"
)

_TYPES = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg"}


class PdfUnavailable(Exception):
    """WeasyPrint or the system libraries it needs are not installed on this server."""


def static_file(url: str) -> tuple[bytes, str] | None:
    """The bytes and type of one of our static files named by `url`, or None for anything else."""
    parts = urlsplit(url)
    prefix = current_app.static_url_path.rstrip("/") + "/"
    if parts.scheme not in ("http", "https", "") or not parts.path.startswith(prefix):
        return None
    name = safe_join(current_app.static_folder, unquote(parts.path.removeprefix(prefix)))
    if name is None or not Path(name).is_file():
        return None
    path = Path(name)
    return path.read_bytes(), _TYPES.get(path.suffix, "application/octet-stream")


def render_pdf(html: str, *, base_url: str) -> bytes:
    """The PDF of `html`. :raise PdfUnavailable: without WeasyPrint or pango."""
    try:
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher, URLFetcherResponse
    except (ImportError, OSError) as error:  # OSError: pango's shared library is missing
        raise PdfUnavailable(str(error)) from error

    class OwnFilesOnly(URLFetcher):
        """Serves our static files from disk and refuses every other address."""

        def fetch(self, url, headers=None):
            found = static_file(url)
            if found is None:
                raise ValueError(f"not one of our static files: {url[:100]}")
            body, mime_type = found
            return URLFetcherResponse(url, body, headers={"Content-Type": mime_type})

    return HTML(string=html, base_url=base_url, url_fetcher=OwnFilesOnly()).write_pdf()
