"""Recording changes in the audit trail."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import has_request_context
from flask_login import current_user
from sqlalchemy import Select, and_, or_, select

from learning_platform.extensions import db
from learning_platform.models import AuditAction, AuditEvent, Offering, Partner, Person

#: Longest text value kept in a before/after (a description's whole Markdown is not needed to
#: see that it changed; the start and the length are).
MAX_VALUE_CHARS = 300


def _json_value(value: Any) -> Any:
    """`value` as JSON: enums by value, datetimes in ISO 8601 UTC, rows by their name."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        items = [_json_value(item) for item in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if isinstance(value, str):
        if len(value) > MAX_VALUE_CHARS:
            return value[: MAX_VALUE_CHARS - 1] + "…"
        return value
    for name in ("slug", "name", "title"):  # a Theme, a Partner, an Offering
        if isinstance(getattr(value, name, None), str):
            return getattr(value, name)
    return str(value)


def snapshot(obj: Any, fields: Iterable[str]) -> dict[str, Any]:
    """The JSON values of `fields` of `obj` now (related rows by slug/name/title). Texts in
    several languages (models.translated): "title" is the primary language's, "title.th"
    the Thai one."""
    read = getattr(obj, "audit_value", None) or (lambda field: getattr(obj, field))
    return {field: _json_value(read(field)) for field in fields}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list]:
    """{field: [before, after]} of the fields whose value differs."""
    return {
        field: [before.get(field), after.get(field)]
        for field in after
        if before.get(field) != after.get(field)
    }


def _actor() -> Person | None:
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user._get_current_object()  # type: ignore[attr-defined]
    return None


def _target(target: Any) -> tuple[str, int | None, str]:
    if target is None:
        return "site", None, ""
    if isinstance(target, tuple):  # ("setting", None, "licence")
        kind, ident, label = target
        return kind, ident, str(label)[:300]
    kind = {
        "Offering": "offering",
        "OfferingSession": "session",
        "Partner": "partner",
        "Membership": "membership",
        "Person": "person",
        "ParticipantMessage": "message",
        "OutboxMessage": "outbox",
        "SitePage": "page",
        "Question": "question",
    }.get(type(target).__name__, type(target).__name__.lower()[:20])
    label = ""
    for name in ("title", "name", "display_name", "subject", "slug"):
        value = getattr(target, name, None)
        if isinstance(value, str) and value:
            label = value
            break
    if kind == "session":
        label = f"{target.offering.title} · {target.starts_at.isoformat()}"
    elif kind == "membership":
        label = f"{target.person.display_name} · {target.partner.name}"
    return kind, getattr(target, "id", None), label[:300]


def record(
    action: AuditAction,
    target: Any = None,
    *,
    partner: Partner | None = None,
    offering: Offering | None = None,
    changes: dict[str, list] | None = None,
    note: str = "",
    actor: Person | None = None,
) -> AuditEvent:
    """Add one entry to the trail, in the current unit of work.

    `target` is the row changed (its type, id and name are copied) or a tuple (kind, id, label).
    `partner` is the partner whose trail it belongs to; for an offering or a session it is
    found from the target when not given. `actor` defaults to the person logged in (None for
    a CLI command or a worker). Flushes, so the target's id is known.
    """
    if not isinstance(action, AuditAction):
        raise TypeError(f"not an AuditAction: {action!r}")
    db.session.flush()  # ids of new rows
    kind, target_id, label = _target(target)
    if offering is None and not isinstance(target, tuple):  # a tuple names no row
        if kind == "offering":
            offering = target
        elif kind in {"session", "message", "question"}:
            offering = target.offering
    if partner is None:
        if offering is not None:
            partner = offering.partner
        elif isinstance(target, tuple):
            pass
        elif kind == "partner":
            partner = target
        elif kind == "membership":
            partner = target.partner
    actor = actor if actor is not None else _actor()
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        actor_name=actor.display_name if actor else "",
        actor_email=actor.email if actor else "",
        actor_is_admin=bool(actor and actor.is_admin),
        action=action.value,
        target_type=kind,
        target_id=target_id,
        target_label=label,
        partner_id=partner.id if partner else None,
        offering_id=offering.id if offering else None,
        changes=changes or {},
        note=(note or "")[:500],
    )
    db.session.add(event)
    return event


# Reading the trail ------------------------------------------------------------------------


@dataclass(frozen=True)
class TrailFilter:
    """What the reader asked for; every part optional."""

    action: str = ""
    partner_id: int | None = None
    actor: str = ""
    offering_id: int | None = None
    offering_words: str = ""
    date_from: date | None = None
    date_to: date | None = None


def trail_query(filters: TrailFilter, zone: str) -> Select:
    """The entries matching `filters`, newest first; dates are whole days in `zone`."""
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.partner_id is not None:
        query = query.where(AuditEvent.partner_id == filters.partner_id)
    if filters.actor:
        query = query.where(
            or_(
                AuditEvent.actor_name.icontains(filters.actor, autoescape=True),
                AuditEvent.actor_email.icontains(filters.actor, autoescape=True),
            )
        )
    if filters.offering_id is not None:
        query = query.where(AuditEvent.offering_id == filters.offering_id)
    elif filters.offering_words:
        words = filters.offering_words.split()[:10]
        titled = select(Offering.id).where(
            *(Offering.title.icontains(word, autoescape=True) for word in words)
        )
        query = query.where(
            or_(
                AuditEvent.offering_id.in_(titled),
                and_(*(AuditEvent.target_label.icontains(word, autoescape=True) for word in words)),
            )
        )
    if filters.date_from:
        query = query.where(AuditEvent.at >= _day_start(filters.date_from, zone))
    if filters.date_to:
        query = query.where(AuditEvent.at < _day_start(filters.date_to + timedelta(days=1), zone))
    return query


def _day_start(day: date, zone: str) -> datetime:
    return datetime.combine(day, time(), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def zones_of(events: Iterable[AuditEvent], default: str) -> dict[int, str]:
    """Each entry's offering's time zone (one query), for showing its sessions' times."""
    ids = {event.offering_id for event in events if event.offering_id is not None}
    zones = dict(
        db.session.execute(select(Offering.id, Offering.timezone).where(Offering.id.in_(ids))).all()
        if ids
        else []
    )
    return {event.id: zones.get(event.offering_id, default) for event in events}


def partner_names(events: Iterable[AuditEvent]) -> dict[int, str]:
    ids = {event.partner_id for event in events if event.partner_id is not None}
    if not ids:
        return {}
    # Rows, not the name column: the name in the reader's language.
    partners = db.session.scalars(select(Partner).where(Partner.id.in_(ids)))
    return {partner.id: partner.name for partner in partners}


def offering_titles(events: Iterable[AuditEvent]) -> dict[int, str]:
    """Each entry's offering's title: as the entry recorded it when the offering is its
    target, else the offering's title now (one statement for them all)."""
    titles = {
        event.id: event.target_label
        for event in events
        if event.offering_id is not None
        and event.target_type == "offering"
        and event.target_id == event.offering_id
    }
    ids = {event.offering_id for event in events if event.offering_id and event.id not in titles}
    current = (
        dict(
            db.session.execute(
                select(Offering.id, Offering.title).where(Offering.id.in_(ids))
            ).all()
        )
        if ids
        else {}
    )
    for event in events:
        if event.id not in titles and event.offering_id in current:
            titles[event.id] = current[event.offering_id]
    return titles


def partner_offering(partner: Partner, offering_id: int | None) -> Offering | None:
    """The offering a partner's trail is filtered to, when it is one of the partner's own."""
    if offering_id is None:
        return None
    return db.session.scalar(
        select(Offering).where(Offering.id == offering_id, Offering.partner_id == partner.id)
    )
