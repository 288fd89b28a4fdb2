from flask_babel import lazy_gettext as _l
from wtforms import SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange

from learning_platform.forms import ConfirmActionForm, Form, WholeNumberField, select_choices
from learning_platform.models import MAX_CERTIFICATE_NOTE, CertificateStatus


class RuleForm(Form):
    percent = WholeNumberField(
        _l("Attended at least this percentage of the sessions"),
        validators=[
            InputRequired(_l("Choose a number from 1 to 100.")),
            NumberRange(1, 100, _l("Choose a number from 1 to 100.")),
        ],
        render_kw={"inputmode": "numeric", "min": 1, "max": 100},
    )


class IssueAllForm(ConfirmActionForm):
    """Issue to everyone who meets the rule: asks first."""


class DecisionForm(Form):
    """Issue or withhold one person's certificate by hand (one per row, prefixed by its id)."""

    decision = SelectField(
        _l("Decision"),
        choices=select_choices(
            [
                (CertificateStatus.ISSUED.value, _l("Issue")),
                (CertificateStatus.WITHHELD.value, _l("Withhold")),
            ]
        ),
        validators=[InputRequired()],
    )
    note = TextAreaField(
        _l("Note"),
        validators=[Length(max=MAX_CERTIFICATE_NOTE)],
        description=_l("Needed to issue below the rule, or to withhold from someone who meets it."),
        render_kw={"rows": 2},
    )
