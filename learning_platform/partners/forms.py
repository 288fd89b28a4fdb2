import re

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from learning_platform.forms import ConfirmActionForm, Form, email_address, iana_timezone, web_url
from learning_platform.models import MembershipRole, PartnerKind

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def kind_choices() -> list[SelectChoice]:
    return [SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()]


def role_choices() -> list[SelectChoice]:
    return [SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()]


KIND_LABELS = {
    PartnerKind.UN_AGENCY: _l("UN agency"),
    PartnerKind.CITY: _l("City or local government"),
    PartnerKind.NATIONAL_COMMISSION: _l("National commission for UNESCO"),
    PartnerKind.NGO: _l("Non-governmental organisation"),
    PartnerKind.UNIVERSITY: _l("University or school"),
    PartnerKind.OTHER: _l("Other organisation"),
}

ROLE_LABELS = {
    MembershipRole.ORGANIZER: _l("Organizer"),
    MembershipRole.MANAGER: _l("Manager"),
}


class PartnerForm(Form):
    name = StringField(
        _l("Name"),
        validators=[
            DataRequired(_l("Enter the organisation's name.")),
            Length(max=200, message=_l("Use at most 200 characters.")),
        ],
    )
    slug = StringField(
        _l("Short web name"),
        validators=[
            Optional(),
            Length(max=80, message=_l("Use at most 80 characters.")),
            Regexp(
                SLUG_PATTERN,
                message=_l("Use only a–z, 0–9 and single hyphens, like changwon-city."),
            ),
        ],
        description=_l("Used in the page address. Leave empty to make one from an English name."),
    )
    kind = SelectField(_l("Kind of organisation"), choices=kind_choices)
    description = TextAreaField(
        _l("Description"),
        validators=[Length(max=5000, message=_l("Use at most 5,000 characters."))],
        description=_l("What the organisation does, in a few sentences."),
    )
    website = StringField(
        _l("Website"),
        validators=[Length(max=500, message=_l("Use at most 500 characters.")), web_url],
        render_kw={"inputmode": "url", "placeholder": "https://"},
    )
    city = StringField(
        _l("City"),
        validators=[Length(max=100, message=_l("Use at most 100 characters."))],
        description=_l("Where the organisation is based, such as Changwon or Bangkok."),
    )
    timezone = StringField(
        _l("Time zone"),
        validators=[DataRequired(_l("Enter a time zone, such as Asia/Seoul.")), iana_timezone],
        default=lambda: current_app.config["SITE_TIMEZONE"],
        description=_l(
            "The default time zone of its courses and workshops, such as Asia/Seoul or Asia/Bangkok."
        ),
        render_kw={"list": "timezones", "autocomplete": "off"},
    )


class MemberForm(Form):
    email = EmailField(
        _l("Email of the person"),
        validators=[
            DataRequired(_l("Enter the person's email address.")),
            Length(max=254, message=_l("An email address has at most 254 characters.")),
            email_address,
        ],
    )
    role = SelectField(_l("Role"), choices=role_choices)


class RoleForm(ConfirmActionForm):
    """A member's new role; a manager making themself an organizer confirms it first."""

    role = SelectField(_l("Role"), choices=role_choices)
