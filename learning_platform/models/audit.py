"""The audit trail: every change an organizer or a site admin makes, with its before/after."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learning_platform.models.base import Base, utcnow
from learning_platform.models.person import Person


class AuditAction(enum.StrEnum):
    """What was done. Stored as its value; a new action needs no migration (no CHECK: the
    trail must never refuse to record, and `audit.record` accepts only these members)."""

    OFFERING_CREATED = "offering.created"
    OFFERING_EDITED = "offering.edited"
    OFFERING_PUBLISHED = "offering.published"
    OFFERING_CANCELLED = "offering.cancelled"
    OFFERING_DELETED = "offering.deleted"
    OFFERING_DUPLICATED = "offering.duplicated"
    #: A site admin took a published offering out of the catalog, with a reason.
    OFFERING_UNPUBLISHED = "offering.unpublished"
    OFFERING_COVER_CHANGED = "offering.cover_changed"
    SESSION_ADDED = "session.added"
    SESSION_CHANGED = "session.changed"
    SESSION_CANCELLED = "session.cancelled"
    SESSION_REMOVED = "session.removed"
    SESSIONS_IMPORTED = "session.imported"
    ATTENDANCE_MARKED = "attendance.marked"
    COMPLETION_RULE_CHANGED = "completion.rule_changed"
    CERTIFICATES_ISSUED = "certificate.issued_all"
    CERTIFICATE_ISSUED = "certificate.issued"
    CERTIFICATE_WITHHELD = "certificate.withheld"
    QUESTION_ADDED = "question.added"
    QUESTION_CHANGED = "question.changed"
    QUESTION_REMOVED = "question.removed"
    QUESTION_MOVED = "question.moved"
    MESSAGE_SENT = "message.sent"
    MEMBER_ADDED = "member.added"
    MEMBER_REMOVED = "member.removed"
    MEMBER_ROLE_CHANGED = "member.role_changed"
    PARTNER_PROPOSED = "partner.proposed"
    PARTNER_CREATED = "partner.created"
    PARTNER_EDITED = "partner.edited"
    PARTNER_APPROVED = "partner.approved"
    PARTNER_HIDDEN = "partner.hidden"
    PARTNER_LOGO_CHANGED = "partner.logo_changed"
    ACCOUNT_DISABLED = "account.disabled"
    ACCOUNT_ENABLED = "account.enabled"
    CONFIRMATION_RESENT = "account.confirmation_resent"
    MAIL_RETRIED = "mail.retried"
    PAGE_EDITED = "page.edited"
    SETTING_CHANGED = "setting.changed"
    THEME_EDITED = "theme.edited"


class AuditEvent(Base):
    """One recorded change. Rows are only ever added: nothing in the app edits or deletes them.

    Names and labels are copied when the change is made, so the trail still reads right after
    an offering is renamed or deleted or an account is deleted (the ids are then kept or
    cleared, never reused for something else).
    """

    __tablename__ = "audit_event"
    __table_args__ = (
        # The admin's list (newest first, optionally by action or actor) and a partner's own.
        Index(None, "at"),
        Index("ix_audit_event_partner_at", "partner_id", "at"),
        Index("ix_audit_event_action_at", "action", "at"),
        Index("ix_audit_event_actor_at", "actor_id", "at"),
        Index("ix_audit_event_offering_at", "offering_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Who made the change; empty for the system (a CLI command, a worker).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    #: The actor's name and address when they made it.
    actor_name: Mapped[str] = mapped_column(String(100), default="")
    actor_email: Mapped[str] = mapped_column(String(254), default="")
    #: Whether the actor acted as a site admin rather than as a member of the partner.
    actor_is_admin: Mapped[bool] = mapped_column(default=False)
    action: Mapped[str] = mapped_column(String(40))
    #: What was changed: "offering", "session", "partner", "membership", "person", "message",
    #: "outbox", "page", "question", "setting"; and its id and name at the time.
    target_type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int | None]
    target_label: Mapped[str] = mapped_column(String(300), default="")
    #: The partner whose trail this belongs to (its members see it); empty for site-wide changes.
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id", ondelete="SET NULL"))
    #: The offering it concerns, if any (its sessions, messages, questions included).
    offering_id: Mapped[int | None] = mapped_column(ForeignKey("offering.id", ondelete="SET NULL"))
    #: {field: [before, after]} of the fields that changed, as JSON values.
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    #: The reason or note given with the change (a cancellation's reason, say).
    note: Mapped[str] = mapped_column(String(500), default="")

    actor: Mapped[Person | None] = relationship()

    @property
    def action_member(self) -> AuditAction | None:
        try:
            return AuditAction(self.action)
        except ValueError:
            return None
