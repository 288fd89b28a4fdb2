"""My account: download my data, delete my account."""

import json

from flask import Blueprint, Response, current_app, flash, redirect, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from learning_platform.boundary import unit_of_work
from learning_platform.extensions import limiter
from learning_platform.forms import render_form
from learning_platform.models import utcnow
from learning_platform.policy import requires
from learning_platform.rights import forms, services

bp = Blueprint("rights", __name__, url_prefix="/account")


@bp.get("/data")
@requires("use_account")
def download():
    """Everything we hold about the person, as a JSON file."""
    data = services.export(current_user._get_current_object())
    body = json.dumps(data, ensure_ascii=False, indent=2)
    filename = f"my-data-{utcnow():%Y-%m-%d}.json"
    return Response(
        body,
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/delete", methods=["GET", "POST"])
@requires("use_account")
# The password is checked here too: as many guesses as at the login, no more.
@limiter.limit(lambda: current_app.config["LOGIN_IP_LIMIT"], methods=["POST"])
def delete():
    person = current_user._get_current_object()
    form = forms.DeleteAccountForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            services.delete_account(person, form.password.data)
        if work.ok:
            language = session.get("lang")
            session.clear()
            logout_user()  # after clear(): it asks for the remember cookie to be deleted
            if language:
                session["lang"] = language
            flash(
                _(
                    "Your account is deleted, and you are logged out everywhere. Thank you for learning with us."
                ),
                "success",
            )
            return redirect(url_for("main.index"))
    return render_form("rights/delete.html", form, blocking=services.sole_managed(person))
