"""`flask credentials new-key` and `flask credentials keys`: the issuer's signing keys."""

import click
from flask import current_app
from flask.cli import AppGroup

from learning_platform.credentials import keys

credentials_cli = AppGroup("credentials", help="The certificates' signing keys.")


@credentials_cli.command("new-key")
def new_key_command() -> None:
    """Write a new Ed25519 signing key to CREDENTIAL_KEYS_DIR (readable by its owner only)."""
    key = keys.new_key_file()
    click.echo(f"New signing key {key.kid}")
    click.echo(f"  written to {key.source}")
    wanted = current_app.config.get("CREDENTIAL_ACTIVE_KEY", "")
    if wanted:
        click.echo(
            f"CREDENTIAL_ACTIVE_KEY={wanted} still signs. To sign with the new key, set"
            f" CREDENTIAL_ACTIVE_KEY={key.kid} and restart."
        )
    elif current_app.config.get("CREDENTIAL_SIGNING_KEY", "").strip():
        click.echo(
            "CREDENTIAL_SIGNING_KEY still signs. To sign with the new key, set"
            f" CREDENTIAL_ACTIVE_KEY={key.kid} and restart."
        )
    else:
        click.echo(
            "It signs from now on (the newest file signs unless CREDENTIAL_ACTIVE_KEY names"
            f" one; CREDENTIAL_ACTIVE_KEY={key.kid} pins it). Every key stays published in"
            " did.json: keep the old files, and back this one up."
        )


@credentials_cli.command("keys")
def keys_command() -> None:
    """List the published keys; the one that signs is marked with *."""
    try:
        active = keys.active_key().kid
        problem = None
    except keys.IssuerKeyMissing as error:
        active, problem = None, str(error)
    for key in keys.published_keys():
        mark = "*" if key.kid == active else " "
        click.echo(f"{mark} {key.kid}  {key.source}")
    if problem:
        click.echo(problem)
