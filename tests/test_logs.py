"""Logs never hold a capability URL's secret: reset, address-check and private feed links."""

import http.client
import logging
import secrets
import threading
from datetime import timedelta
from types import SimpleNamespace

import pytest
from flask import request
from gunicorn.config import Config as GunicornConfig
from gunicorn.glogging import Logger as GunicornLogger
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError
from werkzeug.serving import make_server

from config import engine_options
from learning_platform import create_app
from learning_platform.security import redact_secrets
from tests.conftest import link_in, make_config


def leaks(token: str, text: str) -> bool:
    """Whether any 8 characters of `token` in a row appear in `text`."""
    return any(token[i : i + 8] in text for i in range(len(token) - 7))


def encoded(token: str, position: int = 5) -> str:
    """`token` with one character percent-encoded, as a client may send it."""
    return token[:position] + f"%{ord(token[position]):02X}" + token[position + 1 :]


def request_lines(token: str) -> list[str]:
    """Ways a capability URL reaches the server; each routes to the same view."""
    return [
        f"/reset/{token}",
        f"/verify/{token}",
        f"/feeds/me/{token}.ics",
        f"/feeds/me/{encoded(token)}.ics",
        f"/feeds%2Fme/{token}.ics",
        f"/feeds/me%2F{token}.ics",
        f"/%72eset/{token}",
        f"/reset%2F{encoded(token, 0)}",
        f"//reset/{token}",
        f"/login?next=%2Freset%2F{token}",
        f"/login?next=/verify/{token}",
        f"/login?token={token}",
    ]


@pytest.fixture
def site(sqlite_url):
    """The app on a migrated SQLite database; these requests write nothing."""
    return create_app(make_config(sqlite_url))


def test_werkzeug_request_log_holds_no_capability_token(site, caplog):
    token = secrets.token_urlsafe(32)
    server = make_server("127.0.0.1", 0, site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with caplog.at_level(logging.INFO, logger="werkzeug"):
            for path in request_lines(token):
                connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
                connection.request("GET", path, headers={"Referer": f"http://x/reset/{token}"})
                connection.getresponse().read()
                connection.close()
    finally:
        server.shutdown()
        thread.join()
    lines = [record.getMessage() for record in caplog.records if record.name == "werkzeug"]
    assert len(lines) == len(request_lines(token))
    assert not [line for line in lines if leaks(token, line)]
    assert any("/reset/<redacted>" in line for line in lines)  # still says what was asked
    assert any("/login" in line and "<redacted>" in line for line in lines)


@pytest.fixture
def gunicorn_logs(tmp_path):
    """A gunicorn logger writing its access and error logs to files, as in production."""
    cfg = GunicornConfig()
    cfg.set("accesslog", str(tmp_path / "access.log"))
    cfg.set("errorlog", str(tmp_path / "error.log"))
    cfg.set(
        "access_log_format",
        '%(h)s "%(r)s" %(s)s "%(f)s" %(U)s %(q)s %({location}o)s %({cookie}i)s %({missing}i)s',
    )
    logger = GunicornLogger(cfg)
    yield logger, tmp_path
    for name in ("gunicorn.access", "gunicorn.error"):
        log = logging.getLogger(name)
        for handler in list(log.handlers):
            log.removeHandler(handler)
            handler.close()
        log.propagate = True


def test_gunicorn_access_and_error_logs_hold_no_capability_token(site, gunicorn_logs):
    logger, folder = gunicorn_logs
    token = secrets.token_urlsafe(32)
    cookie = secrets.token_urlsafe(32)
    for raw_uri in request_lines(token):
        path, _, query = raw_uri.partition("?")
        environ = {
            "REQUEST_METHOD": "GET",
            "RAW_URI": raw_uri,
            "PATH_INFO": path.replace("%2F", "/"),
            "QUERY_STRING": query,
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "203.0.113.9",
            "HTTP_REFERER": f"https://learn.example.org/verify/{token}",
        }
        response = SimpleNamespace(
            status="302 FOUND", headers=[("Location", f"/reset/{token}")], sent=0
        )
        client_request = SimpleNamespace(headers=[("COOKIE", f"session={cookie}")])
        logger.access(response, client_request, environ, timedelta(milliseconds=3))
        logger.error("Error handling request %s", raw_uri)
    access = (folder / "access.log").read_text()
    errors = (folder / "error.log").read_text()
    assert len(access.splitlines()) == len(request_lines(token))
    assert "203.0.113.9" in access
    assert all(line.endswith(" -") for line in access.splitlines())  # a missing header: "-"
    assert not leaks(token, access)
    assert not leaks(cookie, access)  # the session cookie is a credential too
    assert "Error handling request /reset/<redacted>" in errors
    assert not leaks(token, errors)


def test_app_log_of_a_failing_capability_url_holds_no_token(make_app, caplog):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/reset/<token>/boom")
    def boom(token):
        raise RuntimeError(f"could not load {request.url}")

    token = secrets.token_urlsafe(32)
    with caplog.at_level(logging.INFO):
        response = app.test_client().get(f"/reset/{token}/boom")
    assert response.status_code == 500
    assert "Exception on /reset/<redacted>/boom [GET]" in caplog.text
    assert "RuntimeError: could not load" in caplog.text  # the traceback is kept
    assert not leaks(token, caplog.text)


def test_every_route_with_a_token_is_redacted(site):
    token = secrets.token_urlsafe(32)
    adapter = site.url_map.bind("localhost")
    routes = [rule for rule in site.url_map.iter_rules() if "token" in rule.arguments]
    assert {rule.endpoint for rule in routes} >= {
        "accounts.reset_password",
        "accounts.verify",
        "feeds.personal",
    }
    for rule in routes:
        url = adapter.build(rule.endpoint, {"token": token}, force_external=True)
        assert not leaks(token, redact_secrets(f"GET {url} HTTP/1.1")), rule.rule


def test_redaction_leaves_other_lines_alone():
    line = '127.0.0.1 - - "GET /offerings/12?q=%ED%95%9C%0A HTTP/1.1" 200 -'
    assert redact_secrets(line) == line


def test_reset_page_tells_the_browser_not_to_send_its_address_on(client, make_person, outbox):
    person = make_person()
    client.submit("/reset", {"email": person.email})
    page = client.get(link_in(outbox()[0], "/reset/"))
    assert page.status_code == 200
    assert page.headers["Referrer-Policy"] == "no-referrer"  # its CSS request would carry it
    assert client.get("/login").headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_database_errors_do_not_log_their_parameters(database_url):
    engine = create_engine(database_url, **engine_options(database_url))
    secret = secrets.token_urlsafe(16)
    with engine.connect() as connection, pytest.raises(DBAPIError) as failure:
        connection.execute(text("SELECT * FROM no_such_table WHERE x = :x"), {"x": secret})
    engine.dispose()
    assert "no_such_table" in str(failure.value)
    assert secret not in str(failure.value)
