from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from learning_platform.catalog.routes import LABELS
from learning_platform.catalog.services import upcoming_for_partner
from learning_platform.extensions import db
from learning_platform.forms import render_form
from learning_platform.models import Partner
from learning_platform.partners import forms, services

bp = Blueprint("partners", __name__, url_prefix="/partners")


@bp.get("/")
def index():
    partners = db.session.scalars(
        select(Partner).where(Partner.approved.is_(True)).order_by(Partner.name)
    ).all()
    return render_template("partners/index.html", partners=partners)


@bp.get("/<slug>")
def detail(slug: str):
    partner = db.first_or_404(select(Partner).where(Partner.slug == slug))
    if not partner.approved and not (
        current_user.is_authenticated
        and (current_user.is_admin or services.is_member(current_user, partner))
    ):
        abort(404)
    return render_template(
        "partners/detail.html",
        partner=partner,
        kind_label=forms.KIND_LABELS.get(partner.kind),
        page=upcoming_for_partner(partner),
        **LABELS,
    )


@bp.route("/propose", methods=["GET", "POST"])
@login_required
def propose():
    form = forms.PartnerForm()
    if form.validate_on_submit():
        try:
            partner = services.propose_partner(current_user, form.data)
        except services.PartnerError as error:
            getattr(form, error.field).errors.append(error.message)
        else:
            db.session.commit()
            flash(
                _(
                    "Thank you. %(name)s will appear once a site admin approves it.",
                    name=partner.name,
                ),
                "success",
            )
            return redirect(url_for("partners.detail", slug=partner.slug))
    return render_form("partners/propose.html", form)
