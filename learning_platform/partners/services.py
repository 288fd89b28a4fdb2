"""Partner rules: proposing, approving and who organises for whom."""

import re
import unicodedata

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import contains_eager

from learning_platform.accounts.services import find_person
from learning_platform.audit.services import diff, record, snapshot
from learning_platform.boundary import DomainError, explain_constraint
from learning_platform.extensions import db
from learning_platform.languages import CONTENT_LANGUAGES
from learning_platform.models import AuditAction, Membership, MembershipRole, Partner, Person

_SLUG_TAKEN = _l("Another partner already uses this web name.")
_ALREADY_MEMBER = _l("This person is already a member of this partner.")
# Checked first for a clear message; the constraints decide when two requests race.
explain_constraint("uq_partner_slug", _SLUG_TAKEN, "slug")
explain_constraint("uq_membership_person_id", _ALREADY_MEMBER, "email")

#: Words used by routes beside /partners/<slug> and /workspace/<slug>, never a web name.
RESERVED_SLUGS = frozenset({"propose", "new", "admin", "offerings"})


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:80].strip("-")


def _allowed_slug(slug: str) -> str:
    if not slug:
        raise DomainError(_l("Enter a short web name using a–z, 0–9 and hyphens."), "slug")
    if slug in RESERVED_SLUGS:
        raise DomainError(_SLUG_TAKEN, "slug")
    return slug  # a slug in use fails on uq_partner_slug when flushed: _SLUG_TAKEN


#: The audit trail names each language's text: "name.ko", "description.th" …
_AUDITED_FIELDS = (
    "slug",
    "primary_language",
    *(f"{field}.{code}" for field in Partner.TRANSLATED for code in CONTENT_LANGUAGES),
    "kind",
    "website",
    "timezone",
)


def _texts(data: dict) -> dict[str, dict[str, str]]:
    """{language: {field: text}} from the form's data: "name_th", "city_ko" …"""
    return {
        code: {field: (data.get(f"{field}_{code}") or "").strip() for field in Partner.TRANSLATED}
        for code in CONTENT_LANGUAGES
    }


def _slug_source(texts: dict[str, dict[str, str]], primary: str) -> str:
    """The name a web name is made from: the English one if written, else the primary one."""
    return texts["en"]["name"] or texts[primary]["name"]


def save_partner(partner: Partner, data: dict, *, audit: bool = True) -> Partner:
    """Copy the form's fields onto `partner` (new or existing): its texts in each language
    ("name_ko", "name_th" …), the primary one's name required. :raise DomainError:"""
    created = partner.id is None
    before = {} if created else snapshot(partner, _AUDITED_FIELDS)
    primary = data.get("primary_language") or partner.primary_language or "en"
    if primary not in CONTENT_LANGUAGES:
        raise DomainError(_l("Choose one of the languages offered."), "primary_language")
    texts = _texts(data)
    if not texts[primary]["name"]:
        raise DomainError(
            _l("Enter the organisation's name in its primary language."), f"name_{primary}"
        )
    slug = data.get("slug") or partner.slug or slugify(_slug_source(texts, primary))
    partner.slug = _allowed_slug(slug)
    if created:
        partner.primary_language = primary
        partner.translations = {}
    else:
        partner.change_primary_language(primary)
    for code, values in texts.items():
        partner.set_texts(code, values)
    partner.kind = data["kind"]
    partner.website = data.get("website") or ""
    partner.timezone = data["timezone"]
    db.session.add(partner)
    db.session.flush()
    if audit:
        changes = _changes(before, partner)
        if created:
            record(AuditAction.PARTNER_CREATED, partner, changes=changes)
        elif changes:
            record(AuditAction.PARTNER_EDITED, partner, changes=changes)
    return partner


def _changes(before: dict, partner: Partner) -> dict[str, list]:
    """What the audit trail records; languages not written stay out of a creation's entry."""
    changes = diff(before, snapshot(partner, _AUDITED_FIELDS))
    return {
        field: values
        for field, values in changes.items()
        if "." not in field or values != [None, ""]
    }


def approve(partner: Partner) -> None:
    if not partner.approved:
        partner.approved = True
        record(AuditAction.PARTNER_APPROVED, partner, changes={"approved": [False, True]})


def hide(partner: Partner) -> None:
    """Out of the catalog until approved again; its organizers keep their workspace."""
    if partner.approved:
        partner.approved = False
        record(AuditAction.PARTNER_HIDDEN, partner, changes={"approved": [True, False]})


def propose_partner(person: Person, data: dict) -> Partner:
    """A person proposes an organisation; it waits for an admin, with them as manager."""
    partner = save_partner(Partner(approved=False, proposed_by_id=person.id), data, audit=False)
    db.session.add(Membership(person=person, partner=partner, role=MembershipRole.MANAGER))
    db.session.flush()
    record(
        AuditAction.PARTNER_PROPOSED,
        partner,
        changes=_changes({}, partner),
        actor=person,
    )
    return partner


def add_member(partner: Partner, email: str, role: MembershipRole) -> Membership:
    """:raise DomainError: when nobody has this address or they are already a member."""
    person = find_person(email)
    if person is None:
        raise DomainError(
            _l("No account uses this address. Ask the person to sign up first."), "email"
        )
    membership = Membership(person=person, partner=partner, role=role)
    db.session.add(membership)
    db.session.flush()  # a second membership fails on uq_membership_person_id: _ALREADY_MEMBER
    record(
        AuditAction.MEMBER_ADDED, membership, changes={"role": [None, MembershipRole(role).value]}
    )
    return membership


def _refuse_last_manager(membership: Membership) -> None:
    """:raise DomainError: when `membership` is the partner's only manager."""
    # The partner's row lock: two managers removing (or demoting) each other at the same
    # moment count one after the other, so one of them is refused.
    db.session.execute(
        update(Partner)
        .where(Partner.id == membership.partner_id)
        .values(id=Partner.id)
        .execution_options(synchronize_session=False)
    )
    if is_only_manager(membership):
        raise DomainError(only_manager_message(membership))


def only_manager_message(membership: Membership):
    return _l(
        "%(name)s is the only manager: add another manager first.",
        name=membership.person.display_name,
    )


def _can_log_in(person: Person) -> bool:
    return person.disabled_at is None and person.deleted_at is None


def is_only_manager(membership: Membership) -> bool:
    """Whether `membership` is a manager and no other manager of its partner can log in."""
    if membership.role != MembershipRole.MANAGER:
        return False
    # Only a manager who can log in counts: a disabled or deleted account adds no one.
    others = db.session.scalar(
        select(func.count())
        .select_from(Membership)
        .join(Person, Person.id == Membership.person_id)
        .where(
            Membership.partner_id == membership.partner_id,
            Membership.role == MembershipRole.MANAGER,
            Membership.id != membership.id,
            Person.disabled_at.is_(None),
            Person.deleted_at.is_(None),
        )
    )
    return not others


def only_managers(memberships: list[Membership]) -> set[int]:
    """The ids of the memberships (all of one partner, people loaded) that are its only
    manager, by the rule of `is_only_manager`, without another statement."""
    managers = [m for m in memberships if m.role == MembershipRole.MANAGER]
    able = {m.id for m in managers if _can_log_in(m.person)}
    return {m.id for m in managers if not able - {m.id}}


def remove_member(membership: Membership, by: Person) -> None:
    """:raise DomainError: for the last manager, unless a site admin removes them (a partner
    without a manager has nobody left to add organizers)."""
    if membership.role == MembershipRole.MANAGER and not by.is_admin:
        _refuse_last_manager(membership)
    record(
        AuditAction.MEMBER_REMOVED,
        membership,
        changes={"role": [membership.role.value, None]},
    )
    db.session.delete(membership)
    db.session.flush()


def change_role(membership: Membership, role: MembershipRole) -> None:
    """Make an organizer a manager or a manager an organizer.

    :raise DomainError: for the partner's last manager (even for a site admin: a partner
        keeps someone who can add organizers; add another manager first).
    """
    if membership.role == role:
        return
    if membership.role == MembershipRole.MANAGER:
        _refuse_last_manager(membership)
    before = membership.role.value
    membership.role = role
    db.session.flush()
    record(AuditAction.MEMBER_ROLE_CHANGED, membership, changes={"role": [before, role.value]})


def members(partner: Partner) -> list[Membership]:
    return list(
        db.session.scalars(
            select(Membership)
            .join(Membership.person)
            .options(contains_eager(Membership.person))
            .where(Membership.partner_id == partner.id)
            .order_by(Person.display_name)
        )
    )
