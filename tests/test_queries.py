"""Query budgets: pages run the same number of SQL statements whatever the data size."""

import pytest


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
    path = f"/admin/partners/{partner.slug}/members"
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
