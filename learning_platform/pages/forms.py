from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from learning_platform.forms import Form

#: What a page's text may hold: far more than any policy needs, far below the body limit.
BODY_MAX = 50_000


class PageTextForm(Form):
    title = StringField(
        _l("Title"),
        validators=[
            DataRequired(_l("Enter the page's title.")),
            Length(max=200, message=_l("Use at most 200 characters.")),
        ],
    )
    body = TextAreaField(
        _l("Text (Markdown)"),
        validators=[
            Length(max=BODY_MAX, message=_l("Use at most 50,000 characters.")),
        ],
        description=_l(
            "Headings with ##, lists with -, links as [text](https://…). Leave it empty and "
            "readers of this language see the page in another language, with a note."
        ),
        render_kw={"rows": 24},
    )
    new_version = BooleanField(
        _l("This is a new version"),
        description=_l(
            "Dates the page today and asks everyone who agreed to an earlier version to read it."
            " Leave it off for corrections that change nothing for them."
        ),
    )
