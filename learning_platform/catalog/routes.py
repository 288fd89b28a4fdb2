from flask import Blueprint, abort, render_template

from learning_platform.catalog import services
from learning_platform.offerings.forms import FORMAT_LABELS, KIND_LABELS, LANGUAGE_LABELS

bp = Blueprint("catalog", __name__)


@bp.get("/offerings/<int:offering_id>")
def detail(offering_id: int):
    offering = services.public_offering(offering_id)
    if offering is None:
        abort(404)
    return render_template(
        "catalog/offering.html",
        offering=offering,
        kind_labels=KIND_LABELS,
        format_labels=FORMAT_LABELS,
        language_labels=LANGUAGE_LABELS,
    )
