"""Site admin pages: create, edit, approve and hide partners."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from learning_platform.boundary import unit_of_work
from learning_platform.extensions import db
from learning_platform.forms import (
    ConfirmActionForm,
    Confirmation,
    ConfirmForm,
    render_confirmation,
    render_form,
)
from learning_platform.models import Membership, Partner
from learning_platform.multilingual import sort_key
from learning_platform.partners import forms, services
from learning_platform.policy import requires

bp = Blueprint("partner_admin", __name__, url_prefix="/admin/partners")


@bp.get("/")
@requires("administer")
def index():
    member_counts = (
        select(Membership.partner_id, func.count().label("members"))
        .group_by(Membership.partner_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Partner, func.coalesce(member_counts.c.members, 0))
        .outerjoin(member_counts, member_counts.c.partner_id == Partner.id)
        .options(joinedload(Partner.proposed_by))
    ).all()
    # Waiting for approval first, then by name in the reader's language.
    rows = sorted(rows, key=lambda row: (row[0].approved, sort_key(row[0].name)))
    return render_template(
        "admin/partners.html", rows=rows, form=ConfirmForm(), kind_labels=forms.KIND_LABELS
    )


@bp.route("/new", methods=["GET", "POST"])
@requires("administer")
def create():
    form = forms.PartnerForm()
    if form.validate_on_submit():
        with unit_of_work(form):
            partner = services.save_partner(Partner(approved=True), form.data)
            flash(_("%(name)s is created and approved.", name=partner.name), "success")
            return redirect(url_for("members.index", slug=partner.slug))
    return render_form("admin/partner_form.html", form, partner=None)


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@requires("administer_partner", Partner)
def edit(partner: Partner):
    form = forms.PartnerForm(partner=partner)
    if form.validate_on_submit():
        with unit_of_work(form):
            services.save_partner(partner, form.data)
            flash(_("%(name)s is saved.", name=partner.name), "success")
            return redirect(url_for("partner_admin.index"))
    return render_form("admin/partner_form.html", form, partner=partner)


@bp.post("/<slug>/approve")
@requires("administer_partner", Partner)
def approve(partner: Partner):
    with unit_of_work():
        services.approve(partner)
        flash(_("%(name)s is approved and now public.", name=partner.name), "success")
    return redirect(url_for("partner_admin.index"))


@bp.post("/<slug>/suspend")
@requires("administer_partner", Partner)
def suspend(partner: Partner):
    form = ConfirmActionForm()
    if not form.confirmed():
        confirmation = Confirmation(
            title=_("Hide %(name)s?", name=partner.name),
            subject=partner.name,
            consequences=[
                _(
                    "Its page and its offerings disappear from the catalog, the home page and search."
                ),
                _("People already registered can still cancel; no one can register."),
                _("Its organizers keep their workspace. Approve it again to show everything."),
            ],
            button=_("Hide %(name)s", name=partner.name),
            keep_label=_("Keep it public"),
            keep_url=url_for("partner_admin.index"),
        )
        return render_confirmation(form, confirmation)
    with unit_of_work():
        services.hide(partner)
        flash(_("%(name)s is hidden until approved again.", name=partner.name), "info")
    return redirect(url_for("partner_admin.index"))


@bp.get("/<slug>/members")
@requires("administer_partner", Partner)
def members(partner: Partner):
    """Where the organizers were managed before they moved to the workspace."""
    return redirect(url_for("members.index", slug=partner.slug), 301)
