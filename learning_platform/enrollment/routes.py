"""Register, cancel, "my learning"; attendee lists, CSV export and attendance for organizers."""

from dataclasses import replace

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from learning_platform.boundary import unit_of_work
from learning_platform.catalog.services import of_approved_partner
from learning_platform.completion import services as completion
from learning_platform.enrollment import checkin, learning, services
from learning_platform.enrollment.forms import AttendanceForm, CheckInForm, CheckInPersonForm
from learning_platform.extensions import db
from learning_platform.forms import (
    ConfirmActionForm,
    Confirmation,
    ConfirmForm,
    render_confirmation,
    render_form,
)
from learning_platform.i18n import current_language
from learning_platform.models import (
    Offering,
    OfferingStatus,
    Registration,
    RegistrationStatus,
    SessionStatus,
    utcnow,
)
from learning_platform.offerings.schedule_files import csv_download
from learning_platform.policy import requires
from learning_platform.questions import forms as question_forms
from learning_platform.questions import services as question_services
from learning_platform.timezones import format_clock, format_moment

bp = Blueprint("enrollment", __name__)


def _offering(offering_id: int, *, listed: bool) -> Offering:
    """The offering a person acts on; `listed`: only while its partner is approved (one can
    leave a suspended partner's offering, not join it)."""
    query = select(Offering).where(
        Offering.id == offering_id, Offering.status != OfferingStatus.DRAFT
    )
    if listed:
        query = query.where(of_approved_partner())
    offering = db.session.scalar(query.options(selectinload(Offering.sessions)))
    if offering is None:
        abort(404)
    return offering


@bp.get("/offerings/<id:offering_id>/join")
@requires("enroll")
def join(offering_id: int):
    """The registration form, when the offering asks questions; it posts to `register`."""
    offering = _offering(offering_id, listed=True)
    questions = question_services.questions_of(offering.id)
    if services.active_registration(offering.id, current_user.id):
        return redirect(url_for("questions.answers", offering_id=offering.id))
    reason = services.closed_reason(offering, utcnow())
    if reason or not questions:
        if reason:
            flash(str(reason), "error")
        return redirect(url_for("catalog.detail", offering_id=offering.id))
    return _registration_form(
        offering, questions, question_forms.answer_form(questions, current_language())
    )


def _registration_form(offering: Offering, questions, form):
    full = offering.seats_taken >= offering.capacity
    return render_form(
        "enrollment/answers.html",
        form,
        offering=offering,
        questions=questions,
        action=url_for("enrollment.register", offering_id=offering.id),
        button=_("Join the waitlist") if full else _("Register"),
        back=url_for("catalog.detail", offering_id=offering.id),
        registering=True,
    )


@bp.post("/offerings/<id:offering_id>/register")
@requires("enroll")
def register(offering_id: int):
    """Register at once; an offering that asks questions registers only with valid answers,
    sent from its registration form (nothing is registered while they are refused)."""
    offering = _offering(offering_id, listed=True)
    back = redirect(url_for("catalog.detail", offering_id=offering_id))
    questions = question_services.questions_of(offering.id)
    form = None
    if questions:
        if services.active_registration(offering.id, current_user.id):
            flash(_("You are already registered for this offering."), "info")
            return back
        form = question_forms.answer_form(questions, current_language())
        if not form.validate_on_submit():
            return _registration_form(offering, questions, form)
    with unit_of_work(form) as work:
        outcome = services.register(offering, current_user)
        if questions:
            question_services.save_answers(
                outcome.registration, questions, question_forms.answer_values(form, questions)
            )
    if not work.ok:
        if form is not None:
            return _registration_form(offering, questions, form)
        return back
    if outcome.position is None:
        flash(_("You are registered. A confirmation is on its way to your mailbox."), "success")
    else:
        flash(
            _(
                "The course is full: you are number %(position)s on the waitlist.",
                position=outcome.position,
            ),
            "info",
        )
    return back


@bp.post("/offerings/<id:offering_id>/cancel")
@requires("enroll")
def cancel(offering_id: int):
    """Asks first (what the person gives up); only the confirmed step cancels."""
    offering = _offering(offering_id, listed=False)
    registration = services.active_registration(offering.id, current_user.id)
    from_learning = request.form.get("next") == "learning"
    if from_learning:
        back_url = url_for("enrollment.my_learning")
    else:
        back_url = url_for("catalog.detail", offering_id=offering_id)
    if registration is None:
        flash(_("You have no registration to cancel."), "info")
        return redirect(back_url)
    if offering.status == OfferingStatus.PUBLISHED and not services.can_cancel(offering, utcnow()):
        flash(_("The offering has started; it can no longer be cancelled."), "error")
        return redirect(back_url)
    form = ConfirmActionForm()
    if form.confirmed():
        with unit_of_work() as work:
            services.cancel(registration)
        if work.ok:
            flash(_("Your registration is cancelled."), "success")
        return redirect(back_url)
    waiting = registration.status == RegistrationStatus.WAITLISTED
    if waiting:
        confirmation = Confirmation(
            title=_("Leave the waitlist?"),
            consequences=[
                _(
                    "You give up your place: number %(position)s on the waitlist.",
                    position=services.waitlist_position(registration),
                ),
                _("If you join again later, you join at the end of the waitlist."),
            ],
            button=_("Leave the waitlist"),
            keep_label=_("Stay on the waitlist"),
            keep_url=back_url,
        )
    else:
        confirmation = Confirmation(
            title=_("Cancel your registration?"),
            consequences=[
                _("You give up your seat; it goes to the next person on the waitlist, if any."),
                _("If you change your mind, you can register again only while a seat is free."),
            ],
            button=_("Cancel my registration"),
            keep_label=_("Keep my seat"),
            keep_url=back_url,
        )
    confirmation = replace(
        confirmation,
        subject=offering.title,
        hidden=(("next", "learning"),) if from_learning else (),
    )
    return render_confirmation(form, confirmation)


@bp.get("/me/learning")
@requires("use_account")
def my_learning():
    return render_template(
        "enrollment/my_learning.html",
        overview=learning.overview(
            current_user, utcnow(), past_page=request.args.get("past", 1, type=int)
        ),
        form=ConfirmForm(),
    )


@bp.get("/me/learning/<id:offering_id>")
@requires("use_account")
def my_offering(offering_id: int):
    """All sessions of one offering a person is in, with their attendance."""
    registration = learning.registration_of(current_user, offering_id)
    # One the site admins unpublished is a draft the person is still registered for.
    if registration is None or (
        registration.offering.status == OfferingStatus.DRAFT
        and registration.offering.unpublished_at is None
    ):
        abort(404)
    marks = learning.sessions_of(registration)
    now = utcnow()
    return render_template(
        "enrollment/my_offering.html",
        registration=registration,
        offering=registration.offering,
        marks=marks,
        attended=sum(1 for mark in marks if mark.present),
        position=services.waitlist_position(registration)
        if registration.status == RegistrationStatus.WAITLISTED
        else None,
        now=now,
        your_answers=question_services.own_answers(registration, current_language()),
        answers_editable=question_services.can_edit_answers(registration.offering, now),
        form=ConfirmForm(),
        checkin_qr=_checkin_qr(registration),
        # A certificate exists only once the offering is over.
        certificate=completion.issued_for(current_user, [offering_id]).get(offering_id)
        if registration.offering.is_past(now)
        else None,
    )


def _checkin_qr(registration) -> Markup | None:
    """The confirmed person's QR code for the door; SVG that segno drew from our own payload."""
    offering = registration.offering
    if (
        registration.status != RegistrationStatus.CONFIRMED
        or not offering.has_door  # online: no door to show it at
        or offering.status != OfferingStatus.PUBLISHED
        or offering.last_end is None
        or offering.last_end < utcnow()  # nothing left to come to
    ):
        return None
    return Markup(checkin.qr_svg(checkin.qr_payload(registration)))


# Organizers -------------------------------------------------------------------------------


@bp.get("/workspace/offerings/<id:offering_id>/attendees")
@requires("view_offering", Offering)
def attendees(offering: Offering):
    return render_template(
        "enrollment/attendees.html",
        offering=offering,
        attendees=learning.attendee_list(offering),
        answers=question_services.answer_table(offering, current_language()),
    )


@bp.get("/workspace/offerings/<id:offering_id>/attendees.csv")
@requires("view_offering", Offering)
def attendees_csv(offering: Offering):
    language = current_language()
    answers = question_services.answer_table(offering, language)
    header = [
        _("Name"),
        _("Email"),
        _("Status"),
        _("Waitlist position"),
        _("Registered at"),
        _("Sessions attended"),
        *(question.label(language) for question in answers.questions),
    ]
    rows = [
        [
            row.person.display_name,
            row.person.email,
            _("Confirmed") if row.position is None else _("Waitlist"),
            row.position or "",
            format_moment(row.registration.created_at, offering.timezone),
            row.attended,
            *(cell.text if cell else "" for cell in answers.row(row.registration.id)),
        ]
        for row in learning.attendee_list(offering)
    ]
    return csv_download([header, *rows], f"attendees-{offering.id}.csv")


@bp.route(
    "/workspace/offerings/<id:offering_id>/sessions/<id:session_id>/attendance",
    methods=["GET", "POST"],
)
@requires("edit_offering", Offering)
def attendance(offering: Offering, session_id: int):
    session = next((s for s in offering.sessions if s.id == session_id), None)
    if session is None or session.status != SessionStatus.SCHEDULED:
        abort(404)
    form = AttendanceForm()
    if form.validate_on_submit():
        with unit_of_work(form):
            services.mark_attendance(session, set(form.present.data))
            flash(_("Attendance is saved."), "success")
            return redirect(url_for("enrollment.attendees", offering_id=offering.id))
    return render_template(
        "enrollment/attendance.html",
        offering=offering,
        session=session,
        rows=learning.attendance_sheet(session),
        form=form,
    ), 422 if form.is_submitted() else 200


# Check-in at the door ---------------------------------------------------------------------

_CAMERA_ALLOWED = "camera=(self), microphone=(), geolocation=()"


def _scheduled_session(offering: Offering, session_id: int):
    session = next((s for s in offering.sessions if s.id == session_id), None)
    if session is None or session.status != SessionStatus.SCHEDULED:
        abort(404)
    return session


def _checkin_page(offering, session, form, status=200, result=None):
    query = request.args.get("q", "").strip()[:100]
    present, confirmed = checkin.counts(session)
    response = make_response(
        render_template(
            "enrollment/checkin.html",
            offering=offering,
            session=session,
            form=form,
            tap_form=CheckInPersonForm(formdata=None),
            rows=learning.door_list(session, query),
            query=query,
            present=present,
            confirmed=confirmed,
            result=result,
            opens_at=session.starts_at - checkin.OPENS_BEFORE,
            now=utcnow(),
        ),
        status,
    )
    # The only page that may use the camera: the scanner reads QR codes from it.
    response.headers["Permissions-Policy"] = _CAMERA_ALLOWED
    return response


@bp.route(
    "/workspace/offerings/<id:offering_id>/sessions/<id:session_id>/checkin",
    methods=["GET", "POST"],
)
@requires("check_in", Offering)
def checkin_page(offering: Offering, session_id: int):
    """The door: scan a QR code, type a code, or tap a name."""
    session = _scheduled_session(offering, session_id)
    form = CheckInForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            result = checkin.check_in(session, form.code.data)
            if result.ok:
                flash(checkin.describe(result, offering.timezone), "success")
        if work.ok and result.ok:
            return redirect(
                url_for(
                    ".checkin_page",
                    offering_id=offering.id,
                    session_id=session.id,
                    q=request.args.get("q") or None,
                ),
                303,
            )
        if work.ok:
            form.code.errors = [*form.code.errors, checkin.describe(result, offering.timezone)]
    return _checkin_page(offering, session, form, 422 if form.is_submitted() else 200)


@bp.post("/workspace/offerings/<id:offering_id>/sessions/<id:session_id>/checkin/person")
@requires("check_in", Offering)
def checkin_person(offering: Offering, session_id: int):
    """A tap on a name in the list."""
    session = _scheduled_session(offering, session_id)
    form = CheckInPersonForm()
    if not form.validate_on_submit():
        abort(422)
    registration = db.session.get(Registration, form.registration.data)
    if registration is None or registration.offering_id != offering.id:
        abort(404)
    with unit_of_work() as work:
        result = checkin.check_in_registration(session, registration)
        flash(checkin.describe(result, offering.timezone), "success" if result.ok else "error")
    back = url_for(
        ".checkin_page",
        offering_id=offering.id,
        session_id=session.id,
        q=request.args.get("q") or None,
    )
    return redirect(f"{back}#person-{registration.id}" if work.ok else back, 303)


@bp.post("/workspace/offerings/<id:offering_id>/sessions/<id:session_id>/checkin.json")
@requires("check_in", Offering)
def checkin_json(offering: Offering, session_id: int):
    """The scanner's check-in: the result for the page to show (CSRF token in X-CSRFToken)."""
    session = _scheduled_session(offering, session_id)
    form = CheckInForm(meta={"csrf": False})  # the CSRF check ran before the view (header)
    if not form.validate():
        return jsonify(ok=False, outcome="invalid", message=_("Type the code.")), 422
    with unit_of_work() as work:
        result = checkin.check_in(session, form.code.data)
    if not work.ok:
        return jsonify(
            ok=False, outcome="closed", message=str(work.error.message)
        ), work.error.status
    present, confirmed = checkin.counts(session)
    return jsonify(
        ok=result.ok,
        outcome=str(result.outcome),
        message=checkin.describe(result, offering.timezone),
        registration=result.registration.id if result.ok else None,
        name=result.registration.person.display_name if result.ok else None,
        state=_("Checked in at %(time)s", time=format_clock(result.marked_at, offering.timezone))
        if result.ok
        else None,
        present=present,
        confirmed=confirmed,
        counts=_("Checked in: %(present)s of %(confirmed)s", present=present, confirmed=confirmed),
    ), 200 if result.ok else 422
