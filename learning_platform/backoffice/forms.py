"""Back-office forms: the search boxes and the reasons an admin gives."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from learning_platform.forms import ConfirmActionForm, Form, select_choices
from learning_platform.languages import CONTENT_LANGUAGES
from learning_platform.models.offering import MAX_REASON, OfferingStatus


class SearchForm(Form):
    """A GET search: no CSRF token (it changes nothing)."""

    class Meta:
        csrf = False

    q = StringField(_l("Name or e-mail"), validators=[Optional(), Length(max=100)])


class OfferingSearchForm(Form):
    class Meta:
        csrf = False

    q = StringField(_l("Words in the title"), validators=[Optional(), Length(max=100)])
    partner = SelectField(_l("Partner"), choices=[], validate_choice=False, default="")
    status = SelectField(
        _l("Status"),
        choices=select_choices(
            [
                ("", _l("Any status")),
                (OfferingStatus.DRAFT.value, _l("Draft")),
                (OfferingStatus.PUBLISHED.value, _l("Published")),
                (OfferingStatus.CANCELLED.value, _l("Cancelled")),
            ]
        ),
        default="",
    )


class ReasonForm(ConfirmActionForm):
    """Disabling or re-enabling an account: why, for the other admins."""

    reason = TextAreaField(
        _l("Why?"),
        validators=[
            DataRequired(_l("Give a reason: the other site admins read it in the audit trail.")),
            Length(max=500, message=_l("Use at most %(max)d characters.", max=500)),
        ],
    )


class UnpublishForm(ConfirmActionForm):
    reason = TextAreaField(
        _l("Why is it taken out of the catalog?"),
        validators=[
            DataRequired(_l("Give a reason: the partner's organizers read it in their mail.")),
            Length(max=MAX_REASON, message=_l("Use at most %(max)d characters.", max=MAX_REASON)),
        ],
    )


class RetryAllForm(ConfirmActionForm):
    """Sending every failed message again: asked first."""


class ThemeForm(Form):
    """A theme's name and description in each content language; English required (the
    language a theme falls back on)."""

    def language_fields(self, language: str) -> list:
        return [self[f"name_{language}"], self[f"description_{language}"]]


for _code in CONTENT_LANGUAGES:
    setattr(
        ThemeForm,
        f"name_{_code}",
        StringField(
            _l("Name"),
            validators=[
                *(
                    [DataRequired(_l("Enter the theme's name in English."))]
                    if _code == "en"
                    else []
                ),
                Length(max=120, message=_l("Use at most 120 characters.")),
            ],
            render_kw={"lang": _code},
        ),
    )
    setattr(
        ThemeForm,
        f"description_{_code}",
        TextAreaField(
            _l("Description"),
            validators=[Length(max=2000, message=_l("Use at most 2,000 characters."))],
            description=_l("Plain text; a blank line starts a new paragraph."),
            render_kw={"rows": 4, "lang": _code},
        ),
    )
