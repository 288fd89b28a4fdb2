"""Open data at /data: what the data sets hold (and never hold), their formats and their HTTP."""

import csv
import io
import json
import re
from pathlib import Path

import pytest

import config
from learning_platform.models import utcnow
from learning_platform.opendata.services import DATASETS
from tests.test_workspace import in_days

README = Path(__file__).resolve().parent.parent / "README.md"
FILES = [f"/data/{name}.{fmt}" for name in ("offerings", "sessions") for fmt in ("csv", "json")]


def read_csv(response) -> list[dict]:
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads Korean text right with the mark
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


def read_json(response) -> dict:
    return json.loads(response.get_data())


@pytest.fixture
def world(make_partner, make_person, make_offering, make_theme, register):
    """One public offering with everything filled in, and what must stay out of the data."""
    partner = make_partner(slug="changwon-city", name="Changwon City 창원특례시")
    hidden = make_partner(slug="hidden-partner", approved=False)
    cohost = make_partner(slug="kncu", name="KNCU")
    theme = make_theme("climate-action")
    public = make_offering(
        partner,
        status="published",
        published_at=utcnow(),
        title="기후행동 시민학교",
        format="hybrid",
        online_link="https://meet.example.org/secret-room",
        sessions=[in_days(3), in_days(10)],
        themes=[theme],
        cohosts=[cohost, hidden],
    )
    cancelled = make_offering(
        partner,
        status="cancelled",
        published_at=utcnow(),
        cancel_reason="The hall is closed.",
        sessions=[in_days(5)],
    )
    draft = make_offering(partner, status="draft", sessions=[in_days(4)])
    cancelled_draft = make_offering(
        partner, status="cancelled", sessions=[in_days(6)], published_at=None
    )
    of_hidden = make_offering(hidden, status="published", published_at=utcnow())
    citizen = make_person("jiwoo.participant@example.org", name="Kim Jiwoo Participant")
    register(public, citizen)
    return {
        "public": public,
        "cancelled": cancelled,
        "left_out": [draft, cancelled_draft, of_hidden],
    }


def test_data_sets_hold_published_and_cancelled_offerings_of_approved_partners_only(client, world):
    offerings = read_json(client.get("/data/offerings.json"))["rows"]
    assert [row["id"] for row in offerings] == [world["public"].id, world["cancelled"].id]
    sessions = read_json(client.get("/data/sessions.json"))["rows"]
    assert {row["offering_id"] for row in sessions} == {world["public"].id, world["cancelled"].id}
    assert len(sessions) == 3

    row = offerings[0]
    assert row["title"] == "기후행동 시민학교"
    assert row["partner_slug"] == "changwon-city"
    assert row["partner_name"] == "Changwon City 창원특례시"
    assert row["cohost_slugs"] == ["kncu"]  # the hidden co-host is not named
    assert row["theme_slugs"] == ["climate-action"]
    assert row["sdg_goals"] == [4]
    assert row["seats_taken"] == 1
    assert row["session_count"] == 2 and row["hours"] == 4.0
    assert row["url"].endswith(f"/offerings/{world['public'].id}")
    assert row["first_start"].endswith("+00:00")
    gone = offerings[1]
    assert gone["status"] == "cancelled" and gone["cancel_reason"] == "The hall is closed."
    assert {s["status"] for s in sessions if s["offering_id"] == gone["id"]} == {"cancelled"}


def test_no_personal_data_or_meeting_link_in_any_file(client, world):
    for path in FILES:
        body = client.get(path).get_data().decode("utf-8")
        for secret in (
            "jiwoo.participant@example.org",
            "Kim Jiwoo Participant",
            "meet.example.org",
            "secret-room",
            "hidden-partner",
        ):
            assert secret not in body, (path, secret)


def test_csv_holds_the_same_rows_as_json(client, world):
    for name, dataset in DATASETS.items():
        document = read_json(client.get(f"/data/{name}.json"))
        rows = read_csv(client.get(f"/data/{name}.csv"))
        assert [column["name"] for column in document["columns"]] == dataset.column_names
        assert list(rows[0]) == dataset.column_names
        assert len(rows) == len(document["rows"])
        for from_csv, from_json in zip(rows, document["rows"], strict=True):
            for column, value in from_json.items():
                if isinstance(value, list):
                    expected = ";".join(str(item) for item in value)
                elif value is None:
                    expected = ""
                else:
                    expected = str(value)
                assert from_csv[column] == expected, (name, column)


def test_formula_cells_are_neutralised_in_csv_and_exact_in_json(
    client, make_partner, make_offering
):
    partner = make_partner()
    make_offering(
        partner,
        status="published",
        title='=HYPERLINK("http://evil.example","click")',
        summary="+1 for the planet",
        venue_name="@home",
    )
    row = read_csv(client.get("/data/offerings.csv"))[0]
    assert row["title"] == '\'=HYPERLINK("http://evil.example","click")'
    assert row["summary"] == "'+1 for the planet"
    assert row["venue_name"] == "'@home"
    exact = read_json(client.get("/data/offerings.json"))["rows"][0]
    assert exact["title"] == '=HYPERLINK("http://evil.example","click")'


def test_every_file_names_its_licence_and_may_be_read_from_anywhere(client, world):
    for path in FILES:
        response = client.get(path)
        response.get_data()  # a streamed answer is read to its end, as a server does
        assert response.status_code == 200
        assert (
            response.headers["Link"]
            == '<https://creativecommons.org/licenses/by/4.0/>; rel="license"'
        )
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert response.headers["Cache-Control"] == "public, max-age=300"
        filename = path.rsplit("/", 1)[1]
        assert response.headers["Content-Disposition"] == f"inline; filename={filename}"
    assert read_csv(client.get("/data/offerings.csv"))
    assert client.head("/data/offerings.csv").mimetype == "text/csv"
    document = read_json(client.get("/data/offerings.json"))
    assert document["dataset"] == "offerings"
    assert document["licence"] == {
        "id": "CC-BY-4.0",
        "name": "Creative Commons Attribution 4.0 International",
        "url": "https://creativecommons.org/licenses/by/4.0/",
    }


def test_the_licence_setting_changes_page_files_and_headers(make_app, world):
    client = make_app(OPEN_DATA_LICENCE="CC0-1.0").test_client()
    response = client.get("/data/sessions.json")
    assert read_json(response)["licence"]["id"] == "CC0-1.0"
    assert "publicdomain/zero/1.0" in response.headers["Link"]
    page = client.get("/data", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Creative Commons Zero v1.0 Universal" in page
    assert "CC0 1.0" in page


def test_an_unknown_licence_refuses_to_start(monkeypatch):
    monkeypatch.setenv("OPEN_DATA_LICENCE", "WTFPL")
    with pytest.raises(RuntimeError, match=r"OPEN_DATA_LICENCE must be one of CC-BY-4\.0"):
        config.TestingConfig()


def test_unchanged_data_answers_304_from_one_statement(
    client, world, count_queries, make_offering, make_partner
):
    etag = client.head("/data/offerings.csv").headers["ETag"]
    with count_queries() as statements:
        again = client.get("/data/offerings.csv", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert len(statements) == 1
    # Each format is its own representation.
    assert client.head("/data/offerings.json").headers["ETag"] != etag
    make_offering(make_partner(), status="published")
    changed = client.get("/data/offerings.csv", headers={"If-None-Match": etag})
    assert read_csv(changed)
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


@pytest.mark.parametrize(
    "path", ["/data/people.csv", "/data/offerings.xlsx", "/data/offerings", "/data/.json"]
)
def test_unknown_data_set_or_format_is_404(client, path):
    assert client.get(path).status_code == 404


def test_a_data_set_is_a_constant_number_of_statements(
    client, count_queries, make_partner, make_offering, make_theme
):
    partner, theme = make_partner(), make_theme()
    make_offering(partner, status="published", sessions=[in_days(2)], themes=[theme])
    budgets = {}
    for path in FILES:
        with count_queries() as statements:
            client.get(path).get_data()
        budgets[path] = len(statements)
    for number in range(29):
        make_offering(
            partner,
            status="published",
            sessions=[in_days(3 + number), in_days(40 + number)],
            themes=[theme],
            cohosts=[partner],
        )
    for path in FILES:
        with count_queries() as statements:
            client.get(path).get_data()
        assert len(statements) == budgets[path] <= 5, path


def test_the_page_explains_each_data_set_and_how_to_cite(client, world):
    page = client.get("/data").get_data(as_text=True)
    assert 'href="/data/offerings.csv"' in page and 'href="/data/sessions.json"' in page
    assert "2 rows" in page and "3 rows" in page
    assert 'href="https://creativecommons.org/licenses/by/4.0/" rel="license"' in page
    assert "Data: Learning for Sustainable Cities, CC BY 4.0" in page
    for dataset in DATASETS.values():
        for column in dataset.columns:
            assert f"<code>{column.name}</code>" in page
    home = client.get("/").get_data(as_text=True)
    assert 'href="/data"' in home
    assert "/data</loc>" in client.get("/sitemap.xml").get_data(as_text=True)


def test_the_page_reads_in_korean(client, world):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ko"
    page = client.get("/data").get_data(as_text=True)
    assert "공개 데이터" in page and "CSV 내려받기" in page


def _readme_columns() -> dict[str, list[str]]:
    """The column tables of the README's "Open data" section, by data set."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Open data", 1)[1].split("\n## ", 1)[0]
    tables: dict[str, list[str]] = {}
    current = None
    for line in section.splitlines():
        heading = re.match(r"#+ .*`(\w+)\.(csv|json)`", line)
        if heading:
            current = heading.group(1)
            tables[current] = []
        elif current and (cell := re.match(r"\| `(\w+)` \|", line)):
            tables[current].append(cell.group(1))
    return tables


def test_the_readme_documents_exactly_the_columns_served():
    assert _readme_columns() == {name: dataset.column_names for name, dataset in DATASETS.items()}
