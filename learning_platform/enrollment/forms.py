from flask_babel import lazy_gettext as _l
from wtforms import SelectMultipleField

from learning_platform.forms import Form, row_id


class AttendanceForm(Form):
    #: Registration ids ticked present; ids no longer on the sheet (a seat just cancelled)
    #: are ignored by the service, so they are not refused here.
    present = SelectMultipleField(
        _l("Present"),
        coerce=row_id,
        validate_choice=False,
    )
