"""Operating the outbox: `flask mail send` empties it, and sent mail keeps no secret."""

import socket
from pathlib import Path

from sqlalchemy import func, select

from learning_platform.extensions import db
from learning_platform.mail.services import build_message, enqueue
from learning_platform.models import OutboxMessage


def put(app, count: int) -> None:
    with app.app_context():
        for number in range(count):
            enqueue(build_message(f"p{number}@example.org", f"Message {number}", "body"))
        db.session.commit()


def count_by_status(app) -> dict[str, int]:
    with app.app_context():
        rows = db.session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        )
        return dict(rows.all())


def test_mail_send_sends_everything_due_in_batches(app, runner):
    put(app, 25)  # three batches of 10, the last one partly filled
    result = runner.invoke(args=["mail", "send", "--batch", "10"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "sent 25, failed 0"
    assert count_by_status(app) == {"sent": 25}
    assert len(list(Path(app.config["MAIL_OUTBOX_DIR"]).glob("*.eml"))) == 25


def test_mail_send_stops_when_every_message_failed(make_app):
    with socket.socket() as sock:  # a port nobody listens on: every send is refused
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    put(app, 15)
    result = app.test_cli_runner().invoke(args=["mail", "send", "--batch", "10"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "sent 0, failed 15"
    assert count_by_status(app) == {"pending": 15}  # each tried once, retried later
