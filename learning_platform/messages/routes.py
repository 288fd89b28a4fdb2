"""Writing to an offering's participants: compose, preview, send; the history."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from learning_platform.boundary import DomainError, unit_of_work
from learning_platform.extensions import db
from learning_platform.forms import render_form
from learning_platform.messages import services
from learning_platform.messages.forms import AUDIENCE_LABELS, MessageForm
from learning_platform.models import Audience, Offering, ParticipantMessage
from learning_platform.policy import requires
from learning_platform.timezones import format_span

bp = Blueprint("messages", __name__, url_prefix="/workspace/offerings/<id:offering_id>/messages")


def _form(offering: Offering) -> MessageForm:
    return MessageForm(
        session_choices=[
            (str(session.id), format_span(session.starts_at, session.ends_at, offering.timezone))
            for session in offering.sessions
        ]
    )


def _session(offering: Offering, form: MessageForm):
    if form.audience.data != Audience.SESSION.value:
        return None
    return next((s for s in offering.sessions if str(s.id) == form.session_id.data), None)


@bp.get("/")
@requires("view_messages", Offering)
def index(offering: Offering):
    return render_template(
        "messages/index.html",
        offering=offering,
        messages=services.history(offering),
        labels=AUDIENCE_LABELS,
    )


@bp.get("/<id:message_id>")
@requires("view_messages", Offering)
def detail(offering: Offering, message_id: int):
    message = db.session.get(ParticipantMessage, message_id)
    if message is None or message.offering_id != offering.id:
        abort(404)
    return render_template(
        "messages/detail.html", offering=offering, message=message, labels=AUDIENCE_LABELS
    )


@bp.route("/new", methods=["GET", "POST"])
@requires("message_participants", Offering)
def create(offering: Offering):
    """GET: the form. POST: a preview, then "send" (or "edit", back to the form)."""
    form = _form(offering)
    if "edit" in request.form or not form.validate_on_submit():
        status = 422 if form.is_submitted() and form.errors else 200
        return render_template(
            "messages/form.html", form=form, offering=offering, labels=AUDIENCE_LABELS
        ), status
    audience, session = Audience(form.audience.data), _session(offering, form)
    if "send" in request.form:
        with unit_of_work(form):
            message = services.send_message(
                offering, current_user, audience, session, form.subject.data, form.body.data
            )
            flash(
                ngettext(
                    "Your message is on its way to %(num)d person.",
                    "Your message is on its way to %(num)d people.",
                    message.recipient_count,
                ),
                "success",
            )
            return redirect(url_for("messages.index", offering_id=offering.id))
        return render_form("messages/form.html", form, offering=offering, labels=AUDIENCE_LABELS)
    with unit_of_work(form) as work:  # reads only: a refusal goes next to its field
        people = services.recipients(offering, audience, session)
        if not people:
            raise DomainError(
                _("Nobody is in this group: there is no one to send it to."), "audience"
            )
        services.check_limit(offering)
    if not work.ok:
        return render_form("messages/form.html", form, offering=offering, labels=AUDIENCE_LABELS)
    # The mail of the first of them, exactly as it goes out (greeting, language, links).
    mail = services.compose(offering, people[0], form.subject.data, form.body.data)
    text = mail.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    return render_template(
        "messages/preview.html",
        form=form,
        offering=offering,
        labels=AUDIENCE_LABELS,
        session=session,
        count=len(people),
        mail=mail,
        text=text,
        blocks=services.preview_blocks(offering, people[0], text, form.body.data),
    )
