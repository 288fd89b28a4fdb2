"""/data: the page that explains the open data, and the data sets as CSV and JSON."""

from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    render_template,
    request,
    stream_with_context,
)
from flask_babel import format_datetime

from learning_platform.extensions import limiter
from learning_platform.humanize import zone_label
from learning_platform.mail.services import site_name
from learning_platform.models import utcnow
from learning_platform.opendata import services
from learning_platform.opendata.services import DATASETS

bp = Blueprint("opendata", __name__, url_prefix="/data")

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8; header=present",
    "json": "application/json",
}


@bp.get("")
def index():
    fingerprint = services.public_data_fingerprint()
    datasets = [(dataset, dataset.count()) for dataset in DATASETS.values()]
    modified = services.last_updated(fingerprint)
    if modified is not None:
        zone = current_app.config["SITE_TIMEZONE"]
        local = modified.astimezone(ZoneInfo(zone))
        modified = f"{format_datetime(local, 'medium', rebase=False)} ({zone_label(zone, local)})"
    return render_template(
        "opendata/index.html",
        datasets=datasets,
        licence=services.licence(),
        last_updated=modified,
        site=site_name(),
    )


@bp.get("/<name>.<any(csv, json):fmt>")
@limiter.limit(lambda: current_app.config["OPEN_DATA_LIMIT"])
def download(name: str, fmt: str):
    """A whole data set; 304 from one statement when the client has it already."""
    dataset = DATASETS.get(name)
    if dataset is None:
        abort(404)
    fingerprint = dataset.fingerprint()
    response = Response(content_type=CONTENT_TYPES[fmt])
    # Weak: JSON names the moment it was written; the data are the same.
    response.set_etag(services.etag(dataset, fmt, fingerprint), weak=True)
    modified = services.last_updated(fingerprint)
    if modified is not None:
        response.last_modified = modified
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "ETag, Last-Modified, Link"
    response.headers["Link"] = f'<{services.licence().url}>; rel="license"'
    response.headers["Content-Disposition"] = f"inline; filename={name}.{fmt}"
    response.make_conditional(request)
    if response.status_code in (304, 412) or request.method == "HEAD":
        return response
    if fmt == "csv":
        chunks = services.csv_chunks(dataset)
    else:
        chunks = services.json_chunks(dataset, utcnow())
    response.response = stream_with_context(chunks)
    # Streamed: its length is known only at the end (the empty body's 0 must go).
    response.headers.pop("Content-Length", None)
    return response
