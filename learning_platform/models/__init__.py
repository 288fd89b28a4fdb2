"""The data model; import models from here."""

from learning_platform.models.base import Base, UTCDateTime, utcnow
from learning_platform.models.outbox import OutboxMessage
from learning_platform.models.partner import Membership, MembershipRole, Partner, PartnerKind
from learning_platform.models.person import AccountToken, LoginSession, Person
from learning_platform.models.theme import Theme

__all__ = [
    "AccountToken",
    "Base",
    "LoginSession",
    "Membership",
    "MembershipRole",
    "OutboxMessage",
    "Partner",
    "PartnerKind",
    "Person",
    "Theme",
    "UTCDateTime",
    "utcnow",
]
