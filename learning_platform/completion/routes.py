"""The completion page of an offering in the workspace: the rule, the review, issuing."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from learning_platform.boundary import unit_of_work
from learning_platform.completion import services
from learning_platform.completion.forms import DecisionForm, IssueAllForm, RuleForm
from learning_platform.extensions import db
from learning_platform.forms import Confirmation, render_confirmation
from learning_platform.models import CertificateStatus, Offering, Registration
from learning_platform.policy import requires

bp = Blueprint("completion", __name__)


def _page(offering, rule_form=None, failed=None, status=200):
    """The page; `failed` is (registration id, its bound decision form) that was refused."""
    review = services.review(offering)
    forms = {}
    for row in review.rows:
        ident = row.registration.id
        if failed and failed[0] == ident:
            forms[ident] = failed[1]
        else:
            forms[ident] = DecisionForm(formdata=None, prefix=f"r{ident}")
    return render_template(
        "completion/review.html",
        offering=offering,
        review=review,
        State=services.State,
        rule_form=rule_form or RuleForm(formdata=None, percent=offering.completion_percent),
        issue_form=IssueAllForm(formdata=None),
        decision_forms=forms,
    ), status


def _here(offering):
    return redirect(url_for("completion.review", offering_id=offering.id))


@bp.route("/workspace/offerings/<id:offering_id>/completion", methods=["GET", "POST"])
@requires("review_completion", Offering)
def review(offering: Offering):
    form = RuleForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            services.set_rule(offering, form.percent.data)
            flash(_("The completion rule is saved."), "success")
        if work.ok:
            return _here(offering)
    if form.is_submitted():
        return _page(offering, rule_form=form, status=422)
    return _page(offering)


@bp.post("/workspace/offerings/<id:offering_id>/completion/issue")
@requires("review_completion", Offering)
def issue_all(offering: Offering):
    form = IssueAllForm()
    if not services.has_ended(offering):
        flash(_("Certificates can be issued once the last session has ended."), "error")
        return _here(offering)
    if not form.confirmed():
        count = len(services.review(offering).to_issue)
        return render_confirmation(
            form,
            Confirmation(
                title=_("Issue certificates?"),
                subject=offering.title,
                consequences=[
                    ngettext(
                        "%(num)s person who meets the rule gets a certificate with a number.",
                        "%(num)s people who meet the rule get a certificate with a number.",
                        count,
                    ),
                    _("Their certificate shows in their learning."),
                    _("People you decided on by hand are left as they are."),
                ],
                button=_("Issue certificates"),
                keep_label=_("Not now"),
                keep_url=url_for("completion.review", offering_id=offering.id),
                tone="neutral",
            ),
        )
    with unit_of_work():
        count = services.issue_all(offering, current_user)
        if count:
            flash(
                ngettext(
                    "%(num)s certificate is issued.", "%(num)s certificates are issued.", count
                ),
                "success",
            )
        else:
            flash(_("Nobody else meets the rule: no certificate was issued."), "info")
    return _here(offering)


@bp.post("/workspace/offerings/<id:offering_id>/completion/<id:registration_id>")
@requires("review_completion", Offering)
def decide(offering: Offering, registration_id: int):
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.offering_id != offering.id:
        abort(404)
    form = DecisionForm(prefix=f"r{registration_id}")
    if form.validate_on_submit():
        status = CertificateStatus(form.decision.data)
        with unit_of_work(form) as work:
            services.decide(registration, status, form.note.data, current_user)
            flash(
                _("The certificate is issued.")
                if status == CertificateStatus.ISSUED
                else _("The certificate is withheld."),
                "success",
            )
        if work.ok:
            return _here(offering)
        if work.error is not None and work.error.field is None:
            return _here(offering)
    return _page(offering, failed=(registration_id, form), status=422)
