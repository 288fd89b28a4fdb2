"""Partner rules: proposing, approving and who organises for whom."""

import re
import unicodedata

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from learning_platform.accounts.services import find_person
from learning_platform.extensions import db
from learning_platform.models import Membership, MembershipRole, Partner, Person


class PartnerError(Exception):
    """A change to a partner that the rules refuse; the message is for the person."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


#: Words used by routes beside /partners/<slug>, never a partner's web name.
RESERVED_SLUGS = frozenset({"propose", "new", "admin"})


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:80].strip("-")


def _unique_slug(slug: str, partner: Partner | None = None) -> str:
    if not slug:
        raise PartnerError("slug", _("Enter a short web name using a–z, 0–9 and hyphens."))
    clash = db.session.scalar(select(Partner).where(Partner.slug == slug))
    if slug in RESERVED_SLUGS or (clash is not None and clash is not partner):
        raise PartnerError("slug", _("Another partner already uses this web name."))
    return slug


def save_partner(partner: Partner, data: dict) -> Partner:
    """Copy the form's fields onto `partner` (new or existing). :raise PartnerError:"""
    slug = data.get("slug") or partner.slug or slugify(data["name"])
    partner.slug = _unique_slug(slug, partner)
    partner.name = data["name"]
    partner.kind = data["kind"]
    partner.description = data.get("description") or ""
    partner.website = data.get("website") or ""
    partner.timezone = data["timezone"]
    db.session.add(partner)
    db.session.flush()
    return partner


def propose_partner(person: Person, data: dict) -> Partner:
    """A person proposes an organisation; it waits for an admin, with them as manager."""
    partner = save_partner(Partner(approved=False), data)
    db.session.add(Membership(person=person, partner=partner, role=MembershipRole.MANAGER.value))
    return partner


def add_member(partner: Partner, email: str, role: str) -> Membership:
    """:raise PartnerError: when nobody has this address or they are already a member."""
    person = find_person(email)
    if person is None:
        raise PartnerError(
            "email", _("No account uses this address. Ask the person to sign up first.")
        )
    existing = db.session.scalar(
        select(Membership).where(
            Membership.partner_id == partner.id, Membership.person_id == person.id
        )
    )
    if existing is not None:
        raise PartnerError("email", _("This person is already a member of this partner."))
    membership = Membership(person=person, partner=partner, role=role)
    db.session.add(membership)
    db.session.flush()
    return membership


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


def is_member(person: Person, partner: Partner) -> bool:
    if not person.is_authenticated:
        return False
    return (
        db.session.scalar(
            select(Membership.id).where(
                Membership.partner_id == partner.id, Membership.person_id == person.id
            )
        )
        is not None
    )
