import re

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from learning_platform.forms import ConfirmActionForm, Form, email_address, iana_timezone, web_url
from learning_platform.i18n import current_language
from learning_platform.languages import BY_CODE, CONTENT_LANGUAGES, LANGUAGES, Language
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


#: The partner's texts written in each language (Partner.TRANSLATED).
TEXT_FIELDS = ("name", "description", "city")


def _name_field(language: str) -> StringField:
    return StringField(
        _l("Name"),
        validators=[Length(max=200, message=_l("Use at most 200 characters."))],
        render_kw={"lang": language},
    )


def _description_field(language: str) -> TextAreaField:
    return TextAreaField(
        _l("Description"),
        validators=[Length(max=5000, message=_l("Use at most 5,000 characters."))],
        description=_l("What the organisation does, in a few sentences."),
        render_kw={"rows": 5, "lang": language},
    )


def _city_field(language: str) -> StringField:
    return StringField(
        _l("City"),
        validators=[Length(max=100, message=_l("Use at most 100 characters."))],
        description=_l("Where the organisation is based, such as Changwon or Bangkok."),
        render_kw={"lang": language},
    )


def language_choices() -> list[SelectChoice]:
    return [SelectChoice(language.code, language.label) for language in LANGUAGES]


def text_field_name(field: str, language: str) -> str:
    """The form field of `field` ("name") in `language`: "name_th"."""
    return f"{field}_{language}"


class PartnerForm(Form):
    """A partner's details; its name, description and city in each content language (the
    primary language's name required, the others optional)."""

    primary_language = SelectField(
        _l("Primary language"),
        choices=language_choices,
        default=current_language,
        description=_l(
            "The language the organisation's texts are first written in. Readers of another "
            "language see them in theirs when written, else in this one."
        ),
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
    website = StringField(
        _l("Website"),
        validators=[Length(max=500, message=_l("Use at most 500 characters.")), web_url],
        render_kw={"inputmode": "url", "placeholder": "https://"},
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

    def __init__(self, *args, partner=None, **kwargs):
        """`partner`: the one edited; its texts prefill the fields of each language."""
        if partner is not None:
            kwargs.setdefault("obj", partner)
            for field in TEXT_FIELDS:
                for language in CONTENT_LANGUAGES:
                    kwargs.setdefault(
                        text_field_name(field, language), partner.text(field, language)
                    )
        super().__init__(*args, **kwargs)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        language = self.primary_language.data
        name = self[text_field_name("name", language)] if language in CONTENT_LANGUAGES else None
        if name is not None and not name.data and not name.errors:
            name.errors = [_l("Enter the organisation's name in its primary language.")]
            valid = False
        return valid

    def language_order(self) -> list[str]:
        """The content languages, the chosen primary one first (the fieldsets' order)."""
        primary = self.primary_language.data
        return sorted(CONTENT_LANGUAGES, key=lambda code: code != primary)

    @staticmethod
    def language(code: str) -> Language:
        return BY_CODE[code]

    def language_fields(self, language: str) -> list:
        """The fields of the texts in `language`: name, description, city."""
        return [self[text_field_name(field, language)] for field in TEXT_FIELDS]

    def language_started(self, language: str) -> bool:
        """Whether any text in `language` is filled in (or refused): its part shows open."""
        return any(field.data or field.errors for field in self.language_fields(language))

    def texts(self) -> dict[str, dict[str, str]]:
        """{language: {field: text}} as entered, empty texts included."""
        return {
            language: {
                field: self[text_field_name(field, language)].data or "" for field in TEXT_FIELDS
            }
            for language in CONTENT_LANGUAGES
        }


for _language in CONTENT_LANGUAGES:
    setattr(PartnerForm, text_field_name("name", _language), _name_field(_language))
    setattr(PartnerForm, text_field_name("description", _language), _description_field(_language))
    setattr(PartnerForm, text_field_name("city", _language), _city_field(_language))


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
