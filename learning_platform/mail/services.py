"""Building messages in the recipient's language and putting them in the outbox."""

import contextvars
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid, parseaddr
from urllib.parse import urlsplit

from flask import Flask, current_app, has_request_context, render_template, url_for
from flask_babel import gettext

from learning_platform.extensions import db
from learning_platform.mail.html import Block, text_blocks
from learning_platform.models import Offering, OutboxMessage
from learning_platform.multilingual import in_language
from learning_platform.richtext import render_markdown

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
    base_url = app.config["BASE_URL"]
    if not base_url:
        if has_request_context():
            return url_for(endpoint, _external=True, **values)
        # A worker in development (`flask mail send`): the address `make run` serves on.
        base_url = app.config.get("DEVELOPMENT_BASE_URL", "")
        if not base_url:
            raise RuntimeError("Set BASE_URL to build links outside a request.")
    # Inside a request url_for builds on the request's address; an empty contextvars context
    # hides the request, so url_for takes the adapter of the application context given there.
    return contextvars.Context().run(_url_on_base, app, base_url, endpoint, values)


def _url_on_base(app: Flask, base_url: str, endpoint: str, values: dict) -> str:
    base = urlsplit(base_url)
    context = app.app_context()
    context.url_adapter = app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme
    )
    with context:
        return url_for(endpoint, _external=True, **values)


def build_message(
    recipient: str,
    subject: str,
    body: str,
    *,
    html: str | None = None,
    sender_name: str | None = None,
    reply_to: Address | None = None,
) -> EmailMessage:
    """A message from the configured sender address; with `html`, multipart/alternative.

    Headers are encoded by the SMTP policy (RFC 2047), so Korean names travel as ASCII.
    """
    message = EmailMessage(policy=SMTP)
    message["From"] = sender(sender_name)
    message["To"] = recipient
    if reply_to is not None:
        message["Reply-To"] = reply_to
    message["Subject"] = _one_line(subject)  # a line separator in a title never breaks it
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="learning-platform.local")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body, charset="utf-8", cte="quoted-printable")
    if html is not None:
        message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    return message


def sender(name: str | None = None) -> Address:
    """MAIL_DEFAULT_SENDER's address under `name`, by default MAIL_SENDER_NAME."""
    config = current_app.config
    address = parseaddr(config["MAIL_DEFAULT_SENDER"])[1] or config["MAIL_DEFAULT_SENDER"]
    return Address(display_name=_one_line(name or site_name()), addr_spec=address)


def _one_line(name: str) -> str:
    """`name` fit for a header's display name: a line break there is refused (header injection)."""
    return " ".join(name.split())


def site_name() -> str:
    """MAIL_SENDER_NAME, or else the site's name in the current language."""
    return current_app.config["MAIL_SENDER_NAME"] or gettext("Learning for Sustainable Cities")


def _reply_to(offering: Offering) -> Address | None:
    """The offering's contact address, when it is one a plain-ASCII message can carry."""
    if not offering.contact_email or not offering.contact_email.isascii():
        return None
    try:
        return Address(
            display_name=_one_line(offering.partner.name), addr_spec=offering.contact_email
        )
    except (ValueError, IndexError):  # not an address after all: the mail goes without
        return None


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
    image: tuple[bytes, str, str] | None = None,
    **context,
) -> OutboxMessage | None:
    """Render templates/mail/`template`.txt and the lazy `subject` in `language`; enqueue it.

    See `compose_template` for what the message holds; `secret` marks a message whose link
    must not outlive its sending (see enqueue).
    """
    message = compose_template(
        recipient,
        language,
        subject,
        template,
        subject_args=subject_args,
        attachments=attachments,
        image=image,
        **context,
    )
    return enqueue(message, secret=secret)


def compose_template(
    recipient: str,
    language: str,
    subject,
    template: str,
    *,
    subject_args: dict | None = None,
    attachments: tuple[tuple[bytes, str], ...] = (),
    markdown: str | None = None,
    image: tuple[bytes, str, str] | None = None,
    **context,
) -> EmailMessage:
    """Templates/mail/`template`.txt and the lazy `subject`, rendered in `language`.

    The message carries the text and, as its alternative, the same text drawn in the HTML
    layout (templates/mail/layout.html). A mail about an `offering` (in `context`) is branded
    with its partner, sent as "partner via site" and answered to the offering's contact address.

    `subject_args` fill the subject's placeholders after translation; `attachments` are
    (calendar bytes, file name) pairs sent as text/calendar. `markdown`, a text someone wrote
    in Markdown (a message to participants), stands as written in the plain-text part where
    the template writes `{{ markdown }}` on a paragraph of its own, and rendered and sanitised
    (richtext.py) in the HTML part. `image` (PNG bytes, alt text, a text it follows) is drawn
    in the HTML part after the first block holding that text: a related part named by
    Content-ID, which mail clients show inline (data: URLs are blocked by many).

    Texts (an offering's title, a reason) are read in `language` here; values the caller
    computed from them (`subject_args`, `attachments`) must be made under `in_language` too.
    """
    with in_language(language):
        body = render_template(f"mail/{template}.txt", markdown=markdown, **context)
        blocks = html_blocks(template, body, markdown, context)
        subject_text = str(subject) % (subject_args or {})
        offering: Offering | None = context.get("offering")
        site = site_name()
        if offering is not None:
            brand = offering.partner.name
            name = gettext("%(partner)s via %(site)s", partner=brand, site=site)
            reason = gettext(
                "You get this mail because you signed up for “%(title)s” on %(site)s.",
                title=offering.title,
                site=site,
            )
        else:
            brand, name = site, site
            reason = gettext(
                "You get this mail because this address was entered on %(site)s.", site=site
            )
        if context.get("person") is not None:
            account_url, account_label = external_url("accounts.profile"), gettext("My account")
        else:
            account_url, account_label = external_url("main.index"), site
        image_cid = make_msgid(domain="learning-platform.local")[1:-1] if image else None
        html = render_template(
            "mail/layout.html",
            language=language,
            subject=subject_text,
            blocks=blocks,
            image_cid=image_cid,
            image_alt=image[1] if image else "",
            image_at=_block_holding(blocks, image[2]) if image else None,
            brand=brand,
            site_name=site,
            reason=reason,
            account_url=account_url,
            account_label=account_label,
        )
        message = build_message(
            recipient,
            subject_text,
            body,
            html=html,
            sender_name=name,
            reply_to=_reply_to(offering) if offering is not None else None,
        )
    if image is not None:
        html_part = message.get_payload()[1]
        html_part.add_related(
            image[0], maintype="image", subtype="png", cid=f"<{image_cid}>", disposition="inline"
        )
    for content, filename in attachments:
        message.add_attachment(
            content,
            maintype="text",
            subtype="calendar",
            filename=filename,
            # Without a charset, text/* is US-ASCII (RFC 2046): Korean and Thai titles turn
            # into replacement characters in clients that follow it.
            params={"method": "PUBLISH", "charset": "utf-8"},
        )
    # RFC 3282: the recipient's language. Set last: making the message multipart moves
    # Content-* headers into the first part.
    message["Content-Language"] = language
    return message


#: Stands for the Markdown while the template's own text is drawn: a word no one writes.
_MARKDOWN_PLACE = "MARKDOWN-e1b7c2d94f"


def html_blocks(template: str, body: str, markdown: str | None, context: dict) -> list[Block]:
    """What the HTML part draws of `body`, the rendered `template`: with `markdown`, that
    text rendered where the template puts it. For a preview of the mail too."""
    if markdown is None:
        return text_blocks(body, own_site=external_url("main.index"))
    text = render_template(f"mail/{template}.txt", markdown=_MARKDOWN_PLACE, **context)
    blocks = []
    for block in text_blocks(text, own_site=external_url("main.index")):
        if block.kind == "paragraph" and [str(line) for line in block.lines] == [_MARKDOWN_PLACE]:
            block = Block("markdown", lines=[render_markdown(markdown)])
        blocks.append(block)
    return blocks


def _block_holding(blocks: list, text: str) -> int:
    """The index of the first block with `text` in a line (the last block when none has)."""
    for index, block in enumerate(blocks):
        if any(text in line for line in block.lines):
            return index
    return len(blocks) - 1
