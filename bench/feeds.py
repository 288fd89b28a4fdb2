"""Feed build time: our 2,000-session feed against icalendar serialising the same events alone.

Run: .venv/bin/python bench/feeds.py   (SQLite in a temporary folder; prints a table row)
`make bench` calls measure() on SQLite and PostgreSQL (bench/run.py). The floor builds the same VEVENTs with the icalendar library and nothing else; the app's
figure is the whole feed: the query, the rows and the calendar. Target: at most 1.2 times.
"""

import statistics
import sys
import tempfile
import time
from contextlib import suppress
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import flask_migrate
from icalendar import Calendar, Event, Timezone

from config import TestingConfig, engine_options
from learning_platform import create_app
from learning_platform.calendar import feeds, ical
from learning_platform.demo import seed_themes
from learning_platform.extensions import db
from learning_platform.models import Offering, OfferingSession, Partner, Theme, utcnow

SESSIONS = 2000


def best_of(function, runs: int = 7) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def measure(url: str, runs: int = 7) -> dict:
    """Build the feed on a fresh database at `url`; median of `runs` each, in milliseconds."""
    from bench.generate import fresh_database

    fresh_database(url)
    config = TestingConfig()
    config.SQLALCHEMY_DATABASE_URI = url
    config.SQLALCHEMY_ENGINE_OPTIONS = engine_options(config.SQLALCHEMY_DATABASE_URI)
    config.BASE_URL = "https://learn.example.org"
    app = create_app(config)
    with app.app_context():
        flask_migrate.upgrade()
        seed_themes()
        partner = Partner(
            slug="bench", name="Bench", kind="city", timezone="Asia/Seoul", approved=True
        )
        db.session.add(partner)
        themes = db.session.query(Theme).limit(2).all()
        start = utcnow() + timedelta(days=1)
        for number in range(SESSIONS // 10):
            offering = Offering(
                partner=partner,
                kind="course",
                status="published",
                title=f"기후행동 시민학교 {number} · Climate school",
                summary="요약 summary",
                language="ko-en",
                format="in_person",
                venue_name="창원시 평생학습관",
                capacity=30,
                timezone="Asia/Seoul",
            )
            offering.themes = themes
            for week in range(10):
                begin = start + timedelta(days=number % 60, weeks=week)
                offering.sessions.append(
                    OfferingSession(starts_at=begin, ends_at=begin + timedelta(hours=2))
                )
            db.session.add(offering)
        db.session.commit()

        with app.test_request_context():
            now = utcnow()
            url = lambda o: f"https://learn.example.org/offerings/{o.id}"  # noqa: E731
            rows = feeds.sessions([], now)
            assert len(rows) == SESSIONS

            def app_feed():
                db.session.expire_all()
                # Same work as the floor, which builds its VTIMEZONE every time: no cached one.
                ical._vtimezone.cache_clear()
                return feeds.public_feed("Bench", [], "en", now, url)

            # The same events, property for property, from plain values already in memory.
            plain = [
                (
                    s.uid,
                    s.offering.title,
                    s.starts_at,
                    s.ends_at,
                    s.updated_at,
                    s.sequence,
                    s.offering.venue_name,
                    url(s.offering),
                    s.offering.summary,
                    [t.name_en for t in s.offering.themes],
                )
                for s in rows
            ]

            def floor():
                calendar = Calendar()
                for name, value in (
                    ("prodid", "-//bench//EN"),
                    ("version", "2.0"),
                    ("calscale", "GREGORIAN"),
                    ("method", "PUBLISH"),
                    ("name", "Bench"),
                    ("x-wr-calname", "Bench"),
                ):
                    calendar.add(name, value)
                calendar.add_component(Timezone.from_tzid("Asia/Seoul", first_date=start.date()))
                zone = ZoneInfo("Asia/Seoul")
                for (
                    uid,
                    title,
                    begin,
                    end,
                    stamp,
                    sequence,
                    venue,
                    link,
                    summary,
                    categories,
                ) in plain:
                    event = Event()
                    event.add("uid", uid)
                    event.add("summary", title)
                    event.add("dtstart", begin.astimezone(zone))
                    event.add("dtend", end.astimezone(zone))
                    event.add("dtstamp", stamp)
                    event.add("last-modified", stamp)
                    event.add("sequence", sequence)
                    event.add("status", "CONFIRMED")
                    event.add("location", venue)
                    event.add("url", link)
                    event.add("description", f"{summary}\n\n{link}")
                    event.add("categories", categories)
                    calendar.add_component(event)
                return calendar.to_ical()

            ours, base = best_of(app_feed, runs), best_of(floor, runs)
            size = len(app_feed())
        db.session.remove()
        with suppress(Exception):
            db.engine.dispose()
    return {
        "sessions": SESSIONS,
        "app_ms": round(ours, 1),
        "floor_ms": round(base, 1),
        "ratio": round(ours / base, 3),
        "kib": round(size / 1024),
        "runs": runs,
    }


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    result = measure(f"sqlite:///{folder / 'feeds.db'}")
    print(
        f"| {SESSIONS}-session feed | app {result['app_ms']:.0f} ms | icalendar alone "
        f"{result['floor_ms']:.0f} ms | ratio {result['ratio']:.2f}x | {result['kib']} KiB |"
    )


if __name__ == "__main__":
    main()
