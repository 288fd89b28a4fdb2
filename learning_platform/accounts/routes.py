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
from flask_login import current_user, login_user, logout_user

from learning_platform.accounts import forms, services
from learning_platform.boundary import unit_of_work
from learning_platform.calendar.links import subscription
from learning_platform.extensions import limiter
from learning_platform.forms import (
    ConfirmActionForm,
    Confirmation,
    render_confirmation,
    render_form,
)
from learning_platform.i18n import current_language
from learning_platform.languages import INTERFACE_LANGUAGES
from learning_platform.mail.services import external_url
from learning_platform.models import TokenPurpose
from learning_platform.policy import can, requires
from learning_platform.security import is_safe_path, safe_next
from learning_platform.timezones import format_moment

bp = Blueprint("accounts", __name__)


def _email_key() -> str:
    return "email:" + services.normalize_email(request.form.get("email", ""))[:254]


def _email_and_address_key() -> str:
    return f"{_email_key()}|{get_remote_address()}"


def _log_in(person, *, remember: bool) -> None:
    language = session.get("lang")
    chosen = session.get("lang_chosen") and language in INTERFACE_LANGUAGES
    session.clear()  # nothing from before the login carries over
    if language:
        session["lang"] = language
    if chosen:
        # Chosen with the switch in this visit, before logging in: it stays, and becomes
        # the account's language (mails included), as the switch does for a logged-in person.
        person.preferred_language = language
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
    if form.validate_on_submit():
        with unit_of_work(form):
            services.sign_up(
                form.email.data,
                form.display_name.data,
                form.password.data,
                form.preferred_language.data,
            )
            return redirect(url_for("accounts.check_email", reason="signup"))
    return render_form("accounts/signup.html", form)


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
        record = services.live_token(token, TokenPurpose.VERIFY)
        if record is None:
            return render_template("accounts/link_invalid.html", kind=TokenPurpose.VERIFY), 404
        with unit_of_work(form):
            _log_in(services.verify_email(record, form.password.data), remember=False)
            flash(_("Your email address is confirmed. Welcome!"), "success")
            return redirect(url_for("main.index"))
    return render_form("accounts/verify.html", form)


def _landing(person, asked: str | None, next_url: str) -> str:
    """Where a login leads: the page asked for, else an organizer's workspace, else home."""
    if is_safe_path(asked) or not can(person, "use_workspace"):
        return next_url
    return url_for("workspace.index")


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
    asked = request.args.get("next")
    next_url = safe_next(asked, url_for("main.index"))
    if current_user.is_authenticated:
        return redirect(_landing(current_user, asked, next_url))
    form = forms.LoginForm()
    if form.validate_on_submit():
        # Committed either way: a rehashed password, or a new confirmation link.
        with unit_of_work(form):
            person = services.log_in(form.email.data, form.password.data)
            if not person.is_active:
                flash(
                    _("Please confirm your email address first. We have sent you a new link."),
                    "info",
                )
            else:
                _log_in(person, remember=form.remember.data)
                flash(_("Welcome back, %(name)s.", name=person.display_name), "success")
                return redirect(_landing(person, asked, next_url))
    return render_form("accounts/login.html", form)


@bp.post("/logout")
@requires("use_account")
def logout():
    with unit_of_work():
        services.end_session(current_user.session_token)
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
    if form.validate_on_submit():
        with unit_of_work(form):
            services.request_password_reset(form.email.data)
            return redirect(url_for("accounts.check_email", reason="reset"))
    return render_form("accounts/reset_request.html", form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    record = services.live_token(token, TokenPurpose.RESET)
    if record is None:
        return render_template("accounts/link_invalid.html", kind=TokenPurpose.RESET), 404
    form = forms.ResetPasswordForm()
    if form.validate_on_submit():
        with unit_of_work(form):
            services.reset_password(record, form.password.data)
            if current_user.is_authenticated:
                logout_user()
            flash(_("Your password is changed. Please log in with the new one."), "success")
            return redirect(url_for("accounts.login"))
    return render_form("accounts/reset_password.html", form)


@bp.route("/account", methods=["GET", "POST"])
@requires("use_account")
def profile():
    form = forms.ProfileForm(obj=current_user)
    if request.method == "GET":
        form.feed_alarm.data = str(current_user.feed_alarm_minutes or "")
    if form.validate_on_submit():
        with unit_of_work(form):
            current_user.display_name = form.display_name.data
            current_user.preferred_language = form.preferred_language.data
            current_user.reminder_mails = form.reminder_mails.data
            current_user.feed_alarm_minutes = form.feed_alarm_minutes
            session["lang"] = form.preferred_language.data
            flash(_("Your profile is saved."), "success")
            return redirect(url_for("accounts.profile"))
    return render_form("accounts/profile.html", form)


@bp.route("/account/password", methods=["GET", "POST"])
@requires("use_account")
def change_password():
    form = forms.ChangePasswordForm()
    if form.validate_on_submit():
        person = current_user._get_current_object()
        with unit_of_work(form):
            services.change_password(person, form.current_password.data, form.password.data)
            _log_in(person, remember=False)
            flash(_("Your password is changed. Other devices have been logged out."), "success")
            return redirect(url_for("accounts.profile"))
    return render_form("accounts/change_password.html", form)


@bp.post("/account/calendar")
@requires("use_account")
def calendar_feed():
    """Create (or, once confirmed, replace) the private calendar address; shown this once."""
    person = current_user._get_current_object()
    form = ConfirmActionForm()
    if person.feed_token_hash and not form.confirmed():
        last_read = (
            _(
                "A calendar app last read it on %(date)s.",
                date=format_moment(person.feed_last_used_at, current_app.config["SITE_TIMEZONE"]),
            )
            if person.feed_last_used_at
            else _("No calendar app has read it yet.")
        )
        return render_confirmation(
            form,
            Confirmation(
                title=_("Replace your calendar address?"),
                consequences=[
                    _(
                        "The address you have now stops working at once: calendar apps subscribed"
                        " to it no longer show your sessions."
                    ),
                    last_read,
                    _("You then subscribe again with the new address, shown on the next page."),
                ],
                button=_("Create a new address"),
                keep_label=_("Keep my address"),
                keep_url=url_for("accounts.profile", _anchor="calendar"),
            ),
        )
    with unit_of_work():
        token = services.new_feed_token(person)
    feed = subscription(external_url("feeds.personal", token=token), _("My learning"))
    return render_template("accounts/calendar_feed.html", subscription=feed)
