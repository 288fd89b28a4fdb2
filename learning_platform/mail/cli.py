"""`flask mail send [--loop]`: put due reminders in the outbox, then deliver it."""

import signal
import threading

import click
from flask.cli import AppGroup

from learning_platform.enrollment.reminders import enqueue_due
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
    """Queue the session reminders that are due, then send every message that is due, in
    batches; failed ones are retried later with back-off.

    With --loop, a round runs every --interval seconds until SIGTERM or Ctrl-C, which let the
    round under way finish (a message is never left half sent).
    """
    stop = threading.Event()
    if loop:
        _stop_on_signals(stop)
        click.echo(f"Sending mail every {interval:g} s; stop with Ctrl-C or SIGTERM.")
    while True:
        reminders = enqueue_due()
        if reminders:
            click.echo(f"reminders {reminders}")
        report = deliver_due(limit=batch)
        if report.sent or report.failed or not loop:
            click.echo(f"sent {report.sent}, failed {report.failed}")
        if not loop or stop.wait(interval):
            return


def _stop_on_signals(stop: threading.Event) -> None:
    if threading.current_thread() is not threading.main_thread():
        return  # signal handlers can only be set in the main thread (tests invoke from others)

    def handle(_number, _frame) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)
