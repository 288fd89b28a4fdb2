"""Management commands: create-admin, seed-themes and seed-demo."""

from sqlalchemy import func, select

from learning_platform.demo import DEMO_PASSWORD, THEMES
from learning_platform.extensions import db
from learning_platform.models import Membership, Partner, Person, Theme


def counts(app) -> dict[str, int]:
    with app.app_context():
        return {
            model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Person, Partner, Membership, Theme)
        }


def test_create_admin_makes_a_new_account_that_can_log_in(app, runner, client):
    result = runner.invoke(
        args=["create-admin", "Boss@Example.org"],
        input="a long admin sentence\na long admin sentence\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        person = db.session.scalar(select(Person))
        assert (person.email, person.is_admin) == ("boss@example.org", True)
        assert person.email_verified_at is not None
    client.submit("/login", {"email": "boss@example.org", "password": "a long admin sentence"})
    assert client.get("/admin/partners/").status_code == 200


def test_create_admin_promotes_an_existing_account(app, runner, make_person):
    person = make_person("organizer@example.org")
    result = runner.invoke(args=["create-admin", "organizer@example.org", "--password", "unused"])
    assert result.exit_code == 0
    assert "now an admin" in result.output
    with app.app_context():
        assert db.session.get(Person, person.id).is_admin


def test_create_admin_refuses_a_weak_password(app, runner):
    result = runner.invoke(args=["create-admin", "boss@example.org"], input="password\npassword\n")
    assert result.exit_code != 0
    assert "too easy to guess" in result.output
    assert counts(app)["Person"] == 0


def test_seed_demo_loads_partners_logins_and_themes_once(app, runner, client):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert DEMO_PASSWORD in first.output
    assert "changwon@example.org" in first.output
    after_first = counts(app)
    assert after_first["Theme"] == len(THEMES)
    assert after_first["Partner"] == 5

    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0
    assert counts(app) == after_first

    with app.app_context():
        zones = dict(db.session.execute(select(Partner.slug, Partner.timezone)).all())
        pending = db.session.scalar(select(Partner).where(Partner.approved.is_(False)))
    assert zones["unesco-bangkok"] == "Asia/Bangkok"
    assert zones["changwon-city"] == zones["kncu"] == "Asia/Seoul"
    assert pending is not None  # one proposal waits for the demo admin
    assert pending.proposed_by_id is not None  # and the list says who proposed it

    response = client.submit("/login", {"email": "changwon@example.org", "password": DEMO_PASSWORD})
    assert response.status_code == 302


def test_seed_demo_if_empty_leaves_a_used_database_alone(app, runner, make_person):
    make_person()
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "not loaded" in result.output
    assert counts(app)["Partner"] == 0


def test_seed_demo_is_refused_in_production(make_app):
    app = make_app(ALLOW_DEMO_DATA=False)
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code != 0
    assert "refused in production" in result.output
    assert counts(app)["Person"] == 0


def test_seed_themes_is_safe_to_repeat(app, runner):
    assert runner.invoke(args=["seed-themes"]).exit_code == 0
    assert runner.invoke(args=["seed-themes"]).exit_code == 0
    assert counts(app)["Theme"] == len(THEMES)
    with app.app_context():
        esd = db.session.scalar(select(Theme).where(Theme.slug == "esd"))
    assert esd.sdg_targets == ["4.7"]
    assert esd.name_ko == "지속가능발전교육"


def test_demo_offerings_cover_the_cases_people_will_try(app, runner):
    from learning_platform.models import Offering, Registration

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        offerings = db.session.scalars(select(Offering)).all()
        assert 18 <= len(offerings) <= 25
        assert {o.partner.slug for o in offerings} >= {"unesco-bangkok", "changwon-city", "kncu"}
        published = [o for o in offerings if o.status == "published"]
        assert any(o.seats_taken == o.capacity for o in published)  # some are full
        waiting = db.session.scalars(
            select(Registration.offering_id).where(Registration.status == "waitlisted")
        ).all()
        assert waiting
        assert sum(o.status == "cancelled" for o in offerings) == 1
        assert any(
            {c.slug for c in o.cohosts} | {o.partner.slug}
            >= {"unesco-bangkok", "changwon-city", "kncu"}
            for o in offerings
        )
        for offering in offerings:  # seats_taken agrees with the confirmed registrations
            confirmed = db.session.scalar(
                select(func.count()).where(
                    Registration.offering_id == offering.id, Registration.status == "confirmed"
                )
            )
            assert offering.seats_taken == confirmed
            assert offering.sessions
        languages = {o.language for o in offerings}
        assert {"ko", "en", "ko-en"} <= languages


def test_demo_texts_are_written_in_each_language_in_its_own_words(app, runner):
    from learning_platform.models import Offering, Theme
    from tests.test_glued_texts import split

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        for offering in db.session.scalars(select(Offering)):
            bangkok = offering.partner.slug == "unesco-bangkok"
            assert offering.primary_language == ("en" if bangkok else "ko"), offering.title
            expected = {"ko", "en", "th"} if bangkok else {"ko", "en"}
            assert set(offering.written_in()) == expected, offering.title
            for field in ("title", "summary", "description", "audience", "cost_note"):
                texts = offering.texts(field)
                assert set(texts) == expected, (offering.title, field)
                for language, text in texts.items():  # no text glues two languages
                    assert split.split_languages(text) is None, text
                    assert split.language_of(text) in (language, None), text
        partners = {p.slug: p for p in db.session.scalars(select(Partner))}
        assert partners["changwon-city"].texts("name") == {
            "ko": "창원특례시",
            "en": "Changwon City",
            "th": "เมืองชางวอน",
        }
        assert partners["unesco-bangkok"].primary_language == "en"
        assert partners["unesco-bangkok"].text("name", "th") == "ยูเนสโก กรุงเทพฯ"
        assert partners["kncu"].text("city", "th") == "โซล"
        for theme in db.session.scalars(select(Theme)):
            assert theme.name_th and theme.description_th, theme.slug


def test_seed_demo_again_after_the_split_adds_no_second_copy(app, runner):
    """A database seeded with glued titles, then split by the migration, keeps its offerings:
    seeding again knows them by any of their titles."""
    from learning_platform.models import Offering

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        media = db.session.scalar(
            select(Offering).where(Offering.title == "Media Literacy for Youth")
        )
        media.change_primary_language("th")  # as the migration left "การรู้… · Media Literacy…"
        partner = db.session.scalar(select(Partner).where(Partner.slug == "changwon-city"))
        partner.set_texts("th", {"name": "", "description": "", "city": ""})
        db.session.commit()
        before = counts(app)
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert counts(app) == before
    with app.app_context():
        partner = db.session.scalar(select(Partner).where(Partner.slug == "changwon-city"))
        assert partner.text("name", "th") == "เมืองชางวอน"  # a missing language is filled in
