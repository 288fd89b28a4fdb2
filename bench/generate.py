"""Benchmark data: 10,000 published offerings from 50 partners, 50,000 sessions, 100,000
registrations, in Korean and English, into a fresh SQLite file or PostgreSQL database.

Run: .venv/bin/python bench/generate.py sqlite:///path/bench.db
     .venv/bin/python bench/generate.py postgresql+psycopg://postgres@127.0.0.1:5432/bench

The schema comes from the Alembic migrations; rows are bulk-inserted with Core executemany.
Invariants the app relies on hold: seats_taken equals the confirmed registrations and never
passes the capacity, a waitlist only on a full offering, one active registration per person
and offering, sessions end after they start. Time is laid out like a platform with three years
of history: first sessions fall between three years ago and six months ahead, so the catalog
and the feeds (which keep 30 days of the past) see a realistic window, not all 50,000 sessions.
"""

import random
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import flask_migrate
from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import make_url

from config import TestingConfig, engine_options
from learning_platform import create_app
from learning_platform.catalog import search
from learning_platform.demo import seed_themes
from learning_platform.extensions import db
from learning_platform.models import (
    Membership,
    Offering,
    OfferingSession,
    Partner,
    Person,
    Registration,
    Theme,
)
from learning_platform.models.offering import offering_cohost, offering_theme

PARTNERS = 50
OFFERINGS = 10_000
SESSIONS = 50_000
REGISTRATIONS = 100_000
LEARNERS = 20_000
#: Accounts that race for the registration scenario's seats (logged in before it is timed).
RACERS = 200
RACE_SEATS = 20
PASSWORD = "bench-learn-together"
#: The organizer whose partner dashboard is measured.
ORGANIZER = "organizer@bench.example.org"
#: The site admin whose alliance report is measured.
ADMIN = "admin@bench.example.org"
SEED = 20261127

TOPICS = [
    ("기후 행동", "Climate action"),
    ("도시 텃밭", "Urban gardening"),
    ("디지털 리터러시", "Digital literacy"),
    ("세계시민교육", "Global citizenship"),
    ("생물다양성", "Biodiversity"),
    ("자원 순환", "Resource efficiency"),
    ("지속가능발전교육", "Education for sustainable development"),
    ("미디어 리터러시", "Media literacy"),
    ("상호문화 이해", "Intercultural understanding"),
    ("제로 웨이스트", "Zero waste"),
    ("해양 보전", "Ocean conservation"),
    ("재생 에너지", "Renewable energy"),
    ("평생학습", "Lifelong learning"),
    ("미래 도시", "Future of cities"),
    ("포용 사회", "Inclusive communities"),
]
FORMS = [
    ("시민학교", "citizens' school"),
    ("워크숍", "workshop"),
    ("입문 과정", "introductory course"),
    ("심화 과정", "advanced course"),
    ("포럼", "forum"),
    ("현장 탐방", "field visit"),
    ("청년 캠프", "youth camp"),
    ("강좌", "lecture series"),
]
PLACES = [
    ("창원시 평생학습관", "의창구 중앙대로 151"),
    ("마산 해양신도시 문화센터", "마산합포구 해안대로 2"),
    ("진해 생태숲 방문자센터", "진해구 장복로 38"),
    ("창원대학교 글로벌평생학습관", "의창구 창원대학로 20"),
    ("UNESCO Bangkok, Room 301", "920 Sukhumvit Road, Bangkok"),
    ("Chulalongkorn Sustainability Hub", "254 Phaya Thai Road, Bangkok"),
    ("서울 KNCU 세계시민교육센터", "중구 명동길 26"),
]
PARAGRAPHS = [
    "이 과정은 지속가능한 도시를 만들기 위한 시민의 역할을 함께 탐구합니다. 매주 현장의 "
    "사례를 살펴보고 작은 실천 계획을 세웁니다.",
    "This course explores what citizens can do for a sustainable city. Each week we look at "
    "cases from Changwon and Bangkok and draw up a small plan of action.",
    "참가자는 소그룹 토론과 실습을 통해 기후 위기와 생활 습관의 관계를 이해하고, 이웃과 함께 "
    "할 수 있는 활동을 설계합니다.",
    "Participants work in small groups, practise hands-on skills and meet local organisations "
    "already working on climate action, biodiversity and zero waste.",
    "Education for Sustainable Development (SDG 4.7) asks every learner to gain the knowledge "
    "and skills needed to promote sustainable development.",
    "모든 세대가 참여할 수 있으며, 한국어와 영어로 진행됩니다. 준비물은 필요하지 않습니다.",
]
ZONES = ["Asia/Seoul"] * 6 + ["Asia/Bangkok"] * 3 + ["Asia/Tokyo"]
KINDS = ["city", "un_agency", "national_commission", "ngo", "university", "other"]


@dataclass
class Generated:
    """What the benchmark needs to know about the data it runs against."""

    url: str
    seconds: float = 0.0
    counts: dict = field(default_factory=dict)
    race_offering_id: int = 0
    sample_offering_id: int = 0
    partner_slug: str = ""
    racers: list[str] = field(default_factory=list)
    #: The partner with the most offerings, whose dashboard ORGANIZER opens.
    dashboard_partner_slug: str = ""


def _config(url: str) -> TestingConfig:
    config = TestingConfig()
    config.SQLALCHEMY_DATABASE_URI = url
    config.SQLALCHEMY_ENGINE_OPTIONS = engine_options(url)
    return config


def fresh_database(url: str) -> None:
    """An empty database at `url`: the SQLite file removed, or the PostgreSQL database recreated."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database)
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    name = parsed.database
    if name in {"test", "postgres", "template0", "template1"}:
        raise SystemExit(f"refusing to recreate database {name!r}")
    admin = parsed.set(drivername="postgresql", database="postgres")
    with psycopg.connect(
        admin.render_as_string(hide_password=False), autocommit=True
    ) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def _spread(total: int, count: int, low: int, high: int, rng: random.Random) -> list[int]:
    """`count` integers in [low, high] that add up to exactly `total`."""
    values = [rng.randint(low, high) for _ in range(count)]
    difference = total - sum(values)
    step = 1 if difference > 0 else -1
    index = 0
    while difference:
        i = index % count
        if low <= values[i] + step <= high:
            values[i] += step
            difference -= step
        index += 1
    return values


def _text(rng: random.Random, count: int, language: str = "") -> str:
    """`count` paragraphs in one language (Korean ones for "ko", English ones otherwise)."""
    mine = [
        p for p in PARAGRAPHS if any("\uac00" <= c <= "\ud7af" for c in p) == (language == "ko")
    ]
    return "\n\n".join(rng.sample(mine, min(count, len(mine))))


def generate(url: str, password_hash: str, now: datetime | None = None) -> Generated:
    """Recreate the database at `url` and fill it; returns what the benchmark needs."""
    started = time.perf_counter()
    rng = random.Random(SEED)
    now = now or datetime.now(UTC)
    result = Generated(url=url)
    fresh_database(url)
    app = create_app(_config(url))
    with app.app_context():
        flask_migrate.upgrade()
        seed_themes()
        db.session.commit()
        theme_ids = list(db.session.scalars(select(Theme.id).order_by(Theme.position)))

        partners = []
        for number in range(1, PARTNERS + 1):
            topic_ko, topic_en = TOPICS[number % len(TOPICS)]
            partners.append(
                {
                    "id": number,
                    "slug": f"partner-{number:02d}",
                    "name": f"{topic_en} Network {number}",
                    "primary_language": "en",
                    "kind": KINDS[number % len(KINDS)],
                    "description": _text(rng, 2, "en"),
                    "website": f"https://partner-{number}.example.org",
                    "timezone": ZONES[number % len(ZONES)],
                    "approved": True,
                    "created_at": now - timedelta(days=1200),
                }
            )
        result.partner_slug = partners[0]["slug"]

        people = []
        for number in range(1, LEARNERS + RACERS + 1):
            racer = number > LEARNERS
            email = (
                f"racer{number - LEARNERS:03d}@bench.example.org"
                if racer
                else f"learner{number:05d}@bench.example.org"
            )
            if racer:
                result.racers.append(email)
            people.append(
                {
                    "id": number,
                    "email": email,
                    "display_name": f"학습자 {number}" if number % 2 else f"Learner {number}",
                    "password_hash": password_hash,
                    "preferred_language": "ko" if number % 3 else "en",
                    "is_admin": False,
                    "email_verified_at": now - timedelta(days=30),
                    "created_at": now - timedelta(days=60),
                    "updated_at": now - timedelta(days=60),
                }
            )

        # Session counts: one for workshops and events, 6-12 weekly meetings for courses.
        kinds = [rng.choice(["course", "course", "workshop", "event"]) for _ in range(OFFERINGS)]
        courses = [i for i, kind in enumerate(kinds) if kind == "course"]
        single = OFFERINGS - len(courses)
        weekly = _spread(SESSIONS - single, len(courses), 2, 16, rng)
        session_counts = [1] * OFFERINGS
        for index, count in zip(courses, weekly, strict=True):
            session_counts[index] = count
        # The registration race: a future one-session workshop with 20 seats, nobody registered.
        race_index = 0
        if kinds[race_index] == "course":  # keep the total: swap with a one-session offering
            other = next(i for i in range(OFFERINGS) if kinds[i] != "course")
            kinds[race_index], kinds[other] = kinds[other], kinds[race_index]
            session_counts[race_index], session_counts[other] = (
                session_counts[other],
                session_counts[race_index],
            )
        registration_counts = _spread(REGISTRATIONS, OFFERINGS - 1, 0, 20, rng)
        registration_counts.insert(race_index, 0)

        offerings, themes, cohosts, sessions, registrations = [], [], [], [], []
        session_id = 0
        for index in range(OFFERINGS):
            offering_id = index + 1
            partner = partners[index % PARTNERS]
            topic_ko, topic_en = rng.choice(TOPICS)
            form_ko, form_en = rng.choice(FORMS)
            place, address = rng.choice(PLACES)
            language = rng.choice(["ko", "ko", "ko-en", "en", "th"])
            title = {
                "ko": f"{topic_ko} {form_ko}",
                "en": f"{topic_en}: {form_en}",
                "th": f"{topic_en}: {form_en} (taught in Thai)",
                "ko-en": f"{topic_ko} {form_ko}",
            }[language]
            # Texts in one language each (the Thai-taught ones are described in English);
            # the Korean-and-English ones carry their English title as a translation.
            primary = "ko" if language.startswith("ko") else "en"
            first = now + timedelta(
                days=rng.randint(-3 * 365, 180), hours=rng.choice([0, 1, 2, 9, 10])
            )
            first = first.replace(minute=0, second=0, microsecond=0)
            if index == race_index:
                first = now + timedelta(days=14)
            created = min(first - timedelta(days=rng.randint(14, 60)), now - timedelta(days=2))
            registered = registration_counts[index]
            capacity = 20 if index == race_index else rng.randint(10, 40)
            confirmed = min(registered, capacity)
            offerings.append(
                {
                    "id": offering_id,
                    "partner_id": partner["id"],
                    "kind": kinds[index],
                    "status": "published",
                    "title": title + f" {2024 + index % 3}-{index % 97 + 1}",
                    "primary_language": primary,
                    "translations": (
                        {"en": {"title": f"{topic_en}: {form_en}"}} if language == "ko-en" else {}
                    ),
                    "summary": _text(rng, 1, primary)[:300],
                    "description": _text(rng, 3, primary),
                    "language": language,
                    "audience": rng.choice(
                        {"ko": ["모든 시민", "청소년", ""], "en": ["Adults", "Youth", ""]}[primary]
                    ),
                    "format": rng.choice(["in_person", "in_person", "online", "hybrid"]),
                    "venue_name": place,
                    "venue_address": address,
                    "online_link": "",
                    "capacity": capacity,
                    "seats_taken": confirmed,
                    "registration_opens_at": None,
                    "registration_closes_at": None,
                    "timezone": partner["timezone"],
                    "cost_note": rng.choice(
                        ["무료" if primary == "ko" else "Free", "", "10,000 KRW"]
                    ),
                    "contact_email": f"contact@{partner['slug']}.example.org",
                    "created_at": created,
                    "updated_at": created + timedelta(days=1),
                    "published_at": created + timedelta(days=1),
                    "cancelled_at": None,
                }
            )
            for theme_id in rng.sample(theme_ids, rng.randint(1, 3)):
                themes.append({"offering_id": offering_id, "theme_id": theme_id})
            if index % 10 == 5:
                cohost = partners[(index + 7) % PARTNERS]["id"]
                cohosts.append({"offering_id": offering_id, "partner_id": cohost})
            length = timedelta(hours=rng.choice([1, 2, 2, 3]))
            for week in range(session_counts[index]):
                session_id += 1
                begin = first + timedelta(weeks=week)
                cancelled = rng.random() < 0.01 and index != race_index
                stamp = created + timedelta(days=1)
                sessions.append(
                    {
                        "id": session_id,
                        "offering_id": offering_id,
                        "uid": uuid.UUID(int=rng.getrandbits(128)).hex,
                        "starts_at": begin,
                        "ends_at": begin + length,
                        "location": "" if week % 4 else "Room 301",
                        "note": "",
                        "status": "cancelled" if cancelled else "scheduled",
                        "sequence": 1 if cancelled else 0,
                        "created_at": created,
                        "updated_at": stamp,
                        "cancelled_at": stamp if cancelled else None,
                    }
                )
            for place_in_line, person_id in enumerate(
                rng.sample(range(1, LEARNERS + 1), registered)
            ):
                at = created + timedelta(days=1, minutes=place_in_line)
                registrations.append(
                    {
                        "offering_id": offering_id,
                        "person_id": person_id,
                        "status": "confirmed" if place_in_line < confirmed else "waitlisted",
                        "created_at": at,
                        "updated_at": at,
                        "cancelled_at": None,
                    }
                )
        result.race_offering_id = race_index + 1

        tables = [
            (Partner.__table__, partners),
            (Person.__table__, people),
            (Offering.__table__, offerings),
            (offering_theme, themes),
            (offering_cohost, cohosts),
            (OfferingSession.__table__, sessions),
            (Registration.__table__, registrations),
        ]
        connection = db.session.connection()
        for table, rows in tables:
            for start in range(0, len(rows), 5000):
                connection.execute(insert(table), rows[start : start + 5000])
        # Bulk inserts pass by the session's bookkeeping: the search rows are built here.
        search.rebuild(connection, everything=True)
        if connection.dialect.name == "postgresql":
            for table in ("partner", "person", "offering", "offering_session", "registration"):
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
        db.session.commit()
        # An organizer of the partner with the most offerings: its dashboard is measured.
        busiest = db.session.execute(
            select(Partner.id, Partner.slug)
            .join(Offering, Offering.partner_id == Partner.id)
            .group_by(Partner.id, Partner.slug)
            .order_by(func.count().desc(), Partner.id)
            .limit(1)
        ).one()
        result.dashboard_partner_slug = busiest.slug
        organizer = Person(
            email=ORGANIZER,
            display_name="Bench organizer",
            password_hash=password_hash,
            preferred_language="ko",
            email_verified_at=now,
        )
        db.session.add(organizer)
        db.session.flush()
        db.session.add(Membership(person_id=organizer.id, partner_id=busiest.id))
        db.session.add(
            Person(
                email=ADMIN,
                display_name="Bench admin",
                password_hash=password_hash,
                preferred_language="ko",
                email_verified_at=now,
                is_admin=True,
            )
        )
        db.session.commit()
        if connection.dialect.name == "postgresql":
            # VACUUM too, as autovacuum would have by now: index-only scans need the visibility map.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as raw:
                raw.execute(text("VACUUM ANALYZE"))
        else:
            with db.engine.begin() as raw:
                raw.execute(text("ANALYZE"))

        for name, model in (
            ("partners", Partner),
            ("offerings", Offering),
            ("sessions", OfferingSession),
            ("registrations", Registration),
            ("people", Person),
        ):
            result.counts[name] = db.session.scalar(select(func.count()).select_from(model))
        # An offering in the catalog with a typical number of sessions, for the offering page.
        result.sample_offering_id = next(
            i + 1
            for i in range(1, OFFERINGS)
            if session_counts[i] >= 8 and offerings[i]["published_at"] < now
        )
        db.engine.dispose()
    result.seconds = time.perf_counter() - started
    return result


def production_hash(password: str = PASSWORD) -> str:
    """The password hashed once with the production argon2id parameters."""
    from config import Config
    from learning_platform.security import hash_password

    config = _config("sqlite://")
    config.ARGON2_TIME_COST = Config.ARGON2_TIME_COST
    config.ARGON2_MEMORY_COST = Config.ARGON2_MEMORY_COST
    config.ARGON2_PARALLELISM = Config.ARGON2_PARALLELISM
    with create_app(config).app_context():
        return hash_password(password)


if __name__ == "__main__":
    generated = generate(sys.argv[1], production_hash())
    print(f"{generated.counts} in {generated.seconds:.1f} s")
