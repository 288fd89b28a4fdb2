"""Korean, English and Thai: language choice, and complete Korean and Thai catalogs."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from learning_platform.extensions import db
from learning_platform.languages import INTERFACE_LANGUAGES
from learning_platform.models import Person

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = {
    language: ROOT / "learning_platform" / "translations" / language / "LC_MESSAGES" / "messages.po"
    for language in INTERFACE_LANGUAGES
    if language != "en"  # the source language
}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def test_accept_language_picks_korean(client):
    page = client.get("/login", headers={"Accept-Language": "ko-KR,ko;q=0.9,en;q=0.5"})
    body = page.get_data(as_text=True)
    assert '<html lang="ko">' in body
    assert "로그인" in body
    assert "Log in" not in body


def test_unsupported_accept_language_falls_back_to_the_default(client, app):
    page = client.get("/", headers={"Accept-Language": "fr-FR"})
    assert f'<html lang="{app.config["BABEL_DEFAULT_LOCALE"]}">' in page.get_data(as_text=True)


def test_switcher_choice_is_remembered_over_accept_language(client):
    response = client.submit("/language", {"language": "ko", "next": "/partners/"}, page="/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/partners/"
    page = client.get("/partners/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="ko">' in page
    assert "협력 기관" in page


def test_switcher_ignores_unknown_languages_and_foreign_next(client):
    response = client.submit("/language", {"language": "xx", "next": "//evil.example"}, page="/")
    assert response.headers["Location"] == "/"
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_switcher_needs_post(client):
    assert client.get("/language").status_code == 405


def test_logged_in_choice_is_kept_with_the_account(app, client, make_person, login):
    person = make_person(language="en")
    login(person)
    client.submit("/language", {"language": "ko", "next": "/"}, page="/")
    with app.app_context():
        assert db.session.get(Person, person.id).preferred_language == "ko"

    other_device = app.test_client()
    other_device.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    other_device.submit(
        "/login", {"email": person.email, "password": "correct horse battery staple"}
    )
    assert '<html lang="ko">' in other_device.get("/account").get_data(as_text=True)


def test_error_pages_speak_the_persons_language(client):
    page = client.get("/no-such-page", headers={"Accept-Language": "ko"}).get_data(as_text=True)
    assert "페이지를 찾을 수 없습니다" in page


def test_form_errors_are_translated(client):
    client.submit("/language", {"language": "ko"}, page="/")
    response = client.submit(
        "/signup", {"email": "x@example.org", "display_name": "X", "password": "short"}
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "8자 이상" in body
    assert "아래 표시된 항목을 확인해 주세요" in body


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """Every UI string in the code and templates right now."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "--quiet",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "--ignore-dirs",
            ".* __pycache__",  # babel skips _folders by default, and so templates/_macros
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
    )
    with pot.open("rb") as file:
        return read_po(file)


def test_korean_and_thai_are_interface_languages():
    assert set(CATALOGS) == {"ko", "th"}


@pytest.mark.parametrize("language", sorted(CATALOGS))
def test_every_ui_string_has_a_translation(extracted, language):
    with CATALOGS[language].open("rb") as file:
        korean = read_po(file)

    def translated(message_id) -> bool:
        found = korean.get(message_id)
        strings = (
            found.string if found and isinstance(found.string, tuple) else (found and found.string,)
        )
        return bool(found) and all(strings)

    missing = [message.id for message in extracted if message.id and not translated(message.id)]
    assert missing == [], "run `make extract-messages` and translate these"
    fuzzy = [message.id for message in korean if message.id and message.fuzzy]
    assert fuzzy == []


@pytest.mark.parametrize("language", sorted(CATALOGS))
def test_translations_keep_their_placeholders(language):
    with CATALOGS[language].open("rb") as file:
        korean = read_po(file)
    wrong = []
    for message in korean:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set(PLACEHOLDER.findall(ids[-1]))  # the plural form names every placeholder
        if any(set(PLACEHOLDER.findall(string)) != expected for string in strings):
            wrong.append(ids[0])
    assert wrong == []
