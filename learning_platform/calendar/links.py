"""Subscribe and add-to-calendar links for the calendar apps people use."""

from dataclasses import dataclass
from datetime import UTC
from urllib.parse import quote, urlencode

from learning_platform.mail.services import external_url
from learning_platform.models import OfferingSession


@dataclass(frozen=True)
class Subscription:
    https: str
    webcal: str
    google: str
    outlook: str


def subscription(feed_url: str, name: str) -> Subscription:
    webcal = "webcal://" + feed_url.split("://", 1)[1]
    return Subscription(
        https=feed_url,
        webcal=webcal,
        google="https://calendar.google.com/calendar/render?cid=" + quote(webcal, safe=""),
        outlook="https://outlook.live.com/calendar/0/addfromweb?"
        + urlencode({"url": feed_url, "name": name}),
    )


def google_event(session: OfferingSession) -> str:
    """Google Calendar's "add this event" link for one session; its details link the offering."""
    offering = session.offering

    def stamp(moment):
        return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")

    location = session.location or ", ".join(
        part for part in (offering.venue_name, offering.venue_address) if part
    )
    return "https://calendar.google.com/calendar/render?" + urlencode(
        {
            "action": "TEMPLATE",
            "text": offering.title,
            "dates": f"{stamp(session.starts_at)}/{stamp(session.ends_at)}",
            "ctz": offering.timezone,
            "details": external_url("catalog.detail", offering_id=offering.id),
            "location": location,
        }
    )


def feed_subscription(endpoint: str, name: str, page_language: str, /, **values) -> Subscription:
    """Subscribe links for a feed route, in the language the page is shown in.

    `values` are the route's and filters' parameters (a `language` filter among them).
    """
    return subscription(external_url(endpoint, lang=page_language, **values), name)
