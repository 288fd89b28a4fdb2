"""Open data carries every language an offering and a partner are written in."""

import csv
import io
import json

from tests.test_workspace import in_days


def _csv(client, name: str) -> list[dict]:
    text = client.get(f"/data/{name}.csv").get_data().decode("utf-8")
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


def _json(client, name: str) -> dict:
    return json.loads(client.get(f"/data/{name}.json").get_data())


def _world(make_partner, make_offering):
    partner = make_partner(
        slug="unesco-bangkok",
        name="UNESCO Bangkok",
        city="Bangkok",
        primary_language="en",
        translations={"th": {"name": "ยูเนสโก กรุงเทพฯ", "city": "กรุงเทพฯ"}},
    )
    return make_offering(
        partner,
        status="published",
        primary_language="th",
        title="การรู้เท่าทันสื่อ",
        summary="สำหรับเยาวชน",
        translations={"en": {"title": "Media literacy"}},
        sessions=[in_days(3)],
    )


def test_offerings_carry_each_languages_texts_and_the_primary_one(
    client, make_partner, make_offering
):
    offering = _world(make_partner, make_offering)
    for row in (_json(client, "offerings")["rows"][0], _csv(client, "offerings")[0]):
        assert str(row["id"]) == str(offering.id)
        assert row["primary_language"] == "th"
        assert row["title"] == "การรู้เท่าทันสื่อ"  # as before: the primary language's
        assert (row["title_ko"], row["title_en"], row["title_th"]) == (
            "",
            "Media literacy",
            "การรู้เท่าทันสื่อ",
        )
        # Not written in English: empty, never the Thai copied in.
        assert (row["summary_en"], row["summary_th"]) == ("", "สำหรับเยาวชน")
        assert (row["partner_name_en"], row["partner_name_th"], row["partner_name_ko"]) == (
            "UNESCO Bangkok",
            "ยูเนสโก กรุงเทพฯ",
            "",
        )


def test_the_json_says_what_each_language_column_means(client, make_partner, make_offering):
    _world(make_partner, make_offering)
    meanings = {c["name"]: c["description"] for c in _json(client, "offerings")["columns"]}
    assert meanings["title_th"] == "Title in Thai; empty if not written."
    assert meanings["partner_name_ko"] == "Partner's name in Korean; empty if not written."
    partner = {c["name"]: c["description"] for c in _json(client, "impact_by_partner")["columns"]}
    assert partner["city_en"] == "The city in English; empty if not written."


def test_the_data_page_explains_the_columns_in_the_readers_language(
    client, make_partner, make_offering
):
    _world(make_partner, make_offering)
    page = client.get("/data", headers={"Accept-Language": "th"}).get_data(as_text=True)
    assert "<code>title_th</code>" in page
    assert "ชื่อเป็นภาษาไทย ว่างไว้หากยังไม่ได้เขียน" in page


def test_impact_per_partner_names_the_partner_in_each_language(client, make_partner, make_offering):
    _world(make_partner, make_offering)
    rows = [r for r in _csv(client, "impact_by_partner") if r["partner_slug"] == "unesco-bangkok"]
    assert rows
    for row in rows:
        assert row["partner_name_en"] == "UNESCO Bangkok"
        assert row["partner_name_th"] == "ยูเนสโก กรุงเทพฯ"
        assert row["partner_name_ko"] == ""
        assert (row["city_en"], row["city_th"]) == ("Bangkok", "กรุงเทพฯ")
