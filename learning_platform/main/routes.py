from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError

from learning_platform.extensions import csrf, db
from learning_platform.models import Partner, Theme
from learning_platform.security import safe_next

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    partners = db.session.scalars(
        select(Partner).where(Partner.approved.is_(True)).order_by(Partner.name)
    ).all()
    themes = db.session.scalars(select(Theme).order_by(Theme.position, Theme.slug)).all()
    return render_template("main/index.html", partners=partners, themes=themes)


@bp.post("/language")
def set_language():
    language = request.form.get("language", "")
    if language in current_app.config["LANGUAGES"]:
        session["lang"] = language
        if current_user.is_authenticated:
            current_user.preferred_language = language
            db.session.commit()
    return redirect(safe_next(request.form.get("next"), url_for("main.index")))


@bp.get("/healthz")
@csrf.exempt
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return {"status": "unavailable", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}
