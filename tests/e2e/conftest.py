"""Browser tests: gunicorn serves the app on a temporary database; Debian's Chromium visits it.

The server runs the production configuration (2 workers, secure cookies, rate limits, mail
into the outbox without a worker), behind a pretend reverse proxy: each browser context sends its
own X-Forwarded-For, so every visitor counts as a different address, as in real life.
`E2E_DATABASE=postgresql` serves from a throw-away PostgreSQL database instead of SQLite.
"""

import email
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from learning_platform.accounts.services import create_person, new_feed_token
from learning_platform.enrollment import services as enrollment
from learning_platform.extensions import db
from learning_platform.models import (
    Offering,
    OfferingSession,
    OutboxMessage,
    OutboxStatus,
    Partner,
    Person,
    Theme,
    utcnow,
)
from tests.conftest import IN_CI, make_config

playwright_api = pytest.importorskip("playwright.sync_api", reason="run `make e2e`")

from tests.e2e.browser import VARIANTS, Visitor  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_SCRIPT = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(__file__).parent / "screenshots"
PASSWORD = "learn-together-2026"  # the demo accounts' password (see README)
ORGANIZER = "changwon@example.org"  # demo organizer of Changwon City
#: A citizen's name in each language.
NAMES = {"ko": "이하늘", "en": "Dana Lee", "th": "สมใจ ใจดี"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database(folder: Path) -> tuple[str, str | None]:
    """The database URL to serve from, and the PostgreSQL database to drop afterwards."""
    if os.environ.get("E2E_DATABASE", "sqlite") != "postgresql":
        return f"sqlite:///{folder / 'e2e.db'}", None
    server_url = make_url(
        os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    )
    name = f"e2e_{uuid.uuid4().hex[:12]}"
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # pragma: no cover - depends on the machine
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI: {error}")
        pytest.skip(f"PostgreSQL not available: {error}")
    finally:
        engine.dispose()
    return server_url.set(database=name).render_as_string(hide_password=False), name


def _drop(database: str) -> None:
    server_url = make_url(
        os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    )
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
    engine.dispose()


def _flask(args: list[str], env: dict) -> None:
    done = subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", *args],
        cwd=ROOT,
        env={**env, "APP_ENV": "development"},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, f"flask {' '.join(args)} failed:\n{done.stderr[-3000:]}"


@dataclass
class Server:
    """The running site, and a Flask app on the same database to set the scene and look inside."""

    base_url: str
    app: Flask

    def url(self, path: str) -> str:
        return self.base_url + path

    def mails_to(self, address: str) -> list[EmailMessage]:
        with self.app.app_context():
            rows = db.session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.recipient == address)
                .order_by(OutboxMessage.id)
            ).all()
            return [email.message_from_string(row.raw, policy=policy.default) for row in rows]

    def link_in_last_mail(self, address: str, path_prefix: str) -> str:
        message = self.mails_to(address)[-1]
        body = message.get_body(("plain",)).get_content()
        match = re.search(re.escape(self.base_url + path_prefix) + r"\S+", body)
        assert match, f"no {path_prefix} link in the mail to {address}:\n{body}"
        return match.group(0)

    def person(self, *, language: str, name: str | None = None) -> Person:
        """A confirmed citizen with PASSWORD who reads `language`; cheap argon2 parameters keep
        this fast."""
        address = f"citizen-{uuid.uuid4().hex[:10]}@example.org"
        with self.app.app_context():
            person = create_person(
                address,
                name or NAMES[language],
                PASSWORD,
                language,
                verified=True,
            )
            db.session.commit()
            db.session.refresh(person)
            db.session.expunge(person)
            return person

    def feed_token(self, person: Person) -> str:
        with self.app.app_context():
            token = new_feed_token(db.session.get(Person, person.id))
            db.session.commit()
            return token

    def course(
        self,
        *,
        title: str,
        capacity: int = 20,
        sessions: int = 3,
        theme: str = "climate-action",
        partner: str = "changwon-city",
        translations: dict[str, dict[str, str]] | None = None,
    ) -> Offering:
        """A published course with weekly sessions, starting in 45 days (after the demo courses,
        so the screenshots of the first catalog page show the demo data). `title` is the Korean
        (primary) title; `translations` ({"th": {"title": …}}) the texts in other languages."""
        with self.app.app_context():
            owner = db.session.scalar(select(Partner).where(Partner.slug == partner))
            start = (utcnow() + timedelta(days=45)).replace(
                hour=10, minute=0, second=0, microsecond=0
            )
            offering = Offering(
                partner=owner,
                kind="course",
                status="published",
                title=title,
                summary="Plan a rain garden for your street. 우리 동네 빗물정원을 함께 설계해요.",
                description="Bring gloves.",
                language="ko",
                format="in_person",
                venue_name="Changwon Lifelong Learning Centre",
                venue_address="Jungang-daero 151, Changwon",
                capacity=capacity,
                timezone=owner.timezone,
                contact_email="learn@example.org",
                published_at=utcnow(),
            )
            offering.themes = [db.session.scalar(select(Theme).where(Theme.slug == theme))]
            for language, texts in (translations or {}).items():
                offering.set_texts(language, texts)
            for week in range(sessions):
                starts_at = start + timedelta(weeks=week)
                offering.sessions.append(
                    OfferingSession(starts_at=starts_at, ends_at=starts_at + timedelta(hours=2))
                )
            db.session.add(offering)
            db.session.commit()
            db.session.refresh(offering)
            offering.sessions  # noqa: B018 - load them before detaching
            db.session.expunge(offering)
            return offering

    def register(self, offering: Offering, person: Person) -> str:
        with self.app.app_context():
            outcome = enrollment.register(
                db.session.get(Offering, offering.id), db.session.get(Person, person.id)
            )
            db.session.commit()
            return "confirmed" if outcome.position is None else "waitlisted"

    def registration_status(self, offering: Offering, person: Person) -> str | None:
        with self.app.app_context():
            registration = enrollment.active_registration(offering.id, person.id)
            return registration.status if registration else None

    def failed_mail(self, address: str, subject: str) -> int:
        """A mail the outbox gave up on (the mail server refused it five times)."""
        with self.app.app_context():
            message = OutboxMessage(
                recipient=address,
                subject=subject,
                raw=f"To: {address}\r\nSubject: {subject}\r\n\r\nSee you on Saturday.\r\n",
                status=OutboxStatus.FAILED,
                attempts=5,
                last_error="550 5.1.1 mailbox unavailable",
            )
            db.session.add(message)
            db.session.commit()
            return message.id

    def outbox_status(self, message_id: int) -> str:
        with self.app.app_context():
            return db.session.get(OutboxMessage, message_id).status.value

    def offering_titled(self, title: str) -> Offering:
        """The offering with `title` in any of its languages."""
        with self.app.app_context():
            offering = next(
                (
                    offering
                    for offering in db.session.scalars(select(Offering))
                    if title in offering.texts("title").values()
                ),
                None,
            )
            assert offering is not None, f"no offering titled {title!r}"
            offering.sessions  # noqa: B018
            db.session.expunge(offering)
            return offering


def _wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer in 30 s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("e2e")
    database_url, pg_database = _database(folder)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_hex(32),
        "MAIL_SERVER": "",
        "MAIL_OUTBOX_DIR": str(folder / "mail"),
    }
    try:
        _flask(["db", "upgrade"], env)
        _flask(["seed-demo"], env)
    except AssertionError:
        if pg_database:
            _drop(pg_database)
        raise
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    log = folder / "gunicorn.log"
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "--error-logfile",
                "-",
                "wsgi:app",
            ],
            cwd=ROOT,
            env={**env, "APP_ENV": "production", "BASE_URL": base_url, "PROXY_FIX_HOPS": "1"},
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_up(base_url, process, log)
        from learning_platform import create_app

        app = create_app(make_config(database_url))
        yield Server(base_url=base_url, app=app)
        with app.app_context():
            db.engine.dispose()
    finally:
        process.terminate()
        process.wait(timeout=10)
        if pg_database:
            _drop(pg_database)


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not Path(CHROMIUM).exists():
        message = (
            f"Chromium not found at {CHROMIUM}: apt-get install -y chromium fonts-nanum"
            " fonts-thai-tlwg"
        )
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    assert AXE_SCRIPT.exists(), "axe-core is missing: run `make e2e` (npm ci in tests/e2e)"
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def variants_of(journey: str) -> list[str]:
    """The variants `journey` runs in. By default every language at one width each, the phone
    for some and the desktop for the others, turned by the journey's name: each journey is seen
    in Korean, English and Thai, and on a phone and a desktop, in half the time of all six
    (CI stays within its 20 minutes). E2E_VARIANTS names others (comma-separated): `all` for
    all six in every journey, or e.g. `th-phone,th-desktop`."""
    setting = os.environ.get("E2E_VARIANTS", "")
    if setting == "all":
        return list(VARIANTS)
    chosen = [name for name in setting.split(",") if name]
    unknown = set(chosen) - set(VARIANTS)
    if unknown:
        raise pytest.UsageError(f"E2E_VARIANTS: unknown {sorted(unknown)}; known {list(VARIANTS)}")
    if chosen:
        return chosen
    languages = list(dict.fromkeys(variant.language for variant in VARIANTS.values()))
    turn = zlib.crc32(journey.encode())
    return [f"{code}-{('phone', 'desktop')[(turn + n) % 2]}" for n, code in enumerate(languages)]


def pytest_generate_tests(metafunc) -> None:
    """`variant` (ko-phone, en-desktop, th-phone …): the browser a journey runs in."""
    if "variant" in metafunc.fixturenames:
        metafunc.parametrize("variant", variants_of(metafunc.function.__name__))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.call_failed = report.failed
    return report


@pytest.fixture
def visitor(request, browser, server, variant, tmp_path) -> Iterator:
    """visitor(): a new person at a browser (own cookies and address) in this test's variant."""
    opened: list[Visitor] = []
    axe_source = AXE_SCRIPT.read_text()

    def open_visitor() -> Visitor:
        visitor = Visitor.open(
            browser,
            server.base_url,
            variant,
            axe_source=axe_source,
            screenshots=SCREENSHOTS / variant,
            address=f"10.{len(opened) + 1}.{secrets.randbelow(250) + 1}.{secrets.randbelow(250) + 1}",
        )
        opened.append(visitor)
        return visitor

    yield open_visitor
    if getattr(request.node, "call_failed", False):
        for number, visitor in enumerate(opened):
            shot = tmp_path / f"failure-{number}.png"
            visitor.page.screenshot(path=shot, full_page=True)
            print(f"visitor {number} was on {visitor.page.url}; screenshot: {shot}")
    problems = []
    for visitor in opened:
        problems.extend(visitor.problems)
        visitor.close()
    assert not problems, "\n".join(problems)


@pytest.fixture
def language(variant) -> str:
    return VARIANTS[variant].language
