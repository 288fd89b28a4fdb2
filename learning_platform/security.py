"""Password hashing, tokens, safe redirects and response headers."""

import hashlib
import logging
import re
import secrets
import unicodedata
from collections.abc import MutableMapping
from urllib.parse import unquote, urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, Response, abort, current_app, request

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config["ARGON2_TIME_COST"],
        memory_cost=config["ARGON2_MEMORY_COST"],
        parallelism=config["ARGON2_PARALLELISM"],
    )


def _prepare(password: str) -> str:
    # NFKC so that the same password typed on two keyboards (composed or decomposed
    # Hangul, full-width Latin) matches; no truncation, no other changes.
    return unicodedata.normalize("NFKC", password)


def hash_password(password: str) -> str:
    return _hasher().hash(_prepare(password))


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, _prepare(password))
    except (VerificationError, InvalidHashError):
        return False


def password_needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


def dummy_verify(password: str) -> None:
    """Spend the time a real check would, so unknown emails cannot be told apart."""
    verify_password(_dummy_hash(), password)


def _dummy_hash() -> str:
    cached = current_app.extensions.get("dummy_password_hash")
    if cached is None:
        cached = hash_password(secrets.token_urlsafe(16))
        current_app.extensions["dummy_password_hash"] = cached
    return cached


def new_token() -> tuple[str, str]:
    """A fresh 256-bit URL-safe token and the hash to store in its place."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def is_safe_path(target: str | None) -> bool:
    """Whether `target` is a path on this site, safe to redirect to after login."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None, default: str) -> str:
    return target if is_safe_path(target) else default


#: Paths whose next segment is a secret: whoever holds the URL holds the capability
#: (password reset, address check, private calendar feed). Such URLs never reach a log.
CAPABILITY_PREFIXES = ("/reset/", "/verify/", "/feeds/me/")
#: Query parameters whose value is a secret, whatever the path.
SECRET_PARAMETERS = ("token", "password", "secret", "key")
#: Request and response headers that carry credentials (gunicorn can log any header).
SECRET_HEADERS = ("cookie", "set-cookie", "authorization", "proxy-authorization")
REDACTED = "<redacted>"

# Slashes may be doubled (Werkzeug merges them) and any letter percent-encoded: the text is
# decoded before it is matched, so every spelling that reaches a view is caught.
_CAPABILITY = re.compile(
    "(?P<keep>"
    + "|".join("/+".join(map(re.escape, prefix.split("/"))) for prefix in CAPABILITY_PREFIXES)
    + r")[^/?#&]+",
    re.IGNORECASE,
)
_SECRET_PARAMETER = re.compile(
    r"(?P<keep>(?:^|[?&;])(?:" + "|".join(SECRET_PARAMETERS) + r")=)[^&;#\s\"]+",
    re.IGNORECASE,
)
#: What a log line is cut into before decoding: runs without spaces or quotes.
_RUN = re.compile(r"[^\s\"']+")
_UNPRINTABLE = re.compile(r"[\x00-\x20\x7f]")
#: gunicorn's name for a request (i) or response (o) header in its log atoms: {name}i.
_HEADER_ATOM = re.compile(r"\{(.+)\}[io]")


def redact_secrets(text: str) -> str:
    """`text` with the secret of every capability URL and secret parameter replaced."""
    return _RUN.sub(_redact_run, text)


def _redact_run(match: re.Match) -> str:
    run = match.group()
    decoded = _decode(run)
    redacted = _CAPABILITY.sub(r"\g<keep>" + REDACTED, decoded)
    redacted = _SECRET_PARAMETER.sub(r"\g<keep>" + REDACTED, redacted)
    if redacted == decoded:
        return run  # untouched, and not decoded: decoding could forge line breaks
    # The decoded text may hold spaces or line breaks: escape them again.
    return _UNPRINTABLE.sub(lambda char: f"%{ord(char.group()):02X}", redacted)


def _decode(text: str) -> str:
    # Proxies and clients may encode twice; a few rounds reach what the router sees.
    for _ in range(3):
        decoded = unquote(text)
        if decoded == text:
            break
        text = decoded
    return text


class RedactCapabilityUrls(logging.Filter):
    """Capability URLs, secret parameters and credential headers never reach a log."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, MutableMapping):
            _redact_header_atoms(record.args)
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: logging reports it as it always does
            return True
        redacted = redact_secrets(message)
        if redacted != message:
            # The finished line is what gets redacted, so no argument slips by; the record then
            # carries that line instead of a format and its arguments.
            record.msg, record.args = redacted, ()
        if record.exc_info and not record.exc_text:
            # A traceback's messages may quote a URL: format it here, redacted; handlers use
            # the cached text.
            formatted = logging.Formatter().formatException(record.exc_info)
            redacted = redact_secrets(formatted)
            if redacted != formatted:
                record.exc_text = redacted
        return True


def _redact_header_atoms(atoms: MutableMapping) -> None:
    # gunicorn's access-log atoms, changed in place: they answer "-" for a header the request
    # lacks, which a plain dict in their place would not.
    for key in list(atoms):
        header = _HEADER_ATOM.fullmatch(key) if isinstance(key, str) else None
        if header and header.group(1).lower() in SECRET_HEADERS:
            atoms[key] = REDACTED


def _redact_request_logs(app: Flask) -> None:
    # A filter on a logger does not see what its children propagate to it, so each of our
    # module loggers (created at import, before this runs) gets its own.
    ours = [
        logging.getLogger(name)
        for name in list(logging.root.manager.loggerDict)
        if name.startswith(f"{app.import_name}.")
    ]
    loggers = [
        logging.getLogger("werkzeug"),
        logging.getLogger("gunicorn.access"),
        logging.getLogger("gunicorn.error"),
        app.logger,
        *ours,
    ]
    for logger in loggers:
        if not any(isinstance(f, RedactCapabilityUrls) for f in logger.filters):
            logger.addFilter(RedactCapabilityUrls())


def is_capability_path(path: str) -> bool:
    return bool(_CAPABILITY.search(_decode(path)))


def init_app(app: Flask) -> None:
    _redact_request_logs(app)

    @app.before_request
    def refuse_nul_bytes():
        # PostgreSQL refuses NUL in text; no address or parameter of ours ever holds one.
        if "\x00" in request.path:
            abort(404)
        if any("\x00" in value for value in request.args.values()):
            abort(400)

    defaults = [
        ("Content-Security-Policy", CSP),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("X-Frame-Options", "DENY"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ]
    if app.config["SECURITY_HSTS"]:
        defaults.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))

    @app.after_request
    def security_headers(response: Response) -> Response:
        # One pass over the headers a view set itself (setdefault would scan them per name).
        present = {name.lower() for name in response.headers.keys()}  # noqa: SIM118
        response.headers.extend(
            [(name, value) for name, value in defaults if name.lower() not in present]
        )
        if is_capability_path(request.path):
            # The page's own requests (its CSS, its form) would carry the secret in Referer,
            # into every proxy's access log on the way.
            response.headers["Referrer-Policy"] = "no-referrer"
        return response
