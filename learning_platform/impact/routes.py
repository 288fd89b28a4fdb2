"""The partner dashboard: /workspace/<slug>/dashboard, and each chart's numbers as CSV."""

from flask import Blueprint, abort, render_template, request
from flask_babel import format_date, format_percent

from learning_platform.i18n import current_language
from learning_platform.impact import RULES_SENTENCE, dashboard
from learning_platform.impact.figures import partner_figures, site_today
from learning_platform.impact.forms import PRESET_LABELS, RangeForm
from learning_platform.models import Partner
from learning_platform.offerings.schedule_files import csv_download
from learning_platform.policy import requires

bp = Blueprint("impact", __name__, url_prefix="/workspace")


@bp.get("/<slug>/dashboard")
@requires("view_dashboard", Partner)
def dashboard_page(partner: Partner):
    form = RangeForm(formdata=request.args)
    period, valid = form.period(site_today())
    figures = partner_figures(partner, period, current_language())
    return render_template(
        "workspace/dashboard.html",
        partner=partner,
        form=form,
        valid=valid,
        period=period,
        figures=figures,
        charts=dashboard.charts(figures),
        preset_labels=PRESET_LABELS,
        rules=RULES_SENTENCE,
        hours=dashboard.hours,
        hours_number=dashboard.hours_number,
        number=dashboard.number,
        format_date=format_date,
        format_percent=format_percent,
    )


@bp.get("/<slug>/dashboard/<name>.csv")
@requires("view_dashboard", Partner)
def chart_csv(partner: Partner, name: str):
    if name not in dashboard.CHART_NAMES:
        abort(404)
    form = RangeForm(formdata=request.args)
    period, valid = form.period(site_today())
    if not valid:
        abort(400)
    figures = partner_figures(partner, period, current_language())
    chart = next(chart for chart in dashboard.charts(figures) if chart.name == name)
    filename = f"{partner.slug}-{name}-{period.start.isoformat()}-{period.last.isoformat()}.csv"
    return csv_download([chart.csv_headers, *chart.csv_rows], filename)
