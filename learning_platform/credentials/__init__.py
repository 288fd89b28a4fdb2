"""Certificates anyone can verify (issue 16): the issuer's keys and its did:web identity.

- `keys`: Ed25519 signing keys, outside the database (PEM files in CREDENTIAL_KEYS_DIR, or one
  PEM in CREDENTIAL_SIGNING_KEY); `keys.active_key()` is the one that signs, every key found is
  published. Without a usable key `active_key()` raises `keys.IssuerKeyMissing`, whose message
  says what the operator has to do ("No signing key: run `flask credentials new-key`."). The
  step that issues certificates catches it and shows the organizer a page with that message;
  it must never become a 500.
- `did`: the issuer's DID (`did:web:<host>` from BASE_URL), its DID document, and
  `did.sign_jwt(payload)`, a compact JWS (EdDSA, kid "<did>#<kid>", typ "vc+jwt").
- `routes`: `/.well-known/did.json` (and `/did.json` when BASE_URL has a path), served with or
  without keys.
- `cli`: `flask credentials new-key`, `flask credentials keys`.
"""
