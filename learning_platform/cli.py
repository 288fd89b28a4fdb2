"""Commands `flask --app wsgi create-admin`, `seed-themes`, `seed-demo`, `housekeeping` and
`rebuild-search`."""

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from learning_platform import demo, housekeeping
from learning_platform.accounts import forms as account_forms
from learning_platform.accounts.services import create_person, find_person, normalize_email
from learning_platform.catalog import search
from learning_platform.extensions import db
from learning_platform.models import Person, utcnow


@click.command("create-admin")
@with_appcontext
@click.argument("email")
@click.option("--name", help="Display name (default: the part of EMAIL before @).")
@click.option(
    "--password",
    envvar="ADMIN_PASSWORD",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Asked for when not given (or set ADMIN_PASSWORD).",
)
def create_admin(email: str, name: str | None, password: str) -> None:
    """Make EMAIL a site admin, creating the account if needed."""
    email = normalize_email(email)
    if "@" not in email or len(email) > 254:
        raise click.BadParameter("not an email address", param_hint="EMAIL")
    person = find_person(email)
    if person is None:
        problem = account_forms.password_problem(password, email)
        if problem:
            raise click.BadParameter(str(problem), param_hint="--password")
        person = create_person(
            email, name or email.split("@")[0], password, "en", verified=True, is_admin=True
        )
        click.echo(f"Created admin {email}.")
    else:
        person.is_admin = True
        person.email_verified_at = person.email_verified_at or utcnow()
        click.echo(f"{email} is now an admin (password unchanged).")
    db.session.commit()


@click.command("seed-themes")
@with_appcontext
def seed_themes() -> None:
    """Create or update the themes and their SDG targets (safe in production)."""
    created = demo.seed_themes()
    db.session.commit()
    click.echo(f"Themes ready ({created} new).")


@click.command("seed-demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has any account.")
def seed_demo(if_empty: bool) -> None:
    """Load demo partners, themes and logins (idempotent; development only)."""
    if not current_app.config["ALLOW_DEMO_DATA"]:
        raise click.ClickException("Demo data with public passwords is refused in production.")
    if if_empty and db.session.scalar(select(func.count()).select_from(Person)):
        click.echo("The database already has accounts; demo data not loaded.")
        return
    rows = demo.seed_demo()
    db.session.commit()
    click.echo(f"Demo data ready. Every demo login uses the password: {demo.DEMO_PASSWORD}")
    for email, role in rows:
        click.echo(f"  {email:<24} {role}")


@click.command("housekeeping")
@with_appcontext
@click.option(
    "--batch",
    default=1000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Rows removed per transaction.",
)
def housekeeping_command(batch: int) -> None:
    """Delete old mail, used or expired account links, expired login sessions and images
    (rows and files) no cover or logo uses any more.

    Safe to repeat and to run from cron; two runs at once remove each row once.
    """
    for label, count in housekeep(batch).items():
        click.echo(f"{label}: {count}")


def housekeep(batch: int = 1000) -> dict[str, int]:
    """Run every sweep to its end, one committed batch at a time; what each removed."""
    report: dict[str, int] = {}
    for sweep in housekeeping.sweeps(utcnow()):
        report[f"deleted {sweep.label}"] = _in_batches(
            lambda sweep=sweep: housekeeping.delete_batch(sweep, batch)
        )
    report["removed the link from sent or failed mail"] = _in_batches(
        lambda: housekeeping.remove_secrets_batch(batch)
    )
    days = current_app.config["MAIL_KEEP_SENT_DAYS"]
    report[f"deleted mail files older than {days} days"] = housekeeping.delete_mail_files(utcnow())
    report["deleted image files no cover or logo uses"] = housekeeping.delete_unused_image_files(
        utcnow()
    )
    return report


def _in_batches(run_batch) -> int:
    # A commit per batch keeps each transaction (and its locks) short on a big table.
    total = 0
    while count := run_batch():
        db.session.commit()
        total += count
    db.session.commit()
    return total


@click.command("rebuild-search")
@with_appcontext
def rebuild_search() -> None:
    """Rewrite every offering's search words (after rows were written outside the app, or
    after a change to how words are cut)."""
    count = search.rebuild(db.session.connection(), everything=True)
    db.session.commit()
    click.echo(f"Search words rewritten for {count} offerings.")


def init_app(app: Flask) -> None:
    for command in (create_admin, seed_themes, seed_demo, housekeeping_command, rebuild_search):
        app.cli.add_command(command)
