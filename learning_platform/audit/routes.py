"""Where the trail is read: the site admins' whole trail and each partner's own."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select

from learning_platform.audit import services, texts
from learning_platform.audit.forms import TrailFilterForm
from learning_platform.extensions import db
from learning_platform.forms import page_number
from learning_platform.models import Partner
from learning_platform.multilingual import sort_key
from learning_platform.offerings.schedule_files import csv_download
from learning_platform.policy import requires
from learning_platform.timezones import format_moment

bp = Blueprint("audit", __name__)

PER_PAGE = 30
#: The most rows one download holds (newest first); narrow the filters for older ones.
MAX_CSV_ROWS = 10_000


#: The query-string keys the trail's links carry on (never Flask's own `_method`, `_external`…).
_LINK_KEYS = ("action", "partner", "actor", "offering", "date_from", "date_to")


def _link_args() -> dict[str, str]:
    """The filters of this page, for its CSV and pagination links."""
    return {key: request.args[key] for key in _LINK_KEYS if request.args.get(key)}


def _zone() -> str:
    return current_app.config["SITE_TIMEZONE"]


def _form(partners=None) -> tuple[TrailFilterForm, services.TrailFilter]:
    """The filter form read from the query string, and what it asks for (nothing where a
    value is refused: the page then shows the message next to the field)."""
    form = TrailFilterForm(formdata=request.args, partners=partners)
    form.validate()
    ok = lambda field: field is not None and not field.errors  # noqa: E731
    partner_field = getattr(form, "partner", None)
    filters = services.TrailFilter(
        action=form.action.data or "" if ok(form.action) else "",
        partner_id=int(partner_field.data)
        if ok(partner_field) and (partner_field.data or "").isdigit()
        else None,
        actor=form.actor.data or "" if ok(form.actor) else "",
        offering_id=form.offering_id if ok(form.offering) else None,
        offering_words=(form.offering.data or "")
        if ok(form.offering) and form.offering_id is None
        else "",
        date_from=form.date_from.data if ok(form.date_from) else None,
        date_to=form.date_to.data if ok(form.date_to) else None,
    )
    return form, filters


def _page(query):
    page = page_number(request.args.get("page"))
    return db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)


def _rows(events) -> list[dict]:
    """What each entry shows, in the reader's language."""
    zones = services.zones_of(events, _zone())
    names = services.partner_names(events)
    rows = []
    for event in events:
        zone = zones[event.id]
        rows.append(
            {
                "event": event,
                "when": format_moment(event.at, _zone()),
                "action": texts.action_label(event),
                "sentence": texts.sentence(event, zone),
                "partner": names.get(event.partner_id, ""),
                "changes": [
                    (
                        texts.field_label(field),
                        texts.shown_value(field, before, zone),
                        texts.shown_value(field, after, zone),
                    )
                    for field, (before, after) in (event.changes or {}).items()
                ],
            }
        )
    return rows


def _csv(query, filename: str) -> Response:
    events = db.session.scalars(query.limit(MAX_CSV_ROWS)).all()
    zones = services.zones_of(events, _zone())
    names = services.partner_names(events)
    titles = services.offering_titles(events)
    header = [
        _("When"),
        _("Name"),
        _("Email"),
        _("Site admin"),
        _("What"),
        _("Change"),
        _("Partner"),
        _("Offering"),
        _("Offering title"),
        _("Note"),
        _("Before → after"),
    ]
    rows = []
    for event in events:
        zone = zones[event.id]
        changes = "; ".join(
            f"{texts.field_label(field)}: "
            f"{texts.shown_value(field, before, zone, shorten=False)} → "
            f"{texts.shown_value(field, after, zone, shorten=False)}"
            for field, (before, after) in (event.changes or {}).items()
        )
        rows.append(
            [
                format_moment(event.at, _zone()),
                event.actor_name or _("The system"),
                event.actor_email,
                _("yes") if event.actor_is_admin else "",
                texts.action_label(event),
                texts.sentence(event, zone),
                names.get(event.partner_id, ""),
                event.offering_id or "",
                titles.get(event.id, ""),
                event.note,
                changes,
            ]
        )
    return csv_download([header, *rows], filename)


def _partner_choices() -> list[tuple[int, str]]:
    partners = sorted(db.session.scalars(select(Partner)), key=lambda p: sort_key(p.name))
    return [(partner.id, partner.name) for partner in partners]


@bp.get("/admin/audit")
@requires("administer")
def admin_index():
    form, filters = _form(partners=_partner_choices())
    page = _page(services.trail_query(filters, _zone()))
    return render_template(
        "audit/trail.html",
        form=form,
        page=page,
        rows=_rows(page.items),
        partner=None,
        offering=None,
        zone=_zone(),
        link_args=_link_args(),
    )


@bp.get("/admin/audit.csv")
@requires("administer")
def admin_csv():
    _form_unused, filters = _form(partners=_partner_choices())
    return _csv(services.trail_query(filters, _zone()), "audit-trail.csv")


def _partner_filters(partner: Partner):
    form, filters = _form()
    return form, services.TrailFilter(**{**filters.__dict__, "partner_id": partner.id})


@bp.get("/workspace/<slug>/activity")
@requires("view_activity", Partner)
def activity(partner: Partner):
    form, filters = _partner_filters(partner)
    page = _page(services.trail_query(filters, _zone()))
    return render_template(
        "audit/trail.html",
        form=form,
        page=page,
        rows=_rows(page.items),
        partner=partner,
        offering=services.partner_offering(partner, filters.offering_id),
        zone=_zone(),
        link_args=_link_args(),
    )


@bp.get("/workspace/<slug>/activity.csv")
@requires("view_activity", Partner)
def activity_csv(partner: Partner):
    _form_unused, filters = _partner_filters(partner)
    return _csv(services.trail_query(filters, _zone()), f"activity-{partner.slug}.csv")
