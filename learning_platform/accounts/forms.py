from functools import cache

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from learning_platform.forms import Form, email_address, select_choices
from learning_platform.languages import BY_CODE, INTERFACE_LANGUAGES

PASSWORD_MIN = 8
PASSWORD_MAX = 1000


def language_choices() -> list[SelectChoice]:
    return [SelectChoice(code, BY_CODE[code].native_name) for code in INTERFACE_LANGUAGES]


@cache
def _common_passwords() -> frozenset[str]:
    # The 30,000 most common passwords from leaked lists, as shipped with zxcvbn.
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def is_common_password(password: str) -> bool:
    return password.lower() in _common_passwords()


def password_problem(password: str, email: str = ""):
    """Why `password` may not be used, or None; the same rules for forms and the CLI."""
    if len(password) < PASSWORD_MIN:
        return _l("Use at least 8 characters.")
    if len(password) > PASSWORD_MAX:
        return _l("Use at most 1,000 characters.")
    email = email.lower()
    if is_common_password(password) or password.lower() in {email, email.split("@")[0]}:
        return _l("This password is too easy to guess. Try a short sentence or several words.")
    return None


def new_password(form, field) -> None:
    email = getattr(form, "email", None)
    problem = password_problem(field.data or "", email.data or "" if email else "")
    if problem:
        raise ValidationError(problem)


def email_field() -> EmailField:
    return EmailField(
        _l("Email"),
        validators=[
            DataRequired(_l("Enter your email address.")),
            Length(max=254, message=_l("An email address has at most 254 characters.")),
            email_address,
        ],
        render_kw={"autocomplete": "email"},
    )


def display_name_field() -> StringField:
    return StringField(
        _l("Display name"),
        validators=[
            DataRequired(_l("Enter the name others will see.")),
            Length(max=100, message=_l("Use at most 100 characters.")),
        ],
        render_kw={"autocomplete": "name"},
        description=_l("Shown to organizers of the courses you join."),
    )


def language_field() -> SelectField:
    return SelectField(
        _l("Preferred language"),
        choices=language_choices,
        description=_l("For pages, mails and your calendar feed."),
    )


class SignupForm(Form):
    email = email_field()
    display_name = display_name_field()
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(_l("Choose a password.")), new_password],
        render_kw={"autocomplete": "new-password"},
        description=_l("At least 8 characters, in any language. A short sentence works well."),
    )
    preferred_language = language_field()
    #: The label links the policy and terms, so signup.html writes it.
    consent = BooleanField(
        _l("I have read and agree to the privacy policy and the terms of use."),
        validators=[
            DataRequired(
                _l("Please agree to the privacy policy and the terms of use to create an account.")
            )
        ],
    )


class LoginForm(Form):
    email = email_field()
    password = PasswordField(
        _l("Password"),
        validators=[
            InputRequired(_l("Enter your password.")),
            Length(max=PASSWORD_MAX, message=_l("Use at most 1,000 characters.")),
        ],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Keep me logged in on this device"))


class ResetRequestForm(Form):
    email = email_field()


class ResetPasswordForm(Form):
    password = PasswordField(
        _l("New password"),
        validators=[InputRequired(_l("Choose a password.")), new_password],
        render_kw={"autocomplete": "new-password"},
        description=_l("At least 8 characters, in any language. A short sentence works well."),
    )


class ChangePasswordForm(Form):
    current_password = PasswordField(
        _l("Current password"),
        validators=[InputRequired(_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )
    password = PasswordField(
        _l("New password"),
        validators=[InputRequired(_l("Choose a password.")), new_password],
        render_kw={"autocomplete": "new-password"},
        description=_l("At least 8 characters, in any language. A short sentence works well."),
    )


#: Alarms the private calendar feed can carry, in minutes before each session ("" for none).
FEED_ALARMS = [
    ("", _l("No alarm")),
    ("15", _l("15 minutes before")),
    ("60", _l("1 hour before")),
    ("1440", _l("1 day before")),
]


class ProfileForm(Form):
    display_name = display_name_field()
    preferred_language = language_field()
    reminder_mails = BooleanField(
        _l("Mail me a reminder before each session"),
        description=_l("Organizers choose when: usually a day before, sometimes two hours."),
    )
    feed_alarm = SelectField(
        _l("Alarm in my private calendar"),
        choices=select_choices(FEED_ALARMS),
        default="",
        description=_l("Your calendar app alerts you before each session you have a seat in."),
    )

    @property
    def feed_alarm_minutes(self) -> int | None:
        return int(self.feed_alarm.data) if self.feed_alarm.data else None


class VerifyForm(Form):
    password = PasswordField(
        _l("Password"),
        validators=[
            InputRequired(_l("Enter your password.")),
            Length(max=PASSWORD_MAX, message=_l("Use at most 1,000 characters.")),
        ],
        render_kw={"autocomplete": "current-password"},
        description=_l("The password you chose when you signed up."),
    )
