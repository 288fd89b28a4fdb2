from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from learning_platform.boundary import unit_of_work
from learning_platform.catalog.routes import LABELS
from learning_platform.catalog.services import upcoming_for_partner
from learning_platform.extensions import db
from learning_platform.forms import render_form
from learning_platform.models import Partner
from learning_platform.multilingual import sort_key
from learning_platform.partners import forms, services
from learning_platform.policy import can, requires

bp = Blueprint("partners", __name__, url_prefix="/partners")


@bp.get("/")
def index():
    partners = db.session.scalars(
        select(Partner).where(Partner.approved.is_(True)).options(joinedload(Partner.logo))
    ).all()
    # By name as the reader reads it (in their language, else the partner's own).
    partners = sorted(partners, key=lambda partner: sort_key(partner.name))
    return render_template("partners/index.html", partners=partners)


@bp.get("/<slug>")
def detail(slug: str):
    partner = db.first_or_404(
        select(Partner).where(Partner.slug == slug).options(joinedload(Partner.logo))
    )
    if not can(current_user, "view_partner", partner):
        abort(404)
    return render_template(
        "partners/detail.html",
        partner=partner,
        kind_label=forms.KIND_LABELS.get(partner.kind),
        page=upcoming_for_partner(partner),
        **LABELS,
    )


@bp.route("/propose", methods=["GET", "POST"])
@requires("propose_partner")
def propose():
    form = forms.PartnerForm()
    if form.validate_on_submit():
        with unit_of_work(form):
            partner = services.propose_partner(current_user, form.data)
            flash(
                _(
                    "Thank you. %(name)s will appear once a site admin approves it.",
                    name=partner.name,
                ),
                "success",
            )
            return redirect(url_for("partners.detail", slug=partner.slug))
    return render_form("partners/propose.html", form)
