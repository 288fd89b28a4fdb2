"""Factory fixtures: each returns a callable that makes one row, committed and detached."""

import itertools

import pytest

from learning_platform.accounts.services import create_person
from learning_platform.extensions import db
from learning_platform.models import Membership, Partner

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
