"""The partner dashboard's charts: each a drawing, the same numbers as a table, and as CSV."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from babel.dates import format_interval, format_skeleton
from flask_babel import format_date, format_decimal, format_percent, get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from learning_platform.impact.charts import Bar, Series, bar_chart, column_chart, meter
from learning_platform.impact.figures import Figures, Period
from learning_platform.offerings.forms import FORMAT_LABELS, LANGUAGE_LABELS

#: Bars drawn for per-offering charts; the table and the CSV have every offering.
TOP_OFFERINGS = 15


@dataclass(frozen=True)
class Chart:
    #: The CSV's name in its URL: /workspace/<slug>/dashboard/<name>.csv
    name: str
    title: str
    explanation: str
    svg: Markup | None
    headers: list[str]
    rows: list[list[str]]
    #: Stable English column names and raw values, for the CSV.
    csv_headers: list[str]
    csv_rows: list[list[object]]
    note: str = ""


def hours_number(value: float) -> str:
    """Hours without their unit: whole where they are whole, else one decimal ("142", "53.5"),
    for sentences that name the unit themselves."""
    return format_decimal(round(value, 1), format="#,##0.#")


def hours(value: float) -> str:
    """Hours with their unit, in the reader's language: "142 h", "53.5 h" / "142시간"."""
    return _("%(hours)s h", hours=hours_number(value))


def number(value: float) -> str:
    return format_decimal(value)


def day_range(start: date, last: date) -> str:
    """Two days, both included, as people read them: "Jan 1 – Dec 2, 2026" /
    "2026년 1월 1일~12월 2일"."""
    if start == last:
        return format_date(start, format="long")
    return format_interval(start, last, "yMMMd", locale=get_locale())


def long_date(day: date) -> str:
    """ "December 2, 2026" / "2026년 12월 2일"."""
    return format_date(day, format="long")


def _period_label(period: Period) -> str:
    """The long label of a week or month, for tables."""
    skeleton = "yMMM" if period.bucket.monthly else "yMMMd"
    return format_skeleton(skeleton, period.bucket.start, locale=get_locale())


def _axis_labels(f: Figures) -> list[str]:
    """Short labels under the columns: 11/3 for weeks, Oct (or 10/2026 across years)."""
    if not f.period.monthly:
        skeleton = "Md"
    else:
        skeleton = "MMM" if f.period.start.year == f.period.last.year else "yM"
    return [format_skeleton(skeleton, p.bucket.start, locale=get_locale()) for p in f.periods]


def _iso_period(period: Period) -> list[object]:
    return [period.bucket.start.isoformat(), (period.bucket.end - timedelta(days=1)).isoformat()]


def _registrations(f: Figures) -> Chart:
    labels = [_period_label(p) for p in f.periods]
    unit = _("Month") if f.period.monthly else _("Week from")
    statuses = [_("Confirmed"), _("Waitlisted"), _("Cancelled")]
    series = [
        Series(statuses[0], [p.confirmed for p in f.periods]),
        Series(statuses[1], [p.waitlisted for p in f.periods]),
        Series(statuses[2], [p.cancelled for p in f.periods]),
    ]
    title = _("Registrations per month") if f.period.monthly else _("Registrations per week")
    explanation = _(
        "When people registered, by what became of their registration: still confirmed, waiting for a seat, or cancelled."
    )
    return Chart(
        "registrations",
        title,
        explanation,
        column_chart(
            "chart-registrations", title, explanation, _axis_labels(f), series, number=number
        ),
        [unit, *statuses, _("Total")],
        [
            [
                label,
                number(p.confirmed),
                number(p.waitlisted),
                number(p.cancelled),
                number(p.registrations),
            ]
            for label, p in zip(labels, f.periods, strict=True)
        ],
        ["period_start", "period_end", "confirmed", "waitlisted", "cancelled", "total"],
        [
            [*_iso_period(p), p.confirmed, p.waitlisted, p.cancelled, p.registrations]
            for p in f.periods
        ],
    )


def _hours(f: Figures) -> Chart:
    labels = [_period_label(p) for p in f.periods]
    title = (
        _("Learning hours delivered per month")
        if f.period.monthly
        else _("Learning hours delivered per week")
    )
    explanation = _(
        "Each learner marked present at a session adds its length; sessions are counted in the week or month they started."
    )
    return Chart(
        "hours",
        title,
        explanation,
        column_chart(
            "chart-hours",
            title,
            explanation,
            _axis_labels(f),
            [Series(_("Hours delivered"), [p.hours_delivered for p in f.periods])],
            number=hours,
        ),
        [
            _("Month") if f.period.monthly else _("Week from"),
            _("Sessions"),
            _("Hours offered"),
            _("Hours delivered"),
        ],
        [
            [label, number(p.sessions), hours(p.hours_offered), hours(p.hours_delivered)]
            for label, p in zip(labels, f.periods, strict=True)
        ],
        ["period_start", "period_end", "sessions", "hours_offered", "hours_delivered"],
        [
            [*_iso_period(p), p.sessions, round(p.hours_offered, 1), round(p.hours_delivered, 1)]
            for p in f.periods
        ],
    )


def _attendance(f: Figures) -> Chart:
    title = _("Attendance rate")
    explanation = _(
        "Of the attendance marks at sessions in this period, the share marked present. %(taken)s of %(past)s past sessions had attendance taken; sessions without marks do not count.",
        taken=number(f.sessions_taken),
        past=number(f.sessions_past),
    )
    rate = f.attendance_rate
    return Chart(
        "attendance",
        title,
        explanation,
        meter("chart-attendance", title, rate, description=explanation)
        if rate is not None
        else None,
        [_("Figure"), _("Value")],
        [
            [_("Marked present"), number(f.present)],
            [_("Attendance marks"), number(f.marks)],
            [_("Attendance rate"), format_percent(rate) if rate is not None else "–"],
            [
                _("Past sessions with attendance taken"),
                f"{number(f.sessions_taken)} / {number(f.sessions_past)}",
            ],
        ],
        ["present", "marks", "attendance_rate", "sessions_taken", "sessions_past"],
        [
            [
                f.present,
                f.marks,
                round(rate, 4) if rate is not None else "",
                f.sessions_taken,
                f.sessions_past,
            ]
        ],
    )


def _offering_csv(f: Figures) -> tuple[list[str], list[list[object]]]:
    return (
        [
            "offering_id",
            "title",
            "status",
            "cohosted",
            "capacity",
            "seats_taken",
            "fill_rate",
            "waitlisted",
        ],
        [
            [
                o.id,
                o.title,
                str(o.status),
                "yes" if o.cohosted else "no",
                o.capacity,
                o.seats_taken,
                round(o.fill_rate, 4),
                o.waitlisted,
            ]
            for o in f.per_offering
        ],
    )


def _shown(total: int) -> str:
    if total <= TOP_OFFERINGS:
        return ""
    return _(
        "The chart shows the %(shown)s with the most demand; the table and the CSV have all %(total)s.",
        shown=TOP_OFFERINGS,
        total=total,
    )


def _fill(f: Figures) -> Chart:
    title = _("Fill rate per offering")
    explanation = _(
        "Seats taken out of the capacity now, for each offering with a session in this period."
    )
    bars = [
        Bar(o.title, o.fill_rate, f"{o.seats_taken} / {o.capacity} · {format_percent(o.fill_rate)}")
        for o in f.per_offering
    ]
    csv_headers, csv_rows = _offering_csv(f)
    return Chart(
        "fill",
        title,
        explanation,
        bar_chart("chart-fill", title, explanation, bars[:TOP_OFFERINGS], maximum=1)
        if bars
        else None,
        [_("Offering"), _("Seats taken"), _("Capacity"), _("Fill rate")],
        [
            [o.title, number(o.seats_taken), number(o.capacity), format_percent(o.fill_rate)]
            for o in f.per_offering
        ],
        csv_headers,
        csv_rows,
        _shown(len(bars)),
    )


def _waitlist(f: Figures) -> Chart:
    title = _("Waitlist demand per offering")
    explanation = _("People waiting for a seat now: a sign to add a session or a bigger room.")
    waiting = [o for o in f.per_offering if o.waitlisted]
    bars = [Bar(o.title, o.waitlisted) for o in waiting]
    return Chart(
        "waitlist",
        title,
        explanation,
        bar_chart("chart-waitlist", title, explanation, bars[:TOP_OFFERINGS], number=number)
        if bars
        else None,
        [_("Offering"), _("Waitlisted")],
        [[o.title, number(o.waitlisted)] for o in waiting],
        ["offering_id", "title", "waitlisted"],
        [[o.id, o.title, o.waitlisted] for o in waiting],
        _shown(len(bars)),
    )


def _themes(f: Figures) -> list[Chart]:
    """Registrations by theme and hours by theme: each table and CSV holds its chart's numbers
    (with the offerings for context)."""
    both = _("An offering with two themes counts in both.")
    charts = []
    for name, title, explanation, heading, csv_heading, value, fmt, raw in (
        (
            "themes",
            _("Registrations by theme"),
            _("Registrations made in this period, by the themes of the offering.") + " " + both,
            _("Registrations"),
            "registrations",
            lambda s: s.registrations,
            number,
            lambda s: s.registrations,
        ),
        (
            "theme-hours",
            _("Learning hours delivered by theme"),
            _("Hours learners spent in sessions they were marked present at.") + " " + both,
            _("Hours delivered"),
            "hours_delivered",
            lambda s: s.hours_delivered,
            hours,
            lambda s: round(s.hours_delivered, 1),
        ),
    ):
        bars = [Bar(s.label, value(s)) for s in f.by_theme]
        charts.append(
            Chart(
                name,
                title,
                explanation,
                bar_chart(f"chart-{name}", title, explanation, bars, number=fmt) if bars else None,
                [_("Theme"), _("Offerings"), heading],
                [[s.label, number(s.offerings), fmt(value(s))] for s in f.by_theme],
                ["theme", "name", "offerings", csv_heading],
                [[s.key, s.label, s.offerings, raw(s)] for s in f.by_theme],
            )
        )
    return charts


def _share_chart(
    name: str, title: str, explanation: str, heading: str, shares, label: Callable[[str, str], str]
) -> Chart:
    bars = [Bar(label(s.key, s.label), s.offerings) for s in shares]
    return Chart(
        name,
        title,
        explanation,
        bar_chart(f"chart-{name}", title, explanation, bars, number=number) if bars else None,
        [heading, _("Offerings")],
        [[bar.label, number(s.offerings)] for bar, s in zip(bars, shares, strict=True)],
        ["key", "label", "offerings"],
        [[s.key, bar.label, s.offerings] for bar, s in zip(bars, shares, strict=True)],
    )


def charts(f: Figures) -> list[Chart]:
    """Every chart of the dashboard, in the order of the page."""
    return [
        _registrations(f),
        _attendance(f),
        _hours(f),
        *_themes(f),
        _fill(f),
        _waitlist(f),
        _share_chart(
            "sdgs",
            _("Offerings by Sustainable Development Goal"),
            _("The goals the offerings' themes serve; an offering counts once for each goal."),
            _("Goal"),
            f.by_sdg,
            lambda _key, label: label,
        ),
        _share_chart(
            "languages",
            _("Offerings by language"),
            _("The language each offering is taught in."),
            _("Language"),
            f.by_language,
            lambda key, _label: str(LANGUAGE_LABELS.get(key, key)),
        ),
        _share_chart(
            "formats",
            _("Offerings by format"),
            _("In person, online or both."),
            _("Format"),
            f.by_format,
            lambda key, _label: str(FORMAT_LABELS.get(key, key)),
        ),
    ]


CHART_NAMES = (
    "registrations",
    "attendance",
    "hours",
    "themes",
    "theme-hours",
    "fill",
    "waitlist",
    "sdgs",
    "languages",
    "formats",
)


def term_name(start: date) -> str:
    return format_skeleton("yMMM", start, locale=get_locale())
