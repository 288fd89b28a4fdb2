"""The trail's filters: a GET form (it changes nothing, so no CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from learning_platform.audit.texts import GROUPS, PARTNER_GROUPS
from learning_platform.forms import Form, plausible_date


class TrailFilterForm(Form):
    class Meta:
        csrf = False

    action = SelectField(_l("What"), choices=[], default="")
    partner = SelectField(_l("Partner"), choices=[], default="")
    actor = StringField(
        _l("Who"),
        description=_l("Part of a name or an email address."),
        validators=[Optional(), Length(max=254, message=_l("Use at most %(max)d characters."))],
    )
    offering = StringField(
        _l("Offering"),
        description=_l("Its number, or words of its title."),
        validators=[Optional(), Length(max=200, message=_l("Use at most %(max)d characters."))],
    )
    date_from = DateField(_l("Changed on or after"), validators=[Optional(), plausible_date])
    date_to = DateField(_l("Changed on or before"), validators=[Optional(), plausible_date])

    def __init__(self, *args, partners=None, **kwargs):
        super().__init__(*args, **kwargs)
        groups = GROUPS if partners is not None else PARTNER_GROUPS
        self.action.choices = {
            None: [("", _l("Any change"))],
            **{
                str(label): [(action.value, text) for action, text in actions]
                for label, actions in groups
            },
        }
        if partners is None:
            del self.partner
        else:
            self.partner.choices = [("", _l("Any partner"))] + [
                (str(partner_id), name) for partner_id, name in partners
            ]

    def validate_date_to(self, field) -> None:
        if self.date_from.data and field.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date must be on or after the start date."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Clear words of our own instead of the library's ("Not a valid date value."); an
        # empty date is no error (Optional() has cleared it, though the parse failed).
        for field in (self.date_from, self.date_to):
            if field.process_errors and field.errors:
                field.errors = [_l("Enter a date as YYYY-MM-DD.")]
        for field in (self.action, getattr(self, "partner", None)):
            if field is not None and field.errors:
                field.errors = [_l("Choose one of the listed values.")]
        return valid

    @property
    def offering_id(self) -> int | None:
        text = (self.offering.data or "").lstrip("#")
        return int(text) if text.isdigit() and len(text) < 10 else None
