"""The issuer's DID document, where did:web resolvers look for it."""

import hashlib
import json

from flask import Blueprint, Response, abort, current_app, request

from learning_platform.credentials import did

bp = Blueprint("credentials", __name__)


@bp.get("/.well-known/did.json")
def did_document() -> Response:
    """did:web:<host> resolves here (the site at the root of its host)."""
    return _document_response()


@bp.get("/did.json")
def did_document_on_path() -> Response:
    """did:web:<host>:<path> resolves to <path>/did.json: BASE_URL's path is this app's root."""
    if not did.has_path(did.issuer_did()):
        abort(404)
    return _document_response()


def _document_response() -> Response:
    # Keys are read at each request (a few small files): a rotation shows at once, and a
    # missing or broken key leaves a document without it, never an error.
    body = json.dumps(did.did_document(), indent=2, ensure_ascii=False).encode("utf-8")
    response = Response(body, mimetype="application/did+json")
    response.set_etag(hashlib.sha256(body).hexdigest())
    response.headers["Cache-Control"] = (
        f"public, max-age={int(current_app.config['DID_DOCUMENT_SECONDS'])}"
    )
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "ETag"
    response.make_conditional(request)
    return response
