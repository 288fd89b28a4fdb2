"""The alliance report for site admins (a page and its PDF) and the public impact summary."""

from datetime import date, datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, render_template, request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from learning_platform.boundary import DomainError
from learning_platform.extensions import db
from learning_platform.i18n import current_language
from learning_platform.impact import alliance
from learning_platform.languages import INTERFACE_LANGUAGES
from learning_platform.models import Partner
from learning_platform.pdf import PdfUnavailable, render_pdf
from learning_platform.policy import requires

bp = Blueprint("report", __name__)


def _today() -> date:
    return datetime.now(ZoneInfo(current_app.config["SITE_TIMEZONE"])).date()


def _day(name: str) -> tuple[str, date | None]:
    text = request.args.get(name, "").strip()
    try:
        return text, date.fromisoformat(text) if text else None
    except ValueError:
        return text, None


def _requested_range() -> tuple[alliance.Range | None, dict, dict]:
    """The range in ?from=&to= (the last day included); last year when none is given.

    Returns (range or None, the days as typed, errors by field).
    """
    (start_text, start), (end_text, end) = _day("from"), _day("to")
    typed = {"from": start_text, "to": end_text}
    if not start_text and not end_text:
        day_range = alliance.Range.last_year(_today())
        return day_range, {"from": str(day_range.start), "to": str(day_range.last_day)}, {}
    try:
        return alliance.Range.checked(start, end), typed, {}
    except DomainError as error:
        return None, typed, {error.field: error.message}


def _presets() -> list[tuple[object, alliance.Range]]:
    today = _today()
    return [
        (_l("Last year"), alliance.Range.last_year(today)),
        (_l("This year so far"), alliance.Range.this_year(today)),
    ]


@bp.get("/admin/report")
@requires("administer")
def index():
    day_range, typed, errors = _requested_range()
    report = alliance.figures(day_range) if day_range else None
    page = render_template(
        "impact/report.html",
        report=report,
        typed=typed,
        errors=errors,
        presets=_presets(),
        languages=INTERFACE_LANGUAGES,
    )
    return page, 422 if errors else 200


@bp.get("/admin/report.pdf")
@requires("administer")
def pdf():
    day_range, typed, errors = _requested_range()
    if errors:
        page = render_template(
            "impact/report.html",
            report=None,
            typed=typed,
            errors=errors,
            presets=_presets(),
            languages=INTERFACE_LANGUAGES,
        )
        return page, 422
    language = request.args.get("lang", "")
    if language not in INTERFACE_LANGUAGES:
        language = current_language()
    with force_locale(language):
        html = render_template("impact/report_pdf.html", report=alliance.figures(day_range))
    try:
        document = render_pdf(html, base_url=request.host_url)
    except PdfUnavailable as error:
        return render_template("impact/pdf_unavailable.html", reason=str(error)), 503
    year = day_range.start.year
    if day_range.last_day.year != year:
        year = f"{year}-{day_range.last_day.year}"
    name = f"alliance-report-{year}.pdf"
    return document, {
        "Content-Type": "application/pdf",
        "Content-Disposition": f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}",
        "Cache-Control": "private, no-store",
    }


@bp.get("/impact")
def summary():
    """What the alliance achieved, for everyone: aggregates only, no person and no offering."""
    today = _today()
    this_year = alliance.figures(alliance.Range.this_year(today))
    last_year = alliance.figures(alliance.Range.last_year(today))
    partners = db.session.scalars(
        select(Partner)
        .where(Partner.approved.is_(True))
        .options(joinedload(Partner.logo))
        .order_by(Partner.name)
    ).all()
    return render_template(
        "impact/summary.html", this_year=this_year, last_year=last_year, partners=partners
    )
