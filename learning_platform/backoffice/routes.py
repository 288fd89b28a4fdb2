"""The site admins' back office: people, offerings, the mail outbox and the themes."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from learning_platform.backoffice import forms, services
from learning_platform.boundary import unit_of_work
from learning_platform.extensions import db
from learning_platform.forms import (
    Confirmation,
    ConfirmForm,
    page_number,
    render_confirmation,
    render_form,
    select_choices,
)
from learning_platform.i18n import current_language
from learning_platform.languages import BY_CODE, CONTENT_LANGUAGES
from learning_platform.models import Offering, OfferingStatus, OutboxMessage, OutboxStatus, Theme
from learning_platform.partners.forms import ROLE_LABELS
from learning_platform.policy import requires
from learning_platform.timezones import format_moment

bp = Blueprint("backoffice", __name__, url_prefix="/admin")


def _page() -> int:
    return page_number(request.args.get("page"))


class _Filters:
    """The list's filters, for the pagination links."""

    def __init__(self, **values) -> None:
        self.values = {name: value for name, value in values.items() if value}

    def args(self, **extra) -> dict:
        return {**self.values, **extra}


# People ------------------------------------------------------------------------------------


@bp.get("/people/")
@requires("administer")
def people():
    form = forms.SearchForm(request.args)
    words = form.q.data or "" if form.validate() else ""
    page = services.find_people(words, _page())
    return render_template(
        "admin/people.html",
        form=form,
        page=page,
        filters=_Filters(q=words),
        words=words,
        role_labels=ROLE_LABELS,
    )


@bp.get("/people/<id:person_id>")
@requires("administer")
def person(person_id: int):
    person = services.load_person(person_id)
    return render_template(
        "admin/person.html",
        person=person,
        facts=services.person_facts(person),
        form=ConfirmForm(),
        role_labels=ROLE_LABELS,
    )


@bp.post("/people/<id:person_id>/disable")
@requires("administer")
def disable(person_id: int):
    person = services.load_person(person_id)
    form = forms.ReasonForm()
    if form.confirmed():
        with unit_of_work(form) as work:
            services.disable(person, form.reason.data, current_user)
        if work.ok:
            flash(
                _("%(name)s is disabled and signed out everywhere.", name=person.display_name),
                "success",
            )
            return redirect(url_for(".person", person_id=person.id))
    return render_confirmation(
        form,
        Confirmation(
            title=_("Disable this account?"),
            subject=f"{person.display_name} · {person.email}",
            consequences=[
                _("They are signed out at once on every device and cannot log in."),
                _("Their private calendar feed stops working until the account is enabled again."),
                _("Their registrations stay: their seats are kept and organizers still see them."),
                _("Your reason is kept in the audit trail; they are not mailed."),
            ],
            button=_("Disable the account"),
            keep_label=_("Keep it active"),
            keep_url=url_for(".person", person_id=person.id),
        ),
    )


@bp.post("/people/<id:person_id>/enable")
@requires("administer")
def enable(person_id: int):
    person = services.load_person(person_id)
    form = forms.ReasonForm()
    if form.confirmed():
        with unit_of_work(form) as work:
            services.enable(person, form.reason.data)
        if work.ok:
            flash(_("%(name)s can log in again.", name=person.display_name), "success")
            return redirect(url_for(".person", person_id=person.id))
    return render_confirmation(
        form,
        Confirmation(
            title=_("Enable this account again?"),
            subject=f"{person.display_name} · {person.email}",
            consequences=[
                _("They can log in again with their password."),
                _("Their private calendar feed works again at the same address."),
            ],
            button=_("Enable the account"),
            keep_label=_("Keep it disabled"),
            tone="neutral",
            keep_url=url_for(".person", person_id=person.id),
        ),
    )


@bp.post("/people/<id:person_id>/resend-confirmation")
@requires("administer")
def resend_confirmation(person_id: int):
    person = services.load_person(person_id)
    with unit_of_work():
        services.resend_confirmation(person)
        flash(
            _("A new confirmation link is on its way to %(email)s.", email=person.email), "success"
        )
    return redirect(url_for(".person", person_id=person.id))


# Offerings ---------------------------------------------------------------------------------


@bp.get("/offerings/")
@requires("administer")
def offerings():
    form = forms.OfferingSearchForm(request.args)
    partners = services.partner_choices()
    form.partner.choices = select_choices([("", _("Any partner")), *partners])
    valid = form.validate()
    words = (form.q.data or "") if valid else ""
    partner = form.partner.data or ""
    status = form.status.data or "" if valid else ""
    page = services.find_offerings(words, partner, status, _page())
    return render_template(
        "admin/offerings.html",
        form=form,
        page=page,
        filters=_Filters(q=words, partner=partner, status=status),
        confirm_form=ConfirmForm(),
    )


@bp.post("/offerings/<id:offering_id>/unpublish")
@requires("administer")
def unpublish(offering_id: int):
    offering = db.get_or_404(Offering, offering_id)
    if offering.status != OfferingStatus.PUBLISHED:
        flash(_("Only a published offering can be unpublished."), "error")
        return redirect(url_for(".offerings"))
    form = forms.UnpublishForm()
    if form.confirmed():
        with unit_of_work(form) as work:
            told = services.unpublish(offering, form.reason.data)
            flash(
                ngettext(
                    "%(title)s is back to draft and out of the catalog; %(num)d organizer was told why.",
                    "%(title)s is back to draft and out of the catalog; %(num)d organizers were told why.",
                    told,
                    title=offering.title,
                ),
                "success",
            )
        if work.ok:
            return redirect(url_for(".offerings"))
    impact = services.unpublish_impact(offering)
    return render_confirmation(
        form,
        Confirmation(
            title=_("Unpublish this offering?"),
            subject=f"{offering.title} · {offering.partner.name}",
            consequences=[
                ngettext(
                    "%(num)d person holds a seat",
                    "%(num)d people hold a seat",
                    impact.confirmed,
                )
                + " · "
                + ngettext("%(num)d on the waitlist", "%(num)d on the waitlist", impact.waitlisted),
                _(
                    "Its next session is on %(date)s.",
                    date=format_moment(impact.next_start, offering.timezone),
                )
                if impact.next_start
                else _("No session of it is still to come."),
                _(
                    "It goes back to draft: it leaves the catalog, search, the sitemap and every calendar feed."
                ),
                _(
                    "The partner's organizers and managers get a mail with your reason, and see it in their workspace."
                ),
                _(
                    "Registrations stay and participants are not mailed: nothing is cancelled. The organizers can fix it and publish it again, or cancel it, which tells everyone registered."
                ),
            ],
            button=_("Unpublish"),
            keep_label=_("Keep it published"),
            keep_url=url_for(".offerings"),
        ),
    )


# Mail --------------------------------------------------------------------------------------


@bp.get("/mail/")
@requires("administer")
def mail():
    """The outbox's counts with the failed and waiting messages; `?status=` lists every
    message in that state, a page at a time."""
    wanted = request.args.get("status", "")
    if wanted and wanted not in set(OutboxStatus):
        abort(404)
    status = OutboxStatus(wanted) if wanted else None
    return render_template(
        "admin/mail.html",
        counts=services.mail_counts(),
        status=status,
        page=services.mail_page(status, _page()) if status else None,
        filters=_Filters(status=wanted),
        failed=[] if status else services.mail_messages(OutboxStatus.FAILED),
        pending=[] if status else services.mail_messages(OutboxStatus.PENDING),
        limit=services.MAIL_LIST_LIMIT,
        form=ConfirmForm(),
        OutboxStatus=OutboxStatus,
    )


@bp.get("/mail/<id:mail_id>")
@requires("administer")
def mail_message(mail_id: int):
    message = db.get_or_404(OutboxMessage, mail_id)
    return render_template(
        "admin/mail_message.html",
        message=message,
        view=services.mail_view(message),
        form=ConfirmForm(),
        OutboxStatus=OutboxStatus,
    )


@bp.post("/mail/<id:mail_id>/retry")
@requires("administer")
def retry(mail_id: int):
    message = db.get_or_404(OutboxMessage, mail_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    with unit_of_work() as work:
        services.retry(message)
        flash(
            _("The message to %(email)s will be sent again now.", email=message.recipient),
            "success",
        )
    if work.ok:
        return redirect(url_for(".mail"))
    return redirect(url_for(".mail_message", mail_id=mail_id))


@bp.post("/mail/retry-failed")
@requires("administer")
def retry_failed():
    form = forms.RetryAllForm()
    if not form.confirmed():
        failed = services.mail_counts()[OutboxStatus.FAILED]
        return render_confirmation(
            form,
            Confirmation(
                title=_("Send every failed message again?"),
                subject=ngettext("%(num)d failed message", "%(num)d failed messages", failed),
                consequences=[
                    _("Each goes back to the queue, due now, with its attempts counted afresh."),
                    _(
                        "Messages whose single-use link was removed are left out: the person can ask for a new link."
                    ),
                ],
                button=_("Send them again"),
                keep_label=_("Leave them"),
                keep_url=url_for(".mail"),
            ),
        )
    with unit_of_work():
        requeued, skipped = services.retry_all()
        flash(
            ngettext(
                "%(num)d message will be sent again.",
                "%(num)d messages will be sent again.",
                requeued,
            )
            + (" " + _("%(num)d without its link were left out.", num=skipped) if skipped else ""),
            "success",
        )
    return redirect(url_for(".mail"))


# Themes -------------------------------------------------------------------------------------


@bp.get("/themes/")
@requires("administer")
def themes():
    rows = db.session.scalars(select(Theme).order_by(Theme.position)).all()
    return render_template("admin/themes.html", themes=rows, languages=CONTENT_LANGUAGES)


@bp.route("/themes/<theme_slug>/edit", methods=["GET", "POST"])
@requires("administer")
def theme_edit(theme_slug: str):
    theme = db.first_or_404(select(Theme).where(Theme.slug == theme_slug))
    form = forms.ThemeForm(obj=theme)
    if form.validate_on_submit():
        with unit_of_work(form):
            services.save_theme(theme, form.data)
            flash(_("%(name)s is saved.", name=theme.name(current_language())), "success")
            return redirect(url_for("backoffice.themes"))
    return render_form(
        "admin/theme_form.html",
        form,
        theme=theme,
        languages=[BY_CODE[code] for code in CONTENT_LANGUAGES],
    )
