"""Texts in several languages: the fallback rule and how translated columns store and read."""

import pytest
from flask_babel import force_locale

from learning_platform.extensions import db
from learning_platform.models import Offering, OfferingSession, Partner
from learning_platform.multilingual import pick, reading, reading_language


def test_the_reader_gets_their_language_then_the_primary_then_any():
    texts = {"ko": "기후행동 시민학교", "en": "Climate Action Citizens' School"}
    assert pick(texts, "en", "ko") == ("Climate Action Citizens' School", "en")
    assert pick(texts, "th", "ko") == ("기후행동 시민학교", "ko")
    assert pick({"en": "Only English"}, "th", "ko") == ("Only English", "en")
    assert pick({}, "th", "ko") == ("", "ko")


def _offering(**fields) -> Offering:
    offering = Offering(primary_language="ko", title="도시 텃밭", summary="흙 만들기부터", **fields)
    offering.set_texts("en", {"title": "Urban gardening", "summary": ""})
    return offering


def test_an_offering_reads_in_the_language_of_the_request_or_mail(app):
    offering = _offering()
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert reading_language() == "en"
        assert offering.title == "Urban gardening"
        # Not written in English: the primary language's, and the page can say so.
        assert offering.summary == "흙 만들기부터"
        assert offering.language_of("summary") == "ko"
        with force_locale("ko"):
            assert offering.title == "도시 텃밭"
        with reading("th"):
            assert offering.title == "도시 텃밭"  # no Thai: the primary language
        with reading(None):
            assert offering.title == "도시 텃밭"


def test_outside_any_request_texts_are_in_the_primary_language():
    assert reading_language() is None
    assert _offering().title == "도시 텃밭"


def test_writing_a_language_keeps_the_others_and_an_empty_text_removes_it():
    offering = _offering()
    offering.set_texts("th", {"title": "สวนผักในเมือง"})
    assert offering.texts("title") == {
        "ko": "도시 텃밭",
        "en": "Urban gardening",
        "th": "สวนผักในเมือง",
    }
    assert offering.written_in() == ["ko", "en", "th"]
    assert offering.missing("th") == ["summary"]
    offering.set_texts("th", {"title": ""})
    assert "th" not in offering.translations
    assert offering.written_in() == ["ko", "en"]


def test_changing_the_primary_language_moves_no_text_to_another_language():
    offering = _offering()
    offering.change_primary_language("en")
    assert offering.primary_language == "en"
    assert Offering.title is not None
    assert offering.text("title", "en") == "Urban gardening"
    assert offering.text("title", "ko") == "도시 텃밭"
    assert offering.text("summary", "ko") == "흙 만들기부터"
    assert offering.text("summary", "en") == ""


def test_audit_values_name_the_language():
    offering = _offering()
    assert offering.audit_value("title") == "도시 텃밭"
    assert offering.audit_value("title.en") == "Urban gardening"
    assert offering.audit_value("capacity") is None


@pytest.mark.usefixtures("app")
def test_queries_see_the_primary_column_and_the_translations_survive_a_round_trip(
    app, make_partner
):
    partner = make_partner(name="창원특례시", primary_language="ko")
    with app.app_context():
        stored = db.session.get(Partner, partner.id)
        stored.set_texts("en", {"name": "Changwon City", "city": "Changwon"})
        stored.set_texts("th", {"name": "เมืองชางวอน"})
        db.session.commit()
        db.session.expire_all()
        names = db.session.execute(
            db.select(Partner.name).where(Partner.id == partner.id)
        ).scalar_one()
        assert names == "창원특례시"
        found = db.session.scalars(db.select(Partner).where(Partner.name == "창원특례시")).one()
        assert found.texts("name") == {
            "ko": "창원특례시",
            "en": "Changwon City",
            "th": "เมืองชางวอน",
        }
        with reading("th"):
            assert found.name == "เมืองชางวอน"
            assert found.city == "Changwon"  # no Thai city: the English one, not nothing


def test_changing_the_primary_language_keeps_each_session_text_in_its_language():
    offering = _offering()
    session = OfferingSession(location="창원 강의실", note="")
    offering.sessions.append(session)
    session.set_texts("en", {"location": "Changwon Lecture Room"})
    offering.change_primary_language("en")
    assert session.text("location", "en") == "Changwon Lecture Room"
    assert session.text("location", "ko") == "창원 강의실"
    with reading("ko"):
        assert session.location == "창원 강의실"
    offering.change_primary_language("ko")
    assert session.translations == {"en": {"location": "Changwon Lecture Room"}}
