"""The journeys of issues 6, 12 and 14, each in Korean, English and Thai, on a phone and a desktop.

A Thai reader meets what the Changwon organizers wrote in Korean with a Thai translation
(issue 15): the courses made here for a Thai variant have a Korean title and a Thai one, and
every check of a title compares with the Thai one, the one the reader should see.

Every journey is done with the keyboard only (see browser.py); every page it passes is checked
by axe-core; the main pages are saved under tests/e2e/screenshots/<variant>/.
"""

import io
import secrets
import urllib.request
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask_babel import force_locale, gettext, ngettext
from icalendar import Calendar
from PIL import Image, ImageDraw
from sqlalchemy import select

from learning_platform.extensions import db
from learning_platform.models import Attendance, OfferingSession, Registration, utcnow
from tests.e2e.browser import Visitor
from tests.e2e.conftest import (
    AXE_SCRIPT,
    CHROMIUM,
    CHROMIUM_ARGS,
    ORGANIZER,
    PASSWORD,
    SCREENSHOTS,
)


@pytest.fixture
def t(server, language):
    """The app's own wording for `message` in this variant's language."""

    def translate(message: str, **values) -> str:
        with server.app.test_request_context(), force_locale(language):
            return gettext(message, **values)

    return translate


#: What the journeys type, in each variant's language.
WORDS = {
    "ko": {
        "summary": "빗물을 모으는 정원을 함께 설계합니다.",
        "question": "휠체어 등 단차 없는 이동이 필요하신가요?",
        "cancel reason": "강사 사정으로 쉽니다.",
        "subject": "준비물 안내",
        "body": "- 장갑\n- **물병**",
        "closed reason": "강당 공사로 쉽니다.",
        "name": "김하늘",
        "cover": "햇살 아래 빗물정원",
    },
    "en": {
        "summary": "Design a rain garden.",
        "question": "Do you need step-free access?",
        "cancel reason": "The instructor is ill.",
        "subject": "What to bring",
        "body": "- gloves\n- **a water bottle**",
        "closed reason": "The hall is being repaired.",
        "name": "Dana",
        "cover": "A rain garden in the sun",
    },
    "th": {
        "summary": "มาออกแบบสวนซับน้ำฝนด้วยกัน",
        "question": "คุณต้องการทางเข้าที่ไม่มีขั้นบันไดหรือไม่",
        "cancel reason": "วิทยากรไม่สบาย",
        "subject": "สิ่งที่ต้องเตรียมมา",
        "body": "- ถุงมือ\n- **ขวดน้ำ**",
        "closed reason": "ห้องประชุมกำลังซ่อมแซม",
        "name": "สมใจ",
        "cover": "สวนซับน้ำฝนกลางแดด",
    },
}


@pytest.fixture
def words(language) -> dict[str, str]:
    return WORDS[language]


@pytest.fixture
def title(language) -> str:
    """A course title no other test uses, with a word to search for, in the reader's language."""
    tag = "".join(secrets.choice("bcdfghjkmnpqrstvwxz") for _ in range(8))
    return {
        "ko": f"빗물정원 설계 강좌 {tag}",
        "en": f"Rain garden design course {tag}",
        "th": f"หลักสูตรออกแบบสวนซับน้ำฝน {tag}",
    }[language]


@pytest.fixture
def course(server, language, title):
    """course(**options): server.course titled `title` for this variant's reader. For Thai, as
    the Changwon organizers write: Korean first, with a Thai translation of the title and
    summary (the reader gets the Thai ones)."""

    def make(**options):
        if language != "th":
            return server.course(title=title, **options)
        tag = title.split()[-1]
        return server.course(
            title=f"빗물정원 설계 강좌 {tag}",
            translations={"th": {"title": title, "summary": WORDS["th"]["summary"]}},
            **options,
        )

    return make


def sign_in(visitor, address: str, password: str = PASSWORD) -> None:
    visitor.go("/login")
    page = visitor.page
    visitor.type_into(page.locator("#email"), address)
    visitor.type_into(page.locator("#password"), password)
    visitor.activate(page.locator("main form button[type=submit]"), inspect=False)
    visitor.use_my_language()


def nav(visitor, href: str) -> None:
    visitor.activate(visitor.page.locator(f'header nav a[href="{href}"]'))


def feed(url: str) -> Calendar:
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/calendar")
        return Calendar.from_ical(response.read())


def next_monday(after_days: int) -> date:
    day = date.today() + timedelta(days=after_days)
    return day + timedelta(days=(7 - day.weekday()) % 7)


def test_organizer_creates_a_course_with_the_schedule_helper_and_publishes_it(
    visitor, server, language, title, t
):
    organizer = visitor()
    page = organizer.page
    sign_in(organizer, ORGANIZER)
    nav(organizer, "/workspace/")  # one partner: straight to its offerings
    organizer.snap("workspace-partner")
    organizer.activate(page.locator('main a[href="/workspace/changwon-city/new"]'))

    organizer.choose(page.locator("#kind"), "course")
    organizer.choose(page.locator("#language"), language)
    organizer.type_into(page.locator("#title"), title)
    organizer.type_into(page.locator("#summary"), WORDS[language]["summary"])
    organizer.type_into(page.locator("#description"), "- **Week 1**: soil\n- Week 2: plants")
    organizer.tick(page.locator("#theme_ids-0"))
    organizer.choose(page.locator("#format"), "in_person")
    organizer.type_into(page.locator("#capacity"), "20")
    organizer.type_into(page.locator("#venue_name"), "창원시 평생학습센터")
    assert page.locator("#timezone").input_value() == "Asia/Seoul"
    organizer.type_into(page.locator("#contact_email"), "learn@changwon.example.org")
    organizer.snap("offering-form")
    organizer.activate(page.locator("main form button[type=submit]"))
    assert "/workspace/offerings/" in page.url
    assert page.locator("main h1").inner_text() == title

    organizer.activate(page.locator("main a[href$='/schedule']"))
    first = next_monday(45)  # after the demo courses, which fill the first catalog page
    organizer.tick(page.locator("#weekdays-1"))  # Tuesday
    organizer.tick(page.locator("#weekdays-3"))  # Thursday
    organizer.set_value(page.locator("#start_time"), "19:00")
    organizer.set_value(page.locator("#end_time"), "21:00")
    organizer.set_value(page.locator("#first_day"), first.isoformat())
    organizer.type_into(page.locator("#weeks"), "10")
    organizer.type_into(page.locator("#skip_days"), (first + timedelta(days=8)).isoformat())
    organizer.activate(page.locator("button[value=preview]"))
    assert page.locator("#preview-title").inner_text() == t("Preview: %(count)s sessions", count=19)
    assert page.locator(".preview li.skipped").count() == 1
    organizer.snap("schedule-preview")
    organizer.activate(page.locator("button[value=save]"))
    assert page.locator("#sessions-title").inner_text().endswith("(19)")

    organizer.activate(page.locator("form[action$='/publish'] button"))
    assert page.locator(".notice--success").count() == 1
    organizer.snap("workspace-offering-published")
    offering = server.offering_titled(title)
    assert offering.status == "published"
    assert len(offering.sessions) == 19

    organizer.go(f"/offerings/{offering.id}")
    assert page.locator(".session-list li").count() == 19


def test_citizen_signs_up_finds_registers_and_subscribes(
    visitor, server, language, title, t, course
):
    offering = course(theme="climate-action", sessions=3)
    citizen = visitor()
    page = citizen.page
    address = f"e2e-{secrets.token_hex(5)}@example.org"

    citizen.go("/")
    citizen.snap("home")
    nav(citizen, "/signup")
    citizen.type_into(page.locator("#email"), address)
    citizen.type_into(page.locator("#display_name"), WORDS[language]["name"])
    citizen.type_into(page.locator("#password"), "rain gardens grow slowly")
    citizen.choose(page.locator("#preferred_language"), language)
    citizen.tick(page.locator("#consent"))
    citizen.snap("signup")
    citizen.activate(page.locator("main form button[type=submit]"))
    assert "/check-email" in page.url
    citizen.snap("check-email")

    citizen.go(server.link_in_last_mail(address, "/verify/"))
    citizen.type_into(page.locator("#password"), "rain gardens grow slowly")
    citizen.activate(page.locator("main form button[type=submit]"))
    assert page.locator('header nav a[href="/me/learning"]').count() == 1

    nav(citizen, "/offerings")
    citizen.type_into(page.locator("#q"), title.split()[-1])
    filters = page.locator("details[data-filters]")
    if not filters.evaluate("details => details.open"):  # a phone: behind "Filters"
        citizen.focus(filters.locator("summary"))
        page.keyboard.press("Enter")
    citizen.choose(page.locator("#theme"), "climate-action")
    citizen.activate(page.locator("#catalog-filters button[type=submit]"))
    results = page.locator(f'main a[href="/offerings/{offering.id}"]')
    assert results.count() >= 1
    citizen.snap("catalog-search")
    citizen.activate(results.first)
    citizen.snap("offering")
    citizen.activate(page.locator("form[action$='/register'] button"))
    assert t("You are registered. A confirmation is on its way to your mailbox.") in (
        citizen.notice()
    )
    citizen.snap("offering-registered")

    nav(citizen, "/me/learning")
    assert title in page.locator("main").inner_text()
    citizen.snap("my-learning")
    citizen.activate(page.locator('main a[href="/account#calendar"]'))
    citizen.activate(page.locator("form[action='/account/calendar'] button"))
    citizen.press(page.locator("button[data-copy='feed-url-me']"))
    status = page.locator("#feed-url-me-status")
    status.filter(has_text=t("Copied. Paste it into your calendar app.")).wait_for()
    feed_url = citizen.clipboard()
    assert feed_url == page.locator("#feed-url-me").input_value()
    citizen.snap("calendar-address")
    assert feed_url.startswith(server.base_url + "/feeds/me/")

    events = feed(feed_url).walk("VEVENT")
    assert len(events) == 3
    assert {event.DTSTART for event in events} == {s.starts_at for s in offering.sessions}
    summaries = [str(event["SUMMARY"]) for event in events]
    assert all(title in summary for summary in summaries)


def test_second_citizen_waits_and_is_promoted_when_the_first_cancels(
    visitor, server, language, title, t, course
):
    offering = course(capacity=1)
    first, second = server.person(language=language), server.person(language=language)
    first_at, second_at = visitor(), visitor()

    sign_in(first_at, first.email)
    first_at.go(f"/offerings/{offering.id}")
    first_at.activate(first_at.page.locator("form[action$='/register'] button"))
    assert server.registration_status(offering, first) == "confirmed"

    sign_in(second_at, second.email)
    second_at.go(f"/offerings/{offering.id}")
    join = second_at.page.locator("form[action$='/register'] button")
    assert join.inner_text() == t("Join the waitlist")
    second_at.activate(join)
    assert (
        t("The course is full: you are number %(position)s on the waitlist.", position=1)
        in second_at.notice()
    )
    second_at.snap("offering-waitlisted")

    nav(first_at, "/me/learning")
    first_at.activate(
        first_at.page.locator(f"form[action='/offerings/{offering.id}/cancel'] button")
    )
    # Cancelling asks first: the seat is still held until the confirmation is sent.
    assert first_at.page.locator("#confirm-title").inner_text() == t("Cancel your registration?")
    assert server.registration_status(offering, first) == "confirmed"
    first_at.snap("confirm-cancel-seat")
    first_at.activate(first_at.page.locator("main form button.button--danger-solid"))
    assert "/me/learning" in first_at.page.url
    assert server.registration_status(offering, first) is None
    assert server.registration_status(offering, second) == "confirmed"

    promotion = server.mails_to(second.email)[-1]
    assert promotion["Subject"] == t("A seat is yours: %(title)s", title=title)
    assert promotion["To"] == second.email
    nav(second_at, "/me/learning")
    assert title in second_at.page.locator("#current-title + *").inner_text()
    second_at.snap("my-learning-promoted")


def test_organizer_asks_a_question_the_citizen_answers_and_the_organizer_sees_it(
    visitor, server, language, title, t, course
):
    offering = course(sessions=2)
    organizer = visitor()
    page = organizer.page
    sign_in(organizer, ORGANIZER)
    organizer.go(f"/workspace/offerings/{offering.id}")
    questions = f"/workspace/offerings/{offering.id}/questions"
    organizer.activate(page.locator(f"main a[href='{questions}']").first)
    organizer.activate(page.locator(f"main a[href='{questions}/new']"))
    organizer.choose(page.locator("#kind"), "yes_no")
    organizer.type_into(page.locator("#text_ko"), WORDS["ko"]["question"])
    organizer.type_into(page.locator("#text_en"), WORDS["en"]["question"])
    thai_question = page.locator("#text_th").count() == 1
    if thai_question:
        organizer.type_into(page.locator("#text_th"), WORDS["th"]["question"])
    organizer.tick(page.locator("#required"))
    organizer.snap("question-form")
    organizer.activate(page.locator("main form button[type=submit]"))
    assert t("The question is added.") in organizer.notice()
    organizer.snap("questions")

    citizen = server.person(language=language)
    at = visitor()
    sign_in(at, citizen.email)
    at.go(f"/offerings/{offering.id}")
    at.activate(at.page.locator(f"main a[href='/offerings/{offering.id}/join']"))
    # Asked in the reader's language; without a Thai text, Thai readers get the Korean one.
    asked = WORDS["ko" if language == "th" and not thai_question else language]["question"]
    assert asked in at.page.locator("main form").inner_text()
    at.activate(at.page.locator("main form button[type=submit]"))  # no answer: refused
    assert at.page.locator("main .error").first.inner_text() == t("Please answer this question.")
    assert server.registration_status(offering, citizen) is None
    at.tick(at.page.locator("main input[type=radio][value=yes]"))
    at.snap("registration-questions")
    at.activate(at.page.locator("main form button[type=submit]"))
    assert t("You are registered. A confirmation is on its way to your mailbox.") in at.notice()
    assert server.registration_status(offering, citizen) == "confirmed"

    organizer.go(f"/workspace/offerings/{offering.id}/attendees")
    row = page.locator("main tbody tr", has_text=citizen.email)
    assert t("Yes") in row.inner_text()
    organizer.snap("attendees-answers")


def test_organizer_cancels_a_session_and_the_citizen_sees_it(
    visitor, server, language, title, t, course
):
    offering = course(sessions=3)
    citizen = server.person(language=language)
    assert server.register(offering, citizen) == "confirmed"
    token = server.feed_token(citizen)
    cancelled = sorted(offering.sessions, key=lambda s: s.starts_at)[1]

    organizer = visitor()
    sign_in(organizer, ORGANIZER)
    nav(organizer, "/workspace/")
    organizer.activate(organizer.page.locator('main a[href$="?tab=published"]'))
    organizer.activate(organizer.page.locator(f'main a[href="/workspace/offerings/{offering.id}"]'))
    organizer.activate(
        organizer.page.locator(f"form[action$='/sessions/{cancelled.id}/cancel'] button")
    )
    # A confirmation page says who is told and asks why; without a reason nothing happens.
    page = organizer.page
    assert page.locator("#confirm-title").inner_text() == t("Cancel this session?")
    with server.app.test_request_context(), force_locale(language):
        told = ngettext("%(num)d confirmed participant", "%(num)d confirmed participants", 1)
    assert told in page.locator("main").inner_text()
    danger = page.locator("main form button.button--danger-solid")
    organizer.activate(danger)
    assert organizer.field_error("reason") == t(
        "Give a reason: participants read it in their mail, on the page and in their calendar."
    )
    assert server.registration_status(offering, citizen) == "confirmed"
    reason = WORDS[language]["cancel reason"]
    organizer.type_into(page.locator("#reason"), reason)
    organizer.snap("confirm-cancel-session")
    organizer.activate(danger)
    assert page.locator(".notice--success").count() == 1
    organizer.snap("workspace-session-cancelled")

    reader = visitor()
    sign_in(reader, citizen.email)
    reader.go(f"/offerings/{offering.id}")
    rows = reader.page.locator(".session-list li")
    assert rows.count() == 3
    assert rows.nth(1).locator(".status--cancelled").inner_text() == t("Cancelled")
    assert reader.page.locator(".session-list li.is-cancelled").count() == 1
    assert reason in rows.nth(1).inner_text()
    reader.snap("offering-session-cancelled")
    nav(reader, "/me/learning")
    struck = reader.page.locator(".learning-item .is-cancelled")
    assert reason in struck.inner_text()  # the reason reaches the citizen's own page
    reader.snap("my-learning-session-cancelled")

    for url in (
        server.url(f"/feeds/me/{token}.ics"),
        server.url(f"/feeds/offerings/{offering.id}.ics?lang={language}"),
    ):
        events = feed(url).walk("VEVENT")
        statuses = sorted(str(event.get("STATUS")) for event in events)
        assert statuses == ["CANCELLED", "CONFIRMED", "CONFIRMED"], url
        (gone,) = [event for event in events if event.get("STATUS") == "CANCELLED"]
        assert cancelled.starts_at == gone.DTSTART
        assert int(gone["SEQUENCE"]) >= 1
        assert reason in str(gone["DESCRIPTION"])


def test_organizer_writes_to_participants_and_the_citizen_gets_the_mail(
    visitor, server, language, title, t, course
):
    offering = course()
    citizen = server.person(language=language)
    assert server.register(offering, citizen) == "confirmed"
    subject, body = WORDS[language]["subject"], WORDS[language]["body"]

    organizer = visitor()
    sign_in(organizer, ORGANIZER)
    page = organizer.page
    organizer.go(f"/workspace/offerings/{offering.id}")
    messages = f"/workspace/offerings/{offering.id}/messages/"
    organizer.activate(page.locator(f'main a[href="{messages}"]'))
    organizer.activate(page.locator(f'main a[href="{messages}new"]'))
    assert page.locator("#audience-0").is_checked()  # everyone confirmed, unless chosen
    organizer.type_into(page.locator("#subject"), subject)
    organizer.type_into(page.locator("#body"), body)
    organizer.snap("message-compose")
    organizer.activate(page.locator("main form button[name=preview]"))
    with server.app.test_request_context(), force_locale(language):
        goes_to = ngettext("It goes to %(num)d person:", "It goes to %(num)d people:", 1)
    assert goes_to in page.locator("main").inner_text()
    assert subject in page.locator(".mail-preview").inner_text()
    assert server.mails_to(citizen.email) == [] or all(
        mail["Subject"] != subject for mail in server.mails_to(citizen.email)
    )  # the preview sends nothing
    organizer.snap("message-preview")
    organizer.activate(page.locator("main form button[name=send]"))
    with server.app.test_request_context(), force_locale(language):
        sent = ngettext(
            "Your message is on its way to %(num)d person.",
            "Your message is on its way to %(num)d people.",
            1,
        )
    assert sent in organizer.notice()
    assert subject in page.locator(".message-list").inner_text()
    organizer.snap("messages-history")

    [mail] = [m for m in server.mails_to(citizen.email) if m["Subject"] == subject]
    assert mail["To"] == citizen.email
    text = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert body in text  # the organizer's words as written
    assert t("The organizers of “%(title)s” write to you:", title=title) in text
    html = mail.get_body(("html",)).get_content()
    assert "<strong>" in html and "<script" not in html


def test_bad_input_shows_a_message_by_the_field_and_keeps_what_was_typed(
    visitor, server, language, title, t, course
):
    offering = course(capacity=1)

    # A session that ends before it starts.
    organizer = visitor()
    page = organizer.page
    sign_in(organizer, ORGANIZER)
    organizer.go(f"/workspace/offerings/{offering.id}")
    organizer.activate(page.locator("main a[href$='/sessions/new']"))
    day = (date.today() + timedelta(days=30)).isoformat()
    organizer.set_value(page.locator("#day"), day)
    organizer.set_value(page.locator("#start_time"), "19:00")
    organizer.set_value(page.locator("#end_time"), "18:30")
    organizer.type_into(page.locator("#location"), "301호 세미나실")
    organizer.activate(page.locator("main form button[type=submit]"))
    assert t("The end must be after the start.") in organizer.field_error("end_time")
    assert page.locator("#end_time").get_attribute("aria-invalid") == "true"
    assert page.locator("#day").input_value() == day
    assert page.locator("#start_time").input_value() == "19:00"
    assert page.locator("#location").input_value() == "301호 세미나실"
    organizer.snap("session-form-error")
    assert len(server.offering_titled(title).sessions) == 3

    # A wrong password.
    citizen = server.person(language=language)
    stranger = visitor()
    sign_in(stranger, citizen.email, "not my password")
    assert stranger.page.url.startswith(server.url("/login"))
    assert stranger.page.locator("#email").input_value() == citizen.email
    assert stranger.page.locator("#password").input_value() == ""
    assert stranger.page.locator("main [role=alert], main .error").count() >= 1
    stranger.snap("login-error")

    # A sign-up with a short password keeps the address and the name.
    newcomer = visitor()
    newcomer.go("/signup")
    npage = newcomer.page
    newcomer.type_into(npage.locator("#email"), "newcomer@example.org")
    newcomer.type_into(npage.locator("#display_name"), "새내기")
    newcomer.type_into(npage.locator("#password"), "short")
    newcomer.activate(npage.locator("main form button[type=submit]"))
    assert npage.locator("#password-error").is_visible()
    assert npage.locator("#email").input_value() == "newcomer@example.org"
    assert npage.locator("#display_name").input_value() == "새내기"
    newcomer.snap("signup-error")

    # The last seat goes while the citizen is looking at the page.
    sign_in(stranger, citizen.email)
    stranger.go(f"/offerings/{offering.id}")
    register = stranger.page.locator("form[action$='/register'] button")
    assert register.inner_text() == t("Register")
    assert server.register(offering, server.person(language=language)) == "confirmed"
    stranger.activate(register)
    assert (
        t("The course is full: you are number %(position)s on the waitlist.", position=1)
        in stranger.notice()
    )
    assert server.registration_status(offering, citizen) == "waitlisted"
    stranger.snap("offering-full")


def test_the_other_main_pages_pass_the_same_checks(visitor, server, language, course):
    """Partners, a theme, the themes, my account, participants, attendance and admin: reached by
    keyboard."""
    offering = course()
    server.register(offering, server.person(language=language))

    guest = visitor()
    page = guest.page
    guest.go("/")
    nav(guest, "/partners/")
    guest.snap("partners")
    guest.activate(page.locator('main a[href="/partners/unesco-bangkok"]'))
    guest.snap("partner")
    guest.go(f"/offerings/{offering.id}")
    guest.activate(page.locator('main a[href="/themes/climate-action"]'))
    guest.snap("theme")
    guest.activate(page.locator('main a[href="/themes"]'))  # "All themes"
    guest.snap("themes")
    guest.activate(page.locator('header nav a[href="/login"]'))
    guest.snap("login")

    organizer = visitor()
    page = organizer.page
    sign_in(organizer, ORGANIZER)
    organizer.go(f"/workspace/offerings/{offering.id}")
    organizer.activate(page.locator("main a[href$='/attendees']"))
    assert page.locator("main table tbody tr").count() == 1
    organizer.snap("participants")
    organizer.activate(page.locator("main a[href$='/attendance']").first)
    organizer.snap("attendance")
    nav(organizer, "/account")
    organizer.snap("my-account")

    admin = visitor()
    sign_in(admin, "admin@example.org")
    nav(admin, "/admin/partners/")
    admin.snap("admin-partners")


def test_the_page_checks_catch_what_they_look_for(visitor, language):
    """A page with an image without text, a wide box and a failing script fails every check."""
    broken = visitor()
    broken.page.set_content(
        f'<html lang="{language}"><head><title>x</title></head><body>'
        '<main><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><div style="width:3000px">'
        "wide</div></main><script>undefined_function()</script></body></html>"
    )
    broken.inspect()
    found = "\n".join(broken.problems)
    broken.problems.clear()
    assert "image-alt" in found
    assert "scrolls sideways" in found
    assert "undefined_function" in found


def test_the_pages_that_invite_and_the_rights_pass_the_same_checks(
    visitor, server, language, title, t, course
):
    """Issue 12's new pages, reached as a person would: the home page's search, the themes, the
    About/Privacy/Terms/Contact pages, a cover image uploaded by an organizer and seen by a
    citizen, one offering's own sessions in My learning, and the page that deletes an account."""
    offering = course(theme="climate-action", sessions=2)
    citizen = server.person(language=language)
    server.register(offering, citizen)

    guest = visitor()
    page = guest.page
    guest.go("/")
    guest.type_into(page.locator("#home-q"), title.split()[-1])
    with page.expect_navigation():
        page.keyboard.press("Enter")
    guest.inspect()
    assert page.locator(f'main a[href="/offerings/{offering.id}"]').count() >= 1
    guest.snap("search-results")
    guest.go("/")
    guest.activate(page.locator('main a[href="/themes"]').first)
    guest.snap("themes")
    for name in ("about", "privacy", "terms", "contact"):
        guest.activate(page.locator(f'footer a[href="/{name}"]'))
        guest.snap(name)

    organizer = visitor()
    page = organizer.page
    sign_in(organizer, ORGANIZER)
    organizer.go(f"/workspace/offerings/{offering.id}")
    organizer.activate(page.locator(f'main a[href="/workspace/offerings/{offering.id}/cover"]'))
    organizer.snap("cover-upload")
    picture = Image.new("RGB", (1600, 900), (46, 139, 87))
    ImageDraw.Draw(picture).ellipse((600, 200, 1000, 600), fill=(242, 177, 52))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG")
    organizer.focus(page.locator("#image"))
    page.locator("#image").set_input_files(
        {"name": "garden.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}
    )
    organizer.type_into(page.locator("#alt_ko"), WORDS["ko"]["cover"])
    organizer.type_into(page.locator("#alt_en"), WORDS["en"]["cover"])
    organizer.type_into(page.locator("#alt_th"), WORDS["th"]["cover"])
    organizer.activate(page.locator("main form button[type=submit]").first)
    assert page.locator("main img[src*='/media/']").count() == 1
    organizer.go("/workspace/changwon-city/logo")
    organizer.snap("logo-upload")

    admin = visitor()
    page = admin.page
    sign_in(admin, "admin@example.org")
    nav(admin, "/admin/partners/")
    admin.activate(page.locator('main a[href="/admin/pages/"]'))
    admin.snap("admin-pages")
    admin.activate(page.locator(f'main a[href="/admin/pages/privacy/{language}"]'))
    assert page.locator("#body").count() == 1
    admin.snap("admin-page-editor")

    reader = visitor()
    page = reader.page
    sign_in(reader, citizen.email)
    reader.go(f"/offerings/{offering.id}")
    described = WORDS[language]["cover"]
    assert page.locator(f'main img[alt="{described}"]').count() == 1
    reader.snap("offering-with-cover")
    nav(reader, "/me/learning")
    reader.activate(page.locator(f'main a[href="/me/learning/{offering.id}"]'))
    assert page.locator("main .session-list li").count() == 2
    reader.snap("my-offering")
    nav(reader, "/account")
    reader.activate(page.locator('main a[href="/account/delete"]'))
    reader.activate(page.locator("main form button[type=submit]").last)
    assert reader.field_error("password")  # nothing typed: asked for, nothing deleted
    reader.snap("delete-account")
    assert server.registration_status(offering, citizen) == "confirmed"


def test_organizer_imports_a_schedule_previews_the_draft_and_deletes_it(
    visitor, server, language, title, t, tmp_path
):
    organizer = visitor()
    page = organizer.page
    sign_in(organizer, ORGANIZER)
    assert page.url.endswith("/workspace/changwon-city/")  # organizers land in their workspace
    organizer.activate(page.locator('main a[href="/workspace/changwon-city/new"]'))
    organizer.choose(page.locator("#kind"), "workshop")
    organizer.choose(page.locator("#language"), language)
    organizer.type_into(page.locator("#title"), title)
    organizer.choose(page.locator("#format"), "in_person")
    organizer.type_into(page.locator("#capacity"), "12")
    organizer.activate(page.locator("main form button[type=submit]"))
    # Not ready to publish: the button is disabled and says why.
    publish = page.locator("main button[aria-describedby=publish-problems]")
    assert publish.is_disabled()
    assert page.locator("#publish-problems li").count() >= 3

    year = date.today().year + 1
    schedule = tmp_path / "일정.csv"
    schedule.write_bytes(
        (
            "date,start,end,location,note\r\n"
            f"{year}-03-05,19:00,21:00,창원시 평생학습관 301호,\r\n"
            f"{year}-03-12,19:00,21:00,,\r\n"
            f"{year}-03-12,21:00,19:00,,\r\n"
        ).encode("cp949")
    )
    organizer.activate(page.locator("main a[href$='/import']"))
    page.locator("#file").set_input_files(schedule)
    organizer.activate(page.locator("button[value=preview]"))
    assert page.locator(".import-table tbody tr").count() == 2
    assert page.locator(".import-problems li").count() == 1
    organizer.activate(page.locator("button[value=save]"))
    assert page.locator("#sessions-title").inner_text().endswith("(2)")

    organizer.activate(page.locator("main a[href$='/preview']"))
    assert page.locator(".preview-banner").count() == 1
    assert page.locator("meta[name=robots]").get_attribute("content") == "noindex, nofollow"
    assert page.locator("#offering-title").inner_text() == title
    organizer.activate(page.locator(".preview-banner a"))

    organizer.activate(page.locator("form[action$='/delete'] button"))
    assert page.locator("#confirm-title").inner_text() == t("Delete this draft?")
    organizer.activate(page.locator("main form button[type=submit]"))
    assert page.url.endswith("/workspace/changwon-city/")
    assert page.locator(".notice--success").inner_text() == t("The draft is deleted.")
    assert title not in page.locator("main").inner_text()


# Check-in at the door by QR code, through Chromium's fake camera ---------------------------


def y4m_of(png: bytes, path, *, width: int = 640, height: int = 480, frames: int = 5) -> None:
    """A short Y4M video (what --use-file-for-fake-video-capture plays, in a loop) of the QR
    code in `png`, centred on white: the phone held up to the camera."""
    code = Image.open(io.BytesIO(png)).convert("L")
    side = min(width, height) - 80
    code = code.resize((side, side), Image.Resampling.NEAREST)
    frame = Image.new("L", (width, height), 255)
    frame.paste(code, ((width - side) // 2, (height - side) // 2))
    luma = frame.tobytes()
    chroma = bytes([128]) * (width // 2) * (height // 2)  # 4:2:0, no colour
    with open(path, "wb") as video:
        video.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            video.write(b"FRAME\n" + luma + chroma + chroma)


@pytest.mark.parametrize("door", ["ko-phone", "en-desktop"])
def test_organizer_checks_in_at_the_door_by_qr_code_and_by_typed_code(
    browser, server, tmp_path, door
):
    language = door.split("-")[0]

    def t(message: str, **values) -> str:
        with server.app.test_request_context(), force_locale(language):
            return gettext(message, **values)

    course = server.course(title=f"Door check-in {secrets.token_hex(4)}")
    session_id = course.sessions[0].id
    with server.app.app_context():  # the first session starts within the hour: the door is open
        session = db.session.get(OfferingSession, session_id)
        session.starts_at = utcnow() + timedelta(hours=1)
        session.ends_at = session.starts_at + timedelta(hours=2)
        db.session.commit()
    scanned = server.person(language="ko", name="김스캔")
    typed = server.person(language="en", name="Tina Typed")
    for person in (scanned, typed):
        assert server.register(course, person) == "confirmed"
    # The mail carries the QR code too (tests/test_checkin.py); here the participant shows the
    # one on My learning (the test's own app signs with another key than the server).
    [mail] = server.mails_to(scanned.email)
    assert [p for p in mail.walk() if p.get_content_type() == "image/png"]
    participant = Visitor.open(
        browser,
        server.base_url,
        door,
        axe_source=AXE_SCRIPT.read_text(),
        screenshots=SCREENSHOTS / door,
        address="10.99.2.2",
    )
    try:
        sign_in(participant, scanned.email)
        participant.go(f"/me/learning/{course.id}")
        participant.snap("my-offering-checkin-code")
        png = participant.page.locator("main .qr__image").screenshot()
        assert not participant.problems, participant.problems
    finally:
        participant.close()
    video = tmp_path / "qr.y4m"
    y4m_of(png, video)
    with server.app.app_context():
        code = db.session.scalar(
            select(Registration.checkin_code).where(Registration.person_id == typed.id)
        )

    camera = browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    organizer = Visitor.open(
        camera,
        server.base_url,
        door,
        axe_source=AXE_SCRIPT.read_text(),
        screenshots=SCREENSHOTS / door,
        address="10.99.1.1",
    )
    try:
        organizer.page.context.grant_permissions(["camera"], origin=server.base_url)
        page = organizer.page
        sign_in(organizer, ORGANIZER)
        organizer.go(f"/workspace/offerings/{course.id}/attendees")
        path = f"/workspace/offerings/{course.id}/sessions/{session_id}/checkin"
        organizer.activate(page.locator(f'main a[href="{path}"]'))
        assert page.locator("#checkin-count").inner_text() == t(
            "Checked in: %(present)s of %(confirmed)s", present=0, confirmed=2
        )
        organizer.snap("checkin")
        organizer.focus(page.locator("[data-scan-start]"))
        page.keyboard.press("Enter")
        page.locator("#checkin-result.checkin__result--ok").wait_for(timeout=15_000)
        assert page.locator("#checkin-result").inner_text() == t(
            "%(name)s is checked in.", name="김스캔"
        )
        assert page.locator("#checkin-count").inner_text() == t(
            "Checked in: %(present)s of %(confirmed)s", present=1, confirmed=2
        )
        organizer.snap("checkin-scanned")
        organizer.focus(page.locator("[data-scan-stop]"))
        page.keyboard.press("Enter")

        organizer.type_into(page.locator("#code"), f"{code[:3].lower()} {code[3:]}")
        organizer.activate(page.locator(".checkin__code button[type=submit]"))
        assert organizer.notice() == t("%(name)s is checked in.", name="Tina Typed")
        assert page.locator("#checkin-count").inner_text() == t(
            "Checked in: %(present)s of %(confirmed)s", present=2, confirmed=2
        )
        # The same code again: already checked in, with the time.
        organizer.type_into(page.locator("#code"), code)
        organizer.activate(page.locator(".checkin__code button[type=submit]"))
        already = t("%(name)s is already checked in (since %(time)s).", name="Tina Typed", time="")
        assert already.split("(")[0].strip() in organizer.notice()
        organizer.snap("checkin-typed")
        assert not organizer.problems, organizer.problems
    finally:
        organizer.close()
        camera.close()
    with server.app.app_context():
        marks = db.session.execute(
            select(Registration.person_id, Attendance.present)
            .join(Attendance, Attendance.registration_id == Registration.id)
            .where(Attendance.session_id == session_id)
        ).all()
    assert sorted(marks) == sorted([(scanned.id, True), (typed.id, True)])


def test_organizer_reads_the_dashboard_and_an_admin_runs_the_back_office(
    visitor, server, language, title, t, course
):
    """Issue 14: the Changwon organizer sees this term's figures as charts, downloads one as CSV
    and cancels a session; a site admin finds who cancelled it in the audit trail, downloads the
    alliance report as PDF, disables an account (its owner can no longer log in) and sends a
    failed mail again; anyone reads the impact page and the open data."""
    offering = course(sessions=2)
    citizen = server.person(language=language)
    assert server.register(offering, citizen) == "confirmed"
    failed = server.failed_mail(citizen.email, f"Welcome to {title}")
    cancelled = sorted(offering.sessions, key=lambda s: s.starts_at)[1]
    reason = WORDS[language]["closed reason"]

    organizer = visitor()
    page = organizer.page
    sign_in(organizer, ORGANIZER)
    organizer.go("/workspace/changwon-city")
    organizer.activate(page.locator('main a[href="/workspace/changwon-city/dashboard"]'))
    assert page.locator("main svg[role=img]").count() >= 3
    assert page.locator("main table").count() >= 3  # the data behind each chart
    organizer.snap("dashboard")
    csv_link = page.locator('main a[href*="/dashboard/registrations.csv"]')
    organizer.focus(csv_link)
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    body = Path(download.value.path()).read_bytes()
    assert body.startswith(b"\xef\xbb\xbf")  # Excel reads Korean right
    assert len(body.decode("utf-8-sig").splitlines()) >= 2

    organizer.go(f"/workspace/offerings/{offering.id}")
    organizer.activate(page.locator(f"form[action$='/sessions/{cancelled.id}/cancel'] button"))
    organizer.type_into(page.locator("#reason"), reason)
    organizer.activate(page.locator("main form button.button--danger-solid"))
    assert page.locator(".notice--success").count() == 1
    organizer.activate(page.locator(f'main a[href$="/activity?offering={offering.id}"]'))
    assert reason in page.locator("main").inner_text()
    organizer.snap("activity")
    assert not organizer.problems, organizer.problems

    admin = visitor()
    page = admin.page
    sign_in(admin, "admin@example.org")
    nav(admin, "/admin/partners/")
    admin.activate(page.locator('main a[href="/admin/audit"]'))
    admin.press(page.locator("main details.audit-filters > summary"))
    admin.choose(page.locator("#action"), "session.cancelled")
    admin.activate(page.locator("main details.audit-filters button[type=submit]"))
    trail = page.locator("main").inner_text()
    assert reason in trail and ORGANIZER in trail  # who cancelled it, and why
    admin.snap("admin-audit")

    admin.activate(page.locator('main a[href="/admin/report"]'))
    admin.snap("admin-report")
    pdf_link = page.locator(f'main a[href*="/admin/report.pdf"][href$="lang={language}"]')
    admin.focus(pdf_link)
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")

    admin.activate(page.locator('main a[href="/admin/people/"]'))
    admin.type_into(page.locator("#q"), citizen.email)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    admin.activate(page.locator(f'main a[href="/admin/people/{citizen.id}"]'))
    admin.snap("admin-person")
    admin.activate(page.locator(f"form[action$='/people/{citizen.id}/disable'] button"))
    admin.type_into(page.locator("#reason"), "Spam")
    admin.activate(page.locator("main form button.button--danger-solid"))
    assert page.locator(".notice--success").count() == 1

    admin.activate(page.locator('main a[href="/admin/mail/"]'))
    admin.snap("admin-mail")
    admin.activate(page.locator(f"form[action$='/mail/{failed}/retry'] button"))
    assert server.outbox_status(failed) == "pending"
    assert not admin.problems, admin.problems

    shut_out = visitor()
    shut_out.go("/login")
    shut_out.type_into(shut_out.page.locator("#email"), citizen.email)
    shut_out.type_into(shut_out.page.locator("#password"), PASSWORD)
    shut_out.activate(shut_out.page.locator("main form button[type=submit]"))
    disabled = t(
        "This account is disabled by the site administrators. Write to %(email)s if you think"
        " this is a mistake.",
        email="@",
    )
    assert disabled.split("@")[0].strip() in shut_out.page.locator("main").inner_text()
    assert shut_out.page.url.endswith("/login")
    assert not shut_out.problems, shut_out.problems

    guest = visitor()
    page = guest.page
    guest.go("/")
    guest.activate(page.locator('footer a[href="/impact"]'))
    guest.snap("impact")
    guest.activate(page.locator('footer a[href="/data"]'))
    assert page.locator('main a[href="/data/offerings.csv"]').count() == 1
    guest.snap("open-data")
