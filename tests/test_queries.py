"""Query budgets: pages run the same number of SQL statements whatever the data size."""

import pytest
from sqlalchemy import event

from learning_platform.extensions import db


def statements_for(client, count_queries, path: str) -> int:
    client.get(path)  # warm up: first-request work is not what we measure
    with count_queries() as statements:
        response = client.get(path)
    assert response.status_code == 200
    return len(statements)


@pytest.mark.parametrize("path", ["/", "/partners/"])
def test_public_pages_have_a_constant_query_count(client, count_queries, make_partner, path):
    make_partner()
    small = statements_for(client, count_queries, path)
    for _ in range(25):
        make_partner()
    assert statements_for(client, count_queries, path) == small
    assert small <= 3


def test_admin_partner_list_has_a_constant_query_count(
    client, count_queries, make_person, make_partner, login
):
    login(make_person(admin=True))
    make_partner(members=[make_person()])
    small = statements_for(client, count_queries, "/admin/partners/")
    for _ in range(15):
        make_partner(members=[make_person(), make_person()])
    assert statements_for(client, count_queries, "/admin/partners/") == small
    assert small <= 3  # the login session, then partners with their member counts


def test_members_page_has_a_constant_query_count(
    client, count_queries, make_person, make_partner, login
):
    login(make_person(admin=True))
    partner = make_partner(members=[make_person()])
    path = f"/workspace/{partner.slug}/members/"
    small = statements_for(client, count_queries, path)
    with client.application.app_context():
        from learning_platform.extensions import db
        from learning_platform.models import Membership

        for _ in range(10):
            db.session.add(Membership(person_id=make_person().id, partner_id=partner.id))
        db.session.commit()
    assert statements_for(client, count_queries, path) == small


def test_workspace_partner_page_has_a_constant_query_count(
    client, count_queries, make_person, make_partner, make_offering, login
):
    from datetime import timedelta

    from learning_platform.models import utcnow

    organizer = make_person()
    partner = make_partner(members=[organizer])
    login(organizer)
    soon = utcnow() + timedelta(days=3)
    make_offering(partner, sessions=[(soon, soon + timedelta(hours=2))])
    path = f"/workspace/{partner.slug}/?tab=draft"
    small = statements_for(client, count_queries, path)
    for day in range(12):
        start = soon + timedelta(days=day + 1)
        make_offering(partner, sessions=[(start, start + timedelta(hours=1))])
    assert statements_for(client, count_queries, path) == small


def _bulk_offerings(app, partner, count: int, *, registrations_for=None) -> list[int]:
    """`count` published offerings, each with three sessions and two themes, in one transaction."""
    from datetime import timedelta

    from learning_platform.extensions import db
    from learning_platform.models import Offering, OfferingSession, Registration, Theme, utcnow

    with app.app_context():
        themes = [
            Theme(slug=f"bulk-{n}-{len(partner.slug)}-{count}", name_en="T", name_ko="주제")
            for n in range(2)
        ]
        start = utcnow() + timedelta(days=2)
        offerings = []
        for number in range(count):
            offering = Offering(
                partner_id=partner.id,
                status="published",
                kind="course",
                title=f"Bulk {number}",
                language="ko",
                format="in_person",
                capacity=30,
                timezone="Asia/Seoul",
            )
            offering.themes = themes
            for week in range(3):
                begin = start + timedelta(days=number % 30, weeks=week)
                offering.sessions.append(
                    OfferingSession(starts_at=begin, ends_at=begin + timedelta(hours=2))
                )
            offerings.append(offering)
        db.session.add_all(offerings)
        db.session.flush()
        if registrations_for is not None:
            for offering in offerings:
                db.session.add(
                    Registration(
                        offering_id=offering.id,
                        person_id=registrations_for.id,
                        status="confirmed" if offering.id % 2 else "waitlisted",
                    )
                )
        db.session.commit()
        return [offering.id for offering in offerings]


@pytest.mark.parametrize(
    "path", ["/", "/offerings", "/offerings?q=Bulk&theme=nothing", "/offerings?seats=1&sort=newest"]
)
def test_catalog_runs_at_most_seven_statements_whatever_its_size(
    app, client, count_queries, make_partner, path
):
    partner = make_partner()
    _bulk_offerings(app, partner, 5)
    small = statements_for(client, count_queries, path)
    _bulk_offerings(app, partner, 195)
    assert statements_for(client, count_queries, path) == small
    assert small <= 7  # the ranking of all matches, then the page's offerings


def test_a_remembered_ranking_saves_the_catalog_its_costliest_statement(make_app, make_partner):
    app = make_app(CATALOG_RANKING_SECONDS=10)
    client = app.test_client()
    _bulk_offerings(app, make_partner(), 30)
    client.get("/partners/")  # warm up the app, not the ranking
    statements = []
    with app.app_context():
        engine = db.engine
    record = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", record)
    assert client.get("/offerings").status_code == 200
    first = len(statements)
    assert client.get("/offerings?page=2").status_code == 200
    event.remove(engine, "before_cursor_execute", record)
    assert len(statements) - first == first - 1


def test_offering_page_has_a_constant_query_count(
    app, client, count_queries, make_partner, make_person, login
):
    partner = make_partner()
    [offering_id] = _bulk_offerings(app, partner, 1)
    login(make_person())
    path = f"/offerings/{offering_id}"
    small = statements_for(client, count_queries, path)
    _bulk_offerings(app, partner, 50)
    assert statements_for(client, count_queries, path) == small


def test_my_learning_has_a_constant_query_count(
    app, client, count_queries, make_partner, make_person, login
):
    partner = make_partner()
    person = make_person()
    _bulk_offerings(app, partner, 3, registrations_for=person)
    login(person)
    small = statements_for(client, count_queries, "/me/learning")
    _bulk_offerings(app, partner, 60, registrations_for=person)
    assert statements_for(client, count_queries, "/me/learning") == small


def test_catalog_stays_within_seven_statements_for_a_logged_in_organizer(
    app, client, count_queries, make_partner, make_person, login
):
    organizer = make_person()
    partner = make_partner(members=[organizer])
    login(organizer)
    _bulk_offerings(app, partner, 5)
    small = statements_for(client, count_queries, "/offerings")
    _bulk_offerings(app, partner, 100)
    assert statements_for(client, count_queries, "/offerings") == small <= 7
