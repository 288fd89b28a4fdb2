"""Every absolute link is on BASE_URL (scheme, host, port, path prefix), whatever the Host header.

A request may reach the app as `localhost:8443` (a health check, a proxy that keeps its own
port): links that leave the page (JSON-LD, subscribe links, calendar events, mail) must still
point at the public address.
"""

import json
import re
from urllib.parse import quote

import pytest
from icalendar import Calendar

from tests.test_workspace import in_days

BASE = "https://learn.example.org:9000/sub"
SIDE_DOOR = {"Host": "localhost:8443"}


@pytest.fixture
def public_app(make_app):
    return make_app(BASE_URL=BASE, TRUSTED_HOSTS=["localhost", "learn.example.org"])


@pytest.fixture
def offering(make_partner, make_offering, make_theme):
    partner = make_partner(slug="changwon-city", name="Changwon City")
    return make_offering(
        partner,
        status="published",
        sessions=[in_days(3)],
        themes=[make_theme("climate-action")],
    )


def test_an_offering_page_links_to_the_public_address(public_app, offering):
    page = public_app.test_client().get(f"/offerings/{offering.id}", headers=SIDE_DOOR)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    jsonld = json.loads(script.group(1))
    assert jsonld["url"] == f"{BASE}/offerings/{offering.id}"
    assert jsonld["offers"]["url"] == f"{BASE}/offerings/{offering.id}"
    assert jsonld["provider"]["url"] == f"{BASE}/partners/changwon-city"
    feed = f"learn.example.org:9000/sub/feeds/offerings/{offering.id}.ics?lang=en"
    assert f'href="webcal://{feed}"' in html
    assert f'value="https://{feed}"' in html
    assert quote(f"webcal://{feed}", safe="") in html  # the Google Calendar subscribe link
    assert quote(f"{BASE}/offerings/{offering.id}", safe="") in html  # "add to Google Calendar"
    assert "localhost:8443" not in html


@pytest.mark.parametrize(
    ("path", "feed"),
    [
        ("/offerings?theme=climate-action", "feeds/all.ics?lang=en&theme=climate-action"),
        ("/themes/climate-action", "feeds/themes/climate-action.ics?lang=en"),
        ("/partners/changwon-city", "feeds/partners/changwon-city.ics?lang=en"),
    ],
)
def test_subscribe_links_are_on_the_public_address(public_app, offering, path, feed):
    html = public_app.test_client().get(path, headers=SIDE_DOOR).get_data(as_text=True)
    assert f'href="webcal://learn.example.org:9000/sub/{feed.replace("&", "&amp;")}"' in html
    assert "localhost:8443" not in html


def test_feed_events_link_to_the_public_address(public_app, offering):
    for path in ("/feeds/all.ics", f"/feeds/sessions/{offering.sessions[0].id}.ics"):
        body = public_app.test_client().get(path, headers=SIDE_DOOR).get_data()
        [event] = Calendar.from_ical(body).walk("VEVENT")
        assert str(event["URL"]) == f"{BASE}/offerings/{offering.id}"
        assert b"localhost:8443" not in body


def test_mail_links_are_on_the_public_address(public_app, make_person, outbox):
    person = make_person("minji@example.org")
    client = public_app.test_client()
    token = client.csrf_token("/reset")
    client.post("/reset", data={"csrf_token": token, "email": person.email}, headers=SIDE_DOOR)
    [message] = outbox(person.email)
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert f"{BASE}/reset/" in body
    assert "localhost:8443" not in body


def test_a_development_worker_links_to_where_make_run_serves(make_app):
    """`flask mail send` in development, with no BASE_URL and no request: links lead to
    http://127.0.0.1:5000, where `make run` serves, instead of failing."""
    from learning_platform.mail.services import external_url

    app = make_app(BASE_URL="", DEVELOPMENT_BASE_URL="http://127.0.0.1:5000")
    with app.app_context():
        assert external_url("accounts.profile") == "http://127.0.0.1:5000/account"
