"""Database (or Redis) down, refusing, silent or locked: the app's own 503, then recovery."""

import contextlib
import socket
import sqlite3
import threading
import time

import flask_migrate
import pytest
from sqlalchemy import create_engine, delete, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

import config as settings
from config import ANSWER_GRACE, engine_options
from learning_platform import create_app
from learning_platform.accounts.services import create_person
from learning_platform.answer_timeout import CANCEL_SECONDS, SETTLE_SECONDS, unbounded
from learning_platform.extensions import db
from learning_platform.models import Person
from tests.conftest import FormClient, make_config
from tests.factories import PASSWORD

UNAVAILABLE = "The service is briefly unavailable, try again in a minute"


def down_url(database_url: str) -> str:
    """Where the same kind of database is not: a folder that does not exist, a closed port."""
    if database_url.startswith("sqlite"):
        return "sqlite:////nonexistent-folder/for/sure/db.sqlite"
    with socket.socket() as sock:  # a port that was free a moment ago: nobody listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return make_url(database_url).set(port=port).render_as_string(hide_password=False)


@pytest.fixture
def signed_in(app, client, make_person, login):
    """A client whose session cookie was made by a working app, and that app's secret key."""
    login(make_person())
    return client.get_cookie("session").value, app.config["SECRET_KEY"]


def client_of_a_down_app(database_url: str, signed_in) -> FormClient:
    cookie, secret_key = signed_in
    app = create_app(
        make_config(down_url(database_url), SECRET_KEY=secret_key, PROPAGATE_EXCEPTIONS=False)
    )
    app.test_client_class = FormClient
    client = app.test_client()
    client.set_cookie("session", cookie)
    return client


@pytest.mark.parametrize("path", ["/me/learning", "/", "/no-such-page"])
def test_a_logged_in_page_answers_the_apps_own_503_when_the_database_is_down(
    database_url, signed_in, path
):
    client = client_of_a_down_app(database_url, signed_in)
    response = client.get(path, headers={"Accept-Language": "en"})
    body = response.get_data(as_text=True)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    assert UNAVAILABLE in body
    assert "Log in" in body  # the header is drawn without the account: it needs the database
    assert "Log out" not in body
    assert "Traceback" not in body
    assert "nonexistent" not in body


def test_the_503_page_speaks_korean(database_url, signed_in):
    client = client_of_a_down_app(database_url, signed_in)
    response = client.get("/me/learning", headers={"Accept-Language": "ko"})
    body = response.get_data(as_text=True)
    assert response.status_code == 503
    assert '<html lang="ko">' in body
    assert "잠시 이용할 수 없습니다" in body
    assert "로그인" in body


def test_api_clients_get_json_with_retry_after(database_url, signed_in):
    client = client_of_a_down_app(database_url, signed_in)
    response = client.get("/me/learning", headers={"Accept": "application/json"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    assert response.json == {"error": "Briefly unavailable", "retry_after": 60}


def test_the_outage_is_logged_without_a_traceback_per_request(database_url, signed_in, caplog):
    client = client_of_a_down_app(database_url, signed_in)
    client.get("/me/learning")
    [record] = [r for r in caplog.records if r.name == "learning_platform"]
    assert record.getMessage().startswith("Database unavailable on GET /me/learning: ")
    assert record.exc_info is None


def lock_database(database_url: str):
    """Hold the database's write lock (SQLite) or lock the person table (PostgreSQL).

    Returns release(); a watchdog releases it after 5 s anyway, so code without timeouts
    fails the test instead of hanging it.
    """
    if database_url.startswith("sqlite"):
        holder = sqlite3.connect(
            make_url(database_url).database, isolation_level=None, check_same_thread=False
        )
        holder.execute("BEGIN IMMEDIATE")

        def unlock() -> None:
            holder.execute("ROLLBACK")
            holder.close()
    else:
        engine = create_engine(database_url)
        holder = engine.connect()
        holder.execute(text("LOCK TABLE person IN ACCESS EXCLUSIVE MODE"))

        def unlock() -> None:
            holder.rollback()
            holder.close()
            engine.dispose()

    released = threading.Lock()

    def release() -> None:
        if released.acquire(blocking=False):
            unlock()

    watchdog = threading.Timer(5, release)
    watchdog.start()

    def release_now() -> None:
        watchdog.cancel()
        release()

    return release_now


@pytest.mark.committed
def test_a_locked_database_answers_503_at_its_timeout_and_then_recovers(
    make_app, database_url, make_person, monkeypatch
):
    # The operator's settings: PostgreSQL cancels the statement, SQLite stops waiting.
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("DATABASE_STATEMENT_TIMEOUT", "0.5")
    monkeypatch.setenv("DATABASE_BUSY_TIMEOUT", "0.5")
    app = make_app(
        PROPAGATE_EXCEPTIONS=False,
        SQLALCHEMY_ENGINE_OPTIONS=settings.TestingConfig().SQLALCHEMY_ENGINE_OPTIONS,
    )
    person = make_person(language="ko")
    client = app.test_client()
    client.submit("/login", {"email": person.email, "password": PASSWORD})
    token = client.csrf_token("/")
    change = {"csrf_token": token, "language": "en", "next": "/"}

    release = lock_database(database_url)
    try:
        response = client.post("/language", data=change)
    finally:
        release()
    assert response.status_code == 503
    assert UNAVAILABLE in response.get_data(as_text=True)

    assert client.post("/language", data=change).status_code == 302
    with app.app_context():
        assert db.session.get(Person, person.id).preferred_language == "en"


class DatabaseLine:
    """A TCP stand-in for the database server: it forwards to PostgreSQL, swallows (accepts
    and never answers), refuses, or stalls: keeps every connection open and drops what they
    carry both ways, as a hung server, a proxy holding queries or a network path that loses
    data while the peer's kernel still acknowledges it. Each switch drops the connections it
    had, as a restart does; a stall, and its end, keep them.
    """

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.mode = "forward"
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self._listen()

    def _listen(self) -> None:
        listener = self.listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:  # the listener was closed
                return
            with self.lock:
                self.sockets.append(client)
                if self.mode != "forward":
                    continue  # swallowed: accepted, never answered
                upstream = socket.create_connection(self.target)
                self.sockets.append(upstream)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                if self.mode != "stall":
                    sink.sendall(data)
        except OSError:
            pass
        for sock in (source, sink):
            _hang_up(sock)

    def switch(self, mode: str) -> None:
        with self.lock:
            if mode != "stall" and (self.mode, mode) != ("stall", "forward"):
                for sock in self.sockets:
                    _hang_up(sock)
                    sock.close()
                self.sockets.clear()
            if mode == "refuse" and self.mode != "refuse":
                # shutdown() first: a close() alone leaves a socket blocked in accept() listening.
                self.listener.shutdown(socket.SHUT_RDWR)
                self.listener.close()
            if mode != "refuse" and self.mode == "refuse":
                self.listener = socket.create_server(("127.0.0.1", self.port))
                self._listen()
            self.mode = mode

    def close(self) -> None:
        self.switch("refuse")


def _hang_up(sock: socket.socket) -> None:
    # shutdown() wakes a thread blocked in recv() on the socket; close() alone does not.
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def line(postgresql_url):
    url = make_url(postgresql_url)
    line = DatabaseLine((url.host, url.port or 5432))
    yield line
    line.close()


#: The line app's timeouts, in seconds: libpq's shortest connect timeout, and how long it waits
#: for an answer on an open connection.
CONNECT_TIMEOUT = 2
ANSWER_TIMEOUT = 1.5


@pytest.fixture
def line_app(postgresql_url, line):
    """The app on PostgreSQL through the line, with a person who can log in."""
    url = make_url(postgresql_url).set(port=line.port).render_as_string(hide_password=False)
    options = engine_options(
        url, connect_timeout=CONNECT_TIMEOUT, statement_timeout=1, answer_timeout=ANSWER_TIMEOUT
    )
    config = make_config(url, PROPAGATE_EXCEPTIONS=False, SQLALCHEMY_ENGINE_OPTIONS=options)
    app = create_app(config)
    app.test_client_class = FormClient
    with app.app_context():
        create_person("line@example.org", "Line", PASSWORD, "en", verified=True)
        db.session.commit()
    yield app
    line.switch("forward")
    with app.app_context():
        db.session.execute(delete(Person).where(Person.email == "line@example.org"))
        db.session.commit()
        db.engine.dispose()


def timed_get(client, path: str):
    started = time.monotonic()
    response = client.get(path)
    return response, time.monotonic() - started


@pytest.mark.parametrize("outage", ["swallow", "refuse"])
def test_healthz_says_503_within_2_s_and_recovers_by_itself(line_app, line, outage):
    client = line_app.test_client()
    assert client.get("/healthz").status_code == 200

    line.switch(outage)
    response, seconds = timed_get(client, "/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": "unreachable"}
    assert seconds < 3

    line.switch("forward")
    assert client.get("/healthz").json == {"status": "ok", "database": "ok"}


@pytest.mark.parametrize("outage", ["swallow", "refuse"])
def test_pages_fail_fast_with_the_503_page_and_recover_by_themselves(line_app, line, outage):
    client = line_app.test_client()
    client.submit("/login", {"email": "line@example.org", "password": PASSWORD})
    assert "Log out" in client.get("/me/learning").get_data(as_text=True)

    line.switch(outage)
    response = client.get("/me/learning")
    assert response.status_code == 503
    assert UNAVAILABLE in response.get_data(as_text=True)

    line.switch("forward")
    page = client.get("/me/learning")
    assert page.status_code == 200
    assert "Log out" in page.get_data(as_text=True)  # still signed in


def get_in_a_thread(client, path: str):
    """client.get(path) and the seconds it took; a request without an answer after 25 s (gunicorn
    kills a worker after 30) fails the test instead of holding it."""
    answers = []
    started = time.monotonic()
    request = threading.Thread(target=lambda: answers.append(client.get(path)), daemon=True)
    request.start()
    request.join(timeout=25)
    seconds = time.monotonic() - started
    assert answers, f"no answer to GET {path} after {seconds:.0f} s"
    return answers[0], seconds


@pytest.mark.committed
@pytest.mark.parametrize("stalls", ["ping", "statement"])
def test_a_database_that_stops_answering_on_an_open_connection_gets_the_503_in_time(
    line_app, line, stalls
):
    # TCP keepalives and tcp_user_timeout are answered by the peer's kernel and statement_timeout
    # is the server's own: none of them ends this wait, the app's answer timeout does.
    client = line_app.test_client()
    client.submit("/login", {"email": "line@example.org", "password": PASSWORD})
    assert "Log out" in client.get("/me/learning").get_data(as_text=True)  # a pooled connection

    if stalls == "ping":  # pool_pre_ping's ping gets no answer; then one new connection is tried
        line.switch("stall")
        most = ANSWER_TIMEOUT + CANCEL_SECONDS + CONNECT_TIMEOUT
    else:  # the ping is answered, the request's first statement is not

        def stall(*_args) -> None:
            line.switch("stall")

        with line_app.app_context():
            event.listen(db.engine, "before_cursor_execute", stall, once=True)
        most = ANSWER_TIMEOUT + CANCEL_SECONDS
    response, seconds = get_in_a_thread(client, "/me/learning")
    assert response.status_code == 503
    assert UNAVAILABLE in response.get_data(as_text=True)
    assert ANSWER_TIMEOUT <= seconds < most + 1

    line.switch("forward")
    page = client.get("/me/learning")
    assert page.status_code == 200
    assert "Log out" in page.get_data(as_text=True)  # still signed in


@pytest.mark.committed
def test_healthz_says_503_within_2_s_when_the_database_stops_answering_and_recovers(line_app, line):
    client = line_app.test_client()
    assert client.get("/healthz").status_code == 200

    line.switch("stall")
    response, seconds = get_in_a_thread(client, "/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": "unreachable"}
    assert seconds < 2

    # The probe left waiting gives its connection up after the answer timeout; the next one
    # gets an answer.
    line.switch("forward")
    deadline = time.monotonic() + ANSWER_TIMEOUT + CANCEL_SECONDS + SETTLE_SECONDS + 2
    while (response := client.get("/healthz")).status_code != 200:
        assert time.monotonic() < deadline, "/healthz did not recover"
        time.sleep(0.1)
    assert response.json == {"status": "ok", "database": "ok"}


def test_the_answer_timeout_follows_the_statement_timeout(monkeypatch):
    url = "postgresql+psycopg://app@db.example.org/learning_platform"
    default = settings.Config.DATABASE_STATEMENT_TIMEOUT + ANSWER_GRACE
    assert engine_options(url)["answer_timeout"] == default
    assert engine_options(url, statement_timeout=4)["answer_timeout"] == 4 + ANSWER_GRACE
    assert engine_options(url, answer_timeout=7)["answer_timeout"] == 7
    for options in (
        engine_options(url, statement_timeout=0),  # statements may take as long as they like
        engine_options(url, answer_timeout=0),
        engine_options("sqlite:///instance/learning_platform.db"),  # SQLite has its busy timeout
    ):
        assert "answer_timeout" not in options
        assert "plugins" not in options
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DATABASE_ANSWER_TIMEOUT", "7")
    assert settings.TestingConfig().SQLALCHEMY_ENGINE_OPTIONS["answer_timeout"] == 7


@pytest.fixture
def bounded_engine(postgresql_url):
    """A server without statement_timeout, and an answer timeout of 1 s: the app's bound alone."""
    engine = create_engine(
        postgresql_url, **engine_options(postgresql_url, statement_timeout=0, answer_timeout=1)
    )
    yield engine
    engine.dispose()


def backend(connection) -> int:
    return connection.execute(text("SELECT pg_backend_pid()")).scalar_one()


@pytest.mark.committed
def test_a_statement_shorter_than_the_answer_timeout_is_left_alone(bounded_engine):
    with bounded_engine.connect() as connection:
        pid = backend(connection)
        assert connection.execute(text("SELECT pg_sleep(0.5), 1")).one()[1] == 1
        assert backend(connection) == pid


@pytest.mark.committed
def test_a_server_that_answers_late_gets_a_cancel_and_keeps_the_connection(bounded_engine):
    threads = set(threading.enumerate())
    with bounded_engine.connect() as connection:
        pid = backend(connection)
        started = time.monotonic()
        with pytest.raises(OperationalError, match="canceling statement") as cancelled:
            connection.execute(text("SELECT pg_sleep(30)"))
        assert 1 <= time.monotonic() - started < 1 + CANCEL_SECONDS + SETTLE_SECONDS
        assert not cancelled.value.connection_invalidated
        connection.rollback()
        assert backend(connection) == pid
    assert set(threading.enumerate()) <= threads  # no watchdog thread, nothing left behind


@pytest.mark.committed
def test_unbounded_waits_as_long_as_it_takes_and_then_bounds_again(bounded_engine):
    with bounded_engine.connect() as connection:
        with unbounded(connection):
            connection.execute(text("SELECT pg_sleep(1.3)"))
        with pytest.raises(OperationalError, match="canceling statement"):
            connection.execute(text("SELECT pg_sleep(30)"))


@pytest.mark.committed
def test_migrations_run_without_the_answer_timeout(fresh_postgresql):
    url = fresh_postgresql()
    options = engine_options(url, answer_timeout=5)
    app = create_app(make_config(url, SQLALCHEMY_ENGINE_OPTIONS=options))
    bounds = []

    def note(connection, *_args) -> None:
        bounds.append(connection.connection.driver_connection.answer_timeout)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", note)
        flask_migrate.upgrade()
        with db.engine.connect() as connection:  # the pool's connection is bounded again
            assert connection.connection.driver_connection.answer_timeout == 5
        db.engine.dispose()
    assert bounds
    assert set(bounds) == {None}


@pytest.mark.committed
@pytest.mark.parametrize("outage", ["swallow", "refuse"])
def test_login_works_while_the_rate_limit_store_is_down(make_app, make_person, monkeypatch, outage):
    store = socket.create_server(("127.0.0.1", 0))  # listens, never accepts: a Redis hung
    port = store.getsockname()[1]
    if outage == "refuse":
        store.close()
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", f"redis://127.0.0.1:{port}/0")
    configured = settings.TestingConfig()
    app = make_app(
        PROPAGATE_EXCEPTIONS=False,
        RATELIMIT_STORAGE_URI=configured.RATELIMIT_STORAGE_URI,
        RATELIMIT_STORAGE_OPTIONS=getattr(configured, "RATELIMIT_STORAGE_OPTIONS", {}),
    )
    person = make_person()
    client = app.test_client()
    token = client.csrf_token("/login")
    answers = []
    attempt = threading.Thread(
        target=lambda: answers.append(
            client.post(
                "/login",
                data={"csrf_token": token, "email": person.email, "password": PASSWORD},
            )
        ),
        daemon=True,
    )
    attempt.start()
    attempt.join(timeout=20)  # only against a hang: without a timeout it never returns
    store.close()
    assert answers, "the login hung on the rate-limit store"
    assert answers[0].status_code == 302
