"""Offerings and sessions as iCalendar bytes; knows nothing about requests.

One VEVENT per session, with the session's stable UID, SEQUENCE and LAST-MODIFIED; times carry
their TZID and each zone used gets a small VTIMEZONE covering only the events' dates.
See ../shared/docs/calendar-feeds.md.

Texts are read in the reading language (`multilingual.reading`, set by the caller); SUMMARY,
LOCATION and DESCRIPTION carry the RFC 5545 LANGUAGE parameter of the text actually shown,
which differs from the feed's when a text is not written in it (the fallback).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, Timezone

from learning_platform.models import Offering, OfferingSession, OfferingStatus, SessionStatus

PRODID = "-//Learning for Sustainable Cities//learning_platform//EN"
UID_DOMAIN = "learning-platform"


@dataclass(frozen=True)
class EventText:
    """Words that depend on the reader's language, resolved by the caller."""

    language: str
    cancelled_prefix: str  # e.g. "[Cancelled]" / "[취소됨]"
    waitlist_note: Callable[[int], str] | None = None


def session_uid(session: OfferingSession, suffix: str = "") -> str:
    """The event's UID. The private feed adds a suffix: calendar apps have overwritten events
    across calendars that shared a UID, so a person's own calendar never shares one."""
    return f"{session.uid}{suffix}@{UID_DOMAIN}"


def build_calendar(
    name: str,
    sessions: Iterable[OfferingSession],
    text: EventText,
    offering_url: Callable[[Offering], str],
    *,
    description: str = "",
    tentative: dict[int, int] | None = None,
    online_links: dict[int, str] | None = None,
    uid_suffix: str = "",
    alarm: timedelta | None = None,
) -> bytes:
    """A VCALENDAR holding `sessions` (with their offerings loaded).

    `tentative` maps offering ids to a waitlist position (shown as TENTATIVE); `online_links`
    maps offering ids to a meeting link the reader may see. `alarm`: a display alarm that long
    before each confirmed session, only for a person's own calendar (public feeds carry none:
    an alarm there would ring for every subscriber).
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    if description:
        calendar.add("description", description)
        calendar.add("x-wr-caldesc", description)
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")

    spans: dict[str, list[date]] = {}
    events = []
    for session in sessions:
        offering = session.offering
        zone = offering.timezone
        spans.setdefault(zone, []).extend([session.starts_at.date(), session.ends_at.date()])
        events.append(
            _event(
                session,
                offering,
                text,
                offering_url(offering),
                position=(tentative or {}).get(offering.id),
                online_link=(online_links or {}).get(offering.id, ""),
                uid_suffix=uid_suffix,
                alarm=alarm,
            )
        )
    for zone, days in sorted(spans.items()):
        calendar.add_component(
            _vtimezone(zone, min(days) - timedelta(days=1), max(days) + timedelta(days=1))
        )
    for event in events:
        calendar.add_component(event)
    return calendar.to_ical()


@lru_cache(maxsize=512)
def _vtimezone(zone: str, first_date: date, last_date: date) -> Timezone:
    """A small VTIMEZONE for the dates; cached: icalendar takes tens of ms to build one, more
    than a partner's whole feed. Only serialised, never changed, so calendars can share it."""
    return Timezone.from_tzid(zone, first_date=first_date, last_date=last_date)


def _event(
    session: OfferingSession,
    offering: Offering,
    text: EventText,
    url: str,
    *,
    position: int | None,
    online_link: str,
    uid_suffix: str = "",
    alarm: timedelta | None = None,
) -> Event:
    zone = ZoneInfo(offering.timezone)
    cancelled = (
        session.status == SessionStatus.CANCELLED or offering.status == OfferingStatus.CANCELLED
    )
    event = Event()
    event.add("uid", session_uid(session, uid_suffix))
    summary = offering.title
    if cancelled:
        summary = f"{text.cancelled_prefix} {summary}"
    event.add("summary", summary, parameters={"LANGUAGE": offering.language_of("title")})
    event.add("dtstart", session.starts_at.astimezone(zone))
    event.add("dtend", session.ends_at.astimezone(zone))
    # Every change a calendar must see touches the session, so its update time is the event's
    # time stamp: the body (and its ETag) changes only when the data does.
    event.add("dtstamp", session.updated_at)
    event.add("last-modified", session.updated_at)
    event.add("sequence", session.sequence)
    if cancelled:
        status = "CANCELLED"
    elif position is not None:
        status = "TENTATIVE"
    else:
        status = "CONFIRMED"
    event.add("status", status)
    location, located_by = session.location, session
    if not location:
        location = ", ".join(part for part in (offering.venue_name, offering.venue_address) if part)
        located_by = offering
    if location:
        field = "location" if located_by is session else "venue_name"
        event.add("location", location, parameters={"LANGUAGE": located_by.language_of(field)})
    event.add("url", url)
    lines = []
    if cancelled:
        # The organizer's reason first: it is what a person opening the struck-out event wants.
        reason = (
            offering.cancel_reason
            if offering.status == OfferingStatus.CANCELLED
            else session.cancel_reason
        )
        if reason:
            lines.append(f"{text.cancelled_prefix} {reason}")
    if offering.summary:
        lines.append(offering.summary)
    if offering.change_note and not cancelled:
        lines.append(offering.change_note)
    if position is not None and text.waitlist_note:
        lines.append(text.waitlist_note(position))
    if session.note:
        lines.append(session.note)
    if online_link and not cancelled:
        lines.append(online_link)
    lines.append(url)
    # One text of several: its language is that of the offering's own words, the summary
    # (else the title); the reason and notes follow the same fallback in practice.
    described_in = offering.language_of("summary" if offering.summary else "title")
    event.add("description", "\n\n".join(lines), parameters={"LANGUAGE": described_in})
    themes = [theme.name(text.language) for theme in offering.themes]
    if themes:
        event.add("categories", themes)
    if alarm is not None and status == "CONFIRMED":
        event.add_component(_alarm(alarm, summary))
    return event


def _alarm(before: timedelta, summary: str) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", -before)
    alarm.add("description", summary)
    return alarm
