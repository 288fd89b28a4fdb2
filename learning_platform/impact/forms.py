from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField
from wtforms.validators import Optional

from learning_platform.forms import Form, select_choices
from learning_platform.impact.figures import DateRange, site_range, term_of, this_year_so_far

PRESET_LABELS = {
    "this-year-so-far": _l("This year so far"),
    "term": _l("This term"),
    "last-12-months": _l("Last 12 months"),
    "this-year": _l("This year"),
    "last-year": _l("Last year"),
    "custom": _l("Custom dates"),
}
#: The longest range: five years of days, leap days included.
MAX_DAYS = 5 * 365 + 2
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


def preset_range(preset: str, today: date) -> tuple[date, date]:
    """[start, end) of a preset, for `today` in the site zone."""
    if preset == "this-year-so-far":
        return this_year_so_far(today)
    if preset == "this-year":
        return date(today.year, 1, 1), date(today.year + 1, 1, 1)
    if preset == "last-year":
        return date(today.year - 1, 1, 1), date(today.year, 1, 1)
    if preset == "last-12-months":
        year, month = (
            (today.year, today.month - 11)
            if today.month == 12
            else (today.year - 1, today.month + 1)
        )
        return date(year, month, 1), (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    return term_of(today)


class RangeForm(Form):
    """The date range of the dashboard and the alliance report, sent by GET (it changes
    nothing: no CSRF token). Both check it the same way, with the same messages."""

    class Meta:
        csrf = False

    preset = SelectField(
        _l("Period"),
        choices=select_choices(PRESET_LABELS.items()),
        default="term",
        validators=[Optional()],
    )
    start = DateField(_l("First day"), name="from", validators=[Optional()])
    end = DateField(
        _l("Last day (included)"),
        name="to",
        validators=[Optional()],
        description=_l("Days in the site's time zone."),
    )

    def period(self, today: date, default: str = "term") -> tuple[DateRange, bool]:
        """The range asked for and whether it was valid; the `default` preset when it was not
        (or when none was asked for)."""
        self.default_preset = default
        if not self.validate():
            return self._preset(default, today), False
        dates = self.start.data or self.end.data
        if self.preset.data == "custom" or (dates and not self.preset.raw_data):
            return self._custom(self.start.data, self.end.data, today)
        chosen = self.preset.data if self.preset.raw_data else default
        return self._preset(chosen or default, today), True

    def _preset(self, preset: str, today: date) -> DateRange:
        first, after = preset_range(preset, today)
        if not self.errors:
            self.preset.data = preset
            self.start.data, self.end.data = first, after - timedelta(days=1)
        return site_range(first, after)

    def _custom(self, start: date | None, end: date | None, today: date):
        self.preset.data = "custom"
        default_start, default_end = term_of(today)
        start = start or default_start
        end = end or default_end - timedelta(days=1)
        ok = True
        for field, day in ((self.start, start), (self.end, end)):
            if not EARLIEST <= day <= LATEST:
                field.errors = [_l("Choose a day between 2000 and 2100.")]
                ok = False
        if ok and start > end:
            self.end.errors = [_l("The last day must be on or after the first day.")]
            ok = False
        if ok and (end - start).days + 1 > MAX_DAYS:
            self.end.errors = [_l("Choose a range of at most five years.")]
            ok = False
        if not ok:
            return self._preset(self.default_preset, today), False
        self.start.data, self.end.data = start, end
        return site_range(start, end + timedelta(days=1)), True
