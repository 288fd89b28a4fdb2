from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import (
    Blueprint,
    Response,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from learning_platform.boundary import unit_of_work
from learning_platform.catalog import showcase
from learning_platform.catalog.routes import LABELS
from learning_platform.extensions import csrf, db
from learning_platform.languages import INTERFACE_LANGUAGES
from learning_platform.main import seo
from learning_platform.main.health import DatabaseProbe
from learning_platform.security import safe_next

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    """A word of welcome and the search box, what starts soon, what is new, the themes."""
    soon, new = showcase.home_sections()
    return render_template(
        "home.html", soon=soon, new=new, themes=showcase.themes_with_counts(), **LABELS
    )


@bp.get("/sitemap.xml")
def sitemap():
    response = Response(seo.sitemap_xml(seo.sitemap_urls()), mimetype="application/xml")
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


@bp.get("/robots.txt")
def robots():
    response = Response(seo.robots_txt(request.script_root), mimetype="text/plain")
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response


@bp.post("/language")
def set_language():
    language = request.form.get("language", "")
    if language in INTERFACE_LANGUAGES:
        session["lang"] = language
        session["lang_chosen"] = True  # a login in this visit keeps it (accounts._log_in)
        if current_user.is_authenticated:
            with unit_of_work():
                current_user.preferred_language = language
    # The page comes back in the chosen language: a `?lang=` it was shown with would win.
    return redirect(without_lang(safe_next(request.form.get("next"), url_for("main.index"))))


def without_lang(path: str) -> str:
    """`path` without its `lang` query argument."""
    parts = urlsplit(path)
    query = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(key, value) for key, value in query if key != "lang"]
    if len(kept) == len(query):
        return path
    return urlunsplit(parts._replace(query=urlencode(kept)))


@bp.get("/healthz")
@csrf.exempt
def healthz():
    """200 when the database answers within HEALTHZ_TIMEOUT seconds, else 503."""
    probe = current_app.extensions.setdefault("healthz_probe", DatabaseProbe())
    if probe.answers(db.engine, current_app.config["HEALTHZ_TIMEOUT"]):
        return {"status": "ok", "database": "ok"}
    return {"status": "unavailable", "database": "unreachable"}, 503
