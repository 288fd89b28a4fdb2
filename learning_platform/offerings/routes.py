"""The organizer workspace: /workspace/..."""

from datetime import date, datetime

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from learning_platform.extensions import db
from learning_platform.forms import ConfirmForm, render_form
from learning_platform.i18n import current_language
from learning_platform.models import Offering, OfferingSession, Partner, Theme, utcnow
from learning_platform.offerings import forms, services
from learning_platform.offerings.access import offering_in_workspace, organizer_required
from learning_platform.offerings.schedule import weekly_series
from learning_platform.timezones import NonexistentTime, local, to_utc

bp = Blueprint("workspace", __name__, url_prefix="/workspace")

TABS = ("draft", "published", "past", "cancelled")


def _partner(slug: str) -> Partner:
    partner = db.first_or_404(select(Partner).where(Partner.slug == slug))
    if partner.id not in g.partner_ids and not current_user.is_admin:
        abort(404)
    return partner


def _fail(form, error: services.OfferingError) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        flash(str(error.message), "error")


@bp.get("/")
@organizer_required
def index():
    query = select(Partner).order_by(Partner.name)
    if not current_user.is_admin:
        query = query.where(Partner.id.in_(g.partner_ids))
    partners = db.session.scalars(query).all()
    if len(partners) == 1:
        return redirect(url_for("workspace.partner", slug=partners[0].slug))
    return render_template("workspace/index.html", partners=partners)


@bp.get("/<slug>/")
@organizer_required
def partner(slug: str):
    partner = _partner(slug)
    tab = request.args.get("tab", "draft")
    if tab not in TABS:
        tab = "draft"
    now = utcnow()
    rows = services.workspace_offerings(partner)
    counts = {name: 0 for name in TABS}
    shown = []
    for offering, waiting in rows:
        offering_tab = services.tab_of(offering, now)
        counts[offering_tab] += 1
        if offering_tab == tab:
            shown.append((offering, waiting))
    return render_template(
        "workspace/partner.html", partner=partner, tab=tab, counts=counts, rows=shown
    )


def _offering_form(offering: Offering | None, partner: Partner) -> forms.OfferingForm:
    language = current_language()
    themes = db.session.scalars(select(Theme).order_by(Theme.position)).all()
    cohosts = db.session.scalars(
        select(Partner)
        .where(Partner.approved.is_(True), Partner.id != partner.id)
        .order_by(Partner.name)
    ).all()
    form = forms.OfferingForm(
        obj=offering,
        theme_choices=[(theme.id, theme.name(language)) for theme in themes],
        cohost_choices=[(cohost.id, cohost.name) for cohost in cohosts],
    )
    if request.method == "GET":
        if offering is None:
            form.timezone.data = partner.timezone
        else:
            form.theme_ids.data = [theme.id for theme in offering.themes]
            form.cohost_ids.data = [cohost.id for cohost in offering.cohosts]
            for name in ("registration_opens_at", "registration_closes_at"):
                value = getattr(offering, name)
                getattr(form, name).data = (
                    local(value, offering.timezone).replace(tzinfo=None) if value else None
                )
    return form


def _offering_data(form: forms.OfferingForm) -> dict:
    """The form's data with the registration window converted from local time to UTC."""
    data = dict(form.data)
    for name in ("registration_opens_at", "registration_closes_at"):
        value: datetime | None = data.get(name)
        if value is not None:
            try:
                data[name] = to_utc(value.date(), value.time(), form.timezone.data)
            except NonexistentTime:
                raise services.OfferingError(
                    _(
                        "This time does not exist in %(zone)s (the clocks change).",
                        zone=form.timezone.data,
                    ),
                    name,
                ) from None
    return data


@bp.route("/<slug>/new", methods=["GET", "POST"])
@organizer_required
def create(slug: str):
    partner = _partner(slug)
    form = _offering_form(None, partner)
    if form.validate_on_submit():
        try:
            offering = services.save_offering(Offering(partner_id=partner.id), _offering_data(form))
        except services.OfferingError as error:
            db.session.rollback()
            _fail(form, error)
        else:
            db.session.commit()
            flash(_("The draft is saved. Now add its sessions."), "success")
            return redirect(url_for("workspace.detail", offering_id=offering.id))
    return render_form("workspace/offering_form.html", form, partner=partner, offering=None)


@bp.get("/offerings/<id:offering_id>")
@organizer_required
def detail(offering_id: int):
    offering = offering_in_workspace(offering_id, edit=False)
    now = utcnow()
    return render_template(
        "workspace/offering.html",
        offering=offering,
        editable=services.can_edit(current_user, offering, g.partner_ids),
        problems=services.publication_problems(offering, now) if offering.status == "draft" else [],
        tab=services.tab_of(offering, now),
        form=ConfirmForm(),
        now=now,
    )


@bp.route("/offerings/<id:offering_id>/edit", methods=["GET", "POST"])
@organizer_required
def edit(offering_id: int):
    offering = offering_in_workspace(offering_id, edit=True)
    form = _offering_form(offering, offering.partner)
    if form.validate_on_submit():
        try:
            services.save_offering(offering, _offering_data(form))
        except services.OfferingError as error:
            db.session.rollback()
            _fail(form, error)
        else:
            db.session.commit()
            flash(_("Your changes are saved."), "success")
            return redirect(url_for("workspace.detail", offering_id=offering.id))
    return render_form(
        "workspace/offering_form.html", form, partner=offering.partner, offering=offering
    )


def _life_cycle_action(offering_id: int, action, message: str):
    offering = offering_in_workspace(offering_id, edit=True)
    try:
        result = action(offering)
    except services.OfferingError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("workspace.detail", offering_id=offering_id))
    db.session.commit()
    flash(message, "success")
    target = result if isinstance(result, Offering) else offering
    return redirect(url_for("workspace.detail", offering_id=target.id))


@bp.post("/offerings/<id:offering_id>/publish")
@organizer_required
def publish(offering_id: int):
    return _life_cycle_action(offering_id, services.publish, _("The offering is published."))


@bp.post("/offerings/<id:offering_id>/cancel")
@organizer_required
def cancel(offering_id: int):
    return _life_cycle_action(
        offering_id,
        services.cancel_offering,
        _("The offering is cancelled. Everyone registered has been told."),
    )


@bp.post("/offerings/<id:offering_id>/duplicate")
@organizer_required
def duplicate(offering_id: int):
    return _life_cycle_action(
        offering_id, services.duplicate, _("This is a new draft copied from the offering.")
    )


# Sessions ---------------------------------------------------------------------------------


def _session(offering: Offering, session_id: int) -> OfferingSession:
    for session in offering.sessions:
        if session.id == session_id:
            return session
    abort(404)


def _span(form: forms.SessionForm, zone: str) -> tuple[datetime, datetime]:
    try:
        return (
            to_utc(form.day.data, form.start_time.data, zone),
            to_utc(form.end_day.data or form.day.data, form.end_time.data, zone),
        )
    except NonexistentTime:
        raise services.OfferingError(
            _("This time does not exist in %(zone)s (the clocks change).", zone=zone),
            "start_time",
        ) from None


@bp.route("/offerings/<id:offering_id>/sessions/new", methods=["GET", "POST"])
@organizer_required
def add_session(offering_id: int):
    offering = offering_in_workspace(offering_id, edit=True)
    form = forms.SessionForm()
    if form.validate_on_submit():
        try:
            span = _span(form, offering.timezone)
            services.add_sessions(offering, [span], form.location.data, form.note.data)
        except services.OfferingError as error:
            db.session.rollback()
            _fail(form, error)
        else:
            db.session.commit()
            flash(_("The session is added."), "success")
            return redirect(url_for("workspace.detail", offering_id=offering.id))
    return render_form("workspace/session_form.html", form, offering=offering, session=None)


@bp.route("/offerings/<id:offering_id>/sessions/<id:session_id>/edit", methods=["GET", "POST"])
@organizer_required
def edit_session(offering_id: int, session_id: int):
    offering = offering_in_workspace(offering_id, edit=True)
    session = _session(offering, session_id)
    form = forms.SessionForm(obj=session)
    if request.method == "GET":
        starts, ends = (
            local(session.starts_at, offering.timezone),
            local(session.ends_at, offering.timezone),
        )
        form.day.data, form.start_time.data, form.end_time.data = (
            starts.date(),
            starts.time(),
            ends.time(),
        )
        form.end_day.data = ends.date() if ends.date() != starts.date() else None
    if form.validate_on_submit():
        try:
            starts_at, ends_at = _span(form, offering.timezone)
            services.update_session(session, starts_at, ends_at, form.location.data, form.note.data)
        except services.OfferingError as error:
            db.session.rollback()
            _fail(form, error)
        else:
            db.session.commit()
            flash(_("The session is saved."), "success")
            return redirect(url_for("workspace.detail", offering_id=offering.id))
    return render_form("workspace/session_form.html", form, offering=offering, session=session)


@bp.post("/offerings/<id:offering_id>/sessions/<id:session_id>/cancel")
@organizer_required
def cancel_session(offering_id: int, session_id: int):
    offering = offering_in_workspace(offering_id, edit=True)
    try:
        services.cancel_session(_session(offering, session_id))
    except services.OfferingError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("The session is cancelled. Everyone registered has been told."), "success")
    return redirect(url_for("workspace.detail", offering_id=offering.id))


@bp.post("/offerings/<id:offering_id>/sessions/<id:session_id>/remove")
@organizer_required
def remove_session(offering_id: int, session_id: int):
    offering = offering_in_workspace(offering_id, edit=True)
    try:
        services.remove_session(_session(offering, session_id))
    except services.OfferingError as error:
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("The session is removed."), "success")
    return redirect(url_for("workspace.detail", offering_id=offering.id))


def _skip_days(form: forms.ScheduleForm) -> set[date]:
    days = set()
    for part in (form.skip_days.data or "").replace(";", ",").split(","):
        if part.strip():
            try:
                days.add(date.fromisoformat(part.strip()))
            except ValueError:
                form.skip_days.errors = [
                    *form.skip_days.errors,
                    _("'%(value)s' is not a date like 2026-05-05.", value=part.strip()[:20]),
                ]
    return days


@bp.route("/offerings/<id:offering_id>/schedule", methods=["GET", "POST"])
@organizer_required
def schedule(offering_id: int):
    """The schedule helper: a weekly series, previewed before it is saved."""
    offering = offering_in_workspace(offering_id, edit=True)
    form = forms.ScheduleForm()
    preview, refused = None, False
    if form.validate_on_submit():
        skip = _skip_days(form)
        if form.end_time.data <= form.start_time.data:
            form.end_time.errors = [*form.end_time.errors, _("The end must be after the start.")]
        if not form.errors:
            preview = weekly_series(
                weekdays=set(form.weekdays.data),
                first_day=form.first_day.data,
                weeks=form.weeks.data,
                start=form.start_time.data,
                end=form.end_time.data,
                zone=offering.timezone,
                skip=skip,
            )
            if request.form.get("action") == "save":
                spans = [(p.starts_at, p.ends_at) for p in preview if p.starts_at is not None]
                try:
                    services.add_sessions(offering, spans, form.location.data)
                except services.OfferingError as error:
                    db.session.rollback()
                    _fail(form, error)
                    refused = True
                else:
                    db.session.commit()
                    flash(_("%(count)s sessions are added.", count=len(spans)), "success")
                    return redirect(url_for("workspace.detail", offering_id=offering.id))
    elif request.method == "GET":
        form.first_day.data = local(utcnow(), offering.timezone).date()
    failed = refused or (form.is_submitted() and preview is None)
    return render_template(
        "workspace/schedule.html", form=form, offering=offering, preview=preview
    ), 422 if failed else 200
