"""The issuer as `did:web` (https://w3c-ccg.github.io/did-method-web/): its DID from BASE_URL,
its DID document listing every published key, and JWTs signed as it (VC-JOSE-COSE)."""

import json
from urllib.parse import quote, urlsplit

from flask import current_app, has_request_context, request

from learning_platform.credentials import keys

DID_CONTEXT = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/jwk/v1"]


def base_url() -> str:
    """BASE_URL; in development without it, the request's (or `make run`'s) address."""
    base = current_app.config["BASE_URL"]
    if base:
        return base
    if has_request_context():
        return request.url_root.rstrip("/")
    base = current_app.config.get("DEVELOPMENT_BASE_URL", "")
    if not base:
        raise RuntimeError("Set BASE_URL: the issuer's DID is made from it.")
    return base


def did_for(url: str) -> str:
    """`did:web:<host>` for a site's address: the port's colon percent-encoded (%3A), each path
    segment after another colon (did:web spec, "Create": https://example.org:8443/learn ->
    did:web:example.org%3A8443:learn)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").encode("idna").decode("ascii")
    if not host:
        raise ValueError(f"No host in {url!r}")
    if parts.port is not None:
        host += f"%3A{parts.port}"
    segments = [quote(segment, safe="") for segment in parts.path.split("/") if segment]
    return ":".join(["did", "web", host, *segments])


def issuer_did() -> str:
    return did_for(base_url())


def has_path(did: str) -> bool:
    """A DID with path segments resolves to <path>/did.json, without one to /.well-known/."""
    return did.count(":") > 2


def verification_method_id(did: str, kid: str) -> str:
    return f"{did}#{kid}"


def did_document() -> dict:
    """The DID document: one JsonWebKey per published key, public parts only."""
    did = issuer_did()
    methods = [
        {
            "id": verification_method_id(did, key.kid),
            "type": "JsonWebKey",
            "controller": did,
            "publicKeyJwk": key.public_jwk(),
        }
        for key in keys.published_keys()
    ]
    ids = [method["id"] for method in methods]
    return {
        "@context": DID_CONTEXT,
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": ids,
        "authentication": ids,
    }


def sign_jwt(payload: dict) -> str:
    """A compact JWS of PAYLOAD signed by the active key, its header naming that key in the DID
    document ({"alg": "EdDSA", "kid": "<did>#<kid>", "typ": "vc+jwt"}).

    Hand-written: a compact JWS with one fixed algorithm is three base64url parts and one
    Ed25519 signature; a JOSE library would add a dependency for that.

    :raise IssuerKeyMissing: no usable signing key (see keys.active_key).
    """
    key = keys.active_key()
    header = {
        "alg": "EdDSA",
        "kid": verification_method_id(issuer_did(), key.kid),
        "typ": "vc+jwt",
    }
    signing_input = ".".join(
        keys.b64url(json.dumps(part, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
        for part in (header, payload)
    )
    signature = key.private_key.sign(signing_input.encode("ascii"))
    return f"{signing_input}.{keys.b64url(signature)}"
