"""A database that is down: the app's own 503 page, drawn without the database."""

import socket

import pytest
from sqlalchemy.engine import make_url

from learning_platform import create_app
from tests.conftest import FormClient, make_config

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
