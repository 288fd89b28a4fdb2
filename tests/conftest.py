"""Fixtures: every test that touches the database runs on SQLite and on PostgreSQL."""

import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_string, policy

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from config import TestingConfig, engine_options
from learning_platform import create_app
from learning_platform.extensions import db
from learning_platform.models import Base, OutboxMessage

pytest_plugins = ["tests.factories"]


def pytest_sessionstart(session) -> None:
    """Compile the translation catalogs, so the tests see the .po files as they are now."""
    from pathlib import Path

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in (
        Path(__file__).resolve().parent.parent / "learning_platform" / "translations"
    ).glob("*/LC_MESSAGES/messages.po"):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        with po_path.with_suffix(".mo").open("wb") as mo_file:
            write_mo(mo_file, catalog)


IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def make_config(database_url: str, **overrides) -> TestingConfig:
    config = TestingConfig()
    config.SQLALCHEMY_DATABASE_URI = database_url
    config.SQLALCHEMY_ENGINE_OPTIONS = engine_options(database_url)
    config.RATELIMIT_STORAGE_URI = "memory://"
    config.MAIL_SERVER = ""
    config.BASE_URL = "http://localhost"
    config.TRUSTED_HOSTS = ["localhost"]
    config.FEED_VALIDATOR_SECONDS = 0  # tests see each change at once, whatever the shell says
    config.CATALOG_RANKING_SECONDS = 0
    for key, value in overrides.items():
        setattr(config, key, value)
    return config


def migrate_to_head(database_url: str) -> None:
    import flask_migrate

    app = create_app(make_config(database_url))
    with app.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.db'}"
    migrate_to_head(url)
    return url


def _unavailable(reason: str):
    if IN_CI:
        pytest.fail(f"PostgreSQL is required in CI: {reason}")
    pytest.skip(f"PostgreSQL not available: {reason}")


@pytest.fixture(scope="session")
def postgresql_server() -> Iterator[str]:
    """A server URL for creating throw-away databases (TEST_DATABASE_URL)."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        _unavailable("TEST_DATABASE_URL is not set")
    yield base


@pytest.fixture(scope="session")
def fresh_postgresql(postgresql_server):
    """A factory of empty PostgreSQL databases, all dropped at the end of the run."""
    admin = create_engine(postgresql_server, isolation_level="AUTOCOMMIT")
    created: list[str] = []

    def create() -> str:
        name = f"lp_test_{uuid.uuid4().hex[:12]}"
        try:
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        except OperationalError as error:
            _unavailable(str(error).splitlines()[0])
        created.append(name)
        return make_url(postgresql_server).set(database=name).render_as_string(hide_password=False)

    yield create
    with admin.connect() as connection:
        for name in created:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def postgresql_url(fresh_postgresql) -> str:
    url = fresh_postgresql()
    migrate_to_head(url)
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request) -> str:
    return request.getfixturevalue(f"{request.param}_url")


def _empty_tables(app: Flask) -> None:
    with app.app_context():
        tables = list(reversed(Base.metadata.sorted_tables))
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                names = ", ".join(f'"{table.name}"' for table in tables)
                connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    connection.execute(table.delete())
        db.session.remove()
        db.engine.dispose()


class FormClient(FlaskClient):
    """A test client that submits forms the way a browser does, CSRF token included."""

    def csrf_token(self, path: str = "/") -> str:
        page = self.get(path)
        match = CSRF_INPUT.search(page.get_data(as_text=True))
        assert match, f"no CSRF token on {path} ({page.status_code})"
        return match.group(1)

    def submit(self, path: str, data: dict | None = None, *, page: str | None = None, **kwargs):
        """POST `data` to `path` with the CSRF token from `page` (default: `path`)."""
        form = {"csrf_token": self.csrf_token(page or path), **(data or {})}
        return self.post(path, data=form, **kwargs)


@pytest.fixture
def make_app(database_url, tmp_path):
    """Build an app on this test's database with config overrides; emptied afterwards."""
    apps: list[Flask] = []

    def build(**overrides) -> Flask:
        overrides.setdefault("MAIL_OUTBOX_DIR", str(tmp_path / "mail"))
        app = create_app(make_config(database_url, **overrides))
        app.test_client_class = FormClient
        apps.append(app)
        return app

    yield build
    if apps:
        _empty_tables(apps[0])
    for app in apps[1:]:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def app(make_app) -> Flask:
    return make_app()


@pytest.fixture
def client(app) -> FormClient:
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def outbox(app):
    """The messages in the outbox, parsed: outbox() -> list of email.message.EmailMessage."""

    def read(recipient: str | None = None):
        with app.app_context():
            query = select(OutboxMessage).order_by(OutboxMessage.id)
            if recipient:
                query = query.where(OutboxMessage.recipient == recipient)
            rows = db.session.scalars(query).all()
            return [message_from_string(row.raw, policy=policy.default) for row in rows]

    return read


@pytest.fixture
def count_queries(app):
    """count_queries() is a context manager yielding the list of SQL statements run inside it."""

    @contextmanager
    def counting():
        statements: list[str] = []

        def record(_conn, _cursor, statement, *_args) -> None:
            statements.append(statement)

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", record)

    return counting


def mail_body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def link_in(message, path_prefix: str) -> str:
    """The path of the first link in `message` that starts with `path_prefix`."""
    match = re.search(
        r"https?://[^/\s]+(" + re.escape(path_prefix) + r"[^\s]*)", mail_body(message)
    )
    assert match, f"no {path_prefix} link in: {mail_body(message)}"
    return match.group(1)
