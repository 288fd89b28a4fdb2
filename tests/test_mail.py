"""The durable outbox: stored with the change, delivered once, retried with back-off."""

import socket
import threading
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
import time_machine
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from learning_platform.extensions import db
from learning_platform.mail.outbox import deliver_due
from learning_platform.mail.services import build_message, enqueue
from learning_platform.models import OutboxMessage, utcnow
from tests.conftest import mail_body


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self) -> None:
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        with self.lock:
            self.messages.append(
                (envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default))
            )
        return "250 Message accepted"


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    yield inbox
    controller.stop()


@pytest.fixture
def smtp_app(make_app, smtp_server):
    return make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)


def statuses(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(OutboxMessage.status).order_by(OutboxMessage.id)))


def put(app, count: int = 1) -> None:
    with app.app_context():
        for number in range(count):
            enqueue(build_message(f"p{number}@example.org", f"Message {number}", "본문 body"))
        db.session.commit()


def test_a_message_is_stored_only_if_its_change_commits(app):
    with app.app_context():
        enqueue(build_message("a@example.org", "Lost", "rolled back"))
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    put(app)
    assert statuses(app) == ["pending"]


def test_reset_mail_is_delivered_over_smtp_by_the_worker_command(
    smtp_app, smtp_server, make_person
):
    person = make_person("siwon@example.org", language="ko", name="이시원")
    client = smtp_app.test_client()
    client.submit("/reset", {"email": person.email})
    assert statuses(smtp_app) == ["pending"]  # nothing is sent inside the request

    result = smtp_app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    assert "sent 1, failed 0" in result.output
    [(recipients, message)] = smtp_server.messages
    assert recipients == ["siwon@example.org"]
    assert message["Subject"] == "비밀번호 재설정"
    assert "이시원님" in mail_body(message)
    assert "/reset/" in mail_body(message)
    assert statuses(smtp_app) == ["sent"]

    smtp_app.test_cli_runner().invoke(args=["mail", "send"])
    assert len(smtp_server.messages) == 1  # never sent twice


def test_a_failed_send_stays_pending_and_is_retried_with_back_off(make_app, smtp_server):
    down = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    put(down)
    report = _deliver(down)
    assert (report.sent, report.failed) == (0, 1)
    with down.app_context():
        message = db.session.scalar(select(OutboxMessage))
        assert (message.status, message.attempts) == ("pending", 1)
        assert "ConnectionRefused" in message.last_error
        wait = message.next_attempt_at - utcnow()
        assert timedelta(seconds=50) < wait <= timedelta(minutes=1)

    up = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    assert _deliver(up).sent == 0  # not due yet
    with time_machine.travel(utcnow() + timedelta(minutes=2)):
        assert _deliver(up).sent == 1
    assert len(smtp_server.messages) == 1
    assert statuses(up) == ["sent"]


def test_a_message_is_given_up_after_the_last_attempt(make_app):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_MAX_ATTEMPTS=2)
    put(app)
    _deliver(app)
    with time_machine.travel(utcnow() + timedelta(minutes=5)):
        _deliver(app)
    assert statuses(app) == ["failed"]


def test_a_stale_claim_of_a_dead_worker_is_taken_over(smtp_app, smtp_server):
    put(smtp_app)
    with smtp_app.app_context():
        message = db.session.scalar(select(OutboxMessage))
        message.status, message.claim_token = "sending", "dead-worker"
        message.claimed_at = utcnow() - timedelta(minutes=11)
        db.session.commit()
    assert _deliver(smtp_app).sent == 1
    assert len(smtp_server.messages) == 1


def test_a_fresh_claim_is_left_to_its_worker(smtp_app, smtp_server):
    put(smtp_app)
    with smtp_app.app_context():
        message = db.session.scalar(select(OutboxMessage))
        message.status, message.claim_token, message.claimed_at = "sending", "busy", utcnow()
        db.session.commit()
    assert _deliver(smtp_app).sent == 0


@pytest.mark.committed  # threads, each on its own connection
def test_concurrent_workers_send_each_message_exactly_once(smtp_app, smtp_server):
    put(smtp_app, 40)
    errors = []
    start = threading.Barrier(4)

    def worker():
        try:
            start.wait()
            while _deliver(smtp_app, limit=3).sent:
                pass
        except Exception as error:  # reported below, a thread cannot fail the test itself
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    subjects = sorted(message["Subject"] for _, message in smtp_server.messages)
    assert subjects == sorted(f"Message {n}" for n in range(40))
    assert statuses(smtp_app) == ["sent"] * 40


def test_without_a_mail_server_messages_are_written_as_eml_files(app, tmp_path):
    put(app)
    assert _deliver(app).sent == 1
    [path] = Path(app.config["MAIL_OUTBOX_DIR"]).glob("*.eml")
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert message["To"] == "p0@example.org"
    assert mail_body(message).strip() == "본문 body"


def test_development_sends_right_after_the_request(make_app, make_person):
    app = make_app(MAIL_SEND_AFTER_REQUEST=True)
    person = make_person()
    app.test_client().submit("/reset", {"email": person.email})
    assert statuses(app) == ["sent"]
    [path] = Path(app.config["MAIL_OUTBOX_DIR"]).glob("*.eml")
    assert "/reset/" in path.read_text()


def test_loop_mode_is_offered(runner):
    result = runner.invoke(args=["mail", "send", "--help"])
    assert "--loop" in result.output


def _deliver(app, limit: int = 100):
    with app.app_context():
        return deliver_due(limit=limit)


def test_a_worker_that_outlived_its_lease_skips_what_another_took_over(smtp_app, smtp_server):
    from learning_platform.mail.outbox import claim, send_claimed

    put(smtp_app, 3)
    with smtp_app.app_context():
        claim("slow-worker", limit=10)
    with time_machine.travel(utcnow() + timedelta(minutes=11)):
        assert _deliver(smtp_app).sent == 3  # the lease ran out: another worker sends them
        with smtp_app.app_context():
            report = send_claimed("slow-worker")  # the slow worker wakes up
    assert (report.sent, report.failed) == (0, 0)
    assert len(smtp_server.messages) == 3
