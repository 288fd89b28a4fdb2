"""Building messages in the recipient's language and putting them in the outbox."""

import contextvars
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid
from urllib.parse import urlsplit

from flask import Flask, current_app, has_request_context, render_template, url_for
from flask_babel import force_locale

from learning_platform.extensions import db
from learning_platform.models import OutboxMessage

#: Session.info key set when a flush is due to put a message in the outbox.
ENQUEUED = "outbox_enqueued"


def external_url(endpoint: str, **values) -> str:
    """An absolute URL on BASE_URL (its scheme, host, port and path prefix), never on the
    request's Host header: every link that leaves the page is made here (mail, feeds, JSON-LD,
    subscribe links).

    Without BASE_URL (development only; production refuses to start without it) the
    request's own address is used.
    """
    app = current_app._get_current_object()
    if not app.config["BASE_URL"]:
        if not has_request_context():
            raise RuntimeError("Set BASE_URL to build links outside a request.")
        return url_for(endpoint, _external=True, **values)
    # Inside a request url_for builds on the request's address; an empty contextvars context
    # hides the request, so url_for takes the adapter of the application context given there.
    return contextvars.Context().run(_url_on_base, app, endpoint, values)


def _url_on_base(app: Flask, endpoint: str, values: dict) -> str:
    base = urlsplit(app.config["BASE_URL"])
    context = app.app_context()
    context.url_adapter = app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme
    )
    with context:
        return url_for(endpoint, _external=True, **values)


def build_message(recipient: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage(policy=SMTP)
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = recipient
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="learning-platform.local")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body, charset="utf-8", cte="quoted-printable")
    return message


def deliverable(address: str) -> bool:
    """Whether mail to `address` can ever arrive: not to `.invalid` (RFC 2606), where the
    addresses of deleted accounts are (rights.services.ERASED_DOMAIN)."""
    return not address.strip().rstrip(">").lower().endswith(".invalid")


def enqueue(message: EmailMessage, *, secret: bool = False) -> OutboxMessage | None:
    """Store `message` in the outbox; it is sent once the caller's transaction commits.

    A `secret` message (a single-use link) has its text removed once it is sent or given up.
    Mail to an address that can never receive it is not stored (None).
    """
    if not deliverable(str(message["To"])):
        return None
    row = OutboxMessage(
        recipient=str(message["To"]),
        subject=str(message["Subject"])[:300],
        raw=message.as_string(),
        contains_secret=secret,
    )
    db.session.add(row)
    db.session.info[ENQUEUED] = True
    return row


def send_template(
    recipient: str,
    language: str,
    subject,
    template: str,
    *,
    subject_args: dict | None = None,
    attachments: tuple[tuple[bytes, str], ...] = (),
    secret: bool = False,
    **context,
) -> OutboxMessage | None:
    """Render templates/mail/`template`.txt and the lazy `subject` in `language`; enqueue it.

    `subject_args` fill the subject's placeholders after translation; `attachments` are
    (calendar bytes, file name) pairs sent as text/calendar; `secret` marks a message whose
    link must not outlive its sending (see enqueue).
    """
    with force_locale(language):
        body = render_template(f"mail/{template}.txt", **context)
        message = build_message(recipient, str(subject) % (subject_args or {}), body)
    for content, filename in attachments:
        message.add_attachment(
            content,
            maintype="text",
            subtype="calendar",
            filename=filename,
            params={"method": "PUBLISH"},
        )
    return enqueue(message, secret=secret)
