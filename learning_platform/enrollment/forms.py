from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.validators import InputRequired, Length

from learning_platform.forms import Form, row_id


class AttendanceForm(Form):
    #: Registration ids ticked present; ids no longer on the sheet (a seat just cancelled)
    #: are ignored by the service, so they are not refused here.
    present = SelectMultipleField(
        _l("Present"),
        coerce=row_id,
        validate_choice=False,
    )


class CheckInForm(Form):
    """A code typed at the door: the short code, or what the QR code says."""

    code = StringField(
        _l("Check-in code"),
        validators=[InputRequired(_l("Type the code.")), Length(max=200)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )


class CheckInPersonForm(Form):
    """A tap on a name in the list."""

    registration = SelectField(coerce=row_id, validate_choice=False, validators=[InputRequired()])
