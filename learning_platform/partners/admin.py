"""Site admin pages: approve partners and manage who organises for them."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from learning_platform.extensions import db
from learning_platform.forms import ConfirmForm, render_form
from learning_platform.models import Membership, Partner
from learning_platform.partners import forms, services
from learning_platform.permissions import admin_required

bp = Blueprint("partner_admin", __name__, url_prefix="/admin/partners")


def _partner(slug: str) -> Partner:
    return db.first_or_404(select(Partner).where(Partner.slug == slug))


@bp.get("/")
@admin_required
def index():
    member_counts = (
        select(Membership.partner_id, func.count().label("members"))
        .group_by(Membership.partner_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Partner, func.coalesce(member_counts.c.members, 0))
        .outerjoin(member_counts, member_counts.c.partner_id == Partner.id)
        .order_by(Partner.approved, Partner.name)
    ).all()
    return render_template(
        "admin/partners.html", rows=rows, form=ConfirmForm(), kind_labels=forms.KIND_LABELS
    )


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def create():
    form = forms.PartnerForm()
    if form.validate_on_submit():
        try:
            partner = services.save_partner(Partner(approved=True), form.data)
        except services.PartnerError as error:
            getattr(form, error.field).errors.append(error.message)
        else:
            db.session.commit()
            flash(_("%(name)s is created and approved.", name=partner.name), "success")
            return redirect(url_for("partner_admin.members", slug=partner.slug))
    return render_form("admin/partner_form.html", form, partner=None)


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@admin_required
def edit(slug: str):
    partner = _partner(slug)
    form = forms.PartnerForm(obj=partner)
    if form.validate_on_submit():
        try:
            services.save_partner(partner, form.data)
        except services.PartnerError as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(error.message)
        else:
            db.session.commit()
            flash(_("%(name)s is saved.", name=partner.name), "success")
            return redirect(url_for("partner_admin.index"))
    return render_form("admin/partner_form.html", form, partner=partner)


@bp.post("/<slug>/approve")
@admin_required
def approve(slug: str):
    partner = _partner(slug)
    partner.approved = True
    db.session.commit()
    flash(_("%(name)s is approved and now public.", name=partner.name), "success")
    return redirect(url_for("partner_admin.index"))


@bp.post("/<slug>/suspend")
@admin_required
def suspend(slug: str):
    partner = _partner(slug)
    partner.approved = False
    db.session.commit()
    flash(_("%(name)s is hidden until approved again.", name=partner.name), "info")
    return redirect(url_for("partner_admin.index"))


@bp.route("/<slug>/members", methods=["GET", "POST"])
@admin_required
def members(slug: str):
    partner = _partner(slug)
    form = forms.MemberForm()
    if form.validate_on_submit():
        try:
            membership = services.add_member(partner, form.email.data, form.role.data)
        except services.PartnerError as error:
            getattr(form, error.field).errors.append(error.message)
        else:
            db.session.commit()
            flash(
                _(
                    "%(person)s now organizes for %(partner)s.",
                    person=membership.person.display_name,
                    partner=partner.name,
                ),
                "success",
            )
            return redirect(url_for("partner_admin.members", slug=slug))
    return render_form(
        "admin/members.html",
        form,
        partner=partner,
        memberships=services.members(partner),
        remove_form=ConfirmForm(),
        role_labels=forms.ROLE_LABELS,
    )


@bp.post("/<slug>/members/<id:membership_id>/remove")
@admin_required
def remove_member(slug: str, membership_id: int):
    partner = _partner(slug)
    membership = db.first_or_404(
        select(Membership).where(
            Membership.id == membership_id, Membership.partner_id == partner.id
        )
    )
    name = membership.person.display_name
    db.session.delete(membership)
    db.session.commit()
    flash(
        _("%(person)s no longer organizes for %(partner)s.", person=name, partner=partner.name),
        "info",
    )
    return redirect(url_for("partner_admin.members", slug=slug))
