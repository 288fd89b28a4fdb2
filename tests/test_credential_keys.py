"""The issuer's signing keys, its did:web document, and JWTs verified the way a stranger would:
resolve /.well-known/did.json, pick the key by the JWS header's kid, check the Ed25519 signature
with `cryptography` (nothing shared with the signer)."""

import base64
import json
import logging
import os
import stat
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from learning_platform.credentials import did, keys

# RFC 8037 appendix A.1 (the private key) and A.3 (its RFC 7638 thumbprint).
RFC8037_D = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"
RFC8037_X = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
RFC8037_THUMBPRINT = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def pem_of(private_key: Ed25519PrivateKey) -> bytes:
    return private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def rfc8037_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(unb64(RFC8037_D))


def key_dir(app) -> Path:
    return Path(app.config["CREDENTIAL_KEYS_DIR"])


def new_key(runner) -> str:
    result = runner.invoke(args=["credentials", "new-key"])
    assert result.exit_code == 0, result.output
    return result.output.split()[3]  # "New signing key <kid>"


def sign(app, payload: dict) -> str:
    with app.test_request_context():
        return did.sign_jwt(payload)


def verify(client, jwt: str) -> dict:
    """What a verifier that knows only the JWT and HTTP does; raises on any failure."""
    header_part, payload_part, signature_part = jwt.split(".")
    header = json.loads(unb64(header_part))
    assert header["alg"] == "EdDSA" and header["typ"] == "vc+jwt"
    document_id, _, _ = header["kid"].partition("#")
    assert document_id == "did:web:localhost"  # -> https://localhost/.well-known/did.json
    document = client.get("/.well-known/did.json").get_json(force=True)
    assert document["id"] == document_id
    assert header["kid"] in document["assertionMethod"]
    (method,) = [m for m in document["verificationMethod"] if m["id"] == header["kid"]]
    jwk = method["publicKeyJwk"]
    assert (jwk["kty"], jwk["crv"]) == ("OKP", "Ed25519")
    public_key = Ed25519PublicKey.from_public_bytes(unb64(jwk["x"]))
    public_key.verify(unb64(signature_part), f"{header_part}.{payload_part}".encode("ascii"))
    return json.loads(unb64(payload_part))


@pytest.mark.parametrize(
    ("base_url", "expected"),
    [
        ("https://learn.example.org", "did:web:learn.example.org"),
        ("https://Learn.Example.org/", "did:web:learn.example.org"),
        ("https://localhost:8443", "did:web:localhost%3A8443"),
        ("https://example.org/city/learn", "did:web:example.org:city:learn"),
        ("http://127.0.0.1:5000/a b", "did:web:127.0.0.1%3A5000:a%20b"),
    ],
)
def test_the_issuer_did_is_made_from_base_url_as_did_web_says(base_url, expected):
    assert did.did_for(base_url) == expected


def test_the_kid_is_the_rfc7638_thumbprint(app, tmp_path):
    key_dir(app).mkdir()
    (key_dir(app) / "any-name.pem").write_bytes(pem_of(rfc8037_key()))
    os.chmod(key_dir(app) / "any-name.pem", 0o600)
    with app.app_context():
        key = keys.active_key()
    assert key.kid == RFC8037_THUMBPRINT
    assert key.public_jwk() == {"kty": "OKP", "crv": "Ed25519", "x": RFC8037_X}


def test_without_a_key_the_document_answers_and_signing_says_what_to_do(app, client):
    response = client.get("/.well-known/did.json")
    assert response.status_code == 200
    document = response.get_json(force=True)
    assert document["id"] == "did:web:localhost"
    assert document["verificationMethod"] == []
    assert document["assertionMethod"] == [] and document["authentication"] == []
    with app.test_request_context():
        with pytest.raises(keys.IssuerKeyMissing, match="run `flask credentials new-key`"):
            keys.active_key()
        with pytest.raises(keys.IssuerKeyMissing, match="No signing key"):
            did.sign_jwt({"sub": "x"})


def test_new_key_writes_an_owner_only_file_and_keys_marks_the_active_one(app, runner):
    first = new_key(runner)
    files = list(key_dir(app).glob("*.pem"))
    assert len(files) == 1 and first in files[0].name
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(key_dir(app).stat().st_mode) == 0o700
    second = new_key(runner)
    assert second != first
    listing = runner.invoke(args=["credentials", "keys"]).output
    assert f"  {first}" in listing and f"* {second}" in listing


def test_the_document_lists_every_key_public_parts_only(app, client, runner):
    old, new = new_key(runner), new_key(runner)
    response = client.get("/.well-known/did.json")
    assert response.status_code == 200
    assert response.mimetype == "application/did+json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "max-age=" in response.headers["Cache-Control"]
    document = response.get_json(force=True)
    assert document["@context"] == [
        "https://www.w3.org/ns/did/v1",
        "https://w3id.org/security/jwk/v1",
    ]
    ids = [f"did:web:localhost#{old}", f"did:web:localhost#{new}"]
    assert [m["id"] for m in document["verificationMethod"]] == ids
    assert document["assertionMethod"] == ids and document["authentication"] == ids
    for method in document["verificationMethod"]:
        assert method["type"] == "JsonWebKey"
        assert method["controller"] == "did:web:localhost"
        assert set(method["publicKeyJwk"]) == {"kty", "crv", "x"}
    assert '"d"' not in response.get_data(as_text=True)
    assert "PRIVATE" not in response.get_data(as_text=True)
    again = client.get("/.well-known/did.json", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_a_jwt_verifies_against_the_document_and_nothing_else_does(app, client, runner):
    new_key(runner)
    jwt = sign(app, {"iss": "did:web:localhost", "name": "기후행동 시민학교 ✓"})
    assert verify(client, jwt)["name"] == "기후행동 시민학교 ✓"

    header_part, payload_part, signature_part = jwt.split(".")
    tampered_payload = bytearray(unb64(payload_part))
    tampered_payload[5] ^= 0x01
    tampered = ".".join([header_part, keys.b64url(bytes(tampered_payload)), signature_part])
    with pytest.raises(InvalidSignature):
        verify(client, tampered)
    tampered_signature = bytearray(unb64(signature_part))
    tampered_signature[0] ^= 0x80
    with pytest.raises(InvalidSignature):
        verify(client, ".".join([header_part, payload_part, keys.b64url(tampered_signature)]))

    # Same header (the published kid), signed by a key that is not in the document.
    stranger = Ed25519PrivateKey.generate().sign(f"{header_part}.{payload_part}".encode())
    with pytest.raises(InvalidSignature):
        verify(client, ".".join([header_part, payload_part, keys.b64url(stranger)]))


def test_after_rotation_old_jwts_still_verify_and_new_ones_use_the_new_key(app, client, runner):
    old_kid = new_key(runner)
    old_jwt = sign(app, {"n": 1})
    new_kid = new_key(runner)
    new_jwt = sign(app, {"n": 2})
    assert json.loads(unb64(old_jwt.split(".")[0]))["kid"].endswith(f"#{old_kid}")
    assert json.loads(unb64(new_jwt.split(".")[0]))["kid"].endswith(f"#{new_kid}")
    assert verify(client, old_jwt) == {"n": 1}
    assert verify(client, new_jwt) == {"n": 2}


def test_the_active_key_setting_picks_a_key_and_an_unknown_one_is_refused(app, client, runner):
    first, _second = new_key(runner), new_key(runner)
    app.config["CREDENTIAL_ACTIVE_KEY"] = first
    jwt = sign(app, {"n": 1})
    assert json.loads(unb64(jwt.split(".")[0]))["kid"] == f"did:web:localhost#{first}"
    assert verify(client, jwt) == {"n": 1}
    app.config["CREDENTIAL_ACTIVE_KEY"] = "no-such-kid"
    with app.test_request_context(), pytest.raises(keys.IssuerKeyMissing, match="no-such-kid"):
        keys.active_key()
    assert client.get("/.well-known/did.json").status_code == 200


def test_a_key_in_the_setting_signs_and_is_published_with_the_files(app, client, runner):
    file_kid = new_key(runner)
    app.config["CREDENTIAL_SIGNING_KEY"] = pem_of(rfc8037_key()).decode()
    jwt = sign(app, {"n": 1})
    assert json.loads(unb64(jwt.split(".")[0]))["kid"].endswith(f"#{RFC8037_THUMBPRINT}")
    assert verify(client, jwt) == {"n": 1}
    document = client.get("/.well-known/did.json").get_json(force=True)
    kids = [m["id"].partition("#")[2] for m in document["verificationMethod"]]
    assert kids == [RFC8037_THUMBPRINT, file_kid]


def test_a_broken_setting_or_file_never_breaks_the_document(app, client, runner, caplog):
    kid = new_key(runner)
    (key_dir(app) / "zz-broken.pem").write_text("not a key")
    app.config["CREDENTIAL_SIGNING_KEY"] = "-----BEGIN PRIVATE KEY-----\nnope\n"
    with caplog.at_level(logging.ERROR):
        response = client.get("/.well-known/did.json")
    assert response.status_code == 200
    kids = [m["id"].partition("#")[2] for m in response.get_json(force=True)["verificationMethod"]]
    assert kids == [kid]
    assert "zz-broken.pem" in caplog.text and "CREDENTIAL_SIGNING_KEY" in caplog.text
    with (
        app.test_request_context(),
        pytest.raises(keys.IssuerKeyMissing, match="CREDENTIAL_SIGNING_KEY is not"),
    ):
        keys.active_key()


def test_a_key_file_others_can_read_is_warned_about(app, runner, caplog):
    new_key(runner)
    (path,) = key_dir(app).glob("*.pem")
    os.chmod(path, 0o644)
    with app.app_context(), caplog.at_level(logging.WARNING):
        keys.published_keys()
    assert "can be read by others" in caplog.text and path.name in caplog.text


def test_a_base_url_with_a_path_serves_its_document_at_path_did_json(app, make_app, client, runner):
    new_key(runner)
    site = make_app(
        BASE_URL="https://example.org/learn", CREDENTIAL_KEYS_DIR=app.config["CREDENTIAL_KEYS_DIR"]
    )
    on_path = site.test_client().get("/did.json")
    assert on_path.status_code == 200
    document = on_path.get_json(force=True)
    assert document["id"] == "did:web:example.org:learn"
    assert document["verificationMethod"][0]["id"].startswith("did:web:example.org:learn#")
    assert client.get("/did.json").status_code == 404  # did:web:localhost: /.well-known only
