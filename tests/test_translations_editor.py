"""The organizer writes an offering in Korean, English and Thai: the primary texts on the
main form, the others on a tab per language."""

import pytest
from sqlalchemy import select

from learning_platform.extensions import db
from learning_platform.models import AuditEvent, Offering, Person
from tests.conftest import mail_body
from tests.test_workspace import in_days, load, offering_fields, submit_multi

KOREAN_TITLE = "도시 텃밭 교실"
ENGLISH_TITLE = "Urban gardening class"


@pytest.fixture
def organizer(make_person, make_partner, login):
    """An organizer whose interface language is English."""
    person = make_person("organizer@example.org", name="Organizer", language="en")
    partner = make_partner(slug="changwon-city", name="Changwon City", members=[person])
    login(person)
    return person, partner


@pytest.fixture
def korean_offering(organizer, make_offering):
    """A Korean-primary draft with an English title and summary, no Thai."""
    _, partner = organizer
    return make_offering(
        partner,
        title=KOREAN_TITLE,
        summary="흙을 만지며 배워요.",
        venue_name="창원 평생학습관",
        primary_language="ko",
        translations={"en": {"title": ENGLISH_TITLE, "summary": "Learn with your hands."}},
    )


def audit_events(app, offering_id: int) -> list[AuditEvent]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(AuditEvent)
                .where(AuditEvent.offering_id == offering_id)
                .order_by(AuditEvent.id)
            )
        )


def translation(**fields) -> dict:
    values = dict.fromkeys(
        (
            "title",
            "summary",
            "description",
            "audience",
            "venue_name",
            "venue_address",
            "cost_note",
        ),
        "",
    )
    return {**values, **fields}


def test_tabs_show_each_language_primary_first_with_its_state(client, korean_offering):
    page = client.get(f"/workspace/offerings/{korean_offering.id}").get_data(as_text=True)
    tabs = page[page.index('class="tabs tabs--languages"') :]
    tabs = tabs[: tabs.index("</ul>")]
    # Korean (primary) first, then English (the venue is missing), then Thai.
    assert tabs.index("한국어") < tabs.index("English") < tabs.index("ไทย")
    assert "primary" in tabs
    assert "1 missing" in tabs
    assert "not started" in tabs
    assert f'/workspace/offerings/{korean_offering.id}/texts/th"' in tabs
    assert f'/workspace/offerings/{korean_offering.id}/edit"' in tabs

    english = client.get(f"/workspace/offerings/{korean_offering.id}/texts/en")
    assert english.status_code == 200
    body = english.get_data(as_text=True)
    assert 'aria-current="page" lang="en"' in body
    assert f'value="{ENGLISH_TITLE}"' in body
    assert KOREAN_TITLE in body  # the primary text beside it, as a reference


def test_a_complete_translation_says_so(app, client, korean_offering):
    client.submit(
        f"/workspace/offerings/{korean_offering.id}/texts/en",
        translation(
            title=ENGLISH_TITLE, summary="Learn with your hands.", venue_name="Lifelong Centre"
        ),
    )
    page = client.get(f"/workspace/offerings/{korean_offering.id}").get_data(as_text=True)
    assert "complete" in page


def test_saving_a_thai_translation_writes_it_and_is_audited_as_title_th(
    app, client, korean_offering
):
    response = client.submit(
        f"/workspace/offerings/{korean_offering.id}/texts/th",
        translation(title="ห้องเรียนสวนผักในเมือง", summary="เรียนรู้ด้วยมือ"),
    )
    assert response.status_code == 302
    after = load(app, korean_offering.id)
    assert after.text("title", "th") == "ห้องเรียนสวนผักในเมือง"
    assert after.text("title", "ko") == KOREAN_TITLE  # the primary text is untouched
    assert after.written_in() == ["ko", "en", "th"]
    [event] = audit_events(app, korean_offering.id)
    assert event.changes["title.th"] == ["", "ห้องเรียนสวนผักในเมือง"]
    assert event.changes["summary.th"] == ["", "เรียนรู้ด้วยมือ"]


def test_a_changed_translation_of_a_published_offering_reaches_calendars(
    app, client, organizer, make_offering
):
    _, partner = organizer
    offering = make_offering(
        partner,
        status="published",
        sessions=[in_days(5), in_days(12)],
        title=KOREAN_TITLE,
        primary_language="ko",
    )
    client.submit(
        f"/workspace/offerings/{offering.id}/texts/en",
        translation(title=ENGLISH_TITLE),
    )
    after = load(app, offering.id)
    assert [s.sequence for s in after.sessions] == [s.sequence + 1 for s in offering.sessions]
    # A text calendars do not show (the audience) changes no event.
    client.submit(
        f"/workspace/offerings/{offering.id}/texts/en",
        translation(title=ENGLISH_TITLE, audience="Adults"),
    )
    assert [s.sequence for s in load(app, offering.id).sessions] == [
        s.sequence for s in after.sessions
    ]


def test_a_text_over_the_limit_is_refused_by_its_field_and_nothing_is_saved(
    app, client, korean_offering
):
    response = client.submit(
        f"/workspace/offerings/{korean_offering.id}/texts/th",
        translation(title="ก" * 201, summary="เรียนรู้ด้วยมือ"),
    )
    assert response.status_code == 422
    assert 'id="title-error"' in response.get_data(as_text=True)
    assert "Use at most 200 characters." in response.get_data(as_text=True)
    assert "th" not in load(app, korean_offering.id).translations
    assert audit_events(app, korean_offering.id) == []


def test_a_translation_needs_its_title(app, client, korean_offering):
    response = client.submit(
        f"/workspace/offerings/{korean_offering.id}/texts/th",
        translation(summary="เรียนรู้ด้วยมือ"),
    )
    assert response.status_code == 422
    assert "Give the title in this language too." in response.get_data(as_text=True)
    assert "th" not in load(app, korean_offering.id).translations


def test_a_language_we_do_not_offer_is_not_found(client, korean_offering):
    base = f"/workspace/offerings/{korean_offering.id}/texts"
    assert client.get(f"{base}/fr").status_code == 404
    assert client.submit(f"{base}/fr", translation(title="Jardin")).status_code == 404
    assert client.submit(f"{base}/fr/remove", {}).status_code == 404
    # The primary language is edited on the main form.
    primary = client.get(f"{base}/ko")
    assert primary.status_code == 302
    assert primary.headers["Location"].endswith(f"/workspace/offerings/{korean_offering.id}/edit")


def test_a_cohost_and_a_stranger_cannot_write_a_translation(
    app, client, make_person, make_partner, make_offering, login
):
    owner = make_partner(slug="owner")
    cohost_member = make_person(language="en")
    cohost = make_partner(slug="cohost", members=[cohost_member])
    offering = make_offering(owner, cohosts=[cohost], title=KOREAN_TITLE)
    path = f"/workspace/offerings/{offering.id}/texts/en"
    login(cohost_member)
    assert client.get(path).status_code == 403
    assert client.submit(path, translation(title="Hacked"), page="/").status_code == 403
    stranger = make_person(language="en")
    other = make_partner(slug="other", members=[stranger])
    assert other
    client.submit("/logout", page="/account")
    login(stranger)
    assert client.get(path).status_code == 404
    assert load(app, offering.id).translations == {}


def test_emptying_every_field_removes_the_language(app, client, korean_offering):
    client.submit(f"/workspace/offerings/{korean_offering.id}/texts/en", translation())
    assert load(app, korean_offering.id).written_in() == ["ko"]
    assert "en" not in load(app, korean_offering.id).translations


def test_removing_a_translation_asks_first(app, client, korean_offering):
    path = f"/workspace/offerings/{korean_offering.id}/texts/en/remove"
    page = f"/workspace/offerings/{korean_offering.id}/texts/en"
    asked = client.submit(path, {}, page=page)
    assert asked.status_code == 200
    assert "Remove this translation?" in asked.get_data(as_text=True)
    assert "en" in load(app, korean_offering.id).translations
    done = client.submit(path, {"confirm": "yes"}, page=page)
    assert done.status_code == 302
    assert "en" not in load(app, korean_offering.id).translations
    [event] = audit_events(app, korean_offering.id)
    assert event.changes["title.en"] == [ENGLISH_TITLE, ""]


def _edit_form_data(page: str) -> dict:
    """The edit form as the browser would send it back untouched (the fields tests need)."""
    import re

    return dict(re.findall(r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"', page))


def test_an_english_speaking_organizer_editing_a_korean_offering_keeps_its_korean_title(
    app, client, korean_offering
):
    path = f"/workspace/offerings/{korean_offering.id}/edit"
    page = client.get(path).get_data(as_text=True)
    sent = _edit_form_data(page)
    # The form shows the primary (Korean) texts, not the English translation.
    assert sent["title"] == KOREAN_TITLE
    assert '<option selected value="ko">' in page
    assert "흙을 만지며 배워요." in page
    fields = dict(offering_fields())
    fields.update(
        title=sent["title"],
        summary="흙을 만지며 배워요.",
        venue_name=sent["venue_name"],
        primary_language="ko",
        capacity="20",
    )
    response = submit_multi(client, path, list(fields.items()))
    assert response.status_code == 302, response.get_data(as_text=True)
    after = load(app, korean_offering.id)
    assert after.text("title", "ko") == KOREAN_TITLE
    assert after.text("title", "en") == ENGLISH_TITLE
    assert after.text("summary", "en") == "Learn with your hands."


def test_a_new_offering_is_written_in_the_organizers_language_by_default(app, client, organizer):
    _, partner = organizer
    page = client.get(f"/workspace/{partner.slug}/new").get_data(as_text=True)
    assert '<option selected value="en">' in page
    response = submit_multi(
        client,
        f"/workspace/{partner.slug}/new",
        offering_fields(primary_language="th", title="ห้องเรียนสวนผัก"),
    )
    offering_id = int(response.headers["Location"].rsplit("/", 1)[1])
    offering = load(app, offering_id)
    assert (offering.primary_language, offering.text("title", "th")) == ("th", "ห้องเรียนสวนผัก")


def test_changing_the_primary_language_keeps_each_text_in_its_language(
    app, client, korean_offering
):
    path = f"/workspace/offerings/{korean_offering.id}/edit"
    fields = dict(offering_fields())
    fields.update(title=KOREAN_TITLE, summary="흙을 만지며 배워요.", capacity="20")
    refused = submit_multi(client, path, list({**fields, "primary_language": "th"}.items()))
    assert refused.status_code == 422
    assert 'id="primary_language-error"' in refused.get_data(as_text=True)
    assert load(app, korean_offering.id).primary_language == "ko"

    done = submit_multi(client, path, list({**fields, "primary_language": "en"}.items()))
    assert done.status_code == 302, done.get_data(as_text=True)
    after = load(app, korean_offering.id)
    assert after.primary_language == "en"
    assert after.text("title", "en") == ENGLISH_TITLE
    assert after.text("title", "ko") == KOREAN_TITLE
    assert after.text("summary", "ko") == "흙을 만지며 배워요."


def test_the_cancel_reason_reaches_each_participant_in_their_language(
    app, client, organizer, make_offering, make_person, register, outbox
):
    _, partner = organizer
    offering = make_offering(
        partner,
        status="published",
        sessions=[in_days(5)],
        title=KOREAN_TITLE,
        primary_language="ko",
        translations={"th": {"title": "ห้องเรียนสวนผักในเมือง"}},
    )
    thai = make_person("somchai@example.org", language="th")
    korean = make_person("minji@example.org", language="ko")
    register(offering, thai)
    register(offering, korean)
    path = f"/workspace/offerings/{offering.id}/cancel"
    asked = client.submit(path, {}, page=f"/workspace/offerings/{offering.id}")
    assert 'name="reason_th"' in asked.get_data(as_text=True)
    assert 'name="reason_en"' not in asked.get_data(as_text=True)  # not written in English
    response = client.submit(
        path,
        {"confirm": "yes", "reason": "강사가 아파요.", "reason_th": "วิทยากรป่วย"},
        page=f"/workspace/offerings/{offering.id}",
    )
    assert response.status_code == 302
    [thai_mail] = outbox("somchai@example.org")
    assert "วิทยากรป่วย" in mail_body(thai_mail)
    assert "강사가 아파요." not in mail_body(thai_mail)
    [korean_mail] = outbox("minji@example.org")
    assert "강사가 아파요." in mail_body(korean_mail)
    after = load(app, offering.id)
    assert after.texts("cancel_reason") == {"ko": "강사가 아파요.", "th": "วิทยากรป่วย"}


def test_a_session_cancel_reason_in_thai_reaches_the_thai_participant(
    app, client, organizer, make_offering, make_person, register, outbox
):
    _, partner = organizer
    offering = make_offering(
        partner,
        status="published",
        sessions=[in_days(5), in_days(12)],
        title=KOREAN_TITLE,
        primary_language="ko",
        translations={"th": {"title": "ห้องเรียนสวนผักในเมือง"}},
    )
    thai = make_person("somchai@example.org", language="th")
    register(offering, thai)
    session = offering.sessions[0]
    path = f"/workspace/offerings/{offering.id}/sessions/{session.id}/cancel"
    too_long = client.submit(
        path,
        {"confirm": "yes", "reason": "강사가 아파요.", "reason_th": "ก" * 501},
        page=f"/workspace/offerings/{offering.id}",
    )
    assert too_long.status_code == 422
    assert 'id="reason_th-error"' in too_long.get_data(as_text=True)
    assert load(app, offering.id).sessions[0].status == "scheduled"
    client.submit(
        path,
        {"confirm": "yes", "reason": "강사가 아파요.", "reason_th": "วิทยากรป่วย"},
        page=f"/workspace/offerings/{offering.id}",
    )
    [mail] = outbox("somchai@example.org")
    assert "วิทยากรป่วย" in mail_body(mail)


def test_a_session_has_its_note_and_place_in_the_offerings_other_languages(
    app, client, korean_offering
):
    path = f"/workspace/offerings/{korean_offering.id}/sessions/new"
    page = client.get(path).get_data(as_text=True)
    assert 'name="note_en"' in page and 'name="location_en"' in page
    assert 'name="note_th"' not in page  # the offering is not written in Thai
    start = in_days(30)[0]
    response = client.submit(
        path,
        {
            "day": start.date().isoformat(),
            "start_time": "19:00",
            "end_time": "21:00",
            "end_day": "",
            "location": "301호",
            "note": "준비물: 장갑",
            "location_en": "Room 301",
            "note_en": "Bring gloves",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        [session] = db.session.get(Offering, korean_offering.id).sessions
        assert session.texts("location") == {"ko": "301호", "en": "Room 301"}
        assert session.text("note", "en") == "Bring gloves"

    # The edit form shows the Korean texts in its own fields, the English ones beside them.
    edit = client.get(f"/workspace/offerings/{korean_offering.id}/sessions/{session.id}/edit")
    body = edit.get_data(as_text=True)
    assert 'name="location" type="text" value="301호"' in body
    assert 'value="Room 301"' in body


def test_duplicate_copies_every_language_but_not_the_terms_notes(
    app, client, organizer, make_offering
):
    _, partner = organizer
    offering = make_offering(
        partner,
        status="published",
        sessions=[in_days(5)],
        title=KOREAN_TITLE,
        primary_language="ko",
        change_note="장소가 바뀌었어요.",
        translations={
            "en": {"title": ENGLISH_TITLE, "change_note": "The venue moved."},
            "th": {"title": "ห้องเรียนสวนผักในเมือง"},
        },
    )
    response = client.submit(
        f"/workspace/offerings/{offering.id}/duplicate", page=f"/workspace/offerings/{offering.id}"
    )
    copy = load(app, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert copy.id != offering.id
    assert copy.primary_language == "ko"
    assert copy.texts("title") == {
        "ko": KOREAN_TITLE,
        "en": ENGLISH_TITLE,
        "th": "ห้องเรียนสวนผักในเมือง",
    }
    assert copy.texts("change_note") == {}


def test_a_thai_reader_of_the_workspace_sees_thai_tab_labels(app, client, korean_offering):
    with app.app_context():
        person = db.session.scalar(select(Person).where(Person.email == "organizer@example.org"))
        person.preferred_language = "th"
        db.session.commit()
    page = client.get(
        f"/workspace/offerings/{korean_offering.id}", headers={"Accept-Language": "th"}
    ).get_data(as_text=True)
    assert "tabs--languages" in page


def test_a_question_is_written_in_thai_too_and_read_with_the_offerings_fallback(
    app, client, korean_offering
):
    path = f"/workspace/offerings/{korean_offering.id}/questions"
    form = client.get(path + "/new").get_data(as_text=True)
    assert 'name="text_th"' in form and 'name="choices_th"' in form
    refused = client.submit(
        path + "/new",
        {
            "kind": "single_choice",
            "text_ko": "점심 메뉴",
            "text_th": "อาหารกลางวัน",
            "choices_ko": "비빔밥\n김밥",
            "choices_th": "บิบิมบับ",
        },
    )
    assert refused.status_code == 422
    assert "same number of choices in each language" in refused.get_data(as_text=True)
    response = client.submit(
        path + "/new",
        {
            "kind": "single_choice",
            "text_ko": "점심 메뉴",
            "text_th": "อาหารกลางวัน",
            "choices_ko": "비빔밥\n김밥",
            "choices_th": "บิบิมบับ\nคิมบับ",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        from learning_platform.models import Question

        question = db.session.scalar(
            select(Question).where(Question.offering_id == korean_offering.id)
        )
        assert question.text == {"ko": "점심 메뉴", "th": "อาหารกลางวัน"}
        assert question.label("th") == "อาหารกลางวัน"
        # English is not written: the offering's primary language (Korean), not Thai.
        assert question.label("en") == "점심 메뉴"
        assert [label for _, label in question.choice_labels("th")] == ["บิบิมบับ", "คิมบับ"]
        assert [label for _, label in question.choice_labels("en")] == ["비빔밥", "김밥"]
        question.offering.primary_language = "th"
        assert question.label("en") == "อาหารกลางวัน"
        question_id = question.id
        db.session.rollback()

    edit = client.get(f"{path}/{question_id}/edit").get_data(as_text=True)
    assert "บิบิมบับ\nคิมบับ" in edit


def test_the_history_names_the_language_of_a_changed_text(app, client, organizer, korean_offering):
    _, partner = organizer
    client.submit(
        f"/workspace/offerings/{korean_offering.id}/texts/th",
        translation(title="ห้องเรียนสวนผักในเมือง"),
    )
    page = client.get(f"/workspace/{partner.slug}/activity").get_data(as_text=True)
    assert "Title (Thai)" in page  # the language named in the reader's language
    assert "ห้องเรียนสวนผักในเมือง" in page


def test_a_crafted_post_cannot_leave_a_language_without_its_title(app, client, korean_offering):
    client.submit(
        f"/workspace/offerings/{korean_offering.id}/texts/th",
        translation(title="ห้องเรียนสวนผักในเมือง", summary="เรียนรู้ด้วยมือ"),
    )
    # Only `title=` sent, the other fields left out: they would stay, without a title.
    response = client.submit(f"/workspace/offerings/{korean_offering.id}/texts/th", {"title": ""})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'id="title-error"' in body
    assert "Give the title in this language too." in body
    after = load(app, korean_offering.id)
    assert after.text("title", "th") == "ห้องเรียนสวนผักในเมือง"
    assert after.text("summary", "th") == "เรียนรู้ด้วยมือ"


def test_the_cancel_form_says_which_languages_the_people_told_read(
    app, client, organizer, make_offering, make_person, register, outbox
):
    _, partner = organizer
    offering = make_offering(
        partner,
        status="published",
        sessions=[in_days(5)],
        title=KOREAN_TITLE,
        primary_language="ko",
        translations={"th": {"title": "ห้องเรียนสวนผักในเมือง"}},
    )
    register(offering, make_person("minji@example.org", language="ko"))
    register(offering, make_person("jisu@example.org", language="ko"))
    register(offering, make_person("alex@example.org", language="en"))
    path = f"/workspace/offerings/{offering.id}/cancel"
    asked = client.submit(path, {}, page=f"/workspace/offerings/{offering.id}")
    body = asked.get_data(as_text=True)
    assert "3 people will be told: 2 read Korean, 1 read English, 0 read Thai." in body
    # English has readers though the offering has no English text: its reason field is there,
    # with the hint that they get the Korean reason otherwise; Thai is written, so it is too.
    assert 'name="reason_en"' in body
    assert 'name="reason_th"' in body
    assert "1 person reads English: they will get the Korean reason." in body
    assert "reads Thai" not in body
    assert "Everyone registered reads this" not in body
    response = client.submit(
        path,
        {"confirm": "yes", "reason": "강사가 아파요.", "reason_en": "The instructor is ill."},
        page=f"/workspace/offerings/{offering.id}",
    )
    assert response.status_code == 302
    [english_mail] = outbox("alex@example.org")
    assert "The instructor is ill." in mail_body(english_mail)
    assert load(app, offering.id).text("cancel_reason", "en") == "The instructor is ill."


def test_everyone_registered_reads_the_reason_only_when_they_all_read_its_language(
    client, organizer, make_offering, make_person, register
):
    _, partner = organizer
    offering = make_offering(
        partner, status="published", sessions=[in_days(5), in_days(9)], primary_language="ko"
    )
    register(offering, make_person("minji@example.org", language="ko"))
    session = offering.sessions[0]
    asked = client.submit(
        f"/workspace/offerings/{offering.id}/sessions/{session.id}/cancel",
        {},
        page=f"/workspace/offerings/{offering.id}",
    )
    body = asked.get_data(as_text=True)
    assert "Everyone registered reads this" in body
    assert "1 person will be told: 1 read Korean, 0 read English, 0 read Thai." in body
    assert 'name="reason_en"' not in body


def test_the_cohost_picker_names_partners_in_the_organizers_language_in_order(
    client, organizer, korean_offering, make_partner
):
    make_partner(
        slug="ga-na",
        name="가나 센터",
        primary_language="ko",
        translations={"en": {"name": "Zeta Centre"}},
    )
    make_partner(
        slug="ha-neul",
        name="하늘 도서관",
        primary_language="ko",
        translations={"en": {"name": "Alpha Library"}},
    )
    page = client.get(f"/workspace/offerings/{korean_offering.id}/edit").get_data(as_text=True)
    assert "가나 센터" not in page and "하늘 도서관" not in page
    assert page.index("Alpha Library") < page.index("Zeta Centre")


def test_a_translation_tab_works_from_the_primary_and_the_english_texts(client, korean_offering):
    body = client.get(f"/workspace/offerings/{korean_offering.id}/texts/th").get_data(as_text=True)
    at = body.index('name="title"')
    title_input = body[body.rindex("<input", 0, at) : body.index(">", at)]
    assert 'lang="th"' in title_input
    # The Korean primary text and the English one beside each field.
    assert KOREAN_TITLE in body and ENGLISH_TITLE in body
    assert '<span lang="en">Learn with your hands.</span>' in body
    # Not started: nothing listed as missing yet.
    assert "Missing:" not in body


def test_a_translation_tab_lists_the_missing_fields_and_saving_stays_on_it(client, korean_offering):
    path = f"/workspace/offerings/{korean_offering.id}/texts/en"
    body = client.get(path).get_data(as_text=True)
    assert "Missing: Venue" in body
    # English is the tab's language: no second reference in English.
    assert body.count(f'<span lang="en">{ENGLISH_TITLE}</span>') == 0
    response = client.submit(
        path,
        translation(
            title=ENGLISH_TITLE, summary="Learn with your hands.", venue_name="Lifelong Centre"
        ),
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(path)
    after = client.get(path).get_data(as_text=True)
    assert "The translation is saved." in after
    assert "Missing:" not in after


def test_the_primary_tab_heading_names_the_primary_title(client, korean_offering):
    body = client.get(f"/workspace/offerings/{korean_offering.id}/edit").get_data(as_text=True)
    heading = body[body.index('<h1 id="form-title">') :]
    heading = heading[: heading.index("</h1>")]
    assert KOREAN_TITLE in heading
    assert ENGLISH_TITLE not in heading


def test_a_cancelled_offering_shows_its_reason_in_each_language_written(
    client, organizer, make_offering, make_person, register
):
    _, partner = organizer
    offering = make_offering(
        partner,
        status="published",
        sessions=[in_days(5)],
        title=KOREAN_TITLE,
        primary_language="ko",
        translations={"th": {"title": "ห้องเรียนสวนผักในเมือง"}},
    )
    register(offering, make_person("alex@example.org", language="en"))
    client.submit(
        f"/workspace/offerings/{offering.id}/cancel",
        {
            "confirm": "yes",
            "reason": "강사가 아파요.",
            "reason_en": "The instructor is ill.",
            "reason_th": "วิทยากรป่วย",
        },
        page=f"/workspace/offerings/{offering.id}",
    )
    page = client.get(f"/workspace/offerings/{offering.id}").get_data(as_text=True)
    reasons = page[page.index('class="cancel-reasons__list"') :]
    reasons = reasons[: reasons.index("</ul>")]
    assert reasons.index("한국어") < reasons.index("강사가 아파요.")
    assert '<span lang="en">The instructor is ill.</span>' in reasons
    assert '<span lang="th">วิทยากรป่วย</span>' in reasons
