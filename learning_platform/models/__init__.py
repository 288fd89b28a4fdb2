"""The data model; import models from here."""

from learning_platform.models.base import Base, UTCDateTime, utcnow
from learning_platform.models.feed import FeedMark
from learning_platform.models.image import Image, ImageKind
from learning_platform.models.offering import (
    MAX_CAPACITY,
    MAX_SESSIONS,
    Attendance,
    Offering,
    OfferingFormat,
    OfferingKind,
    OfferingSession,
    OfferingStatus,
    Registration,
    RegistrationStatus,
    SessionStatus,
)
from learning_platform.models.outbox import OutboxMessage, OutboxStatus
from learning_platform.models.partner import Membership, MembershipRole, Partner, PartnerKind
from learning_platform.models.person import AccountToken, LoginSession, Person, TokenPurpose
from learning_platform.models.theme import Theme

__all__ = [
    "MAX_CAPACITY",
    "MAX_SESSIONS",
    "AccountToken",
    "Attendance",
    "Base",
    "FeedMark",
    "Image",
    "ImageKind",
    "LoginSession",
    "Membership",
    "MembershipRole",
    "Offering",
    "OfferingFormat",
    "OfferingKind",
    "OfferingSession",
    "OfferingStatus",
    "OutboxMessage",
    "OutboxStatus",
    "Partner",
    "PartnerKind",
    "Person",
    "Registration",
    "RegistrationStatus",
    "SessionStatus",
    "Theme",
    "TokenPurpose",
    "UTCDateTime",
    "utcnow",
]
