"""The migration that splits texts gluing two languages ("기후행동 시민학교 · Climate Action
Citizens' School") into a primary text and its translations, and glues them back on downgrade."""

import importlib.util
import re
from pathlib import Path

import flask_migrate
import pytest
from sqlalchemy import select
from sqlalchemy.orm import defer

from learning_platform import create_app
from learning_platform.extensions import db
from learning_platform.models import Offering, Partner
from tests.conftest import make_config

_PATH = next(Path(__file__).parents[1].glob("migrations/versions/*_split_glued_texts.py"))
_spec = importlib.util.spec_from_file_location("split_glued_texts", _PATH)
split = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(split)

BEFORE = "7a1c0e5b3f21"
#: The split itself: the test stays between the two (later revisions add columns the
#: rows here do not name; the offering is read without them).
SPLIT = "b8e4d2f6a913"

GLUED = [
    (
        "기후행동 시민학교 · Climate Action Citizens' School",
        [("ko", "기후행동 시민학교"), ("en", "Climate Action Citizens' School")],
    ),
    ("UNESCO Bangkok 유네스코 방콕", [("en", "UNESCO Bangkok"), ("ko", "유네스코 방콕")]),
    ("Changwon City 창원특례시", [("en", "Changwon City"), ("ko", "창원특례시")]),
    (
        "Korean National Commission for UNESCO 유네스코한국위원회",
        [("en", "Korean National Commission for UNESCO"), ("ko", "유네스코한국위원회")],
    ),
    (
        "지속가능발전목표 SDGs 입문 · SDGs for Beginners",
        [("ko", "지속가능발전목표 SDGs 입문"), ("en", "SDGs for Beginners")],
    ),
    (
        "การรู้เท่าทันสื่อสำหรับเยาวชน · Media Literacy for Youth",
        [("th", "การรู้เท่าทันสื่อสำหรับเยาวชน"), ("en", "Media Literacy for Youth")],
    ),
    ("무료 · Free", [("ko", "무료"), ("en", "Free")]),
    ("Seoul / 서울", [("en", "Seoul"), ("ko", "서울")]),
    (
        "창원의 탄소중립 계획을 함께 읽고, 우리 동네 실천 계획을 세우는 10주 과정입니다. "
        "A 10-week course on Changwon's carbon-neutral plan and your own neighbourhood action.",
        [
            (
                "ko",
                "창원의 탄소중립 계획을 함께 읽고, 우리 동네 실천 계획을 세우는 10주 과정입니다.",
            ),
            (
                "en",
                "A 10-week course on Changwon's carbon-neutral plan and your own "
                "neighbourhood action.",
            ),
        ],
    ),
    (
        "## 이런 내용을 배웁니다\n\n- 기후위기의 과학\n- 창원시 2050 탄소중립 계획 읽기\n\n"
        "## What you will learn\n\n- The science of the climate crisis\n- Reading the 2050 plan",
        [
            (
                "ko",
                "## 이런 내용을 배웁니다\n\n- 기후위기의 과학\n- 창원시 2050 탄소중립 계획 읽기",
            ),
            (
                "en",
                "## What you will learn\n\n- The science of the climate crisis\n- Reading the 2050 plan",
            ),
        ],
    ),
    (
        "유네스코한국위원회는 세계시민교육을 확산하고 있습니다.\n\nKNCU brings global "
        "citizenship education to learners across Korea.",
        [
            ("ko", "유네스코한국위원회는 세계시민교육을 확산하고 있습니다."),
            ("en", "KNCU brings global citizenship education to learners across Korea."),
        ],
    ),
    (
        "เวิร์กช็อปสำหรับเยาวชนเรื่องข่าวปลอม A workshop on fake news for young people.",
        [
            ("th", "เวิร์กช็อปสำหรับเยาวชนเรื่องข่าวปลอม"),
            ("en", "A workshop on fake news for young people."),
        ],
    ),
    (
        "UNESCO Bangkok 유네스코 방콕 ยูเนสโก กรุงเทพฯ",
        [("en", "UNESCO Bangkok"), ("ko", "유네스코 방콕"), ("th", "ยูเนสโก กรุงเทพฯ")],
    ),
]

WHOLE = [
    "지속가능발전목표 SDGs 입문",  # Korean with an English acronym
    "ESD 교사 연수",
    "유네스코 ESD 공식 프로젝트 발표회",
    "The festival celebrates 한글, the alphabet King Sejong gave Korea in 1443.",
    "https://meet.example.org/kncu-sdgs",
    "자세한 안내는 https://www.unesco.or.kr 에서 볼 수 있습니다.",
    "대중교통 / 자전거 · 도보",  # separators, one language
    "우리 동네 Green Map 만들기",  # Korean, English, Korean again
    "Repair café 운영 · 수리 카페",  # a part that mixes both
    "Seoul / 서울 / 東京",  # a language we do not offer
    "Bangkok",
    "Climate Action Citizens' School. Ten weeks. Free!",
    "",
]


@pytest.mark.parametrize(("text", "parts"), GLUED)
def test_a_glued_text_is_cut_into_its_languages(text, parts):
    assert split.split_languages(text) == parts
    # Nothing but the separators at the cuts and the spaces around them is lost.
    kept = "".join(part for _language, part in parts)
    assert re.sub(r"[\s·/]", "", kept) == re.sub(r"[\s·/]", "", text)


@pytest.mark.parametrize("text", WHOLE)
def test_a_text_in_one_language_stays_whole(text):
    assert split.split_languages(text) is None


def test_a_row_takes_the_language_its_title_starts_with():
    primary, translations, columns = split.split_row(
        "ko",  # the previous revision saw Hangul
        {},
        {"name": "UNESCO Bangkok 유네스코 방콕", "description": "", "city": "방콕"},
        "name",
    )
    assert primary == "en"
    assert columns == {"name": "UNESCO Bangkok", "city": ""}
    assert translations == {"ko": {"name": "유네스코 방콕", "city": "방콕"}}


def test_a_written_translation_is_never_overwritten():
    primary, translations, columns = split.split_row(
        "ko",
        {"en": {"title": "Climate School"}},
        {"title": "기후학교 · Climate Action School", "summary": "무료 · Free"},
        "title",
    )
    assert primary == "ko"
    assert "title" not in columns  # its English text is already written
    assert columns == {"summary": "무료"}
    assert translations == {"en": {"title": "Climate School", "summary": "Free"}}


def test_downgrade_glues_the_translations_back_after_the_primary_text():
    texts = {"title": "기후행동 시민학교", "summary": "무료", "description": "한국어 설명"}
    translations = {
        "en": {"title": "Climate School", "description": "English text"},
        "th": {"title": "โรงเรียนภูมิอากาศ"},
    }
    primary, left, columns = split.glue_row("ko", translations, texts, "title", {"title": 200})
    assert columns == {
        "title": "기후행동 시민학교 · Climate School · โรงเรียนภูมิอากาศ",
        "description": "한국어 설명\n\nEnglish text",
    }
    assert left == {} and primary == "th"  # the previous revision's guess: Thai letters
    _primary, kept, columns = split.glue_row("ko", translations, texts, "title", {"title": 20})
    assert "title" not in columns and kept == {
        "en": {"title": "Climate School"},
        **{"th": {"title": "โรงเรียนภูมิอากาศ"}},
    }  # too long for its column: the translations stay


@pytest.fixture(params=["sqlite", "postgresql"])
def before_split(request, tmp_path):
    """An app on a database migrated up to the revision before the split."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'glued.db'}"
    else:
        url = request.getfixturevalue("fresh_postgresql")()
    app = create_app(make_config(url))
    with app.app_context():
        flask_migrate.upgrade(revision=BEFORE)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_upgrade_splits_glued_rows_and_downgrade_glues_them_back(before_split):
    app = before_split
    with app.app_context():
        bangkok = Partner(
            slug="unesco-bangkok",
            kind="un_agency",
            timezone="Asia/Bangkok",
            primary_language="ko",  # what the previous revision guessed from the Hangul
            name="UNESCO Bangkok 유네스코 방콕",
            description="Leads the regional programme.\n\n지역 프로그램을 이끕니다.",
            city="Bangkok",
        )
        plain = Partner(slug="plain", kind="ngo", timezone="Asia/Seoul", name="ESD 교사 모임")
        plain.primary_language = "ko"
        db.session.add_all([bangkok, plain])
        db.session.flush()
        db.session.add(
            Offering(
                partner=bangkok,
                kind="course",
                status="draft",
                primary_language="ko",
                title="기후행동 시민학교 · Climate Action Citizens' School",
                summary="10주 과정입니다. A ten-week course.",
                description="",
                language="ko",
                format="in_person",
                audience="지속가능발전목표 SDGs 입문자",
                venue_name="창원시 평생학습관 · Changwon Lifelong Learning Centre",
                cost_note="무료 · Free",
                capacity=20,
                timezone="Asia/Seoul",
            )
        )
        db.session.commit()

        flask_migrate.upgrade(revision=SPLIT)
        db.session.expire_all()
        bangkok = db.session.scalar(select(Partner).where(Partner.slug == "unesco-bangkok"))
        assert bangkok.primary_language == "en"
        assert bangkok.texts("name") == {"en": "UNESCO Bangkok", "ko": "유네스코 방콕"}
        assert bangkok.texts("description") == {
            "en": "Leads the regional programme.",
            "ko": "지역 프로그램을 이끕니다.",
        }
        assert bangkok.texts("city") == {"en": "Bangkok"}
        plain = db.session.scalar(select(Partner).where(Partner.slug == "plain"))
        assert (plain.primary_language, plain.translations) == ("ko", {})
        offering = db.session.scalar(select(Offering).options(defer(Offering.completion_percent)))
        assert offering.primary_language == "ko"
        assert offering.texts("title") == {
            "ko": "기후행동 시민학교",
            "en": "Climate Action Citizens' School",
        }
        assert offering.texts("summary") == {"ko": "10주 과정입니다.", "en": "A ten-week course."}
        assert offering.texts("audience") == {"ko": "지속가능발전목표 SDGs 입문자"}
        assert offering.texts("venue_name")["en"] == "Changwon Lifelong Learning Centre"
        assert offering.texts("cost_note") == {"ko": "무료", "en": "Free"}

        flask_migrate.downgrade(revision=BEFORE)
        db.session.expire_all()
        offering = db.session.scalar(select(Offering).options(defer(Offering.completion_percent)))
        assert offering.translations == {}
        assert offering.text("title", "ko") == "기후행동 시민학교 · Climate Action Citizens' School"
        assert offering.text("cost_note", "ko") == "무료 · Free"
        bangkok = db.session.scalar(select(Partner).where(Partner.slug == "unesco-bangkok"))
        assert bangkok.translations == {}
        assert bangkok.primary_language == "ko"  # the previous revision's guess again
        assert bangkok.text("name", "ko") == "UNESCO Bangkok · 유네스코 방콕"  # glued with " · "
        assert bangkok.text("description", "ko") == (
            "Leads the regional programme.\n\n지역 프로그램을 이끕니다."
        )
        db.session.remove()
