"""The durable outbox: stored with the change, delivered once, retried with back-off."""

import socket
import threading
from datetime import timedelta
from email import message_from_bytes, message_from_string, policy
from email.header import decode_header, make_header
from html.parser import HTMLParser
from pathlib import Path

import pytest
import time_machine
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from learning_platform.extensions import db
from learning_platform.mail.html import text_blocks
from learning_platform.mail.outbox import deliver_due
from learning_platform.mail.services import build_message, enqueue
from learning_platform.models import OutboxMessage, utcnow
from tests.conftest import mail_body
from tests.test_enrollment import register_as
from tests.test_workspace import in_days


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


# ---- What a person's mail program shows: a text part and an HTML part, one sender ----


class Elements(HTMLParser):
    """The tags, links and text of an HTML part, as a browser would see them."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.links: list[str] = []
        self.text: list[str] = []
        self.title = ""
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "a":
            self.links.append(dict(attrs)["href"])

    def handle_data(self, data):
        if self.lasttag == "title":
            self.title += data
        elif self.lasttag != "style":
            self.text.append(data)

    @property
    def words(self) -> str:
        return " ".join(" ".join(self.text).split())


def html_of(message) -> Elements:
    return Elements(message.get_body(preferencelist=("html",)).get_content())


@pytest.fixture
def gardening(make_partner, make_offering):
    partner = make_partner(name="Changwon City 창원특례시")
    return make_offering(
        partner,
        status="published",
        sessions=[in_days(7), in_days(14)],
        title="도시 텃밭 Urban Gardening",
        format="hybrid",
        online_link="https://meet.example.org/garden-room",
        contact_email="garden@changwon.example.org",
    )


def test_an_offering_mail_has_a_text_and_an_html_part_telling_the_same_facts(
    client, login, make_person, gardening, outbox
):
    person = make_person(language="ko", name="민지")
    register_as(client, login, person, gardening)
    [message] = outbox(person.email)
    assert message.get_content_type() == "multipart/mixed"  # the calendar is attached
    [alternative, calendar] = message.iter_parts()
    [plain, related] = alternative.iter_parts()
    assert plain.get_content_type() == "text/plain"
    # The HTML part and the check-in QR code it shows (test_checkin.py).
    assert [part.get_content_type() for part in related.iter_parts()] == [
        "text/html",
        "image/png",
    ]
    assert calendar.get_content_type() == "text/calendar"

    text, html = mail_body(message), html_of(message)
    for fact in (
        "민지님",
        "도시 텃밭 Urban Gardening",
        "2026",
        "오후 7:00",
        "Changwon Lifelong Learning Centre",
        "https://meet.example.org/garden-room",
        f"/offerings/{gardening.id}",
    ):
        assert fact in text
        assert fact in html.words
    offering_url = f"http://localhost/offerings/{gardening.id}"
    assert offering_url in text
    assert offering_url in html.links
    assert "https://meet.example.org/garden-room" in html.links
    assert html.tags.count("li") == 2  # one per session
    assert "Changwon City 창원특례시" in html.words  # the partner heads the mail
    assert "http://localhost/account" in html.links  # and the footer leads to the account
    assert "지속가능 도시 배움터에서 ‘도시 텃밭 Urban Gardening’에 신청하셔서" in html.words


def test_an_offering_mail_is_sent_by_its_partner_via_the_site_and_answered_to_its_contact(
    client, login, make_person, gardening, outbox, app
):
    person = make_person(language="en")
    register_as(client, login, person, gardening)
    [message] = outbox(person.email)
    [sender] = message["From"].addresses
    assert sender.display_name == "Changwon City 창원특례시 via Learning for Sustainable Cities"
    assert sender.addr_spec == "no-reply@localhost"  # always the configured address
    [reply_to] = message["Reply-To"].addresses
    assert reply_to.addr_spec == "garden@changwon.example.org"
    with app.app_context():
        raw = db.session.scalar(select(OutboxMessage.raw))
    assert raw.isascii()  # Korean names travel encoded (RFC 2047), never as raw bytes
    assert "=?utf-8?" in raw.split("\n\n", 1)[0]


def test_korean_mail_names_the_partner_and_the_site_in_korean(
    app, client, login, make_person, gardening
):
    person = make_person(language="ko")
    register_as(client, login, person, gardening)
    with app.app_context():
        raw = db.session.scalar(select(OutboxMessage.raw))
    header = message_from_string(raw, policy=policy.compat32)["From"]
    # Decoded as RFC 2047 says (Python 3.11's newer header parser doubles the space at the fold).
    assert str(make_header(decode_header(header))) == (
        "Changwon City 창원특례시 · 지속가능 도시 배움터 <no-reply@localhost>"
    )


def test_an_offering_without_contact_address_sends_no_reply_to(
    client, login, make_person, make_partner, make_offering, outbox
):
    offering = make_offering(
        make_partner(), status="published", sessions=[in_days(3)], contact_email=""
    )
    person = make_person()
    register_as(client, login, person, offering)
    [message] = outbox(person.email)
    assert message["Reply-To"] is None


def test_the_sender_name_is_a_setting(make_app, make_person):
    app = make_app(MAIL_SENDER_NAME="창원 배움터", MAIL_DEFAULT_SENDER="Old <mail@example.org>")
    person = make_person()
    app.test_client().submit("/reset", {"email": person.email})
    with app.app_context():
        raw = db.session.scalar(select(OutboxMessage.raw))
    message = message_from_string(raw, policy=policy.default)
    [sender] = message["From"].addresses
    assert (sender.display_name, sender.addr_spec) == ("창원 배움터", "mail@example.org")


def test_an_account_mail_is_branded_with_the_site_and_keeps_its_link_in_both_parts(
    client, make_person, outbox
):
    person = make_person(language="ko", name="이시원")
    client.submit("/reset", {"email": person.email})
    [message] = outbox(person.email)
    assert message.get_content_type() == "multipart/alternative"
    assert message["From"].addresses[0].display_name == "지속가능 도시 배움터"
    assert message["Reply-To"] is None
    html = html_of(message)
    [reset_link] = {link for link in html.links if "/reset/" in link}
    assert reset_link in mail_body(message)
    assert "링크 열기" in html.words
    assert html.title.strip() == "비밀번호 재설정"
    assert html.words.startswith("지속가능 도시 배움터 이시원님")  # the site heads the mail


def test_titles_and_names_stay_text_in_the_html_part(
    client, login, make_person, make_partner, make_offering, outbox
):
    partner = make_partner(name='Evil"><img src=x onerror=alert(1)>')
    offering = make_offering(
        partner, status="published", sessions=[in_days(3)], title="<script>alert(1)</script>"
    )
    person = make_person()
    register_as(client, login, person, offering)
    [message] = outbox(person.email)
    raw_html = message.get_body(preferencelist=("html",)).get_content()
    html = Elements(raw_html)
    assert "script" not in html.tags
    assert html.tags.count("img") == 1  # only our own: the check-in QR code
    assert raw_html.count("<img ") == 1 and '<img src="cid:' in raw_html
    assert "<script>alert(1)</script>" in html.words  # shown as the text it is
    assert "&lt;script&gt;" in raw_html


def test_a_saved_eml_file_opens_as_a_multipart_message(app, client, make_person):
    person = make_person()
    client.submit("/reset", {"email": person.email})
    assert _deliver(app).sent == 1
    [path] = Path(app.config["MAIL_OUTBOX_DIR"]).glob("*.eml")
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert message.is_multipart()
    assert message.get_content_type() == "multipart/alternative"
    assert "/reset/" in mail_body(message)
    assert any("/reset/" in link for link in html_of(message).links)


def test_text_blocks_read_paragraphs_lists_details_and_lone_links():
    text = (
        "Hello <b>,\n\nLine one\nSee https://example.org/a?x=1&y=2.\n\n"
        "  - first\n  - second\nVenue: Hall\n\n  Tuesday 19:00\n\nOpen:\nhttps://example.org/b\n\n"
        "-- \nSite"
    )
    blocks = text_blocks(text, own_site="https://example.org/")
    assert [block.kind for block in blocks] == [
        "paragraph",
        "paragraph",
        "list",
        "paragraph",
        "detail",
        "paragraph",
        "link",
    ]
    assert blocks[0].lines == ["Hello &lt;b&gt;,"]
    assert blocks[1].lines[1] == (
        'See <a class="link" href="https://example.org/a?x=1&amp;y=2" '
        'style="color:#084c37;word-break:break-all;">https://example.org/a?x=1&amp;y=2</a>.'
    )
    assert blocks[2].lines == ["first", "second"]
    assert blocks[-1].href == "https://example.org/b"
    assert all("Site" not in line for block in blocks for line in block.lines)  # the footer's


def test_only_our_own_addresses_become_the_mails_button():
    """An address an organizer typed (a reason, a note) is never drawn as our button."""
    [block] = text_blocks(
        "Confirm again:\nhttps://evil.example/login", own_site="https://example.org/"
    )
    assert block.kind == "paragraph"
    assert block.lines[1].startswith('<a class="link" href="https://evil.example/login"')
    lookalike = "https://example.org.evil.example/login"
    assert text_blocks(lookalike, own_site="https://example.org/")[0].kind == "paragraph"


def test_a_line_break_in_a_partner_name_cannot_add_a_header(
    client, login, make_person, make_partner, make_offering, outbox
):
    partner = make_partner(name="Evil\r\nBcc: everyone@example.org")
    offering = make_offering(partner, status="published", sessions=[in_days(3)])
    person = make_person()
    register_as(client, login, person, offering)
    [message] = outbox(person.email)
    assert message["Bcc"] is None
    assert message["From"].addresses[0].display_name.startswith("Evil Bcc: everyone@")


def test_a_dashes_line_in_the_body_is_not_taken_for_the_signature():
    blocks = text_blocks("Note from the organizer:\n-- \nbring a hat\n\n-- \nSite")
    assert [line for block in blocks for line in block.lines] == [
        "Note from the organizer:",
        "--",
        "bring a hat",
    ]
