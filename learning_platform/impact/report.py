"""The alliance report for site admins (a page and its PDF) and the public impact summary."""

from urllib.parse import quote

from flask import Blueprint, current_app, render_template, request
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from learning_platform.extensions import db
from learning_platform.i18n import current_language
from learning_platform.impact import RULES_SENTENCE, alliance
from learning_platform.impact.alliance_charts import period_name, report_charts, summary_charts
from learning_platform.impact.dashboard import day_range, hours, hours_number, long_date
from learning_platform.impact.figures import DateRange, site_range, site_today
from learning_platform.impact.forms import PRESET_LABELS, RangeForm, preset_range
from learning_platform.languages import INTERFACE_LANGUAGES
from learning_platform.memory import remembered
from learning_platform.models import Partner
from learning_platform.multilingual import sort_key
from learning_platform.pdf import PdfUnavailable, render_pdf
from learning_platform.policy import requires

bp = Blueprint("report", __name__)


REPORT_PRESETS = ("this-year-so-far", "last-year", "this-year", "last-12-months", "term")
#: How figures are written on the report, its PDF and /impact.
FORMATS = {
    "hours": hours,
    "hours_number": hours_number,
    "day_range": day_range,
    "long_date": long_date,
    "period_name": period_name,
}


def _requested_range() -> tuple[DateRange, RangeForm, bool]:
    """The range in ?preset= or ?from=&to= (the last day included), checked as the dashboard
    checks it; this year so far when none is given (last year is one click away)."""
    form = RangeForm(formdata=request.args)
    period, valid = form.period(site_today(), default="this-year-so-far")
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
        **FORMATS,
    )
    return page, status


@bp.get("/admin/report")
@requires("administer")
def index():
    day_range, form, valid = _requested_range()
    if not valid:
        return _page(form, None, 422)
    return _page(form, alliance.named(alliance.figures(day_range)))


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
        report = alliance.named(report)  # partners and cities in the PDF's language
        html = render_template(
            "impact/report_pdf.html",
            report=report,
            charts=report_charts(report),
            rules=RULES_SENTENCE,
            **FORMATS,
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
    this_year, last_year = _public_figures()
    partners = db.session.scalars(
        select(Partner).where(Partner.approved.is_(True)).options(joinedload(Partner.logo))
    ).all()
    partners = sorted(partners, key=lambda partner: sort_key(partner.name))
    # Names and cities in the reader's language (the remembered figures hold no words).
    this_year, last_year = (alliance.named(report, partners) for report in (this_year, last_year))
    return render_template(
        "impact/summary.html",
        this_year=this_year,
        last_year=last_year,
        partners=partners,
        charts=[summary_charts(this_year), summary_charts(last_year)],
        rules=RULES_SENTENCE,
        **FORMATS,
    )


def _public_figures() -> tuple[alliance.AllianceFigures, alliance.AllianceFigures]:
    """This year so far and last year, remembered for IMPACT_PAGE_SECONDS (the figures, not
    the page: they hold no words, so every language reads the same ones)."""
    today = site_today()
    ranges = [site_range(*preset_range(name, today)) for name in ("this-year-so-far", "last-year")]
    this_year, last_year = remembered(
        "impact",
        today.isoformat(),
        current_app.config["IMPACT_PAGE_SECONDS"],
        lambda: [alliance.figures(day_range) for day_range in ranges],
        dump=lambda reports: [alliance.dump(report) for report in reports],
        load=lambda data: [alliance.load(report) for report in data],
    )
    return this_year, last_year
