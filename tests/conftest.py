"""Fixtures: every test that touches the database runs on SQLite and on PostgreSQL.

One app per database serves the whole run, and each test runs inside one outer transaction
that is rolled back at its end: the app's sessions join that transaction through SAVEPOINTs
(SQLAlchemy's "Joining a Session into an External Transaction"), so `commit()`, `rollback()`
and `begin_nested()` in views, services and factories behave as usual inside the test, and
nothing is left behind. After each test the shared app gets its configuration and
`app.extensions` back as they were; each test starts with an empty rate-limiter storage and
`MAIL_OUTBOX_DIR`, `MEDIA_ROOT` and `CREDENTIAL_KEYS_DIR` in its own tmp_path.

- `app`, `make_app()`: the shared app of the test's database. Do not add routes or hooks to it
  (Flask refuses, as on any app that has served a request).
- `make_app(SETTING=value, ...)`: an app of its own built with those settings (any setting,
  also those read at build time such as PROXY_FIX_HOPS), on the same connection and outer
  transaction: it sees the test's data, and the test sees what it commits. SQLALCHEMY_*
  settings need a new engine, so only committed tests may change them.
- `count_queries()` leaves out the SAVEPOINT statements this harness adds; the app's own
  `begin_nested()` savepoints are counted as before.

`@pytest.mark.committed`: for tests whose data must be seen by other connections — threads
racing on the database, several engines or pools, anything that opens its own connection.
Each such test gets apps of its own (`create_app` per `make_app` call) on committed data, and
every table is emptied afterwards (TRUNCATE on PostgreSQL, DELETE on SQLite). That costs a
create_app and an emptying per test, a few tenths of a second: use it only where a test needs it.
A test without the marker whose threads use the database fails with a RuntimeError saying so.
"""

import os
import re
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_string, policy
from unittest import mock

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FlaskSQLAlchemySession
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import OperationalError

from config import TestingConfig, engine_options
from learning_platform import create_app
from learning_platform.extensions import db, limiter
from learning_platform.models import Base, OutboxMessage

pytest_plugins = ["tests.factories"]


def pytest_sessionstart(session) -> None:
    """Compile the translation catalogs, so the tests see the .po files as they are now. Under
    pytest-xdist (`make test` runs `-n auto`) the controller does it before it starts the
    workers, which then only read them."""
    if hasattr(session.config, "workerinput"):
        return
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
    config.IMPACT_PAGE_SECONDS = 0
    config.CACHE_REDIS_URL = ""  # a developer's shell setting never reaches the tests' caches
    config.CREDENTIAL_SIGNING_KEY = ""  # nor a signing key
    config.CREDENTIAL_ACTIVE_KEY = ""
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


# One app per database, each test in a rolled-back transaction --------------------------------


def _pysqlite_leaves_transactions_to_us(dbapi_connection, _record) -> None:
    # pysqlite's own BEGIN handling breaks SAVEPOINTs (SQLAlchemy's pysqlite docs, "Serializable
    # isolation / Savepoints / Transactional DDL"): switch it off and emit BEGIN in on_begin.
    # The app's _sqlite_pragmas (WAL, foreign keys) still run on connect, outside a transaction.
    dbapi_connection.isolation_level = None


def _pysqlite_on_begin(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN")


@dataclass
class SharedApp:
    """The app of one database for the whole run, and the limiter storage it was built with."""

    app: Flask
    engine: Engine
    limiter_state: tuple


#: What Flask-Limiter keeps on the one `limiter` object, replaced by every init_app. The
#: fallback and `_storage_dead` too: a test whose Redis is down (test_outage) marks the
#: storage dead, and without restoring the flag the next tests would count their logins in
#: the in-memory fallback, never reset, until some later test got "Too many attempts".
_LIMITER_STATE = ("_storage", "_limiter", "_storage_dead", "_fallback_storage", "_fallback_limiter")


def _limiter_state() -> tuple:
    return tuple(getattr(limiter, name, None) for name in _LIMITER_STATE)


def _set_limiter_state(state: tuple) -> None:
    for name, value in zip(_LIMITER_STATE, state, strict=True):
        setattr(limiter, name, value)
    if limiter._fallback_storage is not None:
        limiter._fallback_storage.reset()


@pytest.fixture(scope="session")
def _shared_apps() -> Iterator[dict[str, SharedApp]]:
    apps: dict[str, SharedApp] = {}
    yield apps
    for shared in apps.values():
        shared.engine.dispose()


def _shared_app(apps: dict[str, SharedApp], database_url: str) -> SharedApp:
    if database_url not in apps:
        app = create_app(make_config(database_url))
        app.test_client_class = FormClient
        # Adding routes or hooks to an app that has served a request is refused by Flask; make
        # the shared app refuse from the start, so that no test passes only when it runs first.
        app._got_first_request = True
        with app.app_context():
            engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _pysqlite_leaves_transactions_to_us)
            event.listen(engine, "begin", _pysqlite_on_begin)
        apps[database_url] = SharedApp(app, engine, _limiter_state())
    return apps[database_url]


TEST_THREAD = "test_thread"  #: Session.info key: the thread the test runs in


class JoinedSession(FlaskSQLAlchemySession):
    """A session that uses the test's connection for every app on the test's database.

    Flask-SQLAlchemy's get_bind picks the app's engine and ignores the session's `bind`.
    """

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        chosen = super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)
        if (
            bind is None
            and isinstance(chosen, Engine)
            and isinstance(self.bind, Connection)
            and chosen.url == self.bind.engine.url
        ):
            if threading.get_ident() != self.info[TEST_THREAD]:
                # One connection cannot serve two threads; racing threads need committed data.
                raise RuntimeError(
                    "a thread uses the database: mark the test @pytest.mark.committed"
                )
            return self.bind
        return chosen


HARNESS_SAVEPOINT = re.compile(r'(?:SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT) "?(\w+)"?')


@dataclass
class Harness:
    """The outer transaction of one test, and the SAVEPOINTs its sessions opened to join it."""

    shared: SharedApp
    connection: Connection
    savepoints: set[str] = field(default_factory=set)

    def added(self, statement: str) -> bool:
        """Whether `statement` is a SAVEPOINT statement of a session joining the transaction."""
        match = HARNESS_SAVEPOINT.fullmatch(statement.strip())
        return bool(match) and match.group(1) in self.savepoints


@contextmanager
def _rolled_back(shared: SharedApp, tmp_path) -> Iterator[Harness]:
    app = shared.app
    config, extensions = app.config.copy(), dict(app.extensions)
    app.config["MAIL_OUTBOX_DIR"] = str(tmp_path / "mail")
    app.config["MEDIA_ROOT"] = str(tmp_path / "media")
    app.config["CREDENTIAL_KEYS_DIR"] = str(tmp_path / "credential_keys")
    _set_limiter_state(shared.limiter_state)
    limiter.storage.reset()

    connection = shared.engine.connect()
    outer = connection.begin()
    harness = Harness(shared, connection)
    last_savepoint: list[str] = []

    @event.listens_for(connection, "before_cursor_execute")
    def remember(_conn, _cursor, statement, *_args) -> None:
        if statement.startswith("SAVEPOINT "):
            last_savepoint[:] = [HARNESS_SAVEPOINT.fullmatch(statement.strip()).group(1)]

    def note_join(_session, transaction, conn) -> None:
        # The root transaction of a session joins with a SAVEPOINT; begin_nested() makes the
        # app's own, which are nested transactions.
        if conn is connection and not transaction.nested and last_savepoint:
            harness.savepoints.add(last_savepoint[0])

    app_session = db.session
    # Built the way Flask-SQLAlchemy builds db.session (scoped to the app context).
    db.session = db._make_scoped_session(
        {
            "class_": JoinedSession,
            "bind": connection,
            "join_transaction_mode": "create_savepoint",
            "info": {TEST_THREAD: threading.get_ident()},
        }
    )
    event.listen(db.session, "after_begin", note_join)
    try:
        yield harness
    finally:
        db.session = app_session
        outer.rollback()
        connection.close()
        app.config.clear()
        app.config.update(config)
        for key in set(app.extensions) - set(extensions):
            del app.extensions[key]
        app.extensions.update(extensions)
        _set_limiter_state(shared.limiter_state)


@pytest.fixture
def _harness(request, database_url, _shared_apps, tmp_path) -> Iterator[Harness | None]:
    """The test's outer transaction, or None for a @pytest.mark.committed test."""
    if request.node.get_closest_marker("committed"):
        yield None
        return
    with _rolled_back(_shared_app(_shared_apps, database_url), tmp_path) as harness:
        yield harness


@pytest.fixture
def make_app(_harness, database_url, tmp_path):
    """make_app() is the test's app; make_app(SETTING=value, ...) builds one with settings."""
    if _harness is None:
        yield from _committed_apps(database_url, tmp_path)
        return

    def build(**overrides) -> Flask:
        if not overrides:
            return _harness.shared.app
        engine_settings = sorted(key for key in overrides if key.startswith("SQLALCHEMY_"))
        if engine_settings:
            pytest.fail(
                f"{', '.join(engine_settings)} need an engine of their own: "
                "mark the test @pytest.mark.committed"
            )
        overrides.setdefault("MAIL_OUTBOX_DIR", str(tmp_path / "mail"))
        overrides.setdefault("MEDIA_ROOT", str(tmp_path / "media"))
        overrides.setdefault("CREDENTIAL_KEYS_DIR", str(tmp_path / "credential_keys"))
        # The app's sessions use the test's connection; its db.engine is the shared engine, so
        # that statement listeners on it see what the app runs.
        with mock.patch.object(db, "_make_engine", lambda *_args: _harness.shared.engine):
            app = create_app(make_config(database_url, **overrides))
        app.test_client_class = FormClient
        return app

    yield build


def _committed_apps(database_url: str, tmp_path) -> Iterator:
    """The make_app of @pytest.mark.committed tests: new apps, committed data, emptied after."""
    apps: list[Flask] = []

    def build(**overrides) -> Flask:
        overrides.setdefault("MAIL_OUTBOX_DIR", str(tmp_path / "mail"))
        overrides.setdefault("MEDIA_ROOT", str(tmp_path / "media"))
        overrides.setdefault("CREDENTIAL_KEYS_DIR", str(tmp_path / "credential_keys"))
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


@contextmanager
def statements_of(app: Flask) -> Iterator[list[str]]:
    """The SQL statements `app`'s engine runs inside the block."""
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


@pytest.fixture
def count_queries(app, _harness):
    """count_queries() is a context manager yielding the list of SQL statements run inside it.

    The list is complete when the block ends; the harness's SAVEPOINT statements are left out.
    """

    @contextmanager
    def counting():
        with statements_of(app) as statements:
            yield statements
        if _harness is not None:
            statements[:] = [s for s in statements if not _harness.added(s)]

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
