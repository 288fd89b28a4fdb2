"""Password hashing, tokens, safe redirects and response headers."""

import hashlib
import logging
import re
import secrets
import unicodedata
from urllib.parse import urlsplit

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


_FEED_TOKEN = re.compile(r"(/feeds/me/)[^/\s.?\"]+")


class RedactFeedTokens(logging.Filter):
    """Private feed URLs are capabilities: their tokens never reach a log."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = _FEED_TOKEN.sub(r"\1<redacted>", record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redact(arg) for arg in record.args)
        elif isinstance(record.args, dict):  # gunicorn's access log
            record.args = {key: _redact(value) for key, value in record.args.items()}
        return True


def _redact(value):
    return _FEED_TOKEN.sub(r"\1<redacted>", value) if isinstance(value, str) else value


def _redact_request_logs(app: Flask) -> None:
    for logger in (logging.getLogger("werkzeug"), logging.getLogger("gunicorn.access"), app.logger):
        if not any(isinstance(f, RedactFeedTokens) for f in logger.filters):
            logger.addFilter(RedactFeedTokens())


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
        return response
