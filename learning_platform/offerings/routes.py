"""The organizer workspace: /workspace/..."""

import json
from datetime import UTC, date, datetime

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from learning_platform.boundary import DomainError, unit_of_work
from learning_platform.calendar.ical import PRODID
from learning_platform.catalog.routes import LABELS
from learning_platform.extensions import db
from learning_platform.forms import (
    FIRST_YEAR,
    LAST_YEAR,
    ConfirmActionForm,
    Confirmation,
    ConfirmForm,
    render_confirmation,
    render_form,
)
from learning_platform.i18n import current_language
from learning_platform.languages import BY_CODE, CONTENT_LANGUAGES
from learning_platform.models import (
    MAX_REASON,
    MAX_SESSIONS,
    Offering,
    OfferingSession,
    OfferingStatus,
    Partner,
    SessionStatus,
    Theme,
    utcnow,
)
from learning_platform.multilingual import reading, sort_key
from learning_platform.offerings import forms, schedule_files, services
from learning_platform.offerings.schedule import weekly_series
from learning_platform.policy import can, requires
from learning_platform.timezones import NonexistentTime, format_span, local, to_utc

bp = Blueprint("workspace", __name__, url_prefix="/workspace")

TABS = ("draft", "published", "past", "cancelled")


@bp.get("/")
@requires("use_workspace")
def index():
    partners = services.workspace_partners(current_user)
    if len(partners) == 1:
        return redirect(url_for("workspace.partner", slug=partners[0].slug))
    return render_template("workspace/index.html", partners=partners)


@bp.get("/<slug>/")
@requires("view_partner_workspace", Partner)
def partner(partner: Partner):
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
    # Co-hosts by name in the organizer's language (read here, outside reading(None)).
    cohosts = sorted(
        db.session.scalars(
            select(Partner).where(Partner.approved.is_(True), Partner.id != partner.id)
        ),
        key=lambda cohost: sort_key(cohost.name),
    )
    cohost_choices = [(cohost.id, cohost.name) for cohost in cohosts]
    # The form edits the primary-language texts: read them, not the organizer's language's.
    with reading(None):
        form = forms.OfferingForm(
            obj=offering,
            theme_choices=[(theme.id, theme.name(language)) for theme in themes],
            cohost_choices=cohost_choices,
        )
    if request.method == "GET":
        if offering is None:
            form.timezone.data = partner.timezone
            form.primary_language.data = (
                language if language in CONTENT_LANGUAGES else CONTENT_LANGUAGES[0]
            )
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
                raise DomainError(
                    _(
                        "This time does not exist in %(zone)s (the clocks change).",
                        zone=form.timezone.data,
                    ),
                    name,
                ) from None
    return data


@bp.route("/<slug>/new", methods=["GET", "POST"])
@requires("create_offering", Partner)
def create(partner: Partner):
    form = _offering_form(None, partner)
    if form.validate_on_submit():
        with unit_of_work(form):
            offering = services.save_offering(Offering(partner_id=partner.id), _offering_data(form))
            flash(_("The draft is saved. Now add its sessions."), "success")
            return redirect(url_for("workspace.detail", offering_id=offering.id))
    return render_form(
        "workspace/offering_form.html", form, partner=partner, offering=None, languages=[]
    )


@bp.get("/offerings/<id:offering_id>")
@requires("view_offering", Offering)
def detail(offering: Offering):
    now = utcnow()
    # Back to the viewer's own workspace: a co-host cannot open the owner's.
    home = next(
        partner
        for partner in [offering.partner, *offering.cohosts]
        if can(current_user, "view_partner_workspace", partner)
    )
    return render_template(
        "workspace/offering.html",
        offering=offering,
        home=home,
        problems=services.publication_problems(offering, now)
        if offering.status == OfferingStatus.DRAFT
        else [],
        tab=services.tab_of(offering, now),
        form=ConfirmForm(),
        now=now,
        languages=_language_tabs(offering),
    )


def _language_labels() -> dict:
    """Each content language named in the reader's language, for sentences ("Texts in Thai")."""
    return {code: BY_CODE[code].label for code in CONTENT_LANGUAGES}


def _language_tabs(offering: Offering) -> list[tuple[str, str, int]]:
    return services.translation_states(offering, forms.TRANSLATION_FIELDS)


@bp.route("/offerings/<id:offering_id>/edit", methods=["GET", "POST"])
@requires("edit_offering", Offering)
def edit(offering: Offering):
    form = _offering_form(offering, offering.partner)
    if form.validate_on_submit():
        with unit_of_work(form):
            services.save_offering(offering, _offering_data(form))
            flash(_("Your changes are saved."), "success")
            return redirect(url_for("workspace.detail", offering_id=offering.id))
    return render_form(
        "workspace/offering_form.html",
        form,
        partner=offering.partner,
        offering=offering,
        languages=_language_tabs(offering),
    )


@bp.route("/offerings/<id:offering_id>/texts/<language>", methods=["GET", "POST"])
@requires("edit_offering", Offering)
def texts(offering: Offering, language: str):
    """The offering's texts in one of its other languages, the primary ones beside them."""
    if language not in CONTENT_LANGUAGES:
        abort(404)
    if language == offering.primary_language:
        return redirect(url_for("workspace.edit", offering_id=offering.id))
    form = forms.TranslationForm(
        data={name: offering.text(name, language) for name in forms.TRANSLATION_FIELDS}
        if request.method == "GET"
        else None
    )
    for name in forms.TRANSLATION_FIELDS:
        # The inputs hold text in the tab's language (spell checkers, fonts, screen readers).
        form[name].render_kw = {**(form[name].render_kw or {}), "lang": language}
    if form.validate_on_submit():
        with unit_of_work(form):
            services.save_translation(offering, language, form.texts())
            flash(_("The translation is saved."), "success")
            return redirect(url_for("workspace.texts", offering_id=offering.id, language=language))
    # A translator into Thai often works from English: show it beside the primary text.
    references = [offering.primary_language]
    if "en" not in (offering.primary_language, language) and "en" in offering.written_in():
        references.append("en")
    return render_form(
        "workspace/translation_form.html",
        form,
        offering=offering,
        language=language,
        languages=_language_tabs(offering),
        fields=[
            name
            for name in forms.TRANSLATION_FIELDS
            # The note for participants is for a published offering's changes, as on the
            # primary form; one already written stays editable.
            if name != "change_note"
            or offering.status == OfferingStatus.PUBLISHED
            or offering.text(name, language)
        ],
        remove_form=ConfirmActionForm(),
        language_labels=_language_labels(),
        references=references,
        missing=[
            form[name].label.text
            for name in offering.missing(language, forms.TRANSLATION_FIELDS)
            if language in (offering.translations or {})
        ],
    )


@bp.post("/offerings/<id:offering_id>/texts/<language>/remove")
@requires("edit_offering", Offering)
def remove_texts(offering: Offering, language: str):
    """Asks first; only the confirmed step removes every text in `language`."""
    if language not in CONTENT_LANGUAGES or language == offering.primary_language:
        abort(404)
    back = url_for("workspace.texts", offering_id=offering.id, language=language)
    form = ConfirmActionForm()
    if form.confirmed():
        with unit_of_work() as work:
            services.remove_translation(offering, language)
        if work.ok:
            flash(_("The translation is removed."), "success")
            return redirect(url_for("workspace.detail", offering_id=offering.id))
        return redirect(back)
    return render_confirmation(
        form,
        Confirmation(
            title=_("Remove this translation?"),
            subject=f"{offering.title} · {BY_CODE[language].native_name}",
            consequences=[
                _("Every text of this offering in this language is deleted."),
                _("Readers of this language then see the texts in the primary language."),
            ],
            button=_("Remove the translation"),
            keep_label=_("Keep it"),
            keep_url=back,
        ),
    )


def _life_cycle_action(offering: Offering, action, message: str):
    """A one-button change: done and said, or refused with the reason; back to the offering."""
    target = offering
    with unit_of_work() as work:
        result = action(offering)
        if isinstance(result, Offering):
            target = result
    if work.ok:
        flash(message, "success")
    return redirect(url_for("workspace.detail", offering_id=target.id))


@bp.post("/offerings/<id:offering_id>/publish")
@requires("edit_offering", Offering)
def publish(offering: Offering):
    return _life_cycle_action(offering, services.publish, _("The offering is published."))


def _told(offering: Offering) -> str:
    """Who hears of a cancellation, in words ("12 confirmed participants are told...")."""
    if offering.status != OfferingStatus.PUBLISHED:
        return _("It is not published: nobody is registered, nobody is told.")
    confirmed, waiting = services.people_to_tell(offering)
    if not confirmed and not waiting:
        return _("Nobody is registered yet, so nobody needs to be told.")
    parts = []
    if confirmed:
        parts.append(
            ngettext("%(num)d confirmed participant", "%(num)d confirmed participants", confirmed)
        )
    if waiting:
        parts.append(
            ngettext("%(num)d person on the waitlist", "%(num)d people on the waitlist", waiting)
        )
    people = (
        parts[0]
        if len(parts) == 1
        else _("%(first)s and %(second)s", first=parts[0], second=parts[1])
    )
    return _("%(people)s will be told by mail, with your reason.", people=people)


def _readers(offering: Offering) -> dict[str, int]:
    """{language: people told who read it}; none when nobody is told."""
    if offering.status != OfferingStatus.PUBLISHED:
        return {}
    return services.readers_to_tell(offering)


def _cancel_form(offering: Offering, readers: dict[str, int]) -> forms.CancelForm:
    """A reason in each language the offering is written in or someone told reads."""
    written = offering.written_in()
    primary = offering.primary_language
    languages = [
        code
        for code in CONTENT_LANGUAGES
        if code != primary and (code in written or readers.get(code))
    ]
    return forms.cancel_form(languages, primary, readers=readers)


def _told_by_language(offering: Offering, readers: dict[str, int]) -> list[str]:
    """ "37 people will be told: 25 read Korean, 12 read English, 0 read Thai." """
    total = sum(readers.values())
    if not total:
        return []
    primary = offering.primary_language
    order = [primary] + [code for code in CONTENT_LANGUAGES if code != primary]
    languages = ", ".join(
        _("%(num)d read %(language)s", num=readers[code], language=BY_CODE[code].label)
        for code in order
    )
    return [
        ngettext(
            "%(num)d person will be told: %(languages)s.",
            "%(num)d people will be told: %(languages)s.",
            total,
            languages=languages,
        )
    ]


@bp.post("/offerings/<id:offering_id>/cancel")
@requires("edit_offering", Offering)
def cancel(offering: Offering):
    """Asks first (what happens, who is told, why); only the confirmed step cancels."""
    if offering.status == OfferingStatus.CANCELLED:
        flash(_("This offering is already cancelled."), "info")
        return redirect(url_for("workspace.detail", offering_id=offering.id))
    if offering.is_past(utcnow()):
        flash(_("This offering is over; there is nothing left to cancel."), "error")
        return redirect(url_for("workspace.detail", offering_id=offering.id))
    readers = _readers(offering)
    form = _cancel_form(offering, readers)
    if form.confirmed():
        with unit_of_work(form) as work:
            services.cancel_offering(offering, form.reason.data, forms.per_language(form, "reason"))
        if work.ok:
            flash(_("The offering is cancelled. Everyone registered has been told."), "success")
            return redirect(url_for("workspace.detail", offering_id=offering.id))
    left = [s for s in offering.active_sessions if s.ends_at > utcnow()]
    return render_confirmation(
        form,
        Confirmation(
            title=_("Cancel this offering?"),
            subject=offering.title,
            consequences=[
                _told(offering),
                *_told_by_language(offering, readers),
                ngettext(
                    "Its %(num)d remaining session is struck through on its page and marked cancelled in calendars.",
                    "Its %(num)d remaining sessions are struck through on its page and marked cancelled in calendars.",
                    len(left),
                ),
                _("This cannot be undone. You can duplicate it later as a new draft."),
            ],
            button=_("Cancel the offering"),
            keep_label=_("Keep it"),
            keep_url=url_for("workspace.detail", offering_id=offering.id),
        ),
    )


@bp.post("/offerings/<id:offering_id>/duplicate")
@requires("edit_offering", Offering)
def duplicate(offering: Offering):
    return _life_cycle_action(
        offering, services.duplicate, _("This is a new draft copied from the offering.")
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
        raise DomainError(
            _("This time does not exist in %(zone)s (the clocks change).", zone=zone),
            "start_time",
        ) from None


@bp.route("/offerings/<id:offering_id>/sessions/new", methods=["GET", "POST"])
@requires("edit_offering", Offering)
def add_session(offering: Offering):
    form = forms.session_form(offering.written_in()[1:], offering.primary_language)
    if form.validate_on_submit():
        with unit_of_work(form):
            span = _span(form, offering.timezone)
            services.add_sessions(
                offering,
                [span],
                form.location.data,
                form.note.data,
                translations=_session_texts(form),
            )
            flash(_("The session is added."), "success")
            return redirect(url_for("workspace.detail", offering_id=offering.id))
    return render_form(
        "workspace/session_form.html",
        form,
        offering=offering,
        session=None,
        language_labels=_language_labels(),
    )


@bp.route("/offerings/<id:offering_id>/sessions/<id:session_id>/edit", methods=["GET", "POST"])
@requires("edit_offering", Offering)
def edit_session(offering: Offering, session_id: int):
    session = _session(offering, session_id)
    languages = [
        code
        for code in offering.languages_in_order()[1:]
        if code in offering.written_in() or code in (session.translations or {})
    ]
    with reading(None):  # the form's own fields hold the primary-language texts
        form = forms.session_form(languages, offering.primary_language, obj=session)
    if request.method == "GET":
        for code in languages:
            form[f"location_{code}"].data = session.text("location", code)
            form[f"note_{code}"].data = session.text("note", code)
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
        with unit_of_work(form):
            starts_at, ends_at = _span(form, offering.timezone)
            services.update_session(
                session,
                starts_at,
                ends_at,
                form.location.data,
                form.note.data,
                _session_texts(form),
            )
            flash(_("The session is saved."), "success")
            return redirect(url_for("workspace.detail", offering_id=offering.id))
    return render_form(
        "workspace/session_form.html",
        form,
        offering=offering,
        session=session,
        language_labels=_language_labels(),
    )


def _session_texts(form) -> dict[str, dict[str, str]]:
    """{language: {"location": …, "note": …}} of the session form's other languages."""
    locations, notes = forms.per_language(form, "location"), forms.per_language(form, "note")
    return {code: {"location": locations[code], "note": notes[code]} for code in locations}


def _session_action(offering: Offering, session_id: int, action, message: str):
    session = _session(offering, session_id)
    with unit_of_work() as work:
        action(session)
    if work.ok:
        flash(message, "success")
    return redirect(url_for("workspace.detail", offering_id=offering.id))


@bp.post("/offerings/<id:offering_id>/sessions/<id:session_id>/cancel")
@requires("edit_offering", Offering)
def cancel_session(offering: Offering, session_id: int):
    """Asks first (which session, who is told, why); only the confirmed step cancels."""
    session = _session(offering, session_id)
    if session.status == SessionStatus.CANCELLED:
        flash(_("This session is already cancelled."), "info")
        return redirect(url_for("workspace.detail", offering_id=offering.id))
    if session.ends_at <= utcnow():
        flash(_("This session is over; it can no longer be cancelled."), "error")
        return redirect(url_for("workspace.detail", offering_id=offering.id))
    readers = _readers(offering)
    form = _cancel_form(offering, readers)
    if form.confirmed():
        with unit_of_work(form) as work:
            services.cancel_session(session, form.reason.data, forms.per_language(form, "reason"))
        if work.ok:
            flash(_("The session is cancelled. Everyone registered has been told."), "success")
            return redirect(url_for("workspace.detail", offering_id=offering.id))
    return render_confirmation(
        form,
        Confirmation(
            title=_("Cancel this session?"),
            subject=f"{offering.title} · "
            + format_span(session.starts_at, session.ends_at, offering.timezone),
            consequences=[
                _told(offering),
                *_told_by_language(offering, readers),
                _("The other sessions take place as planned."),
                _("Calendars that subscribed show this session as cancelled."),
            ],
            button=_("Cancel the session"),
            keep_label=_("Keep it"),
            keep_url=url_for("workspace.detail", offering_id=offering.id),
        ),
    )


@bp.post("/offerings/<id:offering_id>/sessions/<id:session_id>/remove")
@requires("edit_offering", Offering)
def remove_session(offering: Offering, session_id: int):
    return _session_action(
        offering, session_id, services.remove_session, _("The session is removed.")
    )


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
@requires("edit_offering", Offering)
def schedule(offering: Offering):
    """The schedule helper: a weekly series, previewed before it is saved."""
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
                with unit_of_work(form) as work:
                    services.add_sessions(offering, spans, form.location.data)
                    flash(
                        ngettext(
                            "%(num)d session is added.", "%(num)d sessions are added.", len(spans)
                        ),
                        "success",
                    )
                    return redirect(url_for("workspace.detail", offering_id=offering.id))
                refused = not work.ok
    elif request.method == "GET":
        form.first_day.data = local(utcnow(), offering.timezone).date()
    failed = refused or (form.is_submitted() and preview is None)
    return render_template(
        "workspace/schedule.html", form=form, offering=offering, preview=preview
    ), 422 if failed else 200


# A draft's end: deleted, or seen as the public will see it ----------------------------------


@bp.post("/offerings/<id:offering_id>/delete")
@requires("edit_offering", Offering)
def delete(offering: Offering):
    """Asks first (what goes with it); only the confirmed step deletes. Drafts only."""
    back = url_for("workspace.detail", offering_id=offering.id)
    if offering.status != OfferingStatus.DRAFT:
        flash(
            _(
                "Only a draft can be deleted. A published offering is cancelled instead, so that everyone registered is told."
            ),
            "error",
        )
        return redirect(back)
    form = ConfirmActionForm()
    if form.confirmed():
        partner_slug = offering.partner.slug
        with unit_of_work() as work:
            services.delete_draft(offering)
        if work.ok:
            flash(_("The draft is deleted."), "success")
            return redirect(url_for("workspace.partner", slug=partner_slug))
        return redirect(back)
    sessions = len(offering.sessions)
    return render_confirmation(
        form,
        Confirmation(
            title=_("Delete this draft?"),
            subject=offering.title,
            consequences=[
                _("It was never published: nobody has seen it or registered."),
                ngettext(
                    "Its %(num)d session is deleted with it.",
                    "Its %(num)d sessions are deleted with it.",
                    sessions,
                )
                if sessions
                else _("It has no sessions yet."),
                _("Its details and cover image are deleted. This cannot be undone."),
            ],
            button=_("Delete the draft"),
            keep_label=_("Keep it"),
            keep_url=back,
        ),
    )


@bp.get("/offerings/<id:offering_id>/preview")
@requires("view_offering", Offering)
def preview(offering: Offering):
    """A draft's public page as it will look once published; never indexed, nothing acts."""
    if offering.status != OfferingStatus.DRAFT:
        return redirect(url_for("catalog.detail", offering_id=offering.id))
    response = make_response(
        render_template(
            "catalog/offering.html",
            offering=offering,
            preview=True,
            jsonld=None,
            registration=None,
            position=None,
            can_cancel=False,
            form=ConfirmForm(),
            now=utcnow(),
            **LABELS,
        )
    )
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


# A schedule as a file: import (preview, then save) and export ------------------------------


def _rows_field(rows) -> str:
    """The previewed sessions, for the save step: UTC instants, location, note."""
    return json.dumps(
        [
            [row.starts_at.isoformat(), row.ends_at.isoformat(), row.location, row.note]
            for row in rows
        ]
    )


def _rows_from_field(text: str) -> list[schedule_files.Row]:
    """The save step's sessions, as sent back; anything but what the preview wrote is a 400."""
    try:
        items = json.loads(text or "[]")
        if not isinstance(items, list) or len(items) > MAX_SESSIONS:
            raise ValueError
        rows = []
        for number, item in enumerate(items, start=1):
            if not isinstance(item, list) or not all(isinstance(value, str) for value in item):
                raise ValueError
            starts, ends, location, note = item
            if schedule_files.has_control_characters(location + note):
                raise ValueError
            starts_at, ends_at = datetime.fromisoformat(starts), datetime.fromisoformat(ends)
            if starts_at.tzinfo is None or ends_at.tzinfo is None:
                raise ValueError
            if not all(FIRST_YEAR <= moment.year <= LAST_YEAR for moment in (starts_at, ends_at)):
                raise ValueError  # forged: the preview never offers such a time
            rows.append(
                schedule_files.Row(
                    number,
                    starts_at.astimezone(UTC),
                    ends_at.astimezone(UTC),
                    location[: schedule_files.MAX_LOCATION],
                    note[:MAX_REASON],
                )
            )
        return rows
    except (ValueError, TypeError, OverflowError):
        abort(400)


@bp.route("/offerings/<id:offering_id>/import", methods=["GET", "POST"])
@requires("edit_offering", Offering)
def import_sessions(offering: Offering):
    """Sessions from an .ics or CSV file: read and previewed, then saved."""
    form = forms.ImportForm()
    rows, problems, failed = None, [], False
    if form.validate_on_submit():
        if request.form.get("action") == "save":
            rows = _rows_from_field(form.rows.data)
            with unit_of_work(form) as work:
                rows, problems = services.plan_import(offering, rows)
                if problems:  # something changed since the preview: show it again
                    raise DomainError(
                        _("The schedule changed since the preview. Check the sessions again.")
                    )
                services.add_sessions(
                    offering, [(r.starts_at, r.ends_at, r.location, r.note) for r in rows]
                )
                flash(
                    ngettext("%(num)d session is added.", "%(num)d sessions are added.", len(rows)),
                    "success",
                )
                return redirect(url_for("workspace.detail", offering_id=offering.id))
            failed = not work.ok
        else:
            rows, problems, failed = _read_upload(form, offering)
    elif form.is_submitted():
        failed = True
    if rows is not None:
        form.rows.data = _rows_field(rows)
    return render_template(
        "workspace/import.html",
        form=form,
        offering=offering,
        rows=rows,
        problems=problems,
        max_bytes=current_app.config["SCHEDULE_IMPORT_MAX_BYTES"],
        max_sessions=MAX_SESSIONS,
    ), 422 if failed else 200


def _read_upload(form: forms.ImportForm, offering: Offering):
    """(rows, problems, failed) from the uploaded file; the file's own errors on its field."""
    upload = form.file.data
    if not isinstance(upload, FileStorage) or not upload.filename:
        form.file.errors = [*form.file.errors, _("Choose a calendar (.ics) or CSV file.")]
        return None, [], True
    limit = current_app.config["SCHEDULE_IMPORT_MAX_BYTES"]
    try:
        data = upload.stream.read(limit + 1)
    finally:
        upload.close()  # a large upload is spooled to a temporary file
    if len(data) > limit:
        form.file.errors = [
            *form.file.errors,
            _(
                "The file is larger than %(size)s KB. A schedule of %(max)s sessions fits in far less: export only this course's events.",
                size=limit // 1024,
                max=MAX_SESSIONS,
            ),
        ]
        return None, [], True
    try:
        reading = schedule_files.read_schedule(data, upload.filename, offering.timezone)
        rows, problems = services.plan_import(offering, reading.rows)
    except (schedule_files.UnreadableFile, DomainError) as refused:
        form.file.errors = [*form.file.errors, refused.message]
        return None, [], True
    problems = sorted(
        [(problem.line, problem.reason) for problem in reading.problems] + problems,
        key=lambda problem: problem[0],
    )
    if not rows:
        form.file.errors = [*form.file.errors, _("The file holds no session that can be added.")]
        return None, problems, True
    return rows, problems, False


def _download(body: bytes, mimetype: str, name: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/offerings/<id:offering_id>/schedule.csv")
@requires("view_offering", Offering)
def export_csv(offering: Offering):
    body = schedule_files.write_csv(offering.active_sessions, offering.timezone)
    return _download(body, "text/csv", f"schedule-{offering.id}.csv")


@bp.get("/offerings/<id:offering_id>/schedule.ics")
@requires("view_offering", Offering)
def export_ics(offering: Offering):
    body = schedule_files.write_ics(offering.title, offering.active_sessions, PRODID)
    return _download(body, "text/calendar", f"schedule-{offering.id}.ics")
