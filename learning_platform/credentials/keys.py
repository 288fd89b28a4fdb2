"""The issuer's Ed25519 signing keys: PEM files in CREDENTIAL_KEYS_DIR, or one PEM in the
CREDENTIAL_SIGNING_KEY setting; never in the database.

A key's id (kid) is its JWK thumbprint (RFC 7638), not its file name: it is computed from the
key itself, so renaming a file, restoring it from a backup or moving it from the folder into
the setting keeps the kid that certificates already carry in their JWS header.

Every key found is published in the DID document (certificates signed before a rotation stay
verifiable); one of them signs: CREDENTIAL_ACTIVE_KEY (a kid), else the setting's key, else the
newest file. `new_key_file` names files after their creation time in UTC, so "newest" is the
last file by name (a copy or restore that changes modification times changes nothing).
"""

import base64
import hashlib
import json
import os
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import current_app


class IssuerKeyMissing(Exception):
    """Nothing can be signed: no key, or the one named cannot be used.

    The step that issues certificates turns this into a page for the organizer (its message says
    what the operator has to do); the DID document is served without it.
    """


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: Ed25519PrivateKey
    #: Where it came from: a file's path, or "CREDENTIAL_SIGNING_KEY".
    source: str

    def public_jwk(self) -> dict[str, str]:
        """The public key as a JWK (RFC 8037); the private part ("d") is never in it."""
        return public_jwk(self.private_key)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def public_jwk(private_key: Ed25519PrivateKey) -> dict[str, str]:
    raw = private_key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return {"kty": "OKP", "crv": "Ed25519", "x": b64url(raw)}


def thumbprint(jwk: dict[str, str]) -> str:
    """RFC 7638: SHA-256 of the required members, sorted, without whitespace; base64url."""
    required = {name: jwk[name] for name in ("crv", "kty", "x")}
    canonical = json.dumps(required, sort_keys=True, separators=(",", ":"))
    return b64url(hashlib.sha256(canonical.encode("utf-8")).digest())


def _parse(pem: bytes) -> Ed25519PrivateKey:
    """:raise ValueError: not an unencrypted Ed25519 private key in PEM."""
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (TypeError, UnsupportedAlgorithm) as error:  # TypeError: encrypted
        raise ValueError(str(error)) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"a {type(key).__name__.removeprefix('_')} key, not Ed25519")
    return key


def _key_from(pem: bytes, source: str) -> SigningKey:
    key = _parse(pem)
    return SigningKey(kid=thumbprint(public_jwk(key)), private_key=key, source=source)


def _folder() -> Path:
    return Path(current_app.config["CREDENTIAL_KEYS_DIR"])


def _file_keys() -> list[SigningKey]:
    """The folder's keys, oldest first (by file name); unusable files are logged and skipped."""
    folder = _folder()
    if not folder.is_dir():
        return []
    keys = []
    for path in sorted(folder.glob("*.pem")):
        try:
            mode = path.stat().st_mode
            pem = path.read_bytes()
            keys.append(_key_from(pem, str(path)))
        except (OSError, ValueError) as error:
            current_app.logger.error("Signing key %s skipped: %s", path, error)
            continue
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            current_app.logger.warning(
                "Signing key %s can be read by others (mode %o): chmod 600 it.",
                path,
                stat.S_IMODE(mode),
            )
    return keys


def _setting_key() -> SigningKey | None:
    """:raise IssuerKeyMissing: the setting holds something that is not a usable key."""
    pem = current_app.config.get("CREDENTIAL_SIGNING_KEY", "")
    if not pem.strip():
        return None
    try:
        return _key_from(pem.encode("utf-8"), "CREDENTIAL_SIGNING_KEY")
    except ValueError as error:
        raise IssuerKeyMissing(
            f"CREDENTIAL_SIGNING_KEY is not an unencrypted Ed25519 private key in PEM ({error})."
        ) from None


def published_keys() -> list[SigningKey]:
    """Every usable key, each once: the setting's first, then the files, oldest first."""
    keys = []
    try:
        setting = _setting_key()
    except IssuerKeyMissing as error:
        current_app.logger.error("%s", error)
        setting = None
    if setting is not None:
        keys.append(setting)
    seen = {key.kid for key in keys}
    for key in _file_keys():
        if key.kid not in seen:
            seen.add(key.kid)
            keys.append(key)
    return keys


def active_key() -> SigningKey:
    """The key that signs now.

    :raise IssuerKeyMissing: there is none, CREDENTIAL_ACTIVE_KEY names a key not found, or
        CREDENTIAL_SIGNING_KEY is not a key.
    """
    setting = _setting_key()
    wanted = current_app.config.get("CREDENTIAL_ACTIVE_KEY", "")
    if wanted:
        for key in published_keys():
            if key.kid == wanted:
                return key
        raise IssuerKeyMissing(
            f"CREDENTIAL_ACTIVE_KEY is {wanted}, but no such key is in CREDENTIAL_SIGNING_KEY"
            f" or {_folder()}: run `flask credentials keys` to see the keys found."
        )
    if setting is not None:
        return setting
    files = _file_keys()
    if not files:
        raise IssuerKeyMissing("No signing key: run `flask credentials new-key`.")
    return files[-1]


def new_key_file(now: datetime | None = None) -> SigningKey:
    """Write a new key to the folder (created 0700 if missing), readable by the owner only."""
    folder = _folder()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    private_key = Ed25519PrivateKey.generate()
    kid = thumbprint(public_jwk(private_key))
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S%fZ")
    path = folder / f"{stamp}-{kid}.pem"
    pem = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # O_EXCL: never overwrite a key; the mode is set at creation, never after the write.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(pem)
    return SigningKey(kid=kid, private_key=private_key, source=str(path))
