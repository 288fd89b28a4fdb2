"""Sign-up, address confirmation, login, logout, password change and reset."""

import threading
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from learning_platform.extensions import db
from learning_platform.models import AccountToken, LoginSession, Person, utcnow
from tests.conftest import link_in, mail_body
from tests.factories import PASSWORD


def count_people(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Person))


def signup(client, **fields):
    data = {
        "email": "minji@example.org",
        "display_name": "김민지",
        "password": "바다를 지키는 시민 2026",
        "preferred_language": "ko",
        "consent": "y",
        **fields,
    }
    return client.submit("/signup", data)


MINJI_PASSWORD = "바다를 지키는 시민 2026"


def test_signup_mails_a_link_that_confirms_with_the_password_and_logs_in(app, client, outbox):
    response = signup(client)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/check-email")

    [message] = outbox("minji@example.org")
    assert "이메일" in message["Subject"]  # the person chose Korean
    path = link_in(message, "/verify/")

    # Opening the link uses nothing up (mail scanners follow links); the form does.
    assert client.get(path).status_code == 200
    wrong = client.submit(path, {"password": "not my password"})
    assert wrong.status_code == 422
    response = client.submit(path, {"password": MINJI_PASSWORD})
    assert response.status_code == 302
    assert "minji@example.org" in client.get("/account").get_data(as_text=True)

    assert client.submit(path, {"password": MINJI_PASSWORD}).status_code == 404  # used once


def test_confirmation_mail_carries_no_text_chosen_by_the_signer(client, outbox):
    signup(client, display_name="YOUR ACCOUNT IS LOCKED. Unlock at evil.example")
    [message] = outbox("minji@example.org")
    assert "LOCKED" not in mail_body(message)


def test_signing_up_with_someone_elses_address_gives_no_hold_on_it(app, client, outbox):
    """The pre-hijack: an attacker opens an account in the victim's name first."""
    signup(client, password="attacker knows this one")
    victim = app.test_client()
    signup(victim, password=MINJI_PASSWORD)  # the real owner signs up too
    path = link_in(outbox("minji@example.org")[-1], "/verify/")
    assert victim.submit(path, {"password": MINJI_PASSWORD}).status_code == 302

    attacker = app.test_client()
    response = attacker.submit(
        "/login", {"email": "minji@example.org", "password": "attacker knows this one"}
    )
    assert response.status_code == 422


def test_the_owner_cannot_confirm_an_account_with_a_password_they_do_not_know(app, client, outbox):
    signup(client, password="attacker knows this one")
    path = link_in(outbox("minji@example.org")[-1], "/verify/")
    owner = app.test_client()
    assert owner.submit(path, {"password": MINJI_PASSWORD}).status_code == 422
    with app.app_context():
        assert db.session.scalar(select(Person.email_verified_at)) is None


@pytest.mark.committed  # threads, each on its own connection
def test_parallel_sign_ups_with_one_address_make_one_account(app):
    clients = [app.test_client() for _ in range(6)]
    tokens = [client.csrf_token("/signup") for client in clients]
    start = threading.Barrier(len(clients))
    statuses = []

    def sign_up(client, token):
        start.wait()
        response = client.post(
            "/signup",
            data={
                "csrf_token": token,
                "email": "twice@example.org",
                "display_name": "Twice",
                "password": MINJI_PASSWORD,
                "preferred_language": "en",
                "consent": "y",
            },
        )
        statuses.append(response.status_code)

    threads = [
        threading.Thread(target=sign_up, args=pair) for pair in zip(clients, tokens, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert statuses == [302] * 6
    assert count_people(app) == 1


def test_unconfirmed_account_cannot_log_in_and_gets_a_new_link(client, outbox):
    signup(client)
    response = client.submit("/login", {"email": "minji@example.org", "password": MINJI_PASSWORD})
    assert response.status_code == 422
    assert len(outbox("minji@example.org")) == 2
    assert client.get("/account").status_code == 302


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short7!", "at least 8 characters"),
        ("password123", "too easy to guess"),
        ("Password123", "too easy to guess"),
        ("minji@example.org", "too easy to guess"),
        ("x" * 1001, "at most 1,000"),
    ],
)
def test_weak_password_is_refused_next_to_the_field(app, client, password, message):
    response = signup(client, password=password)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count_people(app) == 0


def test_long_password_in_any_script_works_without_truncation(app, client, outbox):
    password = "ความรู้คือพลัง🌏🌱" * 4  # 64 characters of Thai and emoji
    assert len(password) == 64
    signup(client, password=password)
    client.submit(link_in(outbox()[0], "/verify/"), {"password": password})
    client.submit("/logout", page="/account")
    assert (
        client.submit("/login", {"email": "minji@example.org", "password": password}).status_code
        == 302
    )
    client.submit("/logout", page="/account")
    wrong = client.submit("/login", {"email": "minji@example.org", "password": password[:-1]})
    assert wrong.status_code == 422


def test_password_is_stored_with_argon2id(app, make_person):
    person = make_person()
    with app.app_context():
        stored = db.session.get(Person, person.id).password_hash
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_production_hash_parameters_meet_owasp_minimums():
    from config import Config

    assert Config.ARGON2_MEMORY_COST >= 19 * 1024  # KiB
    assert Config.ARGON2_TIME_COST >= 2


@pytest.mark.parametrize("field", ["display_name", "email"])
def test_nul_byte_in_a_field_is_refused(app, client, field):
    value = "Min\x00ji" if field == "display_name" else "min\x00ji@example.org"
    response = signup(client, **{field: value})
    assert response.status_code == 422
    assert count_people(app) == 0


def test_signup_answers_the_same_for_a_known_email(app, client, make_person, outbox):
    known = make_person("taken@example.org")
    first = signup(client, email="taken@example.org")
    second = signup(client, email="new@example.org")
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert count_people(app) == 2  # no second account for the known address
    [notice] = outbox(known.email)
    assert notice["Subject"] == "You already have an account"
    assert "already have an account" in mail_body(notice)


def test_account_exists_mail_speaks_the_account_holders_language(client, make_person, outbox):
    known = make_person("taken@example.org", language="ko")
    signup(client, email="taken@example.org")
    [notice] = outbox(known.email)
    assert notice["Subject"] == "이미 가입된 계정이 있습니다"


def test_login_answers_the_same_for_unknown_email_and_wrong_password(
    client, make_person, monkeypatch
):
    from learning_platform import security

    person = make_person()
    dummy_runs = []
    original = security.dummy_verify
    monkeypatch.setattr(security, "dummy_verify", lambda pw: dummy_runs.append(1) or original(pw))

    wrong = client.submit("/login", {"email": person.email, "password": "not the password"})
    unknown = client.submit(
        "/login", {"email": "nobody@example.org", "password": "not the password"}
    )
    assert wrong.status_code == unknown.status_code == 422
    message = "The email or password is not right"
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)
    assert dummy_runs == [1]  # a hash was checked for the unknown address too


def test_login_starts_a_new_session_and_logout_ends_it_on_the_server(
    app, client, make_person, login
):
    person = make_person()
    before_token = client.csrf_token("/login")
    with client.session_transaction() as session:
        session["planted"] = "by someone before the login"
    login(person)
    with client.session_transaction() as session:
        assert "planted" not in session  # nothing from before the login carries over
    assert client.csrf_token("/account") != before_token
    after = client.get_cookie("session").value

    stolen = after
    assert client.get("/account").status_code == 200
    client.submit("/logout", page="/account")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LoginSession)) == 0

    replay = app.test_client()
    replay.set_cookie("session", stolen)
    assert replay.get("/account").status_code == 302  # the copied cookie no longer works


def test_password_change_logs_out_other_devices(app, client, make_person, login):
    person = make_person()
    login(person)
    other_device = app.test_client()
    other_device.submit("/login", {"email": person.email, "password": PASSWORD})
    assert other_device.get("/account").status_code == 200

    new_password = "a brand new sentence"
    response = client.submit(
        "/account/password", {"current_password": PASSWORD, "password": new_password}
    )
    assert response.status_code == 302
    assert client.get("/account").status_code == 200  # this device stays logged in
    assert other_device.get("/account").status_code == 302


def test_password_change_needs_the_current_password(client, make_person, login):
    person = make_person()
    login(person)
    response = client.submit(
        "/account/password", {"current_password": "guess guess", "password": "a brand new sentence"}
    )
    assert response.status_code == 422
    assert "not your current password" in response.get_data(as_text=True)


def test_remember_me_cookie_is_httponly_and_lax(client, make_person, login):
    person = make_person()
    response = login(person, remember="y")
    cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
    for name in ("session", "remember_token"):
        assert "HttpOnly" in cookies[name]
        assert "SameSite=Lax" in cookies[name]
        assert "Secure" not in cookies[name]  # only in production, see test_app


def test_remember_cookie_alone_restores_the_login_until_logout(app, client, make_person, login):
    person = make_person()
    login(person, remember="y")
    remember = client.get_cookie("remember_token").value
    fresh = app.test_client()
    fresh.set_cookie("remember_token", remember)
    assert fresh.get("/account").status_code == 200
    client.submit("/logout", page="/account")
    later = app.test_client()
    later.set_cookie("remember_token", remember)
    assert later.get("/account").status_code == 302


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example",
        "//evil.example",
        "///evil.example",
        "/\\evil.example",
        "javascript:alert(1)",
        "/account\r\nLocation: https://evil.example",
        "http:/evil.example",
    ],
)
def test_login_ignores_a_next_that_leaves_the_site(client, make_person, target):
    person = make_person()
    response = client.submit(
        "/login",
        {"email": person.email, "password": PASSWORD},
        page="/login",
        query_string={"next": target},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_follows_a_local_next(client, make_person):
    person = make_person()
    response = client.submit(
        "/login",
        {"email": person.email, "password": PASSWORD},
        query_string={"next": "/partners/?q=1"},
    )
    assert response.headers["Location"] == "/partners/?q=1"


def test_protected_page_sends_anonymous_people_to_login_and_back(client, make_person):
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2Faccount"


def test_failed_logins_are_rate_limited_and_the_real_password_works_after_the_window(
    make_app, make_person
):
    app = make_app(LOGIN_LIMIT="3 per 15 minutes")
    client = app.test_client()
    person = make_person()
    for _ in range(3):
        assert (
            client.submit("/login", {"email": person.email, "password": "wrong wrong"}).status_code
            == 422
        )
    blocked = client.submit("/login", {"email": person.email, "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.get_data(as_text=True)

    with time_machine.travel(utcnow() + timedelta(minutes=16)):
        assert (
            client.submit("/login", {"email": person.email, "password": PASSWORD}).status_code
            == 302
        )


def test_a_stranger_cannot_lock_the_real_user_out(make_app, make_person):
    app = make_app(LOGIN_LIMIT="3 per 15 minutes")
    person = make_person()
    attacker = app.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    for _ in range(4):
        attacker.submit("/login", {"email": person.email, "password": "guess guess"})
    assert (
        attacker.submit("/login", {"email": person.email, "password": PASSWORD}).status_code == 429
    )

    owner = app.test_client()
    owner.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    assert owner.submit("/login", {"email": person.email, "password": PASSWORD}).status_code == 302


@pytest.mark.committed  # threads, each on its own connection
def test_parallel_guesses_cannot_slip_past_the_limit(make_app, make_person):
    app = make_app(LOGIN_LIMIT="3 per 15 minutes")
    person = make_person()
    clients = [app.test_client() for _ in range(12)]
    tokens = [client.csrf_token("/login") for client in clients]
    start = threading.Barrier(len(clients))
    statuses = []

    def guess(client, token):
        start.wait()
        response = client.post(
            "/login", data={"csrf_token": token, "email": person.email, "password": "guess guess"}
        )
        statuses.append(response.status_code)

    threads = [
        threading.Thread(target=guess, args=pair) for pair in zip(clients, tokens, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(statuses) == [422] * 3 + [429] * 9


def test_reset_link_sets_a_new_password_once(app, client, make_person, outbox, login):
    person = make_person()
    logged_in = app.test_client()
    logged_in.submit("/login", {"email": person.email, "password": PASSWORD})
    assert logged_in.get("/account").status_code == 200

    response = client.submit("/reset", {"email": person.email.upper()})
    assert response.headers["Location"] == "/check-email?reason=reset"
    path = link_in(outbox(person.email)[-1], "/reset/")

    assert client.get(path).status_code == 200
    response = client.submit(path, {"password": "the new sentence here"})
    assert response.headers["Location"] == "/login"
    assert (
        client.submit(path, {"password": "another new sentence"}, page="/reset").status_code == 404
    )
    assert client.get(path).status_code == 404

    assert logged_in.get("/account").status_code == 302  # sessions ended by the reset
    login(person, password="the new sentence here")


def test_reset_link_expires(app, client, make_person, outbox):
    person = make_person()
    client.submit("/reset", {"email": person.email})
    path = link_in(outbox(person.email)[-1], "/reset/")
    with time_machine.travel(
        utcnow() + timedelta(hours=app.config["PASSWORD_RESET_HOURS"], minutes=1)
    ):
        assert client.get(path).status_code == 404
        assert (
            client.submit(path, {"password": "the new sentence here"}, page="/reset").status_code
            == 404
        )


def test_reset_for_unknown_email_answers_the_same_and_mails_no_link(client, make_person, outbox):
    person = make_person()
    known = client.submit("/reset", {"email": person.email})
    unknown = client.submit("/reset", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    # The same work either way: one message each; the stranger's says there is no account.
    [note] = outbox("nobody@example.org")
    assert "no account uses it" in mail_body(note)
    assert "/reset/" not in mail_body(note)


def test_an_old_confirmation_link_dies_with_a_password_reset(app, client, outbox):
    signup(client)
    confirm = link_in(outbox("minji@example.org")[-1], "/verify/")
    client.submit("/reset", {"email": "minji@example.org"})
    reset = link_in(outbox("minji@example.org")[-1], "/reset/")
    client.submit(reset, {"password": "a fresh sentence here"})
    assert (
        client.submit(confirm, {"password": "a fresh sentence here"}, page="/reset").status_code
        == 404
    )


def test_guessed_reset_token_is_refused(client):
    assert client.get("/reset/" + "A" * 43).status_code == 404


def test_reset_tokens_are_stored_hashed(app, client, make_person, outbox):
    person = make_person()
    client.submit("/reset", {"email": person.email})
    token = link_in(outbox(person.email)[-1], "/reset/").rsplit("/", 1)[1]
    assert len(token) >= 43  # 256 bits, URL-safe base64
    with app.app_context():
        stored = db.session.scalars(select(AccountToken.token_hash)).all()
    assert token not in stored


def test_profile_edit_saves_name_and_language(app, client, make_person, login):
    person = make_person()
    login(person)
    response = client.submit("/account", {"display_name": "이지은", "preferred_language": "ko"})
    assert response.status_code == 302
    page = client.get("/account").get_data(as_text=True)
    assert "이지은" in page
    assert '<html lang="ko">' in page


def test_profile_refuses_a_language_we_do_not_offer(client, make_person, login):
    login(make_person())
    response = client.submit("/account", {"display_name": "X", "preferred_language": "xx"})
    assert response.status_code == 422


def test_logout_is_post_only_and_needs_the_csrf_token(client, make_person, login):
    login(make_person())
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/account").status_code == 200


def test_reset_requests_are_rate_limited_per_address(make_app, make_person, outbox):
    app = make_app(MAIL_REQUEST_LIMIT="2 per hour")
    client = app.test_client()
    person = make_person()
    for _ in range(2):
        assert client.submit("/reset", {"email": person.email}).status_code == 302
    assert client.submit("/reset", {"email": person.email}).status_code == 429
    assert len(outbox(person.email)) == 2


def test_logout_deletes_the_remember_cookie(client, make_person, login):
    login(make_person(), remember="y")
    response = client.submit("/logout", page="/account")
    deleted = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token=")]
    assert deleted and "Expires=Thu, 01 Jan 1970" in deleted[0]


@pytest.mark.parametrize("display_name", ["Min\r\nji", "Min\tji", "Min\x7fji", "Min\x00ji"])
def test_one_line_fields_refuse_line_breaks_and_controls(app, client, display_name):
    response = signup(client, display_name=display_name)
    assert response.status_code == 422
    assert "control characters" in response.get_data(as_text=True)
    assert count_people(app) == 0


def test_password_keeps_its_spaces(client, outbox):
    password = "  spaces around me  "
    signup(client, password=password)
    client.submit(link_in(outbox()[0], "/verify/"), {"password": password})
    client.submit("/logout", page="/account")
    assert (
        client.submit(
            "/login", {"email": "minji@example.org", "password": password.strip()}
        ).status_code
        == 422
    )
    assert (
        client.submit("/login", {"email": "minji@example.org", "password": password}).status_code
        == 302
    )


@pytest.mark.parametrize(
    "email", ["민지@example.org", "a@b", "two@@example.org", "a" * 250 + "@example.org"]
)
def test_addresses_we_cannot_mail_are_refused(app, client, email):
    response = signup(client, email=email)
    assert response.status_code == 422
    assert count_people(app) == 0


def test_an_internationalised_domain_is_stored_in_ascii(app, client, outbox):
    signup(client, email="Minji@Bücher.de")
    with app.app_context():
        assert db.session.scalar(select(Person.email)) == "minji@xn--bcher-kva.de"
    [message] = outbox("minji@xn--bcher-kva.de")
    assert message["To"] == "minji@xn--bcher-kva.de"


@pytest.mark.parametrize(
    ("display_name", "message"),
    [
        ("\u202egnp.exe", "text-direction control characters"),
        ("Min\u2066ji", "text-direction control characters"),
        ("\ufeff\u200b\u200d", "only invisible characters"),
    ],
)
def test_text_direction_overrides_and_invisible_only_text_are_refused(
    app, client, display_name, message
):
    response = signup(client, display_name=display_name)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count_people(app) == 0
