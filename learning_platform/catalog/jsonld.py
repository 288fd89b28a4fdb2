"""schema.org JSON-LD for an offering page: an Event, or a Course with its CourseInstance."""

from learning_platform.languages import INSTRUCTION_LANGUAGES
from learning_platform.models import Offering, OfferingFormat, OfferingKind, OfferingStatus

_ATTENDANCE = {
    OfferingFormat.IN_PERSON: "https://schema.org/OfflineEventAttendanceMode",
    OfferingFormat.ONLINE: "https://schema.org/OnlineEventAttendanceMode",
    OfferingFormat.HYBRID: "https://schema.org/MixedEventAttendanceMode",
}
_COURSE_MODE = {
    OfferingFormat.IN_PERSON: "Onsite",
    OfferingFormat.ONLINE: "Online",
    OfferingFormat.HYBRID: "Blended",
}


def offering_jsonld(offering: Offering, url: str, partner_url, currency: str) -> dict:
    """`partner_url(partner)` gives a partner page's absolute address; `currency` is the
    site's ISO 4217 code."""
    organizers = [
        {"@type": "Organization", **_names(partner, "name"), "url": partner_url(partner)}
        for partner in [offering.partner, *offering.cohosts]
    ]
    sessions = offering.active_sessions
    start = sessions[0].starts_at.isoformat() if sessions else None
    end = offering.last_end.isoformat() if sessions else None
    if offering.format == OfferingFormat.ONLINE:
        location = {"@type": "VirtualLocation", "url": url}
    else:
        location = {
            "@type": "Place",
            "name": offering.venue_name or offering.partner.name,
            "address": offering.venue_address or offering.venue_name,
        }
    status = (
        "https://schema.org/EventCancelled"
        if offering.status == OfferingStatus.CANCELLED
        else "https://schema.org/EventScheduled"
    )
    offers = {
        "@type": "Offer",
        "url": url,
        "price": 0,
        "priceCurrency": currency,
        "availability": "https://schema.org/InStock"
        if offering.seats_taken < offering.capacity
        else "https://schema.org/SoldOut",
        "description": offering.cost_note,
    }
    event = {
        **_names(offering, "title"),
        "description": offering.summary,
        "startDate": start,
        "endDate": end,
        "eventStatus": status,
        "eventAttendanceMode": _ATTENDANCE[offering.format],
        "location": location,
        "organizer": organizers,
        "inLanguage": list(INSTRUCTION_LANGUAGES.get(offering.language, (offering.language,))),
        "maximumAttendeeCapacity": offering.capacity,
        "remainingAttendeeCapacity": max(0, offering.capacity - offering.seats_taken),
        "offers": offers,
        "url": url,
    }
    if offering.kind != OfferingKind.COURSE:
        return {"@context": "https://schema.org", "@type": "Event", **event}
    return {
        "@context": "https://schema.org",
        "@type": "Course",
        **_names(offering, "title"),
        "description": offering.summary,
        "url": url,
        "provider": organizers[0],
        "inLanguage": event["inLanguage"],
        "offers": offers,
        "hasCourseInstance": {
            "@type": "CourseInstance",
            "courseMode": _COURSE_MODE[offering.format],
            "courseWorkload": _iso_duration(offering.learning_hours),
            **{
                k: v
                for k, v in event.items()
                if k not in ("name", "alternateName", "description", "offers", "url")
            },
        },
    }


def _names(item, field: str) -> dict:
    """`name`: the text the reader gets; `alternateName`: the same name in the other
    languages it is written in.

    Plain strings, not JSON-LD language-tagged values ({"@value", "@language"}): schema.org
    accepts both, but Google documents `name` of an Event or a Course as Text and its rich
    results do not read value objects. The page's language is `<html lang>`; `inLanguage`
    stays the language the course is taught in, which is what schema.org means by it.
    """
    name, language = item.shown(field)
    others = [text for code, text in item.texts(field).items() if code != language]
    return {"name": name, "alternateName": others} if others else {"name": name}


def _iso_duration(hours: float) -> str:
    """ISO 8601, exact to the minute: 2.5 hours is PT2H30M, not PT2H."""
    whole, minutes = divmod(round(hours * 60), 60)
    return f"PT{whole}H{minutes}M" if minutes else f"PT{whole}H"
