"""`flask mail send [--loop]`: deliver the outbox."""

import time

import click
from flask.cli import AppGroup

from learning_platform.mail.outbox import deliver_due

mail_cli = AppGroup("mail", help="Deliver the mail outbox.")


@mail_cli.command("send")
@click.option("--loop", is_flag=True, help="Keep running and send new mail as it comes.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between rounds.")
@click.option(
    "--batch",
    default=100,
    show_default=True,
    type=click.IntRange(min=1),
    help="Messages claimed at a time.",
)
def send_command(loop: bool, interval: float, batch: int) -> None:
    """Send every message that is due, in batches; failed ones are retried later with back-off."""
    while True:
        report = deliver_due(limit=batch)
        if report.sent or report.failed or not loop:
            click.echo(f"sent {report.sent}, failed {report.failed}")
        if not loop:
            return
        time.sleep(interval)
