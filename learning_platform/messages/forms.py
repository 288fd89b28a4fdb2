from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError
from wtforms.widgets import ListWidget

from learning_platform.forms import Form, select_choices
from learning_platform.models import MAX_MESSAGE_BODY, MAX_MESSAGE_SUBJECT, Audience

AUDIENCE_LABELS = {
    Audience.CONFIRMED: _l("Everyone confirmed"),
    Audience.WAITLISTED: _l("Everyone on the waitlist"),
    Audience.BOTH: _l("Confirmed and waitlisted"),
    Audience.SESSION: _l("Those who attended one session"),
}


def _max(length: int):
    return Length(max=length, message=_l("Use at most %(max)d characters.", max=length))


class MessageForm(Form):
    """A message to participants; `session_choices` are the offering's sessions."""

    audience = RadioField(
        _l("Who gets it"),
        widget=ListWidget(prefix_label=False),
        choices=select_choices(AUDIENCE_LABELS.items()),
        default=Audience.CONFIRMED.value,
        validate_choice=False,
    )
    session_id = SelectField(
        _l("Session"),
        validate_choice=False,
        description=_l("Only for “Those who attended one session”: marked present there."),
    )
    subject = StringField(
        _l("Subject"),
        validators=[DataRequired(_l("Write a subject.")), _max(MAX_MESSAGE_SUBJECT)],
        render_kw={"maxlength": MAX_MESSAGE_SUBJECT},
    )
    body = TextAreaField(
        _l("Message"),
        validators=[DataRequired(_l("Write the message.")), _max(MAX_MESSAGE_BODY)],
        description=_l(
            "Markdown works: **bold**, *italic*, a list with “- ”, a link as [text](https://…)."
            " Each person gets their own mail and sees no one else's address."
        ),
        render_kw={"rows": 12},
    )

    def __init__(self, *args, session_choices=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.session_id.choices = select_choices([("", _l("Choose a session")), *session_choices])

    def validate_audience(self, field) -> None:
        if field.data not in {audience.value for audience in Audience}:
            raise ValidationError(_l("Choose who gets the message."))

    def validate_session_id(self, field) -> None:
        if self.audience.data != Audience.SESSION.value:
            return
        if not field.data:
            raise ValidationError(_l("Choose the session whose attendees get the message."))
        if field.data not in {str(choice.value) for choice in self.session_id.choices[1:]}:
            raise ValidationError(_l("Choose one of this offering's sessions."))
