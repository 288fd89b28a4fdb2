"""The base form every form builds on, and validators shared between domains."""

import zoneinfo
from functools import cache
from urllib.parse import urlsplit

from flask import render_template
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, StringField, TextAreaField
from wtforms.validators import ValidationError

_CONTROL = {chr(c) for c in range(32)} - {"\t", "\n", "\r"}


class Form(FlaskForm):
    """A form that strips text and refuses NUL and other control characters in it."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            if issubclass(unbound_field.field_class, StringField | TextAreaField):
                filters = list(unbound_field.kwargs.get("filters", ()))
                if not issubclass(unbound_field.field_class, TextAreaField):
                    filters.append(_strip)
                unbound_field.kwargs["filters"] = filters
            return unbound_field.bind(form=form, **options)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            if isinstance(field.data, str) and _CONTROL.intersection(field.data):
                field.errors = [*field.errors, _l("Remove the control characters from this field.")]
                valid = False
        return valid


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def web_url(_form, field: Field) -> None:
    """An http(s) address with a host, or nothing."""
    if not field.data:
        return
    parts = urlsplit(field.data)
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname or " " in field.data:
        raise ValidationError(_l("Enter a web address starting with https:// or http://."))


@cache
def timezone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def iana_timezone(_form, field: Field) -> None:
    if field.data not in timezone_names():
        raise ValidationError(_l("Choose a time zone from the list, such as Asia/Seoul."))


class ConfirmForm(Form):
    """A form with only the CSRF token, for one-button actions."""


def render_form(template: str, form: FlaskForm, **context):
    """Render a form page: 200 when first shown, 422 when a submission did not validate."""
    status = 422 if form.is_submitted() else 200
    return render_template(template, form=form, **context), status
