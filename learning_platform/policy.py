"""Who may do what: the one policy every view, template and API asks.

`can(person, action, target)` answers from the person's memberships, which the user loader
loads with the person. The roles:

- anonymous: public pages only;
- citizen (any confirmed account): enroll, propose a partner, their own account;
- organizer of a partner: its workspace, and its own offerings, to change;
- co-host: an organizer of a partner that co-hosts an offering sees it, read only;
- manager of a partner: what an organizer may, and adds or removes its organizers;
- site admin: everything.

Views declare what they need with `@requires(action, Model)`: it loads the target from the
URL, answers 404 when the person may not even know the target exists (another partner's
offering) and 403 when they may see but not do (a co-host editing, a citizen in the workspace).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from flask import abort, current_app
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from learning_platform.extensions import db
from learning_platform.models import MembershipRole, Offering, Partner, Person


def _admin(person: Person) -> bool:
    return bool(person.is_authenticated and person.is_admin)


def _roles(person: Person) -> dict[int, MembershipRole]:
    """The person's role in each partner, from the memberships loaded with them."""
    if not person.is_authenticated:
        return {}
    return {membership.partner_id: membership.role for membership in person.memberships}


def _member(person: Person, partner: Partner) -> bool:
    return _admin(person) or partner.id in _roles(person)


def _manager(person: Person, partner: Partner) -> bool:
    return _admin(person) or _roles(person).get(partner.id) == MembershipRole.MANAGER


def _owner(person: Person, offering: Offering) -> bool:
    return _admin(person) or offering.partner_id in _roles(person)


def _owner_or_cohost(person: Person, offering: Offering) -> bool:
    roles = _roles(person)
    return _owner(person, offering) or any(cohost.id in roles for cohost in offering.cohosts)


@dataclass(frozen=True)
class Rule:
    allowed: Callable[[Person, object], bool]
    #: Whether the person may know the target exists; if not, 404 rather than 403.
    visible: Callable[[Person, object], bool] | None = None
    #: An action the person needs first (the workspace for its pages), else 403.
    within: str | None = None


RULES: dict[str, Rule] = {
    # Site administration: partners, approvals. A partner's admin pages refuse before the
    # partner is looked up, so they do not tell a hidden partner's name from a made-up one.
    "administer": Rule(lambda person, _target: _admin(person)),
    "administer_partner": Rule(lambda person, _partner: _admin(person), within="administer"),
    # A citizen's own things.
    "use_account": Rule(lambda person, _target: bool(person.is_authenticated)),
    "enroll": Rule(lambda person, _target: bool(person.is_authenticated)),
    "propose_partner": Rule(lambda person, _target: bool(person.is_authenticated)),
    # The organizer workspace.
    "use_workspace": Rule(lambda person, _target: _admin(person) or bool(_roles(person))),
    "view_partner_workspace": Rule(_member, visible=_member, within="use_workspace"),
    "create_offering": Rule(_member, visible=_member, within="use_workspace"),
    # The partner's impact dashboard and its CSVs: its members (and site admins).
    "view_dashboard": Rule(_member, visible=_member, within="use_workspace"),
    "manage_members": Rule(_manager, visible=_member, within="use_workspace"),
    # The partner's own audit trail: every organizer and manager reads it.
    "view_activity": Rule(_member, visible=_member, within="use_workspace"),
    # The partner's face on public pages: its logo.
    "change_logo": Rule(_manager, visible=_member, within="use_workspace"),
    "view_offering": Rule(_owner_or_cohost, visible=_owner_or_cohost, within="use_workspace"),
    "edit_offering": Rule(_owner, visible=_owner_or_cohost, within="use_workspace"),
    # Writing to an offering's participants: its owner's organizers; co-hosts read the history.
    "message_participants": Rule(_owner, visible=_owner_or_cohost, within="use_workspace"),
    "view_messages": Rule(_owner_or_cohost, visible=_owner_or_cohost, within="use_workspace"),
    # Check-in marks attendance: the owner's organizers (co-hosts see the lists, read-only).
    "check_in": Rule(_owner, visible=_owner_or_cohost, within="use_workspace"),
    # Completion (the rule, the review, issuing and withholding certificates): like marking
    # attendance, the owner's organizers; a co-host sees the offering, not this page.
    "review_completion": Rule(_owner, visible=_owner_or_cohost, within="use_workspace"),
    # Public pages.
    "view_partner": Rule(lambda person, partner: partner.approved or _member(person, partner)),
}


def can(person: Person, action: str, target: object = None) -> bool:
    """Whether `person` (anonymous included) may do `action` to `target`."""
    rule = RULES[action]  # an unknown action is a bug, not a "no"
    if rule.within and not can(person, rule.within):
        return False
    return rule.allowed(person, target)


# Views --------------------------------------------------------------------------------------


def _offering(values: dict) -> Offering:
    return db.get_or_404(
        Offering,
        values.pop("offering_id"),
        options=[selectinload(Offering.sessions), selectinload(Offering.cohosts)],
    )


def _partner(values: dict) -> Partner:
    return db.first_or_404(select(Partner).where(Partner.slug == values.pop("slug")))


#: How `requires` finds a target in the URL, and the name the view receives it under.
_LOADERS: dict[type, tuple[Callable[[dict], object], str]] = {
    Offering: (_offering, "offering"),
    Partner: (_partner, "partner"),
}


def requires(action: str, model: type | None = None):
    """The view needs a logged-in person who `can` do `action` (to the `model` row named in
    the URL, passed to the view in place of its id or slug)."""
    rule = RULES[action]

    def decorate(view):
        @wraps(view)
        def wrapped(**values):
            person = current_user
            if not person.is_authenticated:
                return current_app.login_manager.unauthorized()
            if rule.within and not can(person, rule.within):
                abort(403)
            target = None
            if model is not None:
                load, name = _LOADERS[model]
                target = load(values)
                if rule.visible is not None and not rule.visible(person, target):
                    abort(404)
                values[name] = target
            if not can(person, action, target):
                abort(403)
            return view(**values)

        return wrapped

    return decorate
