"""Serving stored images, and the pages that upload, replace and remove them."""

from __future__ import annotations

from collections.abc import Callable

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from learning_platform.boundary import unit_of_work
from learning_platform.forms import (
    ConfirmActionForm,
    Confirmation,
    ConfirmForm,
    accepts_upload,
    render_confirmation,
    render_form,
)
from learning_platform.media import services
from learning_platform.media.forms import ImageForm, megabytes
from learning_platform.media.storage import FILE_NAME, media_root
from learning_platform.models import ImageKind, Offering, Partner
from learning_platform.policy import requires

bp = Blueprint("media", __name__)

#: Stored files never change (their name is their content's hash): browsers keep them a year.
ONE_YEAR = 365 * 24 * 3600


@bp.get("/media/<name>")
def file(name: str):
    if not FILE_NAME.fullmatch(name):
        abort(404)
    response = send_from_directory(
        media_root(), name, mimetype="image/webp", max_age=ONE_YEAR, conditional=True
    )
    response.cache_control.public = True
    response.cache_control.immutable = True
    return response


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_error):
    """A body far over the limit is refused before it is read: say so in the upload's terms."""
    text = _(
        "This file is much larger than %(size)s MB, the most we accept for an image. Go back and choose a smaller one.",
        size=megabytes(current_app.config["MEDIA_MAX_BYTES"]),
    )
    return render_template("errors/error.html", code=413, title=_("Too much data"), text=text), 413


def _upload_page(
    kind: ImageKind,
    current,
    save: Callable,
    done: str,
    **context,
):
    form = ImageForm(kind, current)
    if form.validate_on_submit():
        with unit_of_work(form):
            save(form.processed, form.alts())
            flash(
                _("The cover image is saved.")
                if kind == ImageKind.COVER
                else _("The logo is saved."),
                "success",
            )
            return redirect(done)
    return render_form(
        "media/upload.html",
        form,
        kind=kind,
        current=current,
        remove_form=ConfirmForm(),
        size_limit=megabytes(current_app.config["MEDIA_MAX_BYTES"]),
        **context,
    )


def _removed(remove: Callable, target, kind: ImageKind, done: str, subject: str, page: str):
    """Remove the cover or logo once the confirmation page is sent; the first POST asks."""
    form = ConfirmActionForm()
    if not form.confirmed():
        return render_confirmation(form, _removal(kind, subject, page))
    with unit_of_work() as work:
        remove(target)
    if work.ok:
        flash(
            _("The cover image is removed; the theme's picture shows instead.")
            if kind == ImageKind.COVER
            else _("The logo is removed; the initials show instead."),
            "info",
        )
    return redirect(done)


def _removal(kind: ImageKind, subject: str, page: str) -> Confirmation:
    if kind == ImageKind.COVER:
        return Confirmation(
            title=_("Remove the cover image?"),
            subject=subject,
            consequences=[
                _("The picture and its descriptions in every language are removed."),
                _("Cards and the offering's page show the theme's picture instead."),
                _("To show a cover again, upload the file again."),
            ],
            button=_("Remove the cover image"),
            keep_label=_("Keep the cover image"),
            keep_url=page,
        )
    return Confirmation(
        title=_("Remove the logo?"),
        subject=subject,
        consequences=[
            _("The logo and its descriptions in every language are removed."),
            _("Cards and the partner's page show its initials instead."),
            _("To show a logo again, upload the file again."),
        ],
        button=_("Remove the logo"),
        keep_label=_("Keep the logo"),
        keep_url=page,
    )


# An offering's cover, in the workspace ------------------------------------------------------


@bp.route("/workspace/offerings/<id:offering_id>/cover", methods=["GET", "POST"])
@accepts_upload
@requires("edit_offering", Offering)
def cover(offering: Offering):
    return _upload_page(
        ImageKind.COVER,
        offering.cover,
        lambda upload, alts: services.set_cover(offering, upload, alts),
        url_for("workspace.detail", offering_id=offering.id),
        offering=offering,
        remove_url=url_for("media.remove_cover", offering_id=offering.id),
        back_url=url_for("workspace.detail", offering_id=offering.id),
        back_label=offering.title,
    )


@bp.post("/workspace/offerings/<id:offering_id>/cover/remove")
@requires("edit_offering", Offering)
def remove_cover(offering: Offering):
    return _removed(
        services.remove_cover,
        offering,
        ImageKind.COVER,
        url_for("workspace.detail", offering_id=offering.id),
        offering.title,
        url_for("media.cover", offering_id=offering.id),
    )


# A partner's logo: its managers in the workspace, site admins in the partner admin ---------


def _logo_page(partner: Partner, done: str, remove_url: str):
    return _upload_page(
        ImageKind.LOGO,
        partner.logo,
        lambda upload, alts: services.set_logo(partner, upload, alts),
        done,
        partner=partner,
        remove_url=remove_url,
        back_url=done,
        back_label=partner.name,
    )


@bp.route("/workspace/<slug>/logo", methods=["GET", "POST"])
@accepts_upload
@requires("change_logo", Partner)
def logo(partner: Partner):
    return _logo_page(
        partner,
        url_for("workspace.partner", slug=partner.slug),
        url_for("media.remove_logo", slug=partner.slug),
    )


@bp.post("/workspace/<slug>/logo/remove")
@requires("change_logo", Partner)
def remove_logo(partner: Partner):
    return _removed(
        services.remove_logo,
        partner,
        ImageKind.LOGO,
        url_for("workspace.partner", slug=partner.slug),
        partner.name,
        url_for("media.logo", slug=partner.slug),
    )


@bp.route("/admin/partners/<slug>/logo", methods=["GET", "POST"])
@accepts_upload
@requires("administer_partner", Partner)
def admin_logo(partner: Partner):
    return _logo_page(
        partner,
        url_for("partner_admin.edit", slug=partner.slug),
        url_for("media.admin_remove_logo", slug=partner.slug),
    )


@bp.post("/admin/partners/<slug>/logo/remove")
@requires("administer_partner", Partner)
def admin_remove_logo(partner: Partner):
    return _removed(
        services.remove_logo,
        partner,
        ImageKind.LOGO,
        url_for("partner_admin.edit", slug=partner.slug),
        partner.name,
        url_for("media.admin_logo", slug=partner.slug),
    )
