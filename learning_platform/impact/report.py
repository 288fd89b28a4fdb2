"""The alliance report for site admins (a page and its PDF) and the public impact summary."""

from urllib.parse import quote

from flask import Blueprint, render_template, request
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from learning_platform.extensions import db
from learning_platform.i18n import current_language
from learning_platform.impact import RULES_SENTENCE, alliance
from learning_platform.impact.alliance_charts import report_charts, summary_charts
from learning_platform.impact.figures import DateRange, site_range, site_today
from learning_platform.impact.forms import PRESET_LABELS, RangeForm, preset_range
from learning_platform.languages import INTERFACE_LANGUAGES
from learning_platform.models import Partner
from learning_platform.pdf import PdfUnavailable, render_pdf
from learning_platform.policy import requires

bp = Blueprint("report", __name__)


REPORT_PRESETS = ("last-year", "this-year", "last-12-months", "term")


def _requested_range() -> tuple[DateRange, RangeForm, bool]:
    """The range in ?preset= or ?from=&to= (the last day included), checked as the dashboard
    checks it; last year when none is given."""
    form = RangeForm(formdata=request.args)
    period, valid = form.period(site_today(), default="last-year")
    return period, form, valid


def _page(form: RangeForm, report, status: int = 200):
    page = render_template(
        "impact/report.html",
        report=report,
        form=form,
        presets=[(name, PRESET_LABELS[name]) for name in REPORT_PRESETS],
        languages=INTERFACE_LANGUAGES,
        charts=report_charts(report) if report else [],
        rules=RULES_SENTENCE,
    )
    return page, status


@bp.get("/admin/report")
@requires("administer")
def index():
    day_range, form, valid = _requested_range()
    if not valid:
        return _page(form, None, 422)
    return _page(form, alliance.figures(day_range))


@bp.get("/admin/report.pdf")
@requires("administer")
def pdf():
    day_range, form, valid = _requested_range()
    if not valid:
        return _page(form, None, 422)
    language = request.args.get("lang", "")
    if language not in INTERFACE_LANGUAGES:
        language = current_language()
    report = alliance.figures(day_range)
    with force_locale(language):
        html = render_template(
            "impact/report_pdf.html",
            report=report,
            charts=report_charts(report),
            rules=RULES_SENTENCE,
        )
    try:
        document = render_pdf(html, base_url=request.host_url)
    except PdfUnavailable as error:
        return render_template("impact/pdf_unavailable.html", reason=str(error)), 503
    year = day_range.start.year
    if day_range.last.year != year:
        year = f"{year}-{day_range.last.year}"
    name = f"alliance-report-{year}.pdf"
    return document, {
        "Content-Type": "application/pdf",
        "Content-Disposition": f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}",
        "Cache-Control": "private, no-store",
    }


@bp.get("/impact")
def summary():
    """What the alliance achieved, for everyone: aggregates only, no person and no offering."""
    today = site_today()
    this_year = alliance.figures(site_range(*preset_range("this-year-so-far", today)))
    last_year = alliance.figures(site_range(*preset_range("last-year", today)))
    partners = db.session.scalars(
        select(Partner)
        .where(Partner.approved.is_(True))
        .options(joinedload(Partner.logo))
        .order_by(Partner.name)
    ).all()
    return render_template(
        "impact/summary.html",
        this_year=this_year,
        last_year=last_year,
        partners=partners,
        charts=[summary_charts(this_year), summary_charts(last_year)],
        rules=RULES_SENTENCE,
    )
