from flask_babel import lazy_gettext as _l
from wtforms import PasswordField
from wtforms.validators import InputRequired, Length

from learning_platform.accounts.forms import PASSWORD_MAX
from learning_platform.forms import Form


class DeleteAccountForm(Form):
    password = PasswordField(
        _l("Your password"),
        validators=[
            InputRequired(_l("Type your password to confirm.")),
            Length(max=PASSWORD_MAX, message=_l("Use at most 1,000 characters.")),
        ],
        render_kw={"autocomplete": "current-password"},
        description=_l("To confirm that it is you, and that you mean it."),
    )
