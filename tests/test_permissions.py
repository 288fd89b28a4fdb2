"""The permission matrix: every workspace, admin and account URL, for every role, with the
exact status that role gets.

Anonymous people are sent to the login page (302). Someone without the right to a whole area
(a citizen in the workspace, an organizer in the admin pages) gets 403. Someone who may not
know a record exists (another partner's offering or workspace) gets 404. A co-host sees an
offering but may not change it: 403. Forms that are allowed but sent empty answer 422.
"""

import pytest
from sqlalchemy import select

from learning_platform.extensions import db
from learning_platform.models import (
    Membership,
    MembershipRole,
    Offering,
    OutboxMessage,
    ParticipantMessage,
    Question,
    Registration,
)
from learning_platform.policy import RULES, can
from tests.test_workspace import in_days

ROLES = ("anonymous", "citizen", "organizer", "manager", "cohost", "other", "admin")


@pytest.fixture
def world(app, make_person, make_partner, make_offering, make_theme, register):
    theme = make_theme()
    people = {role: make_person(name=role, admin=role == "admin") for role in ROLES[1:]}
    owner = make_partner(slug="owner", members=[people["organizer"], people["manager"]])
    cohost = make_partner(slug="cohost", members=[people["cohost"]])
    make_partner(slug="other", members=[people["other"]])
    with app.app_context():
        manager = db.session.scalar(
            select(Membership).where(Membership.person_id == people["manager"].id)
        )
        manager.role = MembershipRole.MANAGER
        db.session.commit()
        organizer_membership = db.session.scalar(
            select(Membership.id).where(Membership.person_id == people["organizer"].id)
        )
    offering = make_offering(
        owner, status="published", sessions=[in_days(10), in_days(17)], cohosts=[cohost]
    )
    register(offering, people["citizen"])
    with app.app_context():
        sent = ParticipantMessage(
            offering_id=offering.id,
            author_id=people["organizer"].id,
            audience="confirmed",
            subject="Welcome",
            body="See you.",
            recipient_count=1,
        )
        db.session.add(sent)
        db.session.commit()
        message_id = sent.id
        question = Question(
            offering_id=offering.id, kind="short_text", text={"en": "Anything else?"}, choices=[]
        )
        db.session.add(question)
        db.session.commit()
        question_id = question.id
        mail = OutboxMessage(recipient="a@example.org", subject="Hi", raw="Subject: Hi\r\n\r\nHi")
        db.session.add(mail)
        db.session.commit()
        mail_id = mail.id
        registration_id = db.session.scalar(
            select(Registration.id).where(Registration.offering_id == offering.id)
        )
    return {
        "people": people,
        "values": {
            "slug": owner.slug,
            "offering": offering.id,
            "session": offering.sessions[0].id,
            "question": question_id,
            "registration": registration_id,
            "membership": organizer_membership,
            "message": message_id,
            "page": "privacy",
            "language": "ko",
            "person": people["citizen"].id,
            "mail": mail_id,
            "chart": "registrations",
            "theme": theme.slug,
        },
    }


W = "/workspace/offerings/{offering}"
S = W + "/sessions/{session}"
Q = W + "/questions"
#: (method, path, statuses in the order of ROLES). Requests run in this order for each role,
#: on data of its own: what changes data (cancelling, removing, logging out) comes last.
#        anonymous citizen organizer manager cohost other admin
MATRIX = [
    # The workspace: one partner's members see it; the partner picker redirects them there.
    ("GET", "/workspace/", (302, 403, 302, 302, 302, 302, 200)),
    ("GET", "/workspace/{slug}/", (302, 403, 200, 200, 404, 404, 200)),
    ("GET", "/workspace/{slug}/new", (302, 403, 200, 200, 404, 404, 200)),
    # The partner's dashboard and its CSVs: its members and site admins only.
    ("GET", "/workspace/{slug}/dashboard", (302, 403, 200, 200, 404, 404, 200)),
    ("GET", "/workspace/{slug}/dashboard/{chart}.csv", (302, 403, 200, 200, 404, 404, 200)),
    ("POST", "/workspace/{slug}/new", (302, 403, 422, 422, 404, 404, 422)),
    # Organizers of a partner: its managers (and site admins) add and remove them.
    ("GET", "/workspace/{slug}/members/", (302, 403, 403, 200, 404, 404, 200)),
    ("POST", "/workspace/{slug}/members/", (302, 403, 403, 422, 404, 404, 422)),
    # A role change without the role is a forged form.
    ("POST", "/workspace/{slug}/members/{membership}/role", (302, 403, 403, 400, 404, 404, 400)),
    # The partner's own audit trail: its organizers and managers read it.
    ("GET", "/workspace/{slug}/activity", (302, 403, 200, 200, 404, 404, 200)),
    ("GET", "/workspace/{slug}/activity.csv", (302, 403, 200, 200, 404, 404, 200)),
    # One offering: the owner's members change it; a co-host reads it.
    ("GET", W, (302, 403, 200, 200, 200, 404, 200)),
    ("GET", W + "/edit", (302, 403, 200, 200, 403, 404, 200)),
    ("POST", W + "/edit", (302, 403, 422, 422, 403, 404, 422)),
    ("GET", W + "/sessions/new", (302, 403, 200, 200, 403, 404, 200)),
    ("POST", W + "/sessions/new", (302, 403, 422, 422, 403, 404, 422)),
    ("GET", S + "/edit", (302, 403, 200, 200, 403, 404, 200)),
    ("POST", S + "/edit", (302, 403, 422, 422, 403, 404, 422)),
    ("GET", W + "/schedule", (302, 403, 200, 200, 403, 404, 200)),
    ("POST", W + "/schedule", (302, 403, 422, 422, 403, 404, 422)),
    # A schedule file: imported by those who change the offering, exported by all who see it.
    ("GET", W + "/import", (302, 403, 200, 200, 403, 404, 200)),
    ("POST", W + "/import", (302, 403, 422, 422, 403, 404, 422)),
    # The texts in another language: like the offering's details (a form sent without its
    # fields keeps what was there; removing asks first).
    ("GET", W + "/texts/en", (302, 403, 200, 200, 403, 404, 200)),
    ("POST", W + "/texts/en", (302, 403, 302, 302, 403, 404, 302)),
    ("POST", W + "/texts/en/remove", (302, 403, 200, 200, 403, 404, 200)),
    # The primary language ({language} is Korean here) is edited on the main form.
    ("GET", W + "/texts/{language}", (302, 403, 302, 302, 403, 404, 302)),
    ("POST", W + "/texts/{language}", (302, 403, 302, 302, 403, 404, 302)),
    ("POST", W + "/texts/{language}/remove", (302, 403, 404, 404, 403, 404, 404)),
    ("GET", W + "/schedule.csv", (302, 403, 200, 200, 200, 404, 200)),
    ("GET", W + "/schedule.ics", (302, 403, 200, 200, 200, 404, 200)),
    # A draft's preview; this offering is published, so it leads to its public page.
    ("GET", W + "/preview", (302, 403, 302, 302, 302, 404, 302)),
    # Only drafts are deleted: this published one is refused with a message.
    ("POST", W + "/delete", (302, 403, 302, 302, 403, 404, 302)),
    ("GET", W + "/attendees", (302, 403, 200, 200, 200, 404, 200)),
    ("GET", W + "/attendees.csv", (302, 403, 200, 200, 200, 404, 200)),
    ("GET", S + "/attendance", (302, 403, 200, 200, 403, 404, 200)),
    # Check-in at the door marks attendance: like the sheet (co-hosts only see the lists).
    ("GET", S + "/checkin", (302, 403, 200, 200, 403, 404, 200)),
    ("POST", S + "/checkin", (302, 403, 422, 422, 403, 404, 422)),
    ("POST", S + "/checkin/person", (302, 403, 422, 422, 403, 404, 422)),
    ("POST", S + "/checkin.json", (302, 403, 422, 422, 403, 404, 422)),
    # Completion and certificates: like marking attendance (co-hosts see the offering only).
    # This offering has not ended: issuing is refused with a message, back to the page.
    ("GET", W + "/completion", (302, 403, 200, 200, 403, 404, 200)),
    ("POST", W + "/completion", (302, 403, 422, 422, 403, 404, 422)),
    ("POST", W + "/completion/issue", (302, 403, 302, 302, 403, 404, 302)),
    # A decision without its fields is refused next to them.
    ("POST", W + "/completion/{registration}", (302, 403, 422, 422, 403, 404, 422)),
    # Registration questions: like the offering's details; a co-host reads them.
    ("GET", Q, (302, 403, 200, 200, 200, 404, 200)),
    ("GET", Q + "/new", (302, 403, 200, 200, 403, 404, 200)),
    ("POST", Q + "/new", (302, 403, 422, 422, 403, 404, 422)),
    ("GET", Q + "/{question}/edit", (302, 403, 200, 200, 403, 404, 200)),
    ("POST", Q + "/{question}/edit", (302, 403, 422, 422, 403, 404, 422)),
    # A move without its direction is a forged form.
    ("POST", Q + "/{question}/move", (302, 403, 400, 400, 403, 404, 400)),
    # The cover image: like the offering's details (a form without a file answers 422).
    ("GET", W + "/cover", (302, 403, 200, 200, 403, 404, 200)),
    ("POST", W + "/cover", (302, 403, 422, 422, 403, 404, 422)),
    # The partner's logo: its managers, and site admins from the partner admin too.
    ("GET", "/workspace/{slug}/logo", (302, 403, 403, 200, 404, 404, 200)),
    ("POST", "/workspace/{slug}/logo", (302, 403, 403, 422, 404, 404, 422)),
    ("GET", "/admin/partners/{slug}/logo", (302, 403, 403, 403, 403, 403, 200)),
    ("POST", "/admin/partners/{slug}/logo", (302, 403, 403, 403, 403, 403, 422)),
    # Messages to participants: the owner's organizers write; a co-host reads the history.
    ("GET", W + "/messages/", (302, 403, 200, 200, 200, 404, 200)),
    ("GET", W + "/messages/{message}", (302, 403, 200, 200, 200, 404, 200)),
    ("GET", W + "/messages/new", (302, 403, 200, 200, 403, 404, 200)),
    ("POST", W + "/messages/new", (302, 403, 422, 422, 403, 404, 422)),
    # Before the session has started, the sheet is refused with a message.
    ("POST", S + "/attendance", (302, 403, 422, 422, 403, 404, 422)),
    # Site administration.
    ("GET", "/admin/partners/", (302, 403, 403, 403, 403, 403, 200)),
    ("GET", "/admin/audit", (302, 403, 403, 403, 403, 403, 200)),
    ("GET", "/admin/audit.csv", (302, 403, 403, 403, 403, 403, 200)),
    ("GET", "/admin/partners/new", (302, 403, 403, 403, 403, 403, 200)),
    ("POST", "/admin/partners/new", (302, 403, 403, 403, 403, 403, 422)),
    ("GET", "/admin/partners/{slug}/edit", (302, 403, 403, 403, 403, 403, 200)),
    # A form sent without its fields keeps what was there (browsers send every field).
    ("POST", "/admin/partners/{slug}/edit", (302, 403, 403, 403, 403, 403, 302)),
    # The old address of the organizers page sends admins to its new place.
    ("GET", "/admin/partners/{slug}/members", (302, 403, 403, 403, 403, 403, 301)),
    # The site's pages (about, privacy, terms, contact), in each language.
    ("GET", "/admin/pages/", (302, 403, 403, 403, 403, 403, 200)),
    ("GET", "/admin/pages/{page}/{language}", (302, 403, 403, 403, 403, 403, 200)),
    # A form sent without its fields keeps what was there (browsers send every field).
    ("POST", "/admin/pages/{page}/{language}", (302, 403, 403, 403, 403, 403, 302)),
    # Themes: their names and descriptions in each language.
    ("GET", "/admin/themes/", (302, 403, 403, 403, 403, 403, 200)),
    ("GET", "/admin/themes/{theme}/edit", (302, 403, 403, 403, 403, 403, 200)),
    # A form sent without its fields keeps what was there (browsers send every field).
    ("POST", "/admin/themes/{theme}/edit", (302, 403, 403, 403, 403, 403, 302)),
    # The back office: people, offerings, the mail outbox.
    ("GET", "/admin/people/", (302, 403, 403, 403, 403, 403, 200)),
    ("GET", "/admin/people/{person}", (302, 403, 403, 403, 403, 403, 200)),
    ("GET", "/admin/offerings/", (302, 403, 403, 403, 403, 403, 200)),
    ("GET", "/admin/mail/", (302, 403, 403, 403, 403, 403, 200)),
    ("GET", "/admin/mail/{mail}", (302, 403, 403, 403, 403, 403, 200)),
    # A message that has not failed is not sent again: the admin is told so.
    ("POST", "/admin/mail/{mail}/retry", (302, 403, 403, 403, 403, 403, 302)),
    # A confirmed address needs no new link: the admin is told so.
    ("POST", "/admin/people/{person}/resend-confirmation", (302, 403, 403, 403, 403, 403, 302)),
    # The alliance report and its PDF: site admins only.
    ("GET", "/admin/report", (302, 403, 403, 403, 403, 403, 200)),
    ("GET", "/admin/report.pdf", (302, 403, 403, 403, 403, 403, 200)),
    # A person's own account and learning.
    ("GET", "/account", (302, 200, 200, 200, 200, 200, 200)),
    ("GET", "/account/data", (302, 200, 200, 200, 200, 200, 200)),
    ("GET", "/account/delete", (302, 200, 200, 200, 200, 200, 200)),
    # Sent without the password: refused next to the field, nothing deleted.
    ("POST", "/account/delete", (302, 422, 422, 422, 422, 422, 422)),
    ("POST", "/account/agreements", (302, 302, 302, 302, 302, 302, 302)),
    ("POST", "/account", (302, 302, 302, 302, 302, 302, 302)),
    ("GET", "/account/password", (302, 200, 200, 200, 200, 200, 200)),
    ("POST", "/account/password", (302, 422, 422, 422, 422, 422, 422)),
    ("POST", "/account/calendar", (302, 200, 200, 200, 200, 200, 200)),
    ("GET", "/me/learning", (302, 200, 200, 200, 200, 200, 200)),
    # One's own offering: only with a registration for it (no one else learns it exists).
    ("GET", "/me/learning/{offering}", (302, 200, 404, 404, 404, 404, 404)),
    # One's own answers: the question is optional, so an empty form saves.
    ("GET", "/me/learning/{offering}/answers", (302, 200, 404, 404, 404, 404, 404)),
    ("POST", "/me/learning/{offering}/answers", (302, 302, 404, 404, 404, 404, 404)),
    ("GET", "/partners/propose", (302, 200, 200, 200, 200, 200, 200)),
    ("POST", "/partners/propose", (302, 422, 422, 422, 422, 422, 422)),
    ("POST", "/offerings/{offering}/register", (302, 302, 302, 302, 302, 302, 302)),
    # Destructive actions: the first POST, without `confirm`, only asks (a confirmation page,
    # 200) and changes nothing. Each person registered above: they are asked too.
    ("POST", S + "/cancel", (302, 403, 200, 200, 403, 404, 200)),
    ("POST", W + "/cancel", (302, 403, 200, 200, 403, 404, 200)),
    ("POST", "/offerings/{offering}/cancel", (302, 200, 200, 200, 200, 200, 200)),
    ("POST", W + "/cover/remove", (302, 403, 200, 200, 403, 404, 200)),
    ("POST", Q + "/{question}/remove", (302, 403, 200, 200, 403, 404, 200)),
    ("POST", "/workspace/{slug}/logo/remove", (302, 403, 403, 200, 404, 404, 200)),
    ("POST", "/admin/partners/{slug}/logo/remove", (302, 403, 403, 403, 403, 403, 200)),
    ("POST", "/admin/partners/{slug}/suspend", (302, 403, 403, 403, 403, 403, 200)),
    ("POST", "/admin/people/{person}/disable", (302, 403, 403, 403, 403, 403, 200)),
    ("POST", "/admin/people/{person}/enable", (302, 403, 403, 403, 403, 403, 200)),
    ("POST", "/admin/offerings/{offering}/unpublish", (302, 403, 403, 403, 403, 403, 200)),
    ("POST", "/admin/mail/retry-failed", (302, 403, 403, 403, 403, 403, 200)),
    (
        "POST",
        "/workspace/{slug}/members/{membership}/remove",
        (302, 403, 403, 200, 404, 404, 200),
    ),
    # What changes the shared data, last.
    ("POST", W + "/publish", (302, 403, 302, 302, 403, 404, 302)),
    ("POST", W + "/duplicate", (302, 403, 302, 302, 403, 404, 302)),
    ("POST", S + "/remove", (302, 403, 302, 302, 403, 404, 302)),
    ("POST", "/admin/partners/{slug}/approve", (302, 403, 403, 403, 403, 403, 302)),
    ("POST", "/logout", (302, 302, 302, 302, 302, 302, 302)),
]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_this_status_on_every_page(client, login, world, role):
    if role != "anonymous":
        login(world["people"][role])
    column = ROLES.index(role)
    wrong = []
    for method, path, statuses in MATRIX:
        url = path.format(**world["values"])
        response = client.get(url) if method == "GET" else client.submit(url, page="/")
        expected = statuses[column]
        if response.status_code != expected:
            wrong.append(f"{method} {path}: {response.status_code}, not {expected}")
        elif role == "anonymous":
            assert response.headers["Location"].startswith("/login?next=")
    assert wrong == []


def test_every_workspace_admin_and_account_url_is_in_the_matrix(app):
    """A new page cannot be added without saying who may open it."""
    covered = {(method, path) for method, path, _statuses in MATRIX}
    areas = ("/workspace", "/admin", "/account", "/me/", "/logout", "/partners/propose")
    names = {"offering_id": "{offering}", "session_id": "{session}", "slug": "{slug}"}
    names["membership_id"] = "{membership}"
    names["message_id"] = "{message}"
    names["question_id"] = "{question}"
    names["registration_id"] = "{registration}"
    names |= {"person_id": "{person}", "mail_id": "{mail}"}
    names["name"] = "{chart}"
    names |= {"page": "{page}", "language": "{language}"}
    names["theme_slug"] = "{theme}"
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(areas):
            continue
        path = rule.rule
        for argument in rule.arguments:
            path = path.replace(f"<id:{argument}>", names[argument]).replace(
                f"<{argument}>", names[argument]
            )
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (method, path) in covered, f"{method} {path} is not in the matrix"


def test_a_removed_membership_takes_effect_on_the_next_request(app, client, login, world):
    login(world["people"]["organizer"])
    url = "/workspace/offerings/{offering}/edit".format(**world["values"])
    assert client.get(url).status_code == 200
    with app.app_context():
        db.session.delete(db.session.get(Membership, world["values"]["membership"]))
        db.session.commit()
    assert client.get(url).status_code == 403  # no partner left: not in the workspace at all


def test_a_manager_cannot_remove_the_last_manager(app, client, login, world):
    login(world["people"]["manager"])
    with app.app_context():
        mine = db.session.scalar(
            select(Membership.id).where(Membership.person_id == world["people"]["manager"].id)
        )
    path = "/workspace/{slug}/members/".format(**world["values"])
    response = client.submit(
        f"{path}{mine}/remove", {"confirm": "yes"}, page=path, follow_redirects=True
    )
    assert "the only manager" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Membership, mine) is not None


def test_a_manager_adds_an_organizer_who_then_sees_the_workspace(client, login, world, make_person):
    newcomer = make_person("newcomer@example.org")
    login(world["people"]["manager"])
    path = "/workspace/{slug}/members/".format(**world["values"])
    response = client.submit(path, {"email": newcomer.email, "role": "organizer"})
    assert response.status_code == 302
    client.submit("/logout", page="/")
    login(newcomer)
    assert client.get("/workspace/{slug}/".format(**world["values"])).status_code == 200


def test_templates_ask_the_same_policy(client, login, world):
    login(world["people"]["cohost"])
    page = client.get("/workspace/offerings/{offering}".format(**world["values"]))
    assert "Edit details" not in page.get_data(as_text=True)
    client.submit("/logout", page="/")
    login(world["people"]["organizer"])
    page = client.get("/workspace/offerings/{offering}".format(**world["values"]))
    assert "Edit details" in page.get_data(as_text=True)


def test_an_unknown_action_is_a_bug_not_a_no(world):
    assert "edit_offering" in RULES
    with pytest.raises(KeyError):
        can(world["people"]["admin"], "edit_ofering")


def test_the_admin_pages_do_not_tell_a_hidden_partner_from_a_made_up_one(
    client, login, make_person, make_partner
):
    hidden = make_partner(approved=False, slug="secret-proposal")
    login(make_person())
    for path in ("/admin/partners/{}/edit", "/admin/partners/{}/members"):
        statuses = {client.get(path.format(slug)).status_code for slug in (hidden.slug, "nope")}
        assert statuses == {403}


def test_a_cohost_is_led_back_to_its_own_workspace(client, login, world):
    login(world["people"]["cohost"])
    page = client.get("/workspace/offerings/{offering}".format(**world["values"]))
    text = page.get_data(as_text=True)
    assert 'href="/workspace/cohost/"' in text
    assert 'href="/workspace/owner/"' not in text  # a page the co-host cannot open


def test_completion_is_decided_by_those_who_mark_attendance(app, world):
    with app.app_context():
        offering = db.session.get(Offering, world["values"]["offering"])
        for role, person in world["people"].items():
            person = db.session.get(type(person), person.id)
            assert can(person, "review_completion", offering) == can(
                person, "check_in", offering
            ), role
        assert not can(
            db.session.get(type(world["people"]["cohost"]), world["people"]["cohost"].id),
            "review_completion",
            offering,
        )
