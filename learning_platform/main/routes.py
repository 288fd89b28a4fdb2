from flask import Blueprint, current_app, redirect, request, session, url_for
from flask_login import current_user

from learning_platform.boundary import unit_of_work
from learning_platform.catalog.routes import render_catalog
from learning_platform.extensions import csrf, db
from learning_platform.languages import INTERFACE_LANGUAGES
from learning_platform.main.health import DatabaseProbe
from learning_platform.security import safe_next

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    """The home page is the catalog, with a word of welcome above it."""
    return render_catalog("catalog/index.html", intro=True)


@bp.post("/language")
def set_language():
    language = request.form.get("language", "")
    if language in INTERFACE_LANGUAGES:
        session["lang"] = language
        if current_user.is_authenticated:
            with unit_of_work():
                current_user.preferred_language = language
    return redirect(safe_next(request.form.get("next"), url_for("main.index")))


@bp.get("/healthz")
@csrf.exempt
def healthz():
    """200 when the database answers within HEALTHZ_TIMEOUT seconds, else 503."""
    probe = current_app.extensions.setdefault("healthz_probe", DatabaseProbe())
    if probe.answers(db.engine, current_app.config["HEALTHZ_TIMEOUT"]):
        return {"status": "ok", "database": "ok"}
    return {"status": "unavailable", "database": "unreachable"}, 503
