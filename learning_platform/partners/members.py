"""Who organizes for a partner: its managers (and site admins) add and remove them."""

from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from learning_platform.boundary import unit_of_work
from learning_platform.extensions import db
from learning_platform.forms import (
    ConfirmActionForm,
    Confirmation,
    ConfirmForm,
    render_confirmation,
    render_form,
)
from learning_platform.models import Membership, MembershipRole, Partner
from learning_platform.partners import forms, services
from learning_platform.policy import requires

bp = Blueprint("members", __name__, url_prefix="/workspace/<slug>/members")


@bp.route("/", methods=["GET", "POST"])
@requires("manage_members", Partner)
def index(partner: Partner):
    form = forms.MemberForm()
    if form.validate_on_submit():
        with unit_of_work(form):
            membership = services.add_member(partner, form.email.data, form.role.data)
            flash(
                _(
                    "%(person)s now organizes for %(partner)s.",
                    person=membership.person.display_name,
                    partner=partner.name,
                ),
                "success",
            )
            return redirect(url_for("members.index", slug=partner.slug))
    memberships = services.members(partner)
    return render_form(
        "workspace/members.html",
        form,
        partner=partner,
        memberships=memberships,
        only_managers=services.only_managers(memberships),
        remove_form=ConfirmForm(),
        role_labels=forms.ROLE_LABELS,
    )


def _membership(partner: Partner, membership_id: int) -> Membership:
    membership = db.session.scalar(
        select(Membership).where(
            Membership.id == membership_id, Membership.partner_id == partner.id
        )
    )
    if membership is None:
        abort(404)
    return membership


@bp.post("/<id:membership_id>/role")
@requires("manage_members", Partner)
def role(partner: Partner, membership_id: int):
    """Organizer ↔ manager; a manager giving up their own right to manage confirms first."""
    membership = _membership(partner, membership_id)
    form = forms.RoleForm()
    if not form.validate():
        abort(400)
    new_role = MembershipRole(form.role.data)
    demotes_self = (
        membership.person_id == current_user.id
        and membership.role == MembershipRole.MANAGER
        and new_role != MembershipRole.MANAGER
    )
    if new_role != MembershipRole.MANAGER and services.is_only_manager(membership):
        # Said before any confirmation: confirming would only be refused.
        flash(str(services.only_manager_message(membership)), "error")
        return redirect(url_for("members.index", slug=partner.slug))
    if demotes_self and not form.confirmed():
        return render_confirmation(
            form,
            Confirmation(
                title=_("Stop being a manager?"),
                subject=f"{membership.person.display_name} · {partner.name}",
                consequences=[
                    _("You stay an organizer: you keep publishing and changing offerings."),
                    _(
                        "You can no longer add or remove organizers or change their roles; another manager can make you a manager again."
                    ),
                ],
                button=_("Make me an organizer"),
                keep_label=_("Stay a manager"),
                keep_url=url_for("members.index", slug=partner.slug),
                hidden=(("role", new_role.value),),
            ),
        )
    name = membership.person.display_name
    with unit_of_work() as work:
        services.change_role(membership, new_role)
    if work.ok:
        flash(
            _(
                "%(person)s is now: %(role)s.",
                person=name,
                role=forms.ROLE_LABELS[new_role],
            ),
            "success",
        )
    if demotes_self and work.ok:
        return redirect(url_for("workspace.partner", slug=partner.slug))
    return redirect(url_for("members.index", slug=partner.slug))


@bp.post("/<id:membership_id>/remove")
@requires("manage_members", Partner)
def remove(partner: Partner, membership_id: int):
    membership = _membership(partner, membership_id)
    name = membership.person.display_name
    form = ConfirmActionForm()
    if not current_user.is_admin and services.is_only_manager(membership):
        flash(str(services.only_manager_message(membership)), "error")
        return redirect(url_for("members.index", slug=partner.slug))
    if not form.confirmed():
        return render_confirmation(form, _removal(partner, membership))
    with unit_of_work() as work:
        services.remove_member(membership, current_user)
    if work.ok:
        flash(
            _("%(person)s no longer organizes for %(partner)s.", person=name, partner=partner.name),
            "info",
        )
    return redirect(url_for("members.index", slug=partner.slug))


def _removal(partner: Partner, membership: Membership) -> Confirmation:
    """What removing `membership` means, said to the manager (or to the person themself)."""
    name = membership.person.display_name
    if membership.person_id == current_user.id:
        title, button, keep = _("Remove yourself?"), _("Remove me"), _("Stay an organizer")
        consequences = [
            _(
                "You can no longer open the workspace of %(partner)s or change its offerings.",
                partner=partner.name,
            ),
            _("Your account and your own registrations stay as they are."),
            _("A manager can add you again later."),
        ]
    else:
        title = _("Remove %(person)s?", person=name)
        button = _("Remove %(person)s", person=name)
        keep = _("Keep %(person)s", person=name)
        consequences = [
            _(
                "%(person)s can no longer open the workspace of %(partner)s or change its offerings.",
                person=name,
                partner=partner.name,
            ),
            _("Their account and their own registrations stay as they are."),
            _("A manager can add them again later."),
        ]
    return Confirmation(
        title=title,
        subject=f"{name} · {membership.person.email}",
        consequences=consequences,
        button=button,
        keep_label=keep,
        keep_url=url_for("members.index", slug=partner.slug),
    )
