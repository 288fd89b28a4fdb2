"""Operating the outbox: `flask mail send` empties it, and sent mail keeps no secret."""

import socket
from email import message_from_bytes, message_from_string, policy
from pathlib import Path

from sqlalchemy import func, select

from learning_platform.extensions import db
from learning_platform.mail.services import build_message, enqueue
from learning_platform.models import OutboxMessage
from tests.conftest import link_in, mail_body
from tests.factories import PASSWORD


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


def test_a_sent_reset_mail_leaves_no_link_in_the_outbox(app, client, make_person, runner):
    person = make_person()
    client.submit("/reset", {"email": person.email})
    assert runner.invoke(args=["mail", "send"]).output.strip() == "sent 1, failed 0"

    [delivered] = Path(app.config["MAIL_OUTBOX_DIR"]).glob("*.eml")
    sent = message_from_bytes(delivered.read_bytes(), policy=policy.default)
    link = link_in(sent, "/reset/")
    assert link in sent.get_body(preferencelist=("html",)).get_content()
    [(stored, kept)] = stored_messages(app)
    assert "/reset/" not in stored.raw  # in neither part
    assert not kept.is_multipart()  # the HTML part went with the text
    assert "removed from the outbox once it was sent" in mail_body(kept)
    assert (kept["To"], kept["Subject"]) == (person.email, "Reset your password")
    assert client.get(link).status_code == 200  # the person's link still works


def test_a_given_up_confirmation_mail_leaves_no_link_in_the_outbox(make_app):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_MAX_ATTEMPTS=1)
    client = app.test_client()
    client.submit(
        "/signup",
        {
            "email": "new@example.org",
            "display_name": "New",
            "password": PASSWORD,
            "preferred_language": "en",
            "consent": "y",
        },
    )
    assert app.test_cli_runner().invoke(args=["mail", "send"]).output.strip() == (
        "sent 0, failed 1"
    )
    [(stored, kept)] = stored_messages(app)
    assert stored.status == "failed"
    assert "/verify/" not in stored.raw
    assert "when sending it was given up" in mail_body(kept)


def test_other_mail_keeps_its_text_after_sending(app, runner):
    put(app, 1)
    runner.invoke(args=["mail", "send"])
    [(stored, kept)] = stored_messages(app)
    assert stored.status == "sent"
    assert mail_body(kept).strip() == "body"


def stored_messages(app):
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        return [(row, message_from_string(row.raw, policy=policy.default)) for row in rows]
