from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user
from sqlalchemy import select

from learning_platform.catalog import services, showcase
from learning_platform.catalog.jsonld import offering_jsonld
from learning_platform.enrollment import services as enrollment
from learning_platform.extensions import db
from learning_platform.forms import ConfirmForm
from learning_platform.i18n import lazy_gettext as _l
from learning_platform.languages import CONTENT_LANGUAGES
from learning_platform.mail.services import external_url
from learning_platform.models import Theme, utcnow
from learning_platform.offerings.forms import FORMAT_LABELS, KIND_LABELS, LANGUAGE_LABELS
from learning_platform.questions.services import question_count

bp = Blueprint("catalog", __name__)

#: The catalog's orders, as its "Sort by" choices show them (keys are services.SORTS).
SORT_LABELS = {
    "relevance": _l("Best match"),
    "date": _l("Soonest first"),
    "newest": _l("Newest first"),
}

LABELS = {
    "kind_labels": KIND_LABELS,
    "format_labels": FORMAT_LABELS,
    "language_labels": LANGUAGE_LABELS,
}


def render_catalog(template: str, **context):
    filters = services.Filters.from_args(request.args)
    page = services.search(filters)
    themes, partners = services.filter_choices()
    return render_template(
        template,
        filters=filters,
        page=page,
        themes=themes,
        partners=partners,
        content_languages=CONTENT_LANGUAGES,
        sort_labels=SORT_LABELS,
        **LABELS,
        **context,
    )


@bp.get("/offerings")
def index():
    return render_catalog("catalog/index.html")


@bp.get("/offerings/<id:offering_id>")
def detail(offering_id: int):
    offering = services.public_offering(offering_id)
    if offering is None:
        abort(404)
    registration = position = None
    questions = 0
    if current_user.is_authenticated:
        questions = question_count(offering.id)
        registration = enrollment.active_registration(offering.id, current_user.id)
        if registration is not None:
            position = enrollment.waitlist_position(registration)
    now = utcnow()
    url = external_url("catalog.detail", offering_id=offering.id)
    jsonld = offering_jsonld(
        offering,
        url,
        lambda p: external_url("partners.detail", slug=p.slug),
        current_app.config["SITE_CURRENCY"],
    )
    return render_template(
        "catalog/offering.html",
        jsonld=jsonld,
        offering=offering,
        registration=registration,
        position=position,
        can_cancel=registration is not None and enrollment.can_cancel(offering, now),
        questions=questions,
        form=ConfirmForm(),
        now=now,
        preview=False,
        **LABELS,
    )


@bp.get("/themes")
def themes():
    return render_template("catalog/themes.html", themes=showcase.themes_with_counts())


@bp.get("/themes/<slug>")
def theme(slug: str):
    theme = db.first_or_404(select(Theme).where(Theme.slug == slug))
    return render_template(
        "catalog/theme.html", theme=theme, page=services.upcoming_for_theme(theme), **LABELS
    )
