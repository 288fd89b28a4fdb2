"""Factory fixtures: each returns a callable that makes one row, committed and detached."""

import itertools

import pytest

from learning_platform.accounts.services import create_person
from learning_platform.extensions import db
from learning_platform.models import (
    Membership,
    Offering,
    OfferingSession,
    Partner,
    Registration,
    Theme,
    utcnow,
)

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


def _detached(obj):
    db.session.commit()
    db.session.refresh(obj)
    db.session.expunge(obj)
    return obj


@pytest.fixture
def make_person(app):
    def make(
        email: str | None = None,
        *,
        password: str = PASSWORD,
        name: str | None = None,
        language: str = "en",
        verified: bool = True,
        admin: bool = False,
    ):
        number = next(_counter)
        with app.app_context():
            person = create_person(
                email or f"person{number}@example.org",
                name or f"Person {number}",
                password,
                language,
                verified=verified,
                is_admin=admin,
            )
            return _detached(person)

    return make


@pytest.fixture
def make_partner(app):
    def make(*, approved: bool = True, members=(), **fields):
        number = next(_counter)
        values = {
            "slug": f"partner-{number}",
            "name": f"Partner {number}",
            "kind": "ngo",
            "description": "",
            "website": "",
            "timezone": "Asia/Seoul",
            **fields,
        }
        with app.app_context():
            partner = Partner(approved=approved, **values)
            db.session.add(partner)
            db.session.flush()
            for person in members:
                db.session.add(Membership(person_id=person.id, partner_id=partner.id))
            return _detached(partner)

    return make


@pytest.fixture
def login(client):
    """Log `person` in through the login form; returns the response."""

    def do(person, password: str = PASSWORD, **extra):
        response = client.submit("/login", {"email": person.email, "password": password, **extra})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    return do


@pytest.fixture
def admin(make_person, login):
    """A site admin, logged in (root@example.org, "Site Admin")."""
    person = make_person("root@example.org", name="Site Admin", admin=True)
    login(person)
    return person


@pytest.fixture
def organizer(make_person, make_partner, login):
    """(person, partner): an organizer of "changwon-city", logged in."""
    person = make_person(name="Organizer")
    partner = make_partner(slug="changwon-city", members=[person])
    login(person)
    return person, partner


@pytest.fixture
def race_app(make_app):
    """An app whose pool has a connection for each of ten clients racing each other."""
    from config import engine_options

    app = make_app()
    options = engine_options(app.config["SQLALCHEMY_DATABASE_URI"])
    return make_app(SQLALCHEMY_ENGINE_OPTIONS={**options, "pool_size": 10, "max_overflow": 0})


@pytest.fixture
def make_offering(app):
    """make_offering(partner, sessions=[(start, end), ...], status="draft", **fields)."""

    def make(partner, *, sessions=(), status="draft", themes=(), cohosts=(), **fields):
        values = {
            "kind": "course",
            "title": f"Offering {next(_counter)}",
            "summary": "Learn by doing.",
            "description": "",
            "language": "ko",
            "format": "in_person",
            "venue_name": "Changwon Lifelong Learning Centre",
            "capacity": 20,
            "timezone": partner.timezone,
            "contact_email": "learn@example.org",
            # A published or cancelled offering was public once (models.public_status).
            "published_at": utcnow() if status != "draft" else None,
            **fields,
        }
        with app.app_context():
            offering = Offering(partner_id=partner.id, status=status, **values)
            offering.themes = [db.session.get(Theme, theme.id) for theme in themes]
            offering.cohosts = [db.session.get(Partner, cohost.id) for cohost in cohosts]
            for starts_at, ends_at in sessions:
                offering.sessions.append(OfferingSession(starts_at=starts_at, ends_at=ends_at))
            db.session.add(offering)
            db.session.commit()
            db.session.refresh(offering)
            offering.sessions, offering.themes, offering.cohosts  # noqa: B018 - load them now
            db.session.expunge(offering)
            return offering

    return make


@pytest.fixture
def make_theme(app):
    def make(slug: str | None = None):
        number = next(_counter)
        with app.app_context():
            theme = Theme(
                slug=slug or f"theme-{number}",
                name_en=f"Theme {number}",
                name_ko=f"주제 {number}",
                sdg_targets=["4.7"],
                position=number,
            )
            db.session.add(theme)
            return _detached(theme)

    return make


@pytest.fixture
def register(app):
    """register(offering, person, status="confirmed"): a registration row, seats kept in step."""

    def make(offering, person, status: str = "confirmed"):
        with app.app_context():
            db.session.add(
                Registration(offering_id=offering.id, person_id=person.id, status=status)
            )
            if status == "confirmed":
                db.session.get(Offering, offering.id).seats_taken += 1
            db.session.commit()

    return make
