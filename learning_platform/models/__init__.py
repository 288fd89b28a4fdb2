"""The data model; import models from here."""

from learning_platform.models.audit import AuditAction, AuditEvent
from learning_platform.models.base import Base, UTCDateTime, utcnow
from learning_platform.models.certificate import (
    MAX_CERTIFICATE_NOTE,
    Certificate,
    CertificateStatus,
    certificate_number,
)
from learning_platform.models.feed import FeedMark
from learning_platform.models.image import Image, ImageKind
from learning_platform.models.message import (
    MAX_MESSAGE_BODY,
    MAX_MESSAGE_SUBJECT,
    Audience,
    ParticipantMessage,
)
from learning_platform.models.offering import (
    MAX_CAPACITY,
    MAX_REASON,
    MAX_SESSIONS,
    Attendance,
    Offering,
    OfferingFormat,
    OfferingKind,
    OfferingSession,
    OfferingStatus,
    Registration,
    RegistrationStatus,
    ReminderLead,
    ReminderSent,
    SessionStatus,
    public_status,
)
from learning_platform.models.outbox import OutboxMessage, OutboxStatus
from learning_platform.models.partner import Membership, MembershipRole, Partner, PartnerKind
from learning_platform.models.person import AccountToken, LoginSession, Person, TokenPurpose
from learning_platform.models.question import Answer, Question, QuestionKind
from learning_platform.models.search import OfferingSearch
from learning_platform.models.site import AGREED_PAGES, Consent, PageSlug, SitePage, SitePageText
from learning_platform.models.theme import Theme

__all__ = [
    "AGREED_PAGES",
    "MAX_CAPACITY",
    "MAX_CERTIFICATE_NOTE",
    "MAX_MESSAGE_BODY",
    "MAX_MESSAGE_SUBJECT",
    "MAX_REASON",
    "MAX_SESSIONS",
    "AccountToken",
    "Answer",
    "Attendance",
    "Audience",
    "AuditAction",
    "AuditEvent",
    "Base",
    "Certificate",
    "CertificateStatus",
    "Consent",
    "FeedMark",
    "Image",
    "ImageKind",
    "LoginSession",
    "Membership",
    "MembershipRole",
    "Offering",
    "OfferingFormat",
    "OfferingKind",
    "OfferingSearch",
    "OfferingSession",
    "OfferingStatus",
    "OutboxMessage",
    "OutboxStatus",
    "PageSlug",
    "ParticipantMessage",
    "Partner",
    "PartnerKind",
    "Person",
    "Question",
    "QuestionKind",
    "Registration",
    "RegistrationStatus",
    "ReminderLead",
    "ReminderSent",
    "SessionStatus",
    "SitePage",
    "SitePageText",
    "Theme",
    "TokenPurpose",
    "UTCDateTime",
    "certificate_number",
    "public_status",
    "utcnow",
]
