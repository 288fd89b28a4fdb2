from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from learning_platform.accounts import forms, services
from learning_platform.calendar.links import subscription
from learning_platform.extensions import db, limiter
from learning_platform.forms import render_form
from learning_platform.i18n import current_language
from learning_platform.mail.services import external_url
from learning_platform.security import safe_next

bp = Blueprint("accounts", __name__)


def _email_key() -> str:
    return "email:" + services.normalize_email(request.form.get("email", ""))[:254]


def _email_and_address_key() -> str:
    return f"{_email_key()}|{get_remote_address()}"


def _log_in(person, *, remember: bool) -> None:
    language = session.get("lang")
    session.clear()  # nothing from before the login carries over
    if language:
        session["lang"] = language
    services.start_session(person, remember=remember)
    login_user(person, remember=remember)


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["MAIL_REQUEST_LIMIT"], methods=["POST"])
@limiter.limit(
    lambda: current_app.config["MAIL_REQUEST_LIMIT"], methods=["POST"], key_func=_email_key
)
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = forms.SignupForm()
    if request.method == "GET":
        form.preferred_language.data = current_language()
    if not form.validate_on_submit():
        return render_form("accounts/signup.html", form)
    services.sign_up(
        form.email.data, form.display_name.data, form.password.data, form.preferred_language.data
    )
    db.session.commit()
    return redirect(url_for("accounts.check_email", reason="signup"))


@bp.get("/check-email")
def check_email():
    reason = request.args.get("reason", "signup")
    return render_template("accounts/check_email.html", reason=reason)


@bp.route("/verify/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_IP_LIMIT"], methods=["POST"])
def verify(token: str):
    # A page with a form, not an action on GET: mail scanners that follow links use nothing up.
    form = forms.VerifyForm()
    if form.validate_on_submit():
        try:
            person = services.verify_email(token, form.password.data)
        except services.InvalidToken:
            return render_template("accounts/link_invalid.html", kind="verify"), 404
        except services.WrongPassword:
            form.password.errors.append(_("This is not the password of this account."))
        else:
            _log_in(person, remember=False)
            db.session.commit()
            flash(_("Your email address is confirmed. Welcome!"), "success")
            return redirect(url_for("main.index"))
    return render_form("accounts/verify.html", form)


@bp.route("/login", methods=["GET", "POST"])
# Every attempt counts before the password is checked, so parallel guesses cannot slip through.
# The tight limit is per account *and* address: a stranger cannot lock the real user out.
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT"], methods=["POST"], key_func=_email_and_address_key
)
@limiter.limit(
    lambda: current_app.config["LOGIN_ACCOUNT_LIMIT"], methods=["POST"], key_func=_email_key
)
@limiter.limit(lambda: current_app.config["LOGIN_IP_LIMIT"], methods=["POST"])
def login():
    next_url = safe_next(request.args.get("next"), url_for("main.index"))
    if current_user.is_authenticated:
        return redirect(next_url)
    form = forms.LoginForm()
    if not form.validate_on_submit():
        return render_form("accounts/login.html", form)
    try:
        person = services.log_in(form.email.data, form.password.data)
    except services.WrongPassword:
        form.password.errors.append(_("The email or password is not right. Please try again."))
    except services.Unconfirmed:
        flash(_("Please confirm your email address first. We have sent you a new link."), "info")
    else:
        _log_in(person, remember=form.remember.data)
        db.session.commit()
        flash(_("Welcome back, %(name)s.", name=person.display_name), "success")
        return redirect(next_url)
    db.session.commit()  # a rehashed password or a new confirmation link
    return render_form("accounts/login.html", form)


@bp.post("/logout")
@login_required
def logout():
    services.end_session(current_user.session_token)
    db.session.commit()
    language = session.get("lang")
    session.clear()
    logout_user()  # after clear(): it asks for the remember cookie to be deleted
    if language:
        session["lang"] = language
    flash(_("You are logged out."), "info")
    return redirect(url_for("main.index"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["MAIL_REQUEST_LIMIT"], methods=["POST"])
@limiter.limit(
    lambda: current_app.config["MAIL_REQUEST_LIMIT"], methods=["POST"], key_func=_email_key
)
def reset_request():
    form = forms.ResetRequestForm()
    if not form.validate_on_submit():
        return render_form("accounts/reset_request.html", form)
    services.request_password_reset(form.email.data)
    db.session.commit()
    return redirect(url_for("accounts.check_email", reason="reset"))


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        services.check_reset_token(token)
    except services.InvalidToken:
        return render_template("accounts/link_invalid.html", kind="reset"), 404
    form = forms.ResetPasswordForm()
    if not form.validate_on_submit():
        return render_form("accounts/reset_password.html", form)
    try:
        services.reset_password(token, form.password.data)
    except services.InvalidToken:
        return render_template("accounts/link_invalid.html", kind="reset"), 404
    if current_user.is_authenticated:
        logout_user()
    db.session.commit()
    flash(_("Your password is changed. Please log in with the new one."), "success")
    return redirect(url_for("accounts.login"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def profile():
    form = forms.ProfileForm(obj=current_user)
    if not form.validate_on_submit():
        return render_form("accounts/profile.html", form)
    current_user.display_name = form.display_name.data
    current_user.preferred_language = form.preferred_language.data
    session["lang"] = form.preferred_language.data
    db.session.commit()
    flash(_("Your profile is saved."), "success")
    return redirect(url_for("accounts.profile"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = forms.ChangePasswordForm()
    if form.validate_on_submit():
        person = current_user._get_current_object()
        try:
            services.change_password(person, form.current_password.data, form.password.data)
        except services.WrongPassword:
            form.current_password.errors.append(_("This is not your current password."))
        else:
            _log_in(person, remember=False)
            db.session.commit()
            flash(_("Your password is changed. Other devices have been logged out."), "success")
            return redirect(url_for("accounts.profile"))
    return render_form("accounts/change_password.html", form)


@bp.post("/account/calendar")
@login_required
def calendar_feed():
    """Create (or replace) the private calendar address; it is shown this once."""
    token = services.new_feed_token(current_user._get_current_object())
    db.session.commit()
    feed = subscription(external_url("feeds.personal", token=token), _("My learning"))
    return render_template("accounts/calendar_feed.html", subscription=feed)
