"""Registration questions: the organizer's Questions page, and a person's own answers."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from learning_platform.boundary import unit_of_work
from learning_platform.enrollment import learning
from learning_platform.extensions import db
from learning_platform.forms import (
    ConfirmActionForm,
    Confirmation,
    ConfirmForm,
    render_confirmation,
    render_form,
)
from learning_platform.i18n import current_language
from learning_platform.models import Offering, OfferingStatus, Question, utcnow
from learning_platform.policy import requires
from learning_platform.questions import forms, services

bp = Blueprint("questions", __name__)

Q = "/workspace/offerings/<id:offering_id>/questions"


def _question(offering: Offering, question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or question.offering_id != offering.id or question.removed_at:
        abort(404)
    return question


def _to_list(offering: Offering):
    return redirect(url_for("questions.index", offering_id=offering.id))


@bp.get(Q)
@requires("view_offering", Offering)
def index(offering: Offering):
    return render_template(
        "workspace/questions.html",
        offering=offering,
        questions=services.questions_of(offering.id),
        kind_labels=forms.KIND_LABELS,
        form=ConfirmForm(),
    )


@bp.route(Q + "/new", methods=["GET", "POST"])
@requires("edit_offering", Offering)
def create(offering: Offering):
    form = forms.QuestionForm()
    if form.validate_on_submit():
        with unit_of_work(form):
            services.add_question(offering, form.question_data())
            flash(_("The question is added."), "success")
            return _to_list(offering)
    return render_form("workspace/question_form.html", form, offering=offering, question=None)


@bp.route(Q + "/<id:question_id>/edit", methods=["GET", "POST"])
@requires("edit_offering", Offering)
def edit(offering: Offering, question_id: int):
    question = _question(offering, question_id)
    form = forms.QuestionForm()
    if not form.is_submitted():
        form.fill_from(question)
    if form.validate_on_submit():
        with unit_of_work(form):
            services.save_question(question, form.question_data())
            flash(_("The question is saved."), "success")
            return _to_list(offering)
    return render_form("workspace/question_form.html", form, offering=offering, question=question)


@bp.post(Q + "/<id:question_id>/move")
@requires("edit_offering", Offering)
def move(offering: Offering, question_id: int):
    question = _question(offering, question_id)
    form = ConfirmForm()
    step = {"up": -1, "down": 1}.get(request.form.get("direction", ""))
    if step is None or not form.validate_on_submit():
        abort(400)
    with unit_of_work():
        services.move_question(question, step)
    return _to_list(offering)


@bp.post(Q + "/<id:question_id>/remove")
@requires("edit_offering", Offering)
def remove(offering: Offering, question_id: int):
    question = _question(offering, question_id)
    form = ConfirmActionForm()
    if not form.confirmed():
        return render_confirmation(
            form,
            Confirmation(
                title=_("Remove this question?"),
                subject=question.label(current_language()),
                consequences=[
                    _("People who register from now on are no longer asked it."),
                    _("Answers already given stay on the participants page and in the CSV."),
                ],
                button=_("Remove the question"),
                keep_label=_("Keep it"),
                keep_url=url_for("questions.index", offering_id=offering.id),
            ),
        )
    with unit_of_work() as work:
        services.remove_question(question)
    if work.ok:
        flash(_("The question is removed."), "success")
    return _to_list(offering)


# A person's own answers ---------------------------------------------------------------------


@bp.route("/me/learning/<id:offering_id>/answers", methods=["GET", "POST"])
@requires("use_account")
def answers(offering_id: int):
    registration = learning.registration_of(current_user, offering_id)
    if registration is None or registration.offering.status == OfferingStatus.DRAFT:
        abort(404)
    offering = registration.offering
    back = url_for("enrollment.my_offering", offering_id=offering.id)
    questions = services.questions_of(offering.id)
    if not questions:
        return redirect(back)
    if not services.can_edit_answers(offering, utcnow()):
        flash(_("The offering has started; answers can no longer be changed."), "error")
        return redirect(back)
    language = current_language()
    form = forms.answer_form(questions, language)
    if not form.is_submitted():
        forms.fill_answers(form, questions, services.answers_of(registration))
    if form.validate_on_submit():
        with unit_of_work(form):
            services.save_answers(registration, questions, forms.answer_values(form, questions))
            flash(_("Your answers are saved."), "success")
            return redirect(back)
    return render_form(
        "enrollment/answers.html",
        form,
        offering=offering,
        questions=questions,
        action=url_for("questions.answers", offering_id=offering.id),
        button=_("Save my answers"),
        back=back,
    )
