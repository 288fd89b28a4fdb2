"""The completion rule, the review and issuing. Services flush; the view commits once."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from learning_platform.audit.services import record
from learning_platform.boundary import DomainError, explain_constraint
from learning_platform.extensions import db
from learning_platform.models import (
    Attendance,
    AuditAction,
    Certificate,
    CertificateStatus,
    Offering,
    Person,
    Registration,
    RegistrationStatus,
    certificate_number,
    utcnow,
)

#: "Nearly": this many points below the rule, or fewer.
NEARLY_POINTS = 20

_RACE = _l("Someone else decided on these certificates at the same moment. Please check again.")
explain_constraint("uq_certificate_registration_id", _RACE)
explain_constraint("uq_certificate_status_index", _RACE)
explain_constraint(
    "ck_offering_completion_percent", _l("Choose a number from 1 to 100."), "percent"
)


class State(enum.StrEnum):
    MEETS = "meets"
    NEARLY = "nearly"
    NOT = "not"


def state_of(attended: int, total: int, percent: int) -> State:
    """Where `attended` of `total` sessions stands against the rule of `percent` %
    (whole numbers: 80 % of 5 sessions is 4)."""
    if total and attended * 100 >= percent * total:
        return State.MEETS
    if total and attended * 100 >= (percent - NEARLY_POINTS) * total:
        return State.NEARLY
    return State.NOT


@dataclass
class ReviewRow:
    registration: Registration
    attended: int
    total: int
    hours: float
    state: State
    certificate: Certificate | None

    @property
    def person(self) -> Person:
        return self.registration.person

    @property
    def percent(self) -> int:
        return self.attended * 100 // self.total if self.total else 0


@dataclass
class Review:
    offering: Offering
    rows: list[ReviewRow]
    ended: bool

    @property
    def to_issue(self) -> list[ReviewRow]:
        """Those who meet the rule and have no decision yet: what `issue_all` issues."""
        return [r for r in self.rows if r.state == State.MEETS and r.certificate is None]

    def count(self, state: State) -> int:
        return sum(1 for r in self.rows if r.state == state)


def has_ended(offering: Offering) -> bool:
    return offering.is_past(utcnow())


def review(offering: Offering) -> Review:
    """The confirmed participants against the rule, in three statements whatever their number
    (the offering's sessions are loaded with it). Cancelled sessions do not count."""
    active = {session.id: session for session in offering.active_sessions}
    total = len(active)
    registrations = db.session.scalars(
        select(Registration)
        .where(
            Registration.offering_id == offering.id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
        .options(joinedload(Registration.person))
        .order_by(Registration.id)
    ).all()
    attended: dict[int, list[int]] = {}
    if registrations and active:
        for registration_id, session_id in db.session.execute(
            select(Attendance.registration_id, Attendance.session_id)
            .join(Registration, Attendance.registration_id == Registration.id)
            .where(
                Registration.offering_id == offering.id,
                Attendance.session_id.in_(active),
                Attendance.present.is_(True),
            )
        ):
            attended.setdefault(registration_id, []).append(session_id)
    certificates = {
        c.registration_id: c
        for c in db.session.scalars(
            select(Certificate).where(Certificate.offering_id == offering.id)
        )
    }
    rows = []
    for registration in registrations:
        present = attended.get(registration.id, [])
        time = sum((active[s].ends_at - active[s].starts_at for s in present), timedelta())
        rows.append(
            ReviewRow(
                registration,
                len(present),
                total,
                round(time.total_seconds() / 3600, 2),
                state_of(len(present), total, offering.completion_percent),
                certificates.get(registration.id),
            )
        )
    rows.sort(key=lambda r: (r.person.display_name.casefold(), r.registration.id))
    return Review(offering, rows, has_ended(offering))


def set_rule(offering: Offering, percent: int) -> None:
    if not 1 <= percent <= 100:
        raise DomainError(_l("Choose a number from 1 to 100."), "percent")
    if offering.completion_percent == percent:
        return
    before = offering.completion_percent
    offering.completion_percent = percent
    record(
        AuditAction.COMPLETION_RULE_CHANGED,
        offering,
        changes={"completion_percent": [before, percent]},
    )


def _ensure_ended(offering: Offering) -> None:
    if not has_ended(offering):
        raise DomainError(
            _l("Certificates can be issued once the last session has ended."), status=409
        )


def _next_status_index() -> int:
    return (db.session.scalar(select(func.max(Certificate.status_index))) or -1) + 1


def _new_certificate(row: ReviewRow, status: CertificateStatus, note: str, by, index: int | None):
    now = utcnow()
    registration = row.registration
    certificate = Certificate(
        registration_id=registration.id,
        person_id=registration.person_id,
        offering_id=registration.offering_id,
        status=status,
        note=note,
        decided_by_id=by.id if by else None,
        decided_at=now,
    )
    db.session.add(certificate)
    _stamp(certificate, row, status, index)
    return certificate


def _stamp(certificate: Certificate, row: ReviewRow, status: CertificateStatus, index):
    """What an issued certificate states, as it is now."""
    if status != CertificateStatus.ISSUED:
        return
    certificate.issued_at = utcnow()
    certificate.hours = row.hours
    certificate.sessions_attended = row.attended
    certificate.sessions_total = row.total
    certificate.learner_name = row.person.display_name
    certificate.status_index = index


def _number(certificates: list[Certificate]) -> None:
    db.session.flush()  # ids
    for certificate in certificates:
        if certificate.status == CertificateStatus.ISSUED and certificate.number is None:
            certificate.number = certificate_number(certificate.issued_at.year, certificate.id)
    db.session.flush()


def issue_all(offering: Offering, by: Person | None) -> int:
    """Issue a certificate to everyone who meets the rule and has no decision yet; returns how
    many. Issuing again issues to nobody twice.

    :raise DomainError: before the last session has ended.
    """
    _ensure_ended(offering)
    rows = review(offering).to_issue
    if not rows:
        return 0
    first = _next_status_index()
    made = [
        _new_certificate(row, CertificateStatus.ISSUED, "", by, first + n)
        for n, row in enumerate(rows)
    ]
    _number(made)
    record(
        AuditAction.CERTIFICATES_ISSUED,
        offering,
        changes={"issued": [None, len(made)]},
        actor=by,
    )
    return len(made)


def decide(
    registration: Registration, status: CertificateStatus, note: str, by: Person | None
) -> Certificate:
    """Issue or withhold one participant's certificate by hand.

    A note is needed to issue to someone below the rule, or to withhold from someone who meets
    it. A withheld certificate may be issued later; an issued one stays (revoking comes later).

    :raise DomainError: before the end, without a needed note, or for an issued certificate.
    """
    offering = registration.offering
    _ensure_ended(offering)
    note = (note or "").strip()
    row = next((r for r in review(offering).rows if r.registration.id == registration.id), None)
    if row is None:
        raise DomainError(_l("Only confirmed participants get certificates."), status=404)
    meets = row.state == State.MEETS
    if not note and status == CertificateStatus.ISSUED and not meets:
        raise DomainError(_l("Say why you issue a certificate to someone below the rule."), "note")
    if not note and status == CertificateStatus.WITHHELD and meets:
        raise DomainError(
            _l("Say why you withhold the certificate of someone who meets the rule."), "note"
        )
    certificate = row.certificate
    if certificate is not None and certificate.status == CertificateStatus.ISSUED:
        raise DomainError(_l("This certificate is already issued."), status=409)
    index = _next_status_index() if status == CertificateStatus.ISSUED else None
    if certificate is None:
        certificate = _new_certificate(row, status, note, by, index)
    else:
        certificate.status, certificate.note = status, note
        certificate.decided_by_id, certificate.decided_at = (by.id if by else None), utcnow()
        _stamp(certificate, row, status, index)
    _number([certificate])
    record(
        AuditAction.CERTIFICATE_ISSUED
        if status == CertificateStatus.ISSUED
        else AuditAction.CERTIFICATE_WITHHELD,
        ("certificate", certificate.id, f"{offering.title} · {row.person.display_name}"),
        offering=offering,
        changes={"status": [None, status.value], "meets_rule": [None, meets]},
        note=note,
        actor=by,
    )
    return certificate


def issued_for(person: Person, offering_ids) -> dict[int, Certificate]:
    """The person's issued, unrevoked certificates of these offerings, by offering id."""
    ids = list(offering_ids)
    if not ids:
        return {}
    return {
        c.offering_id: c
        for c in db.session.scalars(
            select(Certificate).where(
                Certificate.person_id == person.id,
                Certificate.offering_id.in_(ids),
                Certificate.status == CertificateStatus.ISSUED,
                Certificate.revoked_at.is_(None),
            )
        )
    }
