"""The charts of the alliance report and the public impact page, drawn by `impact.charts`.

Each is paired, on the page and in the PDF, with the table that holds its numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

from babel.dates import format_skeleton
from flask_babel import format_percent, get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from learning_platform.impact.alliance import AllianceFigures
from learning_platform.impact.charts import Bar, Series, bar_chart, column_chart, meter
from learning_platform.impact.dashboard import hours, number


@dataclass(frozen=True)
class ReportChart:
    name: str
    title: str
    explanation: str
    svg: Markup | None


def period_label(report: AllianceFigures, start) -> str:
    """The short label under a column: Oct (or 10/2026 across years), or 11/3 for weeks."""
    if not report.monthly:
        skeleton = "Md"
    else:
        same_year = report.range.start.year == report.range.last.year
        skeleton = "MMM" if same_year else "yM"
    return format_skeleton(skeleton, start, locale=get_locale())


def period_name(report: AllianceFigures, start) -> str:
    """The long name of a week or month, for tables: "Mar 3, 2026" or "Mar 2026"."""
    return format_skeleton("yMMM" if report.monthly else "yMMMd", start, locale=get_locale())


def _over_time(report: AllianceFigures, prefix: str) -> list[ReportChart]:
    labels = [period_label(report, p.start) for p in report.periods]
    monthly = report.monthly
    statuses = (
        ("confirmed", _("Confirmed")),
        ("waitlisted", _("Waitlisted")),
        ("cancelled", _("Cancelled")),
    )
    title = _("Registrations per month") if monthly else _("Registrations per week")
    explanation = _(
        "When people registered, by what became of their registration: still confirmed, waiting for a seat, or cancelled."
    )
    registrations = ReportChart(
        "registrations",
        title,
        explanation,
        column_chart(
            f"{prefix}-registrations",
            title,
            explanation,
            labels,
            [
                Series(label, [p.figures.registrations.get(key, 0) for p in report.periods])
                for key, label in statuses
            ],
            number=number,
        ),
    )
    title = (
        _("Learning hours delivered per month")
        if monthly
        else _("Learning hours delivered per week")
    )
    explanation = _(
        "Each learner marked present at a session adds its length; sessions are counted in the week or month they started."
    )
    delivered = ReportChart(
        "hours",
        title,
        explanation,
        column_chart(
            f"{prefix}-hours",
            title,
            explanation,
            labels,
            [Series(_("Hours delivered"), [p.figures.hours_delivered for p in report.periods])],
            number=hours,
        ),
    )
    return [registrations, delivered]


def _partners(report: AllianceFigures, prefix: str) -> list[ReportChart]:
    rows = [row for row in report.partners if row.figures.offerings or row.figures.cancelled]
    charts = []
    for name, title, explanation, value, fmt in (
        (
            "partner-registrations",
            _("Registrations per partner"),
            _("Registrations made in the range, under the partner that owns the offering."),
            lambda f: f.registrations_total,
            number,
        ),
        (
            "partner-hours",
            _("Learning hours delivered per partner"),
            _("Hours learners spent in sessions they were marked present at."),
            lambda f: f.hours_delivered,
            hours,
        ),
    ):
        bars = [Bar(row.name, value(row.figures)) for row in rows]
        charts.append(
            ReportChart(
                name,
                title,
                explanation,
                bar_chart(f"{prefix}-{name}", title, explanation, bars, number=fmt)
                if bars
                else None,
            )
        )
    return charts


def _goals(report: AllianceFigures, prefix: str) -> ReportChart:
    title = _("Offerings by Sustainable Development Goal")
    explanation = _("The goals the offerings' themes serve; an offering counts once for each goal.")
    bars = [
        Bar(_("SDG %(number)s", number=goal.number) + f" · {goal.name}", goal.offerings)
        for goal in report.goals
    ]
    return ReportChart(
        "goals",
        title,
        explanation,
        bar_chart(f"{prefix}-goals", title, explanation, bars, number=number)
        if any(goal.offerings for goal in report.goals)
        else None,
    )


def _cohosted(report: AllianceFigures, prefix: str) -> ReportChart:
    t = report.totals
    title = _("Co-hosted offerings")
    explanation = _(
        "%(share)s of offerings: %(cohosted)s co-hosted by two or more partners, %(single)s by one partner alone.",
        share=format_percent(t.cohosted_share or 0),
        cohosted=number(t.cohosted),
        single=number(t.single),
    )
    return ReportChart(
        "cohosted",
        title,
        explanation,
        meter(f"{prefix}-cohosted", title, t.cohosted_share, description=explanation)
        if t.cohosted_share is not None
        else None,
    )


def report_charts(report: AllianceFigures, prefix: str = "report") -> dict[str, ReportChart]:
    """The report's charts by name: registrations, hours, partner-registrations,
    partner-hours, goals, cohosted."""
    charts = [
        *_over_time(report, prefix),
        *_partners(report, prefix),
        _goals(report, prefix),
        _cohosted(report, prefix),
    ]
    return {chart.name: chart for chart in charts}


def summary_charts(report: AllianceFigures) -> dict[str, ReportChart]:
    """The public page's charts, for one year (ids unique in the page)."""
    return report_charts(report, prefix=f"impact-{report.range.start.year}")
