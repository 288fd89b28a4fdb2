"""Registration questions: organizers ask, people answer when they register, organizers read."""

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from learning_platform.extensions import db
from learning_platform.models import (
    Answer,
    OfferingSession,
    Question,
    Registration,
    utcnow,
)
from tests.factories import PASSWORD
from tests.test_workspace import in_days

W = "/workspace/offerings/{}/questions"


@pytest.fixture
def course(make_partner, make_person, make_offering):
    organizer = make_person(name="Organizer")
    partner = make_partner(slug="changwon-city", members=[organizer])
    offering = make_offering(
        partner, status="published", sessions=[in_days(7), in_days(14)], capacity=3
    )
    return offering, organizer


def ask(app, offering, kind, ko="", en="", *, required=False, choices=(), position=0):
    """A question on `offering`; choices as (ko, en) pairs."""
    with app.app_context():
        question = Question(
            offering_id=offering.id,
            kind=kind,
            required=required,
            position=position,
            text={k: v for k, v in {"ko": ko, "en": en}.items() if v},
            choices=[
                {"key": str(n), "label": {"ko": k, "en": e}}
                for n, (k, e) in enumerate(choices, start=1)
            ],
        )
        db.session.add(question)
        db.session.commit()
        return question.id


@pytest.fixture
def asked(app, course):
    """The course asks one question of every kind; ids by kind."""
    offering, _organizer = course
    ids = {
        "short_text": ask(app, offering, "short_text", "이름의 발음", "How to say your name"),
        "long_text": ask(
            app, offering, "long_text", "기대하는 점", "What you hope for", position=1
        ),
        "single_choice": ask(
            app,
            offering,
            "single_choice",
            "연령대",
            "Age group",
            required=True,
            choices=[("20대", "20s"), ("30대", "30s")],
            position=2,
        ),
        "multiple_choice": ask(
            app,
            offering,
            "multiple_choice",
            "관심 주제",
            "Interests",
            choices=[("에너지", "Energy"), ("교통", "Transport"), ("음식", "Food")],
            position=3,
        ),
        "yes_no": ask(
            app,
            offering,
            "yes_no",
            "휠체어 등 단차 없는 이동이 필요하신가요?",
            "Do you need step-free access?",
            required=True,
            position=4,
        ),
    }
    return ids


def registered(app, offering_id):
    with app.app_context():
        return db.session.scalar(
            select(func.count()).where(
                Registration.offering_id == offering_id, Registration.status != "cancelled"
            )
        )


def stored_answers(app, person_id=None):
    with app.app_context():
        query = select(Answer.question_id, Answer.value).join(Registration)
        if person_id is not None:
            query = query.where(Registration.person_id == person_id)
        return dict(db.session.execute(query).all())


def good_answers(ids):
    return {
        f"q{ids['short_text']}": "Min-ji",
        f"q{ids['long_text']}": "Learn\nand act",
        f"q{ids['single_choice']}": "2",
        f"q{ids['multiple_choice']}": ["1", "3"],
        f"q{ids['yes_no']}": "yes",
    }


def answer(client, offering, data):
    return client.submit(
        f"/offerings/{offering.id}/register", data, page=f"/offerings/{offering.id}/join"
    )


def test_register_leads_to_the_form_and_every_kind_is_stored(
    app, client, login, make_person, course, asked
):
    offering, _organizer = course
    person = make_person(language="en")
    login(person)
    page = client.get(f"/offerings/{offering.id}").get_data(as_text=True)
    assert f'href="/offerings/{offering.id}/join"' in page  # a link, not the one-click button
    form = client.get(f"/offerings/{offering.id}/join").get_data(as_text=True)
    assert "Do you need step-free access? *" in form
    response = answer(client, offering, good_answers(asked))
    assert response.status_code == 302
    assert registered(app, offering.id) == 1
    answers = stored_answers(app)
    assert answers[asked["short_text"]] == {"text": "Min-ji"}
    assert answers[asked["long_text"]] == {"text": "Learn\nand act"}
    assert answers[asked["single_choice"]] == {
        "choices": [{"key": "2", "label": {"ko": "30대", "en": "30s"}}]
    }
    labels = [c["label"]["en"] for c in answers[asked["multiple_choice"]]["choices"]]
    assert labels == ["Energy", "Food"]
    assert answers[asked["yes_no"]] == {"yes": True}


def test_optional_questions_may_be_left_empty_required_ones_not(
    app, client, login, make_person, course, asked
):
    offering, _organizer = course
    login(make_person(language="en"))
    response = answer(client, offering, {f"q{asked['yes_no']}": "no"})
    assert response.status_code == 422
    assert "Please answer this question." in response.get_data(as_text=True)
    assert registered(app, offering.id) == 0
    response = answer(
        client, offering, {f"q{asked['yes_no']}": "no", f"q{asked['single_choice']}": "1"}
    )
    assert response.status_code == 302
    assert stored_answers(app) == {
        asked["yes_no"]: {"yes": False},
        asked["single_choice"]: {"choices": [{"key": "1", "label": {"ko": "20대", "en": "20s"}}]},
    }


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("short_text", "가" * 201, "at most 200 characters"),
        ("long_text", "x" * 2001, "at most 2000 characters"),
        ("single_choice", "9", "Not a valid choice"),
        ("multiple_choice", ["1", "7"], "not a valid choice"),
        ("multiple_choice", ["1", "1", "2", "2"], "at most once"),
        ("yes_no", "maybe", "Not a valid choice"),
        ("short_text", "a\x00b", "control characters"),
    ],
)
def test_a_bad_answer_is_refused_next_to_its_field_and_nothing_is_registered(
    app, client, login, make_person, course, asked, kind, value, message
):
    offering, _organizer = course
    login(make_person(language="en"))
    response = answer(client, offering, good_answers(asked) | {f"q{asked[kind]}": value})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="q{asked[kind]}-error"' in page
    assert message in page
    assert registered(app, offering.id) == 0
    assert stored_answers(app) == {}


def test_a_question_of_another_offering_is_ignored(
    app, client, login, make_person, make_offering, course, asked
):
    offering, _organizer = course
    other = make_offering(
        db_partner(app, offering), status="published", sessions=[in_days(9)], title="Other"
    )
    foreign = ask(app, other, "short_text", en="Secret")
    login(make_person(language="en"))
    response = answer(client, offering, good_answers(asked) | {f"q{foreign}": "forged"})
    assert response.status_code == 302
    assert foreign not in stored_answers(app)


def db_partner(app, offering):
    from learning_platform.models import Partner

    with app.app_context():
        partner = db.session.get(Partner, offering.partner_id)
        db.session.expunge(partner)
        return partner


def test_organizer_adds_edits_orders_and_removes_questions(app, client, login, course):
    offering, organizer = course
    login(organizer)
    path = W.format(offering.id)
    assert client.get(path).status_code == 200
    response = client.submit(
        path + "/new",
        {
            "kind": "single_choice",
            "text_ko": "점심 메뉴",
            "text_en": "Lunch",
            "choices_ko": "비빔밥\n김밥",
            "choices_en": "Bibimbap\nGimbap",
            "required": "y",
        },
    )
    assert response.status_code == 302
    client.submit(path + "/new", {"kind": "yes_no", "text_en": "Parking?"})
    with app.app_context():
        first, second = db.session.scalars(
            select(Question).where(Question.offering_id == offering.id).order_by(Question.position)
        ).all()
        assert first.required and first.text == {"ko": "점심 메뉴", "en": "Lunch"}
        assert [c["label"]["en"] for c in first.choices] == ["Bibimbap", "Gimbap"]
        first_id, second_id = first.id, second.id
    client.submit(f"{path}/{second_id}/move", {"direction": "up"}, page=path)
    with app.app_context():
        order = db.session.scalars(
            select(Question.id)
            .where(Question.offering_id == offering.id)
            .order_by(Question.position)
        ).all()
    assert order == [second_id, first_id]
    edit = client.submit(
        f"{path}/{first_id}/edit",
        {"kind": "yes_no", "text_en": "Lunch?", "choices_ko": "", "choices_en": ""},
    )
    assert edit.status_code == 302
    confirm = client.submit(f"{path}/{first_id}/remove", page=path)
    assert confirm.status_code == 200 and "Remove this question?" in confirm.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Question, first_id).removed_at is None
    client.submit(f"{path}/{first_id}/remove", {"confirm": "yes"}, page=path)
    with app.app_context():
        assert db.session.get(Question, first_id).removed_at is not None
    assert "Lunch?" not in client.get(path).get_data(as_text=True)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "short_text"}, "in at least one language"),
        ({"kind": "single_choice", "text_en": "Q", "choices_en": "Only one"}, "at least two"),
        (
            {
                "kind": "multiple_choice",
                "text_en": "Q",
                "choices_en": "\n".join(map(str, range(21))),
            },
            "at most 20 choices",
        ),
        (
            {
                "kind": "single_choice",
                "text_en": "Q",
                "choices_ko": "가\n나\n다",
                "choices_en": "a\nb",
            },
            "same number of choices in each language",
        ),
        ({"kind": "essay", "text_en": "Q"}, "Not a valid choice"),
        ({"kind": "short_text", "text_en": "Q" * 301}, "at most 300 characters"),
    ],
)
def test_a_bad_question_is_refused(app, client, login, course, fields, message):
    offering, organizer = course
    login(organizer)
    response = client.submit(W.format(offering.id) + "/new", fields)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Question)) == 0


def test_participants_page_and_csv_have_a_column_per_question(
    app, client, login, make_person, course, asked
):
    offering, organizer = course
    login(make_person(name="=HYPERLINK(1)", language="en"))
    answer(
        client, offering, good_answers(asked) | {f"q{asked['short_text']}": "=cmd|' /C calc'!A0"}
    )
    client.submit("/logout", page="/")
    login(organizer)
    page = client.get(f"/workspace/offerings/{offering.id}/attendees").get_data(as_text=True)
    assert "Do you need step-free access?" in page
    assert "Energy, Food" in page
    body = client.get(f"/workspace/offerings/{offering.id}/attendees.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    header, row = rows[0], rows[1]
    assert header[-5:] == [
        "How to say your name",
        "What you hope for",
        "Age group",
        "Interests",
        "Do you need step-free access?",
    ]
    assert row[-5:] == ["'=cmd|' /C calc'!A0", "Learn\nand act", "30s", "Energy, Food", "Yes"]


def test_answers_are_editable_until_the_first_session_then_refused(
    app, client, login, make_person, course, asked
):
    offering, _organizer = course
    person = make_person(language="en")
    login(person)
    answer(client, offering, good_answers(asked))
    path = f"/me/learning/{offering.id}/answers"
    page = client.get(path).get_data(as_text=True)
    assert 'value="Min-ji"' in page
    assert f"/me/learning/{offering.id}/answers" in client.get(
        f"/me/learning/{offering.id}"
    ).get_data(as_text=True)
    response = client.submit(path, good_answers(asked) | {f"q{asked['yes_no']}": "no"})
    assert response.status_code == 302
    assert stored_answers(app)[asked["yes_no"]] == {"yes": False}
    with app.app_context():
        first = db.session.scalars(
            select(OfferingSession).where(OfferingSession.offering_id == offering.id)
        ).first()
        first.starts_at = utcnow() - timedelta(minutes=5)
        db.session.commit()
    response = client.submit(
        path, good_answers(asked), page=f"/me/learning/{offering.id}", follow_redirects=True
    )
    assert "answers can no longer be changed" in response.get_data(as_text=True)
    assert stored_answers(app)[asked["yes_no"]] == {"yes": False}


def test_changing_a_question_after_answers_keeps_them_readable(
    app, client, login, make_person, course, asked
):
    offering, organizer = course
    login(make_person(language="en"))
    answer(client, offering, good_answers(asked))
    client.submit("/logout", page="/")
    login(organizer)
    path = W.format(offering.id)
    # Rename the question and both its choices, then remove another question entirely.
    client.submit(
        f"{path}/{asked['single_choice']}/edit",
        {"kind": "single_choice", "text_en": "Your age", "choices_en": "Under 30\nOver 30"},
    )
    client.submit(f"{path}/{asked['multiple_choice']}/remove", {"confirm": "yes"}, page=path)
    page = client.get(f"/workspace/offerings/{offering.id}/attendees").get_data(as_text=True)
    assert "Your age" in page
    assert "30s" in page and "Answered to: Age group" in page
    assert "Interests" in page and "Energy, Food" in page  # removed, still readable
    body = client.get(f"/workspace/offerings/{offering.id}/attendees.csv").get_data(as_text=True)
    assert "Energy, Food" in body and "30s" in body


def test_housekeeping_deletes_answers_days_after_the_offering_ends(
    make_app, runner, make_person, make_partner, make_offering, register
):
    app = make_app(ANSWERS_KEEP_DAYS=30)
    partner = make_partner(slug="p")
    person = make_person()
    ended = make_offering(
        partner,
        status="published",
        sessions=[(utcnow() - timedelta(days=40), utcnow() - timedelta(days=40, hours=-2))],
    )
    recent = make_offering(
        partner,
        status="published",
        sessions=[(utcnow() - timedelta(days=10), utcnow() - timedelta(days=10, hours=-2))],
    )
    coming = make_offering(partner, status="published", sessions=[in_days(5)])
    for offering in (ended, recent, coming):
        register(offering, person)
        question = ask(app, offering, "yes_no", en="Step-free?")
        with app.app_context():
            registration_id = db.session.scalar(
                select(Registration.id).where(Registration.offering_id == offering.id)
            )
            db.session.add(
                Answer(
                    registration_id=registration_id,
                    question_id=question,
                    question_text={"en": "Step-free?"},
                    value={"yes": True},
                )
            )
            db.session.commit()
    result = app.test_cli_runner().invoke(args=["housekeeping"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        left = db.session.scalars(
            select(Registration.offering_id).join(Answer, Answer.registration_id == Registration.id)
        ).all()
    assert sorted(left) == sorted([recent.id, coming.id])


def test_account_export_has_the_answers_and_deletion_erases_them(
    app, client, login, make_person, course, asked
):
    offering, _organizer = course
    person = make_person(language="en")
    login(person)
    answer(client, offering, good_answers(asked))
    data = client.get("/account/data").get_json()
    answers = data["registrations"][0]["answers"]
    assert answers[2]["question"] == {"ko": "연령대", "en": "Age group"}
    assert answers[2]["answer"] == "30s"
    response = client.submit("/account/delete", {"password": PASSWORD})
    assert response.status_code == 302
    assert stored_answers(app) == {}


def test_participants_page_queries_do_not_grow_with_people_or_questions(
    app, client, login, make_person, course, asked, register, count_queries
):
    offering, organizer = course

    def add_answered(n):
        for _ in range(n):
            person = make_person()
            register(offering, person)
        with app.app_context():
            for registration_id in db.session.scalars(
                select(Registration.id).where(Registration.offering_id == offering.id)
            ):
                if not db.session.scalar(
                    select(Answer.id).where(Answer.registration_id == registration_id)
                ):
                    db.session.add(
                        Answer(
                            registration_id=registration_id,
                            question_id=asked["yes_no"],
                            question_text={"en": "Step-free?"},
                            value={"yes": False},
                        )
                    )
            db.session.commit()

    login(organizer)
    path = f"/workspace/offerings/{offering.id}/attendees"
    add_answered(1)
    client.get(path)
    with count_queries() as small:
        assert client.get(path).status_code == 200
    add_answered(2)
    ask(app, offering, "short_text", en="More", position=9)
    with count_queries() as large:
        assert client.get(path).status_code == 200
    assert len(large) == len(small)


def test_without_questions_register_stays_one_click_and_join_leads_back(
    app, client, login, make_person, course
):
    offering, _organizer = course
    login(make_person(language="en"))
    page = client.get(f"/offerings/{offering.id}").get_data(as_text=True)
    assert f'action="/offerings/{offering.id}/register"' in page
    assert client.get(f"/offerings/{offering.id}/join").headers["Location"] == (
        f"/offerings/{offering.id}"
    )


def test_once_registered_join_leads_to_ones_answers_and_register_changes_nothing(
    app, client, login, make_person, course, asked
):
    offering, _organizer = course
    login(make_person(language="en"))
    answer(client, offering, good_answers(asked))
    join = client.get(f"/offerings/{offering.id}/join")
    assert join.headers["Location"] == f"/me/learning/{offering.id}/answers"
    page = client.get(f"/offerings/{offering.id}").get_data(as_text=True)
    assert "See or change your answers" in page
    again = client.submit(
        f"/offerings/{offering.id}/register",
        good_answers(asked) | {f"q{asked['yes_no']}": "no"},
        page=f"/offerings/{offering.id}",
    )
    assert again.status_code == 302
    assert registered(app, offering.id) == 1
    assert stored_answers(app)[asked["yes_no"]] == {"yes": True}


def test_another_persons_answers_page_is_not_found(app, client, login, make_person, course, asked):
    offering, _organizer = course
    login(make_person(language="en"))
    answer(client, offering, good_answers(asked))
    client.submit("/logout", page="/")
    login(make_person(language="en"))
    assert client.get(f"/me/learning/{offering.id}/answers").status_code == 404


def test_a_question_that_changed_kind_does_not_put_the_old_answer_in_the_new_field(
    app, client, login, make_person, course, asked
):
    offering, _organizer = course
    person = make_person(language="en")
    login(person)
    answer(client, offering, good_answers(asked))
    with app.app_context():
        question = db.session.get(Question, asked["single_choice"])
        question.kind, question.choices = "short_text", []
        db.session.commit()
    page = client.get(f"/me/learning/{offering.id}/answers").get_data(as_text=True)
    number = asked["single_choice"]
    assert (
        f'<input id="q{number}" maxlength="200" name="q{number}" required type="text" value="">'
        in page
    )
    assert "30s" in client.get(f"/me/learning/{offering.id}").get_data(as_text=True)


def test_a_question_not_written_in_the_readers_language_is_marked_and_explained(
    app, client, login, make_person, course, asked
):
    """A Thai reader gets the offering's primary language (Korean here), marked as such."""
    offering, _organizer = course
    login(make_person(language="th"))
    form = client.get(f"/offerings/{offering.id}/join").get_data(as_text=True)
    assert "บางคำถามยังไม่มีฉบับภาษาของคุณ" in form
    assert '<div lang="ko">' in form and "이름의 발음" in form
    english = make_person(language="en")
    client.submit("/logout", page="/account")
    login(english)
    form = client.get(f"/offerings/{offering.id}/join").get_data(as_text=True)
    assert "not written in your language" not in form
    assert '<div lang="ko">' not in form
