"""The base form every form builds on, and validators shared between domains."""

import re
import unicodedata
import zoneinfo
from dataclasses import dataclass
from functools import cache
from urllib.parse import parse_qsl, urlsplit

from email_validator import EmailNotValidError, validate_email
from flask import Request, current_app, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.formparser import FormDataParser
from wtforms import (
    Field,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectChoice,
    StringField,
    TextAreaField,
)
from wtforms.validators import ValidationError

#: Characters refused in any text: NUL and the other C0 controls, DEL, the C1 controls (U+0085
#: breaks lines) and the Unicode line and paragraph separators (mail headers and feeds would
#: break a line there, so a title holding one could never be a mail subject).
_CONTROL = frozenset(chr(c) for c in [*range(32), *range(127, 160)]) | {"\u2028", "\u2029"}
#: Bidirectional embeddings, overrides and isolates: none of our languages needs them, and an
#: unbalanced right-to-left override reverses what follows it in cards, subjects and feeds.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: Line breaks and tabs are fine in a multi-line text, nowhere else.
_MULTILINE_OK = frozenset("\t\n\r\u2028\u2029")
#: What bytes that are not UTF-8 decode to (see FormRequest); never stored.
_UNREADABLE = "\ufffd"


class _FormParser(FormDataParser):
    def _parse_urlencoded(self, stream, mimetype, content_length, options):
        # Werkzeug keeps undecodable %-escapes as the literal text "%FF%FE", which a field
        # would store as mojibake; decode them to U+FFFD as multipart forms do, so that
        # Form.validate refuses them the same way in every field.
        items = parse_qsl(stream.read().decode(), keep_blank_values=True, errors="replace")
        return stream, self.cls(items), self.cls()


class FormRequest(Request):
    """The app's request: form bodies that are not UTF-8 are marked, not silently kept; a
    view that takes a file (`accepts_upload`) takes a larger body than MAX_CONTENT_LENGTH."""

    form_data_parser_class = _FormParser

    @property
    def max_content_length(self) -> int | None:
        # Decided here, not in the view: the CSRF check reads the body before any view runs.
        if self._max_content_length is None and current_app and self.url_rule is not None:
            view = current_app.view_functions.get(self.url_rule.endpoint)
            if getattr(view, "accepts_upload", False):
                return upload_body_limit(current_app.config)
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value


def upload_body_limit(config) -> int:
    """The body an upload view reads: a file up to twice MEDIA_MAX_BYTES gets a message next
    to its field (too large, by how much); a larger body is refused unread with a 413 page."""
    return 2 * config["MEDIA_MAX_BYTES"] + config["MAX_CONTENT_LENGTH"]


def accepts_upload(view):
    """Mark `view` as taking a file upload (see FormRequest.max_content_length); put it right
    under the route decorator."""
    view.accepts_upload = True
    return view


class Form(FlaskForm):
    """A form that strips one-line text and refuses control characters (NUL included)."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field_class = unbound_field.field_class
            one_line = issubclass(field_class, StringField) and not issubclass(
                field_class, TextAreaField | PasswordField
            )
            if one_line:
                unbound_field.kwargs["filters"] = [*unbound_field.kwargs.get("filters", ()), _strip]
            return unbound_field.bind(form=form, **options)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            if not isinstance(field.data, str):
                continue
            refused = _CONTROL - _MULTILINE_OK if isinstance(field, TextAreaField) else _CONTROL
            if refused.intersection(field.data):
                field.errors = [*field.errors, _l("Remove the control characters from this field.")]
                valid = False
            if _BIDI.intersection(field.data):
                field.errors = [
                    *field.errors,
                    _l("Remove the text-direction control characters from this field."),
                ]
                valid = False
            elif (
                field.data
                and not isinstance(field, PasswordField)
                and not any(_visible(char) for char in field.data)
            ):
                field.errors = [*field.errors, _l("This holds only invisible characters.")]
                valid = False
            if _UNREADABLE in field.data:
                field.errors = [
                    *field.errors,
                    _l(
                        "Some characters could not be read (they were not sent as UTF-8). Please type this again."
                    ),
                ]
                valid = False
        return valid


def _visible(char: str) -> bool:
    """Not a space, nor a format character such as a zero-width space or joiner."""
    return not char.isspace() and unicodedata.category(char) != "Cf"


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def web_url(_form, field: Field) -> None:
    """An http(s) address with a host, or nothing."""
    if not field.data:
        return
    try:
        parts = urlsplit(field.data)
        hostname = parts.hostname
    except ValueError:  # e.g. an unclosed IPv6 bracket
        hostname = None
    if not hostname or parts.scheme.lower() not in {"http", "https"} or " " in field.data:
        raise ValidationError(_l("Enter a web address starting with https:// or http://."))


def email_address(_form, field: Field) -> None:
    """A deliverable-looking address, stored in its ASCII form (IDN domains as punycode).

    Addresses with non-ASCII local parts need SMTPUTF8, which many mail servers lack, so
    they are refused here rather than failing in the outbox forever.
    """
    try:
        result = validate_email(field.data or "", check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        raise ValidationError(_l("Enter an email address like name@example.com.")) from None
    field.data = result.ascii_email.lower()


#: Dates outside these years are typing mistakes, and beyond them date arithmetic overflows.
#: A page number in a query string: ASCII digits only (int() also takes "٣" and "1_000").
_PAGE_NUMBER = re.compile(r"[0-9]{1,6}")
#: No list is read this far; a larger number is a made-up URL, shown the last page's worth.
MAX_PAGE = 10_000


def page_number(value: str | None) -> int:
    """The page a list's `?page=` asks for: 1 for anything that is not a plain number, at most
    MAX_PAGE (the database is never asked for an offset it cannot hold)."""
    value = value or ""
    return max(1, min(int(value), MAX_PAGE)) if _PAGE_NUMBER.fullmatch(value) else 1


FIRST_YEAR, LAST_YEAR = 2000, 2100


def plausible_date(_form, field: Field) -> None:
    if field.data is not None and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
        raise ValidationError(
            _l("Enter a date between %(first)s and %(last)s.", first=FIRST_YEAR, last=LAST_YEAR)
        )


@cache
def timezone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def iana_timezone(_form, field: Field) -> None:
    if field.data not in timezone_names():
        raise ValidationError(_l("Choose a time zone from the list, such as Asia/Seoul."))


_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]{1,12}")


class WholeNumberField(IntegerField):
    """A whole number typed in ASCII digits: `int()` alone also takes "٣", "1_000" and
    thousands of digits, which are nobody's capacity."""

    def process_formdata(self, valuelist):
        if valuelist and valuelist[0].strip() and not _WHOLE_NUMBER.fullmatch(valuelist[0].strip()):
            self.data = None
            raise ValueError(self.gettext("Not a valid integer value."))
        super().process_formdata(valuelist)


def row_id(value) -> int:
    """A row id sent by a form: ASCII digits in the id range; else ValueError, which WTForms
    turns into a message on the field (`int()` alone takes "²", "٣" and 5,000 digits)."""
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise ValueError(value)
    if not (text.isascii() and text.isdigit() and len(text) <= 10) or not 1 <= int(text) < 2**31:
        raise ValueError(value)
    return int(text)


class ConfirmForm(Form):
    """A form with only the CSRF token, for one-button actions."""


class ConfirmActionForm(Form):
    """The second step of a destructive action, shown on a confirmation page.

    The button that starts the action posts without `confirm` and gets the confirmation
    page; only that page's own submission, which carries `confirm`, may act. It needs no
    JavaScript, and a forged or replayed one-click POST changes nothing.
    """

    confirm = HiddenField()

    def confirmed(self) -> bool:
        """Sent from the confirmation page, and valid (a reason given, where one is asked)."""
        return self.is_submitted() and self.confirm.data == "yes" and self.validate()


@dataclass(frozen=True)
class Confirmation:
    """What a confirmation page says: the question, what will happen, the two ways out."""

    title: str
    consequences: list
    button: str
    keep_label: str
    keep_url: str
    #: e.g. the offering's title, shown under the question.
    subject: str = ""
    #: (name, value) of fields the first step carried that the confirmed one carries too.
    hidden: tuple[tuple[str, str], ...] = ()
    #: "danger" (red: something is lost or stopped) or "neutral" (undoing such a step).
    tone: str = "danger"


def render_confirmation(form: ConfirmActionForm, confirmation: Confirmation):
    """The confirmation page: 200 on the first step, 422 when the confirmed step was refused
    (no reason given)."""
    status = 422 if form.confirm.data == "yes" else 200
    form.confirm.data = "yes"
    return render_template("confirm.html", form=form, confirmation=confirmation), status


def select_choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms select choices."""
    return [SelectChoice(value, label) for value, label in pairs]


def render_form(template: str, form: FlaskForm, **context):
    """Render a form page: 200 when first shown, 422 when a submission did not validate."""
    status = 422 if form.is_submitted() else 200
    return render_template(template, form=form, **context), status
