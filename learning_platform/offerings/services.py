"""Offering rules: who may see and change what, schedules, the life cycle, and who is told.

Services flush but never commit; the view owns the transaction.
"""

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload, selectinload

from learning_platform.audit.services import diff, record, snapshot
from learning_platform.boundary import DomainError, explain_constraint
from learning_platform.enrollment.services import (
    fill_free_seats,
    lock_offering,
    mail_about,
)
from learning_platform.extensions import db
from learning_platform.languages import BY_CODE, CONTENT_LANGUAGES
from learning_platform.media import services as media
from learning_platform.models import (
    MAX_CAPACITY,
    MAX_REASON,
    MAX_SESSIONS,
    AuditAction,
    Offering,
    OfferingFormat,
    OfferingSession,
    OfferingStatus,
    Partner,
    Person,
    Registration,
    RegistrationStatus,
    ReminderLead,
    SessionStatus,
    Theme,
    utcnow,
)
from learning_platform.models.offering import offering_theme
from learning_platform.multilingual import reading, sort_key
from learning_platform.timezones import format_span

explain_constraint(
    "ck_offering_registration_window",
    _l("Registration must close after it opens."),
    "registration_closes_at",
)
explain_constraint(
    "ck_offering_capacity",
    _l("Enter a number from 1 to %(max)s.", max=f"{MAX_CAPACITY:,}"),
    "capacity",
)
explain_constraint(
    "ck_offering_seats_taken",
    _l("More people already have a seat than this capacity allows."),
    "capacity",
)


def workspace_partners(person: Person) -> list[Partner]:
    """The partners whose workspace `person` may open: every one for a site admin."""
    query = select(Partner)
    if not person.is_admin:
        query = query.where(Partner.id.in_([m.partner_id for m in person.memberships]))
    return sorted(db.session.scalars(query), key=lambda partner: sort_key(partner.name))


def workspace_offerings(partner: Partner) -> list[tuple[Offering, int]]:
    """The partner's own and co-hosted offerings, each with its waitlist length."""
    cohosted = select(Offering.id).join(Offering.cohosts).where(Partner.id == partner.id)
    waitlist = (
        select(Registration.offering_id, func.count().label("waiting"))
        .where(Registration.status == RegistrationStatus.WAITLISTED)
        .group_by(Registration.offering_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Offering, func.coalesce(waitlist.c.waiting, 0))
        .outerjoin(waitlist, waitlist.c.offering_id == Offering.id)
        .options(selectinload(Offering.sessions), joinedload(Offering.partner))
        .where((Offering.partner_id == partner.id) | Offering.id.in_(cohosted))
        .order_by(Offering.updated_at.desc())
    ).all()
    return [(offering, waiting) for offering, waiting in rows]


def tab_of(offering: Offering, now: datetime) -> str:
    if offering.status == OfferingStatus.PUBLISHED and offering.is_past(now):
        return "past"
    return offering.status.value


# Saving -----------------------------------------------------------------------------------

#: Fields whose change published participants must hear about.
_VENUE_FIELDS = ("venue_name", "venue_address", "online_link", "format")


#: Offering fields that appear in calendar events: a change is a change for every session.
_CALENDAR_FIELDS = ("title", "summary", "change_note", *_VENUE_FIELDS)
_TEXT_FIELDS = (
    "kind",
    "title",
    "summary",
    "description",
    "language",
    "audience",
    "format",
    "venue_name",
    "venue_address",
    "online_link",
    "timezone",
    "cost_note",
    "contact_email",
)


#: The offering's fields the audit trail compares before and after an edit.
_AUDITED_FIELDS = (
    "primary_language",
    *_TEXT_FIELDS,
    "change_note",
    "reminder",
    "registration_opens_at",
    "registration_closes_at",
    "capacity",
)
#: Shown only to participants: the trail keeps that it changed, never the link itself.
HIDDEN_VALUE = "***"


def audit_state(offering: Offering) -> dict:
    """What the trail compares of `offering`: its fields, themes and co-hosts (by name)."""
    state = snapshot(offering, _AUDITED_FIELDS)
    state["online_link"] = HIDDEN_VALUE if offering.online_link else ""
    state["themes"] = sorted(theme.slug for theme in offering.themes)
    state["cohosts"] = sorted(partner.name for partner in offering.cohosts)
    return state


def _session_state(session: OfferingSession) -> dict:
    """Its time, place and note; the place and note in other languages where written."""
    state = snapshot(session, ("starts_at", "ends_at", "location", "note"))
    for language, fields in (session.translations or {}).items():
        for name in ("location", "note"):
            if fields.get(name):
                state[f"{name}.{language}"] = fields[name]
    return state


def _changes(before: dict, after: dict) -> dict:
    """`diff`, also of the keys only `before` has (a text removed in one language)."""
    return diff(before, {**dict.fromkeys(before, ""), **after})


def _calendar_state(offering: Offering) -> dict:
    """What calendar apps show of the offering's own fields, in every language."""
    return {
        name: offering.texts(name) if name in Offering.TRANSLATED else getattr(offering, name)
        for name in _CALENDAR_FIELDS
    }


def _lock(offering: Offering) -> None:
    """Take the offering's row lock, then read it and its sessions afresh.

    Changes to one offering's schedule and life cycle (two tabs, two organizers, a double
    click) then run one after another, each checking its rules against the other's result,
    instead of both passing the same check and both writing.
    """
    lock_offering(offering)
    db.session.scalars(
        select(OfferingSession)
        .where(OfferingSession.offering_id == offering.id)
        .execution_options(populate_existing=True)
    ).all()
    db.session.refresh(offering, ["sessions"])


def _refuse_if_cancelled(offering: Offering) -> None:
    if offering.status == OfferingStatus.CANCELLED:
        raise DomainError(_l("A cancelled offering cannot be changed; duplicate it instead."))


def save_offering(offering: Offering, data: dict) -> Offering:
    """Copy the form's data onto `offering` (new or existing). :raise DomainError:"""
    _refuse_if_cancelled(offering)
    if offering.id is not None and offering.sessions and data["timezone"] != offering.timezone:
        raise DomainError(
            _l(
                "The sessions are set in %(zone)s. Remove them before changing the time zone.",
                zone=offering.timezone,
            ),
            "timezone",
        )
    created = offering.id is None
    language = data.get("primary_language") or offering.primary_language or "ko"
    if language not in CONTENT_LANGUAGES:
        raise DomainError(_l("Choose one of the languages offered."), "primary_language")
    if (
        not created
        and language != offering.primary_language
        and not offering.text("title", language)
    ):
        raise DomainError(
            _l(
                "Write the title in %(language)s first (its tab above), then make it the"
                " primary language.",
                language=BY_CODE[language].label,
            ),
            "primary_language",
        )
    before = _calendar_state(offering)
    audited_before = {} if created else audit_state(offering)
    themes_before = {theme.id for theme in offering.themes} if offering.id else set()
    cohosts_before = {partner.id for partner in offering.cohosts} if offering.id else set()
    themes = list(
        db.session.scalars(select(Theme).where(Theme.id.in_(data.get("theme_ids") or [])))
    )
    cohosts = list(
        db.session.scalars(
            select(Partner).where(
                Partner.id.in_(data.get("cohost_ids") or []),
                Partner.approved.is_(True),
                Partner.id != offering.partner_id,
            )
        )
    )
    # Nothing is written before the rules below are checked: a half-changed offering must
    # not reach the database's own constraints through an autoflush.
    with db.session.no_autoflush:
        if created:
            offering.primary_language = language
        # The form's texts are in the primary language it was shown in; a new primary
        # language is chosen after they are written, and every text keeps its language.
        for name in _TEXT_FIELDS:
            setattr(offering, name, data.get(name) or "")
        # Not a text field: a copy (duplicate) starts without the last term's note.
        offering.change_note = data.get("change_note") or ""
        offering.change_primary_language(language)
        offering.reminder = data.get("reminder") or offering.reminder or ReminderLead.DAY
        offering.registration_opens_at = data.get("registration_opens_at")
        offering.registration_closes_at = data.get("registration_closes_at")
        offering.themes, offering.cohosts = themes, cohosts
        _check_registration_window(offering)
    capacity_before = offering.capacity
    # The capacity goes last: its conditional update is the only write that can still fail.
    _set_capacity(offering, data["capacity"])
    db.session.add(offering)
    db.session.flush()
    if offering.status == OfferingStatus.PUBLISHED:
        after = _calendar_state(offering)
        changed = {name for name in _CALENDAR_FIELDS if after[name] != before[name]}
        # Themes are the events' categories; co-hosts decide which partner feeds hold them.
        if (
            changed
            or {theme.id for theme in offering.themes} != themes_before
            or {partner.id for partner in offering.cohosts} != cohosts_before
        ):
            _touch_all(offering)
        if changed & set(_VENUE_FIELDS):
            _notify(offering, _l("Change of place: %(title)s"), "venue_changed")
        if capacity_before is not None and offering.capacity > capacity_before:
            fill_free_seats(offering)  # the capacity update above holds the offering's lock
    if created:
        record(AuditAction.OFFERING_CREATED, offering)
    else:
        changes = diff(audited_before, audit_state(offering))
        if changes:
            record(AuditAction.OFFERING_EDITED, offering, changes=changes)
    return offering


def _set_capacity(offering: Offering, capacity: int) -> None:
    if offering.id is None:
        offering.capacity = capacity
        return
    # One conditional update: a registration landing at the same moment cannot be squeezed out.
    changed = db.session.execute(
        update(Offering)
        .where(Offering.id == offering.id, Offering.seats_taken <= capacity)
        .values(capacity=capacity)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:
        raise DomainError(
            _l(
                "%(taken)s people already have a seat; the capacity cannot be lower than that.",
                taken=offering.seats_taken,
            ),
            "capacity",
        )
    offering.capacity = capacity


def _check_registration_window(offering: Offering) -> None:
    """:raise DomainError: before the database's own check constraint would."""
    opens, closes = offering.registration_opens_at, offering.registration_closes_at
    if opens and closes and closes <= opens:
        raise DomainError(_l("Registration must close after it opens."), "registration_closes_at")
    last_start = max((s.starts_at for s in offering.active_sessions), default=None)
    if opens and last_start and opens >= last_start:
        raise DomainError(
            _l("Registration must open before the last session starts."),
            "registration_opens_at",
        )
    if closes and last_start and closes > last_start:
        raise DomainError(
            _l("Registration must close before the last session starts."),
            "registration_closes_at",
        )


# Sessions ---------------------------------------------------------------------------------


def add_sessions(
    offering: Offering,
    spans: list[tuple],
    location: str = "",
    note: str = "",
    *,
    imported: bool = False,
    translations: dict[str, dict[str, str]] | None = None,
) -> list[OfferingSession]:
    """Add sessions; refuses overlaps and more than MAX_SESSIONS. :raise DomainError:

    A span is (starts_at, ends_at), or (starts_at, ends_at, location, note) for a session
    with its own place and note (an imported schedule). `translations`: {language:
    {"location": …, "note": …}} in the offering's other languages. The trail gets one entry:
    the session added, or how many were added (a weekly series, an `imported` file).
    """
    if offering.id is not None:
        _lock(offering)
    _refuse_if_cancelled(offering)
    if len(offering.sessions) + len(spans) > MAX_SESSIONS:
        raise DomainError(_l("An offering can have at most %(max)s sessions.", max=MAX_SESSIONS))
    created = []
    for starts_at, ends_at, *details in spans:
        _check_span(offering, starts_at, ends_at)
        row_location, row_note = details or (location, note)
        session = OfferingSession(
            starts_at=starts_at, ends_at=ends_at, location=row_location, note=row_note
        )
        offering.sessions.append(session)
        _set_session_texts(session, translations)
        created.append(session)
    db.session.flush()
    _check_registration_window(offering)
    if imported:
        record(AuditAction.SESSIONS_IMPORTED, offering, changes={"sessions": [None, len(created)]})
    elif len(created) == 1:
        record(
            AuditAction.SESSION_ADDED,
            created[0],
            changes=diff({}, _session_state(created[0])),
        )
    elif created:
        record(AuditAction.SESSION_ADDED, offering, changes={"sessions": [None, len(created)]})
    return created


def _set_session_texts(
    session: OfferingSession, translations: dict[str, dict[str, str]] | None
) -> None:
    """The session's place and note in the offering's other languages (empty removes one)."""
    for language, texts in (translations or {}).items():
        if language not in CONTENT_LANGUAGES or language == session.offering.primary_language:
            raise DomainError(_l("Choose one of the languages offered."))
        session.set_texts(language, {name: texts.get(name, "") for name in ("location", "note")})


def update_session(
    session: OfferingSession,
    starts_at: datetime,
    ends_at: datetime,
    location: str,
    note: str,
    translations: dict[str, dict[str, str]] | None = None,
) -> None:
    """Edit a session; moving it (time or place) tells everyone registered. `translations`
    as in `add_sessions`. :raise DomainError:"""
    _lock(session.offering)
    if session.status == SessionStatus.CANCELLED:
        raise DomainError(_l("A cancelled session cannot be changed."))
    offering = session.offering
    _refuse_if_cancelled(offering)
    _check_span(offering, starts_at, ends_at, ignore=session)
    # The form holds the primary-language place (`session.location` reads the viewer's).
    old_location = session.text("location", session.primary_language)
    moved = (starts_at, ends_at, location) != (session.starts_at, session.ends_at, old_location)
    audited_before = _session_state(session)
    old_starts_at, old_ends_at = session.starts_at, session.ends_at
    old_location = session.written("location")  # the mail reads it in each recipient's
    session.starts_at, session.ends_at, session.location, session.note = (
        starts_at,
        ends_at,
        location,
        note,
    )
    _set_session_texts(session, translations)
    changes = _changes(audited_before, _session_state(session))
    changed = moved or bool(changes)
    if changed:
        session.touch()
    db.session.flush()
    _check_registration_window(offering)
    if changed:
        record(AuditAction.SESSION_CHANGED, session, changes=changes)
    if moved and offering.status == OfferingStatus.PUBLISHED:
        _notify(
            offering,
            _l("Session moved: %(title)s"),
            "session_moved",
            session=session,
            old_starts_at=old_starts_at,
            old_ends_at=old_ends_at,
            old_location=old_location,
        )


def _reason(reason: str) -> str:
    """:raise DomainError: without a reason (the form asks first; this is the rule)."""
    reason = (reason or "").replace("\r\n", "\n").strip()
    if not reason:
        raise DomainError(_l("Give a reason: participants read it."), "reason")
    if len(reason) > MAX_REASON:
        raise DomainError(_l("Use at most %(max)d characters.", max=MAX_REASON), "reason")
    return reason


def _other_reasons(target, reasons: dict[str, str] | None) -> dict[str, str]:
    """The reason in other languages, checked as the primary one is, except that none is
    required. :raise DomainError:"""
    checked = {}
    for language, text in (reasons or {}).items():
        if language not in CONTENT_LANGUAGES or language == target.primary_language:
            raise DomainError(_l("Choose one of the languages offered."))
        text = (text or "").replace("\r\n", "\n").strip()
        if len(text) > MAX_REASON:
            raise DomainError(
                _l("Use at most %(max)d characters.", max=MAX_REASON), f"reason_{language}"
            )
        if text:
            checked[language] = text
    return checked


def cancel_session(
    session: OfferingSession, reason: str, reasons: dict[str, str] | None = None
) -> None:
    """Cancel a session and tell everyone registered why (`reasons`: {language: reason} in
    the offering's other languages; each participant reads theirs).

    :raise DomainError: without a reason, for a session that is over or an offering already
        cancelled.
    """
    reason = _reason(reason)
    others = _other_reasons(session, reasons)
    _lock(session.offering)
    if session.status == SessionStatus.CANCELLED:
        return  # cancelled a moment ago, by another click: everyone was told once
    _refuse_if_cancelled(session.offering)
    if session.ends_at <= utcnow():
        raise DomainError(_l("This session is over; it can no longer be cancelled."))
    session.status = SessionStatus.CANCELLED
    session.cancelled_at = utcnow()
    session.cancel_reason = reason
    for language, text in others.items():
        session.set_text("cancel_reason", language, text)
    session.touch()
    record(AuditAction.SESSION_CANCELLED, session, note=reason)
    if session.offering.status == OfferingStatus.PUBLISHED:
        _notify(
            session.offering,
            _l("Session cancelled: %(title)s"),
            "session_cancelled",
            session=session,
        )


def remove_session(session: OfferingSession) -> None:
    """Delete a session of a draft; a published one is cancelled instead, so calendars learn of it."""
    if session.offering.status != OfferingStatus.DRAFT or session.offering.unpublished_at:
        raise DomainError(_l("Sessions of a published offering are cancelled, not removed."))
    record(AuditAction.SESSION_REMOVED, session, changes=diff(_session_state(session), {}))
    db.session.delete(session)


def _check_span(
    offering: Offering,
    starts_at: datetime,
    ends_at: datetime,
    ignore: OfferingSession | None = None,
    others: list | None = None,
) -> None:
    if ends_at <= starts_at:
        raise DomainError(_l("The end must be after the start."), "end_time")
    if ends_at - starts_at > timedelta(hours=24):
        raise DomainError(_l("A session lasts at most 24 hours."), "end_time")
    if offering.status == OfferingStatus.PUBLISHED and starts_at <= utcnow():
        raise DomainError(
            _l("Participants cannot come to a session in the past. Choose a later time."),
            "start_time",
        )
    for other in offering.active_sessions if others is None else others:
        if other is ignore:
            continue
        if starts_at < other.ends_at and other.starts_at < ends_at:
            raise DomainError(
                _l(
                    "This overlaps another session of this offering (%(span)s).",
                    span=format_span(other.starts_at, other.ends_at, offering.timezone),
                ),
                "start_time",
            )


def plan_import(offering: Offering, rows: list) -> tuple[list, list]:
    """Which rows read from a schedule file (schedule_files.Row) `add_sessions` would take:
    (rows, problems), each problem (line, reason). Checks each row as add_sessions will,
    against the offering's sessions and the rows before it, so the preview shows what saving
    does; a row that repeats one before it is named as such."""
    _refuse_if_cancelled(offering)
    accepted, problems = [], []
    seen: dict[tuple[datetime, datetime], int] = {}
    for row in rows:
        span = (row.starts_at, row.ends_at)
        if span in seen:
            problems.append((row.line, _l("The same session as line %(line)s.", line=seen[span])))
            continue
        try:
            _check_span(
                offering, row.starts_at, row.ends_at, others=[*offering.active_sessions, *accepted]
            )
        except DomainError as refused:
            problems.append((row.line, refused.message))
            continue
        seen[span] = row.line
        accepted.append(row)
    room = MAX_SESSIONS - len(offering.sessions)
    if len(accepted) > room:
        raise DomainError(
            _l(
                "An offering can have at most %(max)s sessions: %(room)s more fit, the file has %(count)s.",
                max=MAX_SESSIONS,
                room=max(room, 0),
                count=len(accepted),
            )
        )
    return accepted, problems


def delete_draft(offering: Offering) -> None:
    """Delete a draft with its sessions, theme and co-host links and its cover.

    :raise DomainError: for a published or cancelled offering (people may have seen it).
    """
    _lock(offering)
    # An offering the site admins unpublished was public and may have people registered.
    if offering.status != OfferingStatus.DRAFT or offering.unpublished_at is not None:
        raise DomainError(
            _l(
                "Only a draft can be deleted. A published offering is cancelled instead, so that everyone registered is told."
            )
        )
    # The entry names the draft (its row goes, so no link to it is kept).
    record(
        AuditAction.OFFERING_DELETED,
        ("offering", offering.id, offering.title),
        partner=offering.partner,
    )
    media.remove_cover(offering, audit=False)
    db.session.delete(offering)
    db.session.flush()


# Life cycle -------------------------------------------------------------------------------


def publication_problems(offering: Offering, now: datetime) -> list:
    """What stops `offering` from being published; empty when it can be."""
    problems = []
    if not offering.partner.approved:
        problems.append(_l("The partner is not approved yet."))
    if not any(s.starts_at > now for s in offering.active_sessions):
        problems.append(_l("Add at least one session in the future."))
    if not offering.summary:
        problems.append(_l("Write a short summary."))
    if not offering.themes:
        problems.append(_l("Choose at least one theme."))
    if offering.format != OfferingFormat.ONLINE and not offering.venue_name:
        problems.append(_l("Name the venue."))
    if offering.format != OfferingFormat.IN_PERSON and not offering.online_link:
        problems.append(_l("Give the online meeting link."))
    if not offering.contact_email:
        problems.append(_l("Give a contact email."))
    return problems


def publish(offering: Offering) -> None:
    """:raise DomainError: listing what is missing."""
    _lock(offering)
    if offering.status != OfferingStatus.DRAFT:
        raise DomainError(_l("Only a draft can be published."))
    problems = publication_problems(offering, utcnow())
    if problems:
        raise DomainError(" ".join(str(p) for p in problems))
    offering.status = OfferingStatus.PUBLISHED
    offering.published_at = utcnow()
    offering.unpublished_at = None
    offering.unpublished_reason = ""
    _touch_all(offering)
    record(AuditAction.OFFERING_PUBLISHED, offering, changes={"status": ["draft", "published"]})


def cancel_offering(offering: Offering, reason: str, reasons: dict[str, str] | None = None) -> None:
    """Cancel the offering and tell everyone registered why (`reasons`: {language: reason}
    in its other languages; each participant reads theirs).

    :raise DomainError: without a reason, or once the offering is over.
    """
    reason = _reason(reason)
    others = _other_reasons(offering, reasons)
    _lock(offering)
    if offering.status == OfferingStatus.CANCELLED:
        return  # cancelled a moment ago, by another click: everyone was told once
    if offering.is_past(utcnow()):
        raise DomainError(_l("This offering is over; there is nothing left to cancel."))
    # One the site admins unpublished was public: the people registered are told too.
    was_published = offering.status == OfferingStatus.PUBLISHED or bool(offering.unpublished_at)
    status_before = offering.status.value
    offering.status = OfferingStatus.CANCELLED
    offering.cancelled_at = utcnow()
    offering.cancel_reason = reason
    for language, text in others.items():
        offering.set_text("cancel_reason", language, text)
    _touch_all(offering)
    record(
        AuditAction.OFFERING_CANCELLED,
        offering,
        changes={"status": [status_before, "cancelled"]},
        note=reason,
    )
    if was_published:
        _notify(offering, _l("Cancelled: %(title)s"), "offering_cancelled")


def people_to_tell(offering: Offering) -> tuple[int, int]:
    """(confirmed, waitlisted): how many people a change of `offering` is mailed to."""
    counts = dict(
        db.session.execute(
            select(Registration.status, func.count())
            .where(
                Registration.offering_id == offering.id,
                Registration.status != RegistrationStatus.CANCELLED,
            )
            .group_by(Registration.status)
        ).all()
    )
    return (
        counts.get(RegistrationStatus.CONFIRMED, 0),
        counts.get(RegistrationStatus.WAITLISTED, 0),
    )


def readers_to_tell(offering: Offering) -> dict[str, int]:
    """{language: how many of the people a change of `offering` is mailed to read it}, for
    every content language (0 included), in one grouped query. A preference we do not write
    in reads the primary language."""
    counts = dict.fromkeys(CONTENT_LANGUAGES, 0)
    rows = db.session.execute(
        select(Person.preferred_language, func.count())
        .join(Registration, Registration.person_id == Person.id)
        .where(
            Registration.offering_id == offering.id,
            Registration.status.in_((RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)),
        )
        .group_by(Person.preferred_language)
    ).all()
    for language, count in rows:
        key = language if language in counts else offering.primary_language
        counts[key] += count
    return counts


#: Texts of one term only: a copy starts without them, in every language.
_NOT_COPIED = ("cancel_reason", "change_note")


def duplicate(offering: Offering) -> Offering:
    """A new draft with the same details (in every language), themes and co-hosts, without
    sessions or people."""
    with reading(None):
        fields = {name: getattr(offering, name) for name in _TEXT_FIELDS}
    copy = Offering(
        partner_id=offering.partner_id,
        status=OfferingStatus.DRAFT,
        capacity=offering.capacity,
        reminder=offering.reminder,
        primary_language=offering.primary_language,
        translations={
            language: kept
            for language, texts in (offering.translations or {}).items()
            if (kept := {k: v for k, v in texts.items() if k not in _NOT_COPIED})
        },
        **fields,
    )
    copy.themes = list(offering.themes)
    copy.cohosts = list(offering.cohosts)
    copy.cover = media.copied(offering.cover)
    db.session.add(copy)
    db.session.flush()
    record(AuditAction.OFFERING_DUPLICATED, copy)
    return copy


# Texts in other languages ------------------------------------------------------------------


def _translation_language(offering: Offering, language: str) -> None:
    """:raise DomainError: for the primary language or one we do not offer."""
    if language not in CONTENT_LANGUAGES or language == offering.primary_language:
        raise DomainError(_l("Choose one of the languages offered."))


def save_translation(offering: Offering, language: str, data: dict[str, str]) -> None:
    """Write the offering's texts in `language` (not its primary one); an empty text removes
    that field's, all empty the language. Calendars see a changed text that they show, and
    the trail records each as "title.th". :raise DomainError:"""
    _refuse_if_cancelled(offering)
    _translation_language(offering, language)
    texts = {name: (text or "").strip() for name, text in data.items()}
    unknown = set(texts) - set(Offering.TRANSLATED)
    if unknown or "cancel_reason" in texts:
        raise DomainError(_l("Choose one of the languages offered."))
    # The rule holds for what is stored after the save, not only for the fields sent: a
    # language with any text needs its title.
    stored = {name: offering.text(name, language) or "" for name in Offering.TRANSLATED}
    after = {**stored, **texts}
    if not after["title"] and any(after.values()):
        raise DomainError(_l("Give the title in this language too."), "title")
    fields = [f"{name}.{language}" for name in texts]
    audited_before = snapshot(offering, fields)
    calendar_before = _calendar_state(offering)
    offering.set_texts(language, texts)
    db.session.flush()
    changes = diff(audited_before, snapshot(offering, fields))
    if not changes:
        return
    record(AuditAction.OFFERING_EDITED, offering, changes=changes)
    if offering.status == OfferingStatus.PUBLISHED and _calendar_state(offering) != calendar_before:
        _touch_all(offering)


def remove_translation(offering: Offering, language: str) -> None:
    """Remove every text of the offering in `language` (not its primary one). :raise DomainError:"""
    save_translation(
        offering,
        language,
        dict.fromkeys((n for n in Offering.TRANSLATED if n != "cancel_reason"), ""),
    )


def translation_states(offering: Offering, fields) -> list[tuple[str, str, int]]:
    """(language, state, missing) for each content language, the primary one first: state
    "primary", "complete", "missing" (then `missing` fields of `fields` are not written yet)
    or "not_started"."""
    states = []
    for language in offering.languages_in_order():
        if language == offering.primary_language:
            states.append((language, "primary", 0))
        elif language not in (offering.translations or {}):
            states.append((language, "not_started", 0))
        else:
            missing = len(offering.missing(language, fields))
            states.append((language, "missing" if missing else "complete", missing))
    return states


def touch_sessions_of_theme(theme: Theme) -> None:
    """Theme names are calendar categories: feeds must see a rename as a change."""
    offerings = select(offering_theme.c.offering_id).where(offering_theme.c.theme_id == theme.id)
    db.session.execute(
        update(OfferingSession)
        .where(OfferingSession.offering_id.in_(offerings))
        .values(sequence=OfferingSession.sequence + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def _touch_all(offering: Offering) -> None:
    """Every event calendars show for the offering changes (already cancelled ones stay put)."""
    for session in offering.sessions:
        if session.status != SessionStatus.CANCELLED:
            session.touch()


def _notify(offering: Offering, subject, template: str, **context) -> None:
    """Mail everyone registered (confirmed or waiting), each in their own language, with the
    changed calendar attached."""
    people = db.session.scalars(
        select(Person)
        .join(Registration, Registration.person_id == Person.id)
        .where(
            Registration.offering_id == offering.id,
            Registration.status != RegistrationStatus.CANCELLED,
        )
    ).all()
    for person in people:
        mail_about(person, offering, subject, template, attach_calendar=True, **context)
