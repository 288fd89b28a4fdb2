"""Two people (or two tabs) doing the same thing at the same moment: each rule still holds.

Each test holds every request right after it has read what its rule checks, until all have
read it (or a second has passed, when the fix makes the others wait for a lock): without the
offering's or partner's row lock, all pass the same check and all write.
"""

import contextlib
import threading

import pytest
from sqlalchemy import event, func, select

from learning_platform.extensions import db
from learning_platform.models import (
    Membership,
    MembershipRole,
    OfferingSession,
    OutboxMessage,
    Person,
)
from tests.factories import PASSWORD
from tests.test_workspace import in_days

pytestmark = pytest.mark.committed  # the racing requests run on connections of their own


def _client(app, person):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert client.submit("/login", {"email": person.email, "password": PASSWORD}).status_code == 302
    return client


def _race(app, posts, holds_after) -> list[int]:
    """Send every (client, path, data) at once; each request pauses after its first statement
    for which `holds_after(statement)` is true, until all have run one (at most a second)."""
    with app.app_context():
        engine = db.engine
    barrier = threading.Barrier(len(posts), timeout=1)
    local = threading.local()

    def after(_conn, _cursor, statement, *_args):
        if not getattr(local, "held", False) and holds_after(statement):
            local.held = True
            # Broken when the others wait for a lock this request holds: then it goes on.
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait()

    statuses: list = [None] * len(posts)

    def run(index: int) -> None:
        client, path, data = posts[index]
        statuses[index] = client.post(path, data=data).status_code

    event.listen(engine, "after_cursor_execute", after)
    try:
        threads = [threading.Thread(target=run, args=(i,)) for i in range(len(posts))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        event.remove(engine, "after_cursor_execute", after)
    return statuses


def _reads_sessions(statement: str) -> bool:
    return statement.lstrip().startswith("SELECT") and "FROM offering_session" in statement


def test_two_managers_removing_each_other_at_once_leave_one_manager(
    race_app, make_person, make_partner
):
    a, b = make_person(), make_person()
    partner = make_partner(members=[a, b])
    with race_app.app_context():
        ids = {}
        for membership in db.session.scalars(select(Membership)):
            membership.role = MembershipRole.MANAGER
            ids[membership.person_id] = membership.id
        db.session.commit()
    page = f"/workspace/{partner.slug}/members/"
    posts = []
    for person, other in ((a, b), (b, a)):
        client = _client(race_app, person)
        token = client.csrf_token(page)
        posts.append(
            (client, f"{page}{ids[other.id]}/remove", {"csrf_token": token, "confirm": "yes"})
        )
    statuses = _race(race_app, posts, lambda s: "count(*)" in s and "membership" in s)
    with race_app.app_context():
        managers = db.session.scalar(
            select(func.count()).where(Membership.role == MembershipRole.MANAGER)
        )
    assert statuses == [302, 302]
    assert managers == 1  # one was removed, the other was told they are the only manager


def test_the_same_session_added_from_two_tabs_at_once_is_stored_once(
    race_app, make_person, make_partner, make_offering
):
    person = make_person()
    partner = make_partner(members=[person])
    offering = make_offering(partner, sessions=[in_days(30)])
    path = f"/workspace/offerings/{offering.id}/sessions/new"
    data = {"day": "2031-05-05", "start_time": "10:00", "end_time": "12:00", "location": ""}
    posts = []
    for _ in range(2):
        client = _client(race_app, person)
        posts.append((client, path, {"csrf_token": client.csrf_token(path), **data}))
    statuses = _race(race_app, posts, _reads_sessions)
    with race_app.app_context():
        stored = db.session.scalar(
            select(func.count()).where(OfferingSession.offering_id == offering.id)
        )
    assert sorted(statuses) == [302, 422]  # the second is told it overlaps the first
    assert stored == 2


def test_cancelling_an_offering_twice_at_once_mails_each_participant_once(
    race_app, make_person, make_partner, make_offering, register
):
    organizer, citizen = make_person(), make_person()
    partner = make_partner(members=[organizer])
    offering = make_offering(partner, status="published", sessions=[in_days(10)])
    register(offering, citizen)
    page, path = f"/workspace/offerings/{offering.id}", f"/workspace/offerings/{offering.id}/cancel"
    posts = []
    for _ in range(2):
        client = _client(race_app, organizer)
        token = client.csrf_token(page)
        posts.append((client, path, {"csrf_token": token, "confirm": "yes", "reason": "Rain."}))
    assert _race(race_app, posts, _reads_sessions) == [302, 302]
    with race_app.app_context():
        mails = db.session.scalar(
            select(func.count()).where(OutboxMessage.recipient == citizen.email)
        )
    assert mails == 1


def test_two_admins_disabling_each_other_at_once_leave_one_admin(race_app, make_person):
    a, b = make_person(admin=True), make_person(admin=True)
    posts = []
    for person, other in ((a, b), (b, a)):
        client = _client(race_app, person)
        token = client.csrf_token(f"/admin/people/{other.id}")
        posts.append(
            (
                client,
                f"/admin/people/{other.id}/disable",
                {"csrf_token": token, "confirm": "yes", "reason": "At the same moment"},
            )
        )
    statuses = _race(race_app, posts, lambda s: "count(*)" in s and "FROM person" in s)
    with race_app.app_context():
        active = db.session.scalar(
            select(func.count()).where(Person.is_admin.is_(True), Person.disabled_at.is_(None))
        )
    assert active == 1  # one was disabled; the other was told they are the last admin
    assert sorted(statuses) in ([302, 409], [302, 422])
