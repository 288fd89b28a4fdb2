"""Delivering the outbox: claim due messages, send each once, back off on failure."""

import logging
import secrets
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import message_from_string
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import parseaddr
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import and_, event, or_, select, update
from sqlalchemy.orm import Session

from learning_platform.extensions import db
from learning_platform.mail.services import ENQUEUED
from learning_platform.models import OutboxMessage, OutboxStatus, utcnow

log = logging.getLogger(__name__)

#: A claim older than this is taken to belong to a worker that died.
CLAIM_LEASE = timedelta(minutes=10)
#: Session.info key: the transaction that enqueued a message has committed.
COMMITTED = "outbox_committed"
#: What a message holding a single-use link says once the link is removed from the outbox.
SENT_NOTE = (
    "This message held a single-use link (password reset or address check). "
    "Its text was removed from the outbox once it was sent."
)
GIVEN_UP_NOTE = (
    "This message held a single-use link (password reset or address check). "
    "Its text was removed from the outbox when sending it was given up."
)
#: The headers a message keeps when its text is removed, so the outbox still says what it was.
KEPT_HEADERS = ("From", "To", "Subject", "Date", "Message-ID", "Auto-Submitted")


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0


def backoff(attempts: int) -> timedelta:
    """Wait before retry number `attempts`: 1, 2, 4 … minutes, at most six hours."""
    return min(timedelta(minutes=2 ** (attempts - 1)), timedelta(hours=6))


def claim(token: str, limit: int, *, due_by: datetime | None = None) -> int:
    """Mark up to `limit` messages due by `due_by` (default now) as `token`'s; how many it got."""
    now = utcnow()
    due_by = due_by or now
    due = (
        select(OutboxMessage.id)
        .where(
            or_(
                and_(
                    OutboxMessage.status == OutboxStatus.PENDING,
                    OutboxMessage.next_attempt_at <= due_by,
                ),
                and_(
                    OutboxMessage.status == OutboxStatus.SENDING,
                    OutboxMessage.claimed_at < now - CLAIM_LEASE,
                ),
            )
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        # Workers skip each other's rows instead of queueing behind them.
        due = due.with_for_update(skip_locked=True)
    # One statement: SQLite runs it under its write lock, PostgreSQL under the row locks,
    # so two workers never claim the same message.
    claimed = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(due.scalar_subquery()))
        .values(status=OutboxStatus.SENDING, claim_token=token, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return claimed.rowcount


def deliver_due(limit: int = 100) -> DeliveryReport:
    """Send every message that is due, claiming `limit` at a time; each is sent by one worker.

    What comes due after the start (new mail, retries of this run's failures) waits for the
    next run, so a run always ends.
    """
    report = DeliveryReport()
    started = utcnow()
    while True:
        token = secrets.token_hex(16)
        if not claim(token, limit, due_by=started):
            return report
        batch = send_claimed(token)
        report.sent += batch.sent
        report.failed += batch.failed


def send_claimed(token: str) -> DeliveryReport:
    """Send what `token` claimed, renewing the claim before each message.

    A batch can take longer than the lease; renewing right before each send means a
    message another worker has taken over in the meantime is skipped, not sent twice.
    """
    report = DeliveryReport()
    ids = db.session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.claim_token == token)
        .order_by(OutboxMessage.id)
    ).all()
    for message_id in ids:
        if not _still_ours(message_id, token, claimed_at=utcnow()):
            db.session.commit()
            continue
        db.session.commit()
        message = db.session.get(OutboxMessage, message_id)
        try:
            transmit(message)
        except Exception as error:  # any failure keeps the message for a later try
            _finish(message, token, _failure_values(message, error))
            report.failed += 1
        else:
            sent = {"status": OutboxStatus.SENT, "sent_at": utcnow(), "last_error": None}
            _finish(message, token, sent | _secret_removed(message, SENT_NOTE))
            report.sent += 1
    return report


def _still_ours(message_id: int, token: str, **values) -> bool:
    renewed = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.claim_token == token,
            OutboxMessage.status == OutboxStatus.SENDING,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return renewed.rowcount == 1


def _finish(message: OutboxMessage, token: str, values: dict) -> None:
    if not _still_ours(message.id, token, claim_token=None, **values):
        log.error("Mail %s was taken over by another worker while being sent", message.id)
    db.session.commit()
    db.session.expire(message)


def _failure_values(message: OutboxMessage, error: Exception) -> dict:
    attempts = message.attempts + 1
    values = {"attempts": attempts, "last_error": f"{type(error).__name__}: {error}"[:500]}
    if attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
        log.error("Giving up on mail %s to %s: %s", message.id, message.recipient, error)
        return {**values, "status": OutboxStatus.FAILED, **_secret_removed(message, GIVEN_UP_NOTE)}
    log.warning("Mail %s to %s failed, will retry: %s", message.id, message.recipient, error)
    return {
        **values,
        "status": OutboxStatus.PENDING,
        "next_attempt_at": utcnow() + backoff(attempts),
    }


def _secret_removed(message: OutboxMessage, note: str) -> dict:
    if not message.contains_secret:
        return {}
    return {"raw": without_secret(message.raw, note), "contains_secret": False}


def without_secret(raw: str, note: str) -> str:
    """The message `raw` with its headers kept and its body (and attachments) replaced by `note`."""
    original = message_from_string(raw, policy=SMTP)
    kept = EmailMessage(policy=SMTP)
    for name in KEPT_HEADERS:
        if original[name] is not None:
            kept[name] = original[name]
    kept.set_content(note)
    return kept.as_string()


def transmit(message: OutboxMessage) -> None:
    """Hand one message to SMTP, or write it under instance/ when no server is set."""
    config = current_app.config
    if not config["MAIL_SERVER"]:
        _write_file(message, Path(config["MAIL_OUTBOX_DIR"]))
        return
    smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    with smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        sender = parseaddr(config["MAIL_DEFAULT_SENDER"])[1]
        smtp.sendmail(sender, [message.recipient], message.raw.encode("ascii"))


def _write_file(message: OutboxMessage, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{message.created_at:%Y%m%d-%H%M%S}-{message.id}.eml"
    path.write_text(message.raw, encoding="ascii")
    log.warning("Mail to %s (%s) written to %s", message.recipient, message.subject, path)


@event.listens_for(Session, "after_commit")
def _note_commit(session: Session) -> None:
    if session.info.pop(ENQUEUED, False):
        session.info[COMMITTED] = True


@event.listens_for(Session, "after_soft_rollback")
def _forget_rollback(session: Session, _previous) -> None:
    session.info.pop(ENQUEUED, None)


def init_app(app: Flask) -> None:
    @app.after_request
    def send_after_request(response):
        if app.config["MAIL_SEND_AFTER_REQUEST"] and db.session.info.pop(COMMITTED, False):
            try:
                deliver_due()
            except Exception:  # the change is committed; a worker sends the mail later
                log.exception("Sending the outbox after the request failed")
                db.session.rollback()
        return response
