"""App-wide promises: health check, headers, cookies, error pages, production settings."""

import re

import pytest
from sqlalchemy import func, select

from config import ProductionConfig, config_from_env
from learning_platform import create_app
from learning_platform.extensions import db
from learning_platform.models import Person
from tests.conftest import make_config


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:////nonexistent-folder/for/sure/db.sqlite",
        "postgresql+psycopg://postgres@127.0.0.1:1/nothing",
    ],
)
def test_healthz_answers_503_when_the_database_is_unreachable(url):
    app = create_app(make_config(url))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"
    assert "nonexistent" not in response.get_data(as_text=True)


def test_pages_carry_security_headers(client):
    for path in ["/", "/login", "/no-such-page"]:
        headers = client.get(path).headers
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "Strict-Transport-Security" not in headers  # only in production


def test_pages_use_no_inline_script_or_style(client):
    page = client.get("/").get_data(as_text=True)
    scripts = re.findall(r"<script[^>]*>", page)
    assert scripts == [  # files of ours; CSP allows no other
        '<script src="/static/js/copy.js" defer>',
        '<script src="/static/js/local-time.js" defer>',
    ]
    assert "style=" not in page
    assert "<style" not in page


@pytest.mark.parametrize(
    ("method", "path", "status", "title"),
    [
        ("get", "/no-such-page", 404, "Page not found"),
        ("put", "/login", 405, "Method not allowed"),
        ("post", "/login", 400, "Bad request"),  # no CSRF token
    ],
)
def test_error_pages_explain_in_plain_words(client, method, path, status, title):
    response = getattr(client, method)(path)
    assert response.status_code == status
    body = response.get_data(as_text=True)
    assert title in body
    assert "Traceback" not in body


def test_405_names_the_allowed_methods(client):
    response = client.put("/login")
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}


def test_oversized_request_is_refused_with_413(client):
    response = client.post("/login", data={"email": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    assert "Too much data" in response.get_data(as_text=True)


def test_citizen_gets_403_on_admin_pages(client, make_person, login):
    login(make_person())
    response = client.get("/admin/partners/")
    assert response.status_code == 403
    assert "Not allowed" in response.get_data(as_text=True)


def test_forced_error_shows_a_generic_page_and_rolls_back(make_app):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/boom")
    def boom():
        db.session.add(Person(email="ghost@example.org", display_name="Ghost", password_hash="x"))
        db.session.flush()
        raise RuntimeError("secret detail /srv/app/config.py")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Something went wrong" in body
    assert "secret detail" not in body
    assert "Traceback" not in body
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Person)) == 0


PRODUCTION_ENV = {
    "SECRET_KEY": "s" * 64,
    "DATABASE_URL": "sqlite:///unused.db",
    "BASE_URL": "https://learn.example.org",
}


@pytest.mark.parametrize("missing", sorted(PRODUCTION_ENV))
def test_production_refuses_to_start_without_its_settings(monkeypatch, missing):
    for name, value in PRODUCTION_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv(missing)
    with pytest.raises(RuntimeError, match=missing):
        ProductionConfig()


def test_unset_app_env_means_production(monkeypatch):
    monkeypatch.delenv("APP_ENV", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        config_from_env()


def test_production_sends_hsts_and_secure_cookies(monkeypatch, tmp_path):
    for name, value in PRODUCTION_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'prod.db'}")
    app = create_app(ProductionConfig())
    assert not app.config["ALLOW_DEMO_DATA"]
    response = app.test_client().get("/login", base_url="https://learn.example.org")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("session=")
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_assets_are_served_by_the_app_not_a_cdn(client):
    page = client.get("/").get_data(as_text=True)
    # The canonical and alternate links name the page itself (on BASE_URL); they load nothing.
    head = re.sub(r'<link rel="(canonical|alternate)"[^>]*>', "", page.split("</head>")[0])
    assert not re.search(r'(href|src)="(https?:)?//', head)
    with client.get("/static/css/app.css") as response:
        assert response.status_code == 200
        assert response.mimetype == "text/css"


@pytest.mark.parametrize(
    "headers",
    [{"Host": "evil.example"}, {"X-Forwarded-Host": "evil.example"}],
)
def test_mail_links_never_follow_a_forged_host(make_app, make_person, outbox, headers):
    app = make_app(PROXY_FIX_HOPS=1)
    person = make_person()
    client = app.test_client()
    token = client.csrf_token("/reset")
    response = client.post(
        "/reset", data={"csrf_token": token, "email": person.email}, headers=headers
    )
    if "Host" in headers:
        assert response.status_code == 400  # not a host of ours: refused outright
        assert outbox(person.email) == []
    else:
        assert response.status_code == 302
        [message] = outbox(person.email)
        assert "evil.example" not in message.as_string()
        assert "http://localhost/reset/" in message.as_string()


@pytest.mark.parametrize(
    ("path", "status"),
    [("/partners/a%00b", 404), ("/admin/partners/a%00b/edit", 404), ("/login?next=/a%00b", 400)],
)
def test_nul_bytes_in_addresses_are_refused_not_crashed_on(client, path, status):
    assert client.get(path).status_code == status
