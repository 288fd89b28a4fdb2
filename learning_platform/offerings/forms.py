from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    DateTimeLocalField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from learning_platform.forms import (
    ConfirmActionForm,
    Form,
    WholeNumberField,
    email_address,
    iana_timezone,
    plausible_date,
    select_choices,
    web_url,
)
from learning_platform.languages import BY_CODE, INSTRUCTION_LABELS, LANGUAGES
from learning_platform.models import (
    MAX_CAPACITY,
    MAX_REASON,
    Offering,
    OfferingFormat,
    OfferingKind,
    ReminderLead,
)

KIND_LABELS = {
    OfferingKind.COURSE: _l("Course"),
    OfferingKind.WORKSHOP: _l("Workshop"),
    OfferingKind.EVENT: _l("Event"),
}
FORMAT_LABELS = {
    OfferingFormat.IN_PERSON: _l("In person"),
    OfferingFormat.ONLINE: _l("Online"),
    OfferingFormat.HYBRID: _l("Hybrid (in person and online)"),
}
REMINDER_LABELS = {
    ReminderLead.DAY: _l("24 hours before each session"),
    ReminderLead.TWO_HOURS: _l("2 hours before each session"),
    ReminderLead.OFF: _l("No reminder mails"),
}
LANGUAGE_LABELS = INSTRUCTION_LABELS
#: Content languages, named in themselves as well (an organizer may not read the interface's).
CONTENT_LANGUAGE_CHOICES = [(language.code, language.native_name) for language in LANGUAGES]
WEEKDAY_LABELS = [
    _l("Monday"),
    _l("Tuesday"),
    _l("Wednesday"),
    _l("Thursday"),
    _l("Friday"),
    _l("Saturday"),
    _l("Sunday"),
]


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes (themes, co-hosts, weekdays)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _max(length: int):
    return Length(max=length, message=_l("Use at most %(max)d characters.", max=length))


def _datetime(label):
    return DateTimeLocalField(
        label,
        format="%Y-%m-%dT%H:%M",
        validators=[Optional(), plausible_date],
        render_kw={"step": 60},
    )


class OfferingForm(Form):
    kind = SelectField(_l("Kind"), choices=select_choices(KIND_LABELS.items()))
    primary_language = SelectField(
        _l("Primary language"),
        choices=select_choices(CONTENT_LANGUAGE_CHOICES),
        validators=[Optional()],
        description=_l(
            "The language of the texts on this page. Readers whose language has no"
            " translation see these texts."
        ),
    )
    title = StringField(
        _l("Title"), validators=[DataRequired(_l("Give the offering a title.")), _max(200)]
    )
    summary = TextAreaField(
        _l("Summary"),
        validators=[_max(500)],
        description=_l("One or two sentences shown in lists and calendar entries."),
        render_kw={"rows": 3},
    )
    description = TextAreaField(
        _l("Description"),
        validators=[_max(20000)],
        description=_l("Markdown: **bold**, *italic*, lists with -, links as [text](https://…)."),
        render_kw={"rows": 10},
    )
    theme_ids = CheckboxesField(_l("Themes"), coerce=int)
    language = SelectField(
        _l("Language of instruction"),
        choices=select_choices(LANGUAGE_LABELS.items()),
    )
    audience = StringField(
        _l("Audience"),
        validators=[_max(200)],
        description=_l(
            "Who it is for, e.g. 'Adults living in Changwon' or 'Secondary school teachers'."
        ),
    )
    format = SelectField(_l("Format"), choices=select_choices(FORMAT_LABELS.items()))
    venue_name = StringField(_l("Venue"), validators=[_max(200)])
    venue_address = StringField(_l("Venue address"), validators=[_max(300)])
    online_link = StringField(
        _l("Online meeting link"),
        validators=[_max(500), web_url],
        description=_l("Shown only to confirmed participants, never on public pages or feeds."),
        render_kw={"inputmode": "url", "placeholder": "https://"},
    )
    capacity = WholeNumberField(
        _l("Capacity"),
        validators=[
            InputRequired(_l("Enter the number of seats, from 1 to 10,000.")),
            NumberRange(1, MAX_CAPACITY, _l("Enter the number of seats, from 1 to 10,000.")),
        ],
        render_kw={"inputmode": "numeric", "min": 1, "max": MAX_CAPACITY},
    )
    registration_opens_at = _datetime(_l("Registration opens"))
    registration_closes_at = _datetime(_l("Registration closes"))
    timezone = StringField(
        _l("Time zone"),
        validators=[DataRequired(_l("Enter a time zone, such as Asia/Seoul.")), iana_timezone],
        description=_l("Times of this offering are entered and shown in this zone."),
        render_kw={"list": "timezones", "autocomplete": "off"},
    )
    cost_note = StringField(
        _l("Cost"),
        validators=[_max(200)],
        description=_l("e.g. 'Free' or '10,000 won for materials'."),
    )
    contact_email = StringField(
        _l("Contact email"), validators=[Optional(), _max(254), email_address]
    )
    change_note = StringField(
        _l("Note for participants"),
        validators=[_max(MAX_REASON)],
        description=_l(
            "e.g. why the venue changed. Shown on the offering's page, in My learning and in"
            " calendars, and sent with the change mail. Clear it when it no longer applies."
        ),
    )
    reminder = SelectField(
        _l("Reminder mail"),
        choices=select_choices(REMINDER_LABELS.items()),
        default=ReminderLead.DAY.value,
        description=_l(
            "Confirmed participants get a mail before each session with its time, place or"
            " link, and a calendar file. People can turn reminders off in their account."
        ),
    )
    cohost_ids = CheckboxesField(
        _l("Co-hosting partners"),
        coerce=int,
        description=_l(
            "Co-hosts see the offering and its participants; only your partner edits it."
        ),
    )

    def __init__(self, *args, theme_choices=(), cohost_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.theme_ids.choices = select_choices(theme_choices)
        self.cohost_ids.choices = select_choices(cohost_choices)


class SessionForm(Form):
    day = DateField(
        _l("Date"), validators=[InputRequired(_l("Enter a real date.")), plausible_date]
    )
    start_time = TimeField(_l("Starts"), validators=[InputRequired(_l("Enter the start time."))])
    end_time = TimeField(_l("Ends"), validators=[InputRequired(_l("Enter the end time."))])
    end_day = DateField(
        _l("Ends on another day"),
        validators=[Optional(), plausible_date],
        description=_l("Only for a session that goes past midnight."),
    )
    location = StringField(
        _l("Room or place"),
        validators=[_max(200)],
        description=_l("Only if it differs from the offering's venue."),
    )
    note = StringField(
        _l("Note for participants"),
        validators=[_max(MAX_REASON)],
        description=_l(
            "e.g. why it moved. Shown on the offering's page, in My learning, in calendars"
            " and in the mail when you move it."
        ),
    )


class CancelForm(ConfirmActionForm):
    """Cancelling an offering or a session: the organizer says why."""

    reason = TextAreaField(
        _l("Why is it cancelled?"),
        validators=[
            DataRequired(
                _l(
                    "Give a reason: participants read it in their mail, on the page and in their calendar."
                )
            ),
            _max(MAX_REASON),
        ],
        description=_l(
            "Everyone registered reads this, e.g. 'The instructor is ill; we will announce a new date.'"
        ),
        render_kw={"rows": 3, "maxlength": MAX_REASON},
    )


class ScheduleForm(Form):
    weekdays = CheckboxesField(
        _l("Every"),
        coerce=int,
        choices=select_choices(enumerate(WEEKDAY_LABELS)),
        validators=[DataRequired(_l("Choose at least one day of the week."))],
    )
    start_time = TimeField(_l("From"), validators=[InputRequired(_l("Enter the start time."))])
    end_time = TimeField(_l("To"), validators=[InputRequired(_l("Enter the end time."))])
    first_day = DateField(
        _l("Starting on"), validators=[InputRequired(_l("Enter a real date.")), plausible_date]
    )
    weeks = WholeNumberField(
        _l("For how many weeks"),
        validators=[
            InputRequired(_l("Enter a number of weeks, from 1 to 52.")),
            NumberRange(1, 52, _l("Enter a number of weeks, from 1 to 52.")),
        ],
        default=10,
        render_kw={"inputmode": "numeric", "min": 1, "max": 52},
    )
    skip_days = StringField(
        _l("Skip these dates"),
        validators=[_max(500)],
        description=_l("Holidays, as YYYY-MM-DD, separated by commas."),
        render_kw={"placeholder": "2026-05-05, 2026-06-03"},
    )
    location = StringField(
        _l("Room or place"),
        validators=[_max(200)],
        description=_l("Only if it differs from the offering's venue."),
    )


class ImportForm(Form):
    """A schedule file: read and previewed first; the preview's sessions travel to the save
    step in `rows` (checked again there, as any form data is)."""

    file = FileField(
        _l("Calendar (.ics) or CSV file"),
        description=_l(
            "CSV columns: date, start, end, and optionally location and note, e.g."
            " 2026-03-05,19:00,21:00,Room 301. UTF-8 or Korean Excel (CP949) are both fine."
        ),
        render_kw={"accept": ".ics,.csv,text/calendar,text/csv"},
    )
    rows = HiddenField()


# Texts in other languages -------------------------------------------------------------------

#: The offering's texts a translation tab edits (the cancel reason is written when cancelling).
TRANSLATION_FIELDS = tuple(field for field in Offering.TRANSLATED if field != "cancel_reason")


class TranslationForm(Form):
    """The offering's texts in one language other than its primary one: the primary form's
    fields and limits, none required alone; a language needs its title once it has any text."""

    title = StringField(_l("Title"), validators=[_max(200)])
    summary = OfferingForm.summary
    description = OfferingForm.description
    audience = StringField(_l("Audience"), validators=[_max(200)])
    venue_name = OfferingForm.venue_name
    venue_address = OfferingForm.venue_address
    cost_note = StringField(_l("Cost"), validators=[_max(200)])
    change_note = StringField(_l("Note for participants"), validators=[_max(MAX_REASON)])

    def validate_title(self, field) -> None:
        if (
            field.raw_data
            and not (field.data or "").strip()
            and any(
                (self[name].data or "").strip() for name in TRANSLATION_FIELDS if name != "title"
            )
        ):
            raise ValidationError(_l("Give the title in this language too."))

    def texts(self) -> dict[str, str]:
        """The texts sent; a field not sent at all keeps what it has (browsers send each)."""
        return {
            name: (self[name].data or "").strip()
            for name in TRANSLATION_FIELDS
            if self[name].raw_data
        }


def _other_language_fields(form_class, languages, make_field):
    """`form_class` with one field per language in `languages` and name (see `make_field`)."""

    class WithLanguages(form_class):
        pass

    for language in languages:
        for name, field in make_field(language).items():
            setattr(WithLanguages, f"{name}_{language}", field)
    return WithLanguages


def _in_language(label, language: str):
    return _l("%(label)s (%(language)s)", label=label, language=BY_CODE[language].native_name)


def _name_primary(form, names, languages, primary) -> None:
    """With other languages beside them, the primary fields say their language too."""
    if languages and primary:
        for name in names:
            form[name].label.text = _in_language(form[name].label.text, primary)


def session_form(languages=(), primary=None, **kwargs) -> SessionForm:
    """The session form with an optional location and note in each of `languages` (the
    offering's other languages)."""
    form_class = _other_language_fields(
        SessionForm,
        languages,
        lambda language: {
            "location": StringField(
                _in_language(_l("Room or place"), language), validators=[_max(200)]
            ),
            "note": StringField(
                _in_language(_l("Note for participants"), language),
                validators=[_max(MAX_REASON)],
            ),
        },
    )
    form = form_class(**kwargs)
    form.other_languages = list(languages)
    _name_primary(form, ("location", "note"), languages, primary)
    return form


def cancel_form(languages=(), primary=None, readers=None, **kwargs) -> CancelForm:
    """The cancel form with an optional reason in each of `languages` (the offering's other
    languages, and those of people registered): each participant reads the reason in theirs;
    `readers` ({language: people}) hints who gets which."""
    form_class = _other_language_fields(
        CancelForm,
        languages,
        lambda language: {
            "reason": TextAreaField(
                _in_language(_l("Why is it cancelled?"), language),
                validators=[_max(MAX_REASON)],
                render_kw={"rows": 3, "maxlength": MAX_REASON},
            )
        },
    )
    form = form_class(**kwargs)
    form.other_languages = list(languages)
    _name_primary(form, ("reason",), languages, primary)
    if readers and primary:
        _readers_hints(form, readers, primary)
    return form


def _readers_hints(form, readers: dict[str, int], primary: str) -> None:
    """Say who reads which reason: "Everyone registered reads this" only where true, and
    under an empty reason whose language has readers, that they get the primary one."""
    others = {code: n for code, n in readers.items() if code != primary and n}
    if others:
        form.reason.description = _l(
            "People who read %(language)s read this, and so does everyone whose language has no reason of its own.",
            language=BY_CODE[primary].label,
        )
    for code in form.other_languages:
        if others.get(code) and not (form[f"reason_{code}"].data or "").strip():
            form[f"reason_{code}"].description = ngettext(
                "%(num)d person reads %(language)s: they will get the %(primary)s reason.",
                "%(num)d people read %(language)s: they will get the %(primary)s reason.",
                others[code],
                language=BY_CODE[code].label,
                primary=BY_CODE[primary].label,
            )


def per_language(form, name: str) -> dict[str, str]:
    """{language: text} of the `<name>_<language>` fields of `form`."""
    return {
        language: (form[f"{name}_{language}"].data or "").strip()
        for language in getattr(form, "other_languages", ())
    }
