"""Queries behind the public pages."""

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import selectinload

from learning_platform.extensions import db
from learning_platform.models import (
    Offering,
    OfferingSession,
    OfferingStatus,
    Partner,
    SessionStatus,
    utcnow,
)
from learning_platform.models.offering import offering_cohost


def upcoming_for_partner(partner: Partner) -> list[Offering]:
    """Published offerings the partner runs or co-hosts that have a session still to come."""
    now = utcnow()
    cohosted = exists().where(
        offering_cohost.c.offering_id == Offering.id, offering_cohost.c.partner_id == partner.id
    )
    upcoming = exists().where(
        OfferingSession.offering_id == Offering.id,
        OfferingSession.status == SessionStatus.SCHEDULED,
        OfferingSession.ends_at > now,
    )
    offerings = db.session.scalars(
        select(Offering)
        .where(
            Offering.status == OfferingStatus.PUBLISHED,
            or_(Offering.partner_id == partner.id, cohosted),
            upcoming,
        )
        .options(
            selectinload(Offering.sessions),
            selectinload(Offering.partner),
            selectinload(Offering.cohosts),
        )
    ).all()
    return sorted(offerings, key=lambda o: o.first_start or now)


def public_offering(offering_id: int) -> Offering | None:
    """A published or cancelled offering; drafts are never public."""
    return db.session.scalar(
        select(Offering)
        .where(
            Offering.id == offering_id,
            Offering.status.in_([OfferingStatus.PUBLISHED, OfferingStatus.CANCELLED]),
        )
        .options(
            selectinload(Offering.sessions),
            selectinload(Offering.themes),
            selectinload(Offering.cohosts),
            selectinload(Offering.partner),
        )
    )
