"""Word search in the catalog: what a person types finds what they expect, in Korean and English,
served by the search index on both databases, whatever they type."""

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import event, insert, select, text

from learning_platform.catalog import search
from learning_platform.extensions import db
from learning_platform.models import Offering, OfferingSearch, OfferingSession, Partner, Theme
from learning_platform.models.offering import offering_theme
from tests.test_partners import partner_fields
from tests.test_queries import _bulk_offerings, statements_for
from tests.test_workspace import in_days, offering_fields, submit_multi


def found(client, query: str, **args) -> list[str]:
    """The titles the catalog lists for `query`, every page, in order."""
    listed, page = [], 1
    while True:
        response = client.get("/offerings", query_string={"q": query, "page": page, **args})
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        links = re.findall(r'<a href="/offerings/(\d+)">([^<]+)</a>', body)
        listed += [html.unescape(title) for _id, title in dict(links).items()]
        if f"page={page + 1}" not in body:
            return listed
        page += 1


# What the demo data promises --------------------------------------------------------------

UNESCO_BANGKOK = [
    "ESD for Teachers in Asia-Pacific: Whole-Institution Approaches",
    "Learning Cities Webinar: Measuring Lifelong Learning",
    "Media Literacy for Youth",
    "Education and the Future of Cities in Asia-Pacific",  # also co-hosted by Changwon and KNCU
    "Youth Climate Dialogue Asia-Pacific",
]
KNCU = [
    "Global Citizenship Education for Teachers",
    "SDGs for Beginners",
    "UNESCO Learning City Coordinator Course",  # held in 창원, co-hosted by Changwon
    "UNESCO Official ESD Projects Showcase",
]
CLIMATE = [
    "Climate Action Citizens' School",  # the title
    "Changwon Upcycling Fair",  # theme: climate action / 기후행동
    "Build a Mini Solar Charger",  # theme
    "Youth Climate Dialogue Asia-Pacific",  # title and theme
    "Plogging along Changwon Stream, Tomorrow Morning",  # theme
]
CHANGWON = [
    # 창원특례시 runs them (two more are past or full: not listed upcoming)
    "Climate Action Citizens' School",
    "Urban Gardening: First Steps",
    "Digital Class for Seniors: Your Smartphone, Your World",
    "Changwon Upcycling Fair",
    "Plogging along Changwon Stream, Tomorrow Morning",
    # 국립창원대학교 runs them
    "Data Literacy for Everyday Life",
    "Build a Mini Solar Charger",
    "Korean Language and Culture for Newcomers in Changwon",
    # co-hosted by 창원특례시, or held in 창원
    "Education and the Future of Cities in Asia-Pacific",
    "UNESCO Learning City Coordinator Course",
]


def test_demo_words_find_every_offering_a_person_expects(client, runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    expected = {
        "UNESCO": UNESCO_BANGKOK + KNCU,
        "unesco": UNESCO_BANGKOK + KNCU,
        "유네스코": UNESCO_BANGKOK + KNCU,
        "기후": CLIMATE,
        "climate": CLIMATE,
        "Climate Action": CLIMATE,
        "창원": [*CHANGWON, "Learning Cities Webinar: Measuring Lifelong Learning"],  # speakers
        "garden": ["Urban Gardening: First Steps"],  # its English title and description
        "텃밭": ["Urban Gardening: First Steps"],  # its Korean title
        "유네스코 창원": [  # both words
            "UNESCO Learning City Coordinator Course",
            "Education and the Future of Cities in Asia-Pacific",
            "Learning Cities Webinar: Measuring Lifelong Learning",  # speakers from 창원
        ],
        "UNESCO 기후": ["Youth Climate Dialogue Asia-Pacific"],
    }
    for query, titles in expected.items():
        assert sorted(found(client, query)) == sorted(titles), query


# What is searched, and how -----------------------------------------------------------------


@pytest.fixture
def catalog(make_partner, make_offering, make_theme):
    """Offerings whose words sit in one field each."""
    owner = make_partner(name="Gyeongnam Green School 경남녹색학교")
    cohost = make_partner(name="Masan Bay Citizens 마산만 시민모임")
    theme = make_theme()

    def offering(days: int, **fields):
        return make_offering(
            fields.pop("partner", owner),
            status="published",
            sessions=[in_days(days)],
            summary=fields.pop("summary", ""),
            venue_name=fields.pop("venue_name", ""),
            **fields,
        )

    with_theme = offering(9, title="Third", themes=[theme])
    return {
        "title": offering(1, title="Rooftop Gardens 옥상정원 가꾸기"),
        "summary": offering(2, title="Second", summary="Seed swaps and composting."),
        "description": offering(3, title="Fourth", description="## Plan\n\n- Carbon *budgets*"),
        "venue_name": offering(4, title="Fifth", venue_name="Yongji Lake Park 용지호수공원"),
        "venue_address": offering(5, title="Sixth", venue_address="151 Jungang-daero 의창구"),
        "cohost": offering(6, title="Seventh", cohosts=[cohost]),
        "theme": with_theme,
        "theme_name": theme,
        "owner": owner,
    }


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("gardens", "Rooftop Gardens 옥상정원 가꾸기"),
        ("옥상정원", "Rooftop Gardens 옥상정원 가꾸기"),
        ("정원", "Rooftop Gardens 옥상정원 가꾸기"),  # two syllables inside a longer word
        ("composting", "Second"),
        ("compost", "Second"),  # the start of a word
        ("budgets", "Fourth"),  # Markdown around it
        ("Yongji", "Fifth"),
        ("용지", "Fifth"),
        ("Jungang-daero", "Sixth"),
        ("의창구", "Sixth"),
        ("Masan", "Seventh"),
        ("시민모임", "Seventh"),
    ],
)
def test_words_are_found_in_every_field(client, catalog, query, title):
    assert found(client, query) == [title]


def test_theme_names_in_every_language_and_the_partner_name_are_searched(app, client, catalog):
    theme = catalog["theme_name"]
    with app.app_context():
        db.session.get(Theme, theme.id).name_th = "ความหลากหลาย"
        db.session.commit()
    assert found(client, theme.name_en) == ["Third"]
    assert found(client, theme.name_ko) == ["Third"]
    assert found(client, "ความหลากหลาย") == ["Third"]
    assert len(found(client, "경남녹색학교")) == 7  # the owner's name: all of them


@pytest.mark.parametrize(
    "query",
    [
        "GARDENS",
        "gArDeNs",
        "ＧＡＲＤＥＮＳ",
        "ｇａｒｄｅｎ",
        "  gardens  ",
        "gardens!",
        "«gardens»",
    ],
)
def test_case_width_and_punctuation_do_not_matter(client, catalog, query):
    assert found(client, query) == ["Rooftop Gardens 옥상정원 가꾸기"]


def test_all_the_words_must_match(client, catalog):
    assert found(client, "rooftop 옥상정원") == ["Rooftop Gardens 옥상정원 가꾸기"]
    assert found(client, "rooftop compost") == []


def test_korean_particles_and_accents_matter_less_than_finding(client, make_partner, make_offering):
    partner = make_partner()
    make_offering(partner, status="published", sessions=[in_days(2)], title="기후행동 café")
    assert found(client, "기후를") == ["기후행동 café"]  # 기후 + a particle
    assert found(client, "기후") == ["기후행동 café"]
    assert found(client, "cafe") == found(client, "CAFÉ") == ["기후행동 café"]


def test_a_title_match_comes_first_unless_another_order_is_chosen(
    client, make_partner, make_offering
):
    partner = make_partner()
    soon = make_offering(
        partner, status="published", sessions=[in_days(1)], title="Walks", description="climate"
    )
    later = make_offering(partner, status="published", sessions=[in_days(9)], title="Climate walks")
    assert found(client, "climate") == [later.title, soon.title]  # relevance: the default
    assert found(client, "climate", sort="date") == [soon.title, later.title]
    page = client.get("/offerings?q=climate").get_data(as_text=True)
    assert '<option value="relevance" selected>' in page
    assert '<option value="date" selected>' in client.get("/offerings").get_data(as_text=True)
    # Relevance without words means nothing: the catalog is in date order.
    assert '<option value="date" selected>' in client.get("/offerings?sort=relevance").get_data(
        as_text=True
    )


def test_the_page_says_how_many_results_for_which_words(client, catalog):
    page = client.get("/offerings?q=gardens").get_data(as_text=True)
    assert "1 result for “gardens”" in page
    empty = client.get("/offerings?q=spaceship&kind=workshop").get_data(as_text=True)
    assert "0 results for “spaceship”" in empty
    assert "No workshop or course matches “spaceship”" in empty
    assert 'href="/offerings?q=spaceship"' in empty  # the words without the other filters
    assert 'href="/offerings">' in empty  # or everything
    korean = client.get("/offerings?q=우주선", headers={"Accept-Language": "ko"}).get_data(
        as_text=True
    )
    assert "“우주선”" in korean and "0" in korean


#: Operators and quotes are only punctuation: the word in them is still found.
FINDS_GARDENS = {'"gardens', "gardens\"'", "gardens*", "-gardens", "^gardens"}


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '"gardens',
        "gardens\"'",
        "AND",
        "gardens AND",
        "OR NOT",
        "NEAR(gardens rooftop)",
        "NEAR",
        "*",
        "gardens*",
        "-gardens",
        "title:gardens",
        "{title}: gardens",
        ":",
        "^gardens",
        "'gardens':*",
        "gardens & !rooftop | x",
        "<->",
        "(",
        ")",
        "%",
        "_",
        "%_\\",
        "' OR 1=1 --",
        "!!!???...",
        "\x00",
        "gardens\x00",
        "🌱",
        "🌱 gardens",
        "gardens " * 30,
        "가" * 150,
        "a" * 300,
        "ก" * 40,
        "\u200b\u202e",
    ],
)
def test_any_input_gives_results_or_no_results_never_an_error(client, catalog, query):
    response = client.get("/offerings", query_string={"q": query})
    if "\x00" in query:  # refused for every field of every request, as a bad request
        assert response.status_code == 400
        return
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "result" in body
    if query in FINDS_GARDENS:
        assert "Rooftop Gardens" in body


def test_words_in_the_page_are_shown_inert(client, catalog):
    body = client.get("/offerings", query_string={"q": "<script>x</script>"}).get_data(as_text=True)
    assert "<script>x</script>" not in body and "&lt;script&gt;" in body


# Kept in step with every change -----------------------------------------------------------


def test_the_search_follows_changes_to_an_offering_its_partners_and_themes(
    app, client, make_person, make_partner, make_offering, make_theme, login
):
    admin = make_person(admin=True)
    partner = make_partner(name="Old Name Network")
    other = make_partner(name="Helping Hands")
    theme = make_theme()
    offering = make_offering(
        partner, status="published", sessions=[in_days(3)], title="Tree planting", themes=[theme]
    )
    assert found(client, "old name") == ["Tree planting"]

    login(admin)
    response = client.submit(
        f"/admin/partners/{partner.slug}/edit",
        partner_fields(name_en="Green Future 녹색미래", slug=partner.slug),
    )
    assert response.status_code == 302
    assert found(client, "old name") == []
    assert found(client, "녹색미래") == ["Tree planting"]

    # An organizer's edit: new title, a co-host, no theme.
    response = submit_multi(
        client,
        f"/workspace/offerings/{offering.id}/edit",
        [
            *offering_fields(title="Forest walk 숲길 걷기", capacity="20"),
            ("cohost_ids", str(other.id)),
        ],
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert found(client, "tree") == []
    assert found(client, "숲길") == found(client, "helping") == ["Forest walk 숲길 걷기"]
    assert found(client, theme.name_en) == []

    with app.app_context():
        renamed = db.session.get(Theme, theme.id)
        renamed.name_en = "Urban forests"
        changed = db.session.get(Offering, offering.id)
        changed.themes.append(renamed)
        db.session.commit()
    assert found(client, "forests") == ["Forest walk 숲길 걷기"]
    with app.app_context():
        db.session.get(Theme, theme.id).name_en = "Rivers"
        db.session.commit()
    assert found(client, "forests") == []
    assert found(client, "rivers") == ["Forest walk 숲길 걷기"]

    with app.app_context():
        db.session.delete(db.session.get(Offering, offering.id))
        db.session.commit()
        assert db.session.scalar(select(OfferingSearch).filter_by(offering_id=offering.id)) is None
    assert found(client, "forest") == []


def test_the_longest_korean_description_is_searchable(client, make_partner, make_offering):
    syllables = "".join(chr(0xAC00 + (n * 7919) % 11172) for n in range(20_000))
    make_offering(
        make_partner(),
        status="published",
        sessions=[in_days(2)],
        title="Long",
        description=syllables + " 끝말잇기",
    )
    assert found(client, "끝말잇기") == ["Long"]
    assert found(client, syllables[5000:5004]) == ["Long"]


def test_rebuilding_writes_the_same_rows(app, catalog):
    with app.app_context():
        before = db.session.execute(select(OfferingSearch.__table__)).all()
        db.session.execute(OfferingSearch.__table__.delete())
        search.rebuild(db.session.connection(), everything=True)
        assert sorted(db.session.execute(select(OfferingSearch.__table__)).all()) == sorted(before)
        db.session.rollback()


def test_rebuild_search_command_restores_words_written_around_the_app(app, client, runner, catalog):
    with app.app_context():
        db.session.execute(OfferingSearch.__table__.delete())
        db.session.commit()
    assert found(client, "gardens") == []
    result = runner.invoke(args=["rebuild-search"])
    assert result.exit_code == 0 and "7 offerings" in result.output
    assert found(client, "gardens") == ["Rooftop Gardens 옥상정원 가꾸기"]


def test_terms_cut_korean_and_thai_into_pairs_and_keep_other_words_whole():
    assert search.terms("기후행동 Gardens") == "기 후 행 동 기후 후행 행동 gardens"
    assert search.terms("ＵＮＥＳＣＯ café") == "unesco cafe"
    assert search.terms("เมือง") == "เม มื ือ อง"
    assert [w.terms for w in search.query_words("기후행동을 garden 숲")] == [
        ("기후", "후행", "행동"),
        ("garden",),
        ("숲",),
    ]
    assert search.query_words("*** 🌱 \"'") == []


# No full scan ------------------------------------------------------------------------------


def _many_offerings(app, count: int) -> None:
    """`count` published offerings with one upcoming session each, the search rows built."""
    with app.app_context():
        partner = Partner(slug="many", name="Many Offerings", kind="ngo", timezone="Asia/Seoul")
        partner.approved = True
        db.session.add(partner)
        theme = Theme(slug="many-theme", name_en="Many", name_ko="많은")
        db.session.add(theme)
        db.session.flush()
        first = db.session.scalar(select(db.func.coalesce(db.func.max(Offering.id), 0))) + 1
        ids = range(first, first + count)
        start = in_days(5)[0]
        words = ["climate", "garden", "digital", "ocean", "energy", "기후", "텃밭", "디지털"]
        connection = db.session.connection()
        connection.execute(
            insert(Offering),
            [
                {
                    "id": i,
                    "partner_id": partner.id,
                    "kind": "course",
                    "status": "published",
                    "title": f"{words[i % 8]} course {i}",
                    "summary": "Learn together in Changwon 창원",
                    "description": "A longer text about sustainable cities.",
                    "language": "ko",
                    "format": "in_person",
                    "capacity": 30,
                    "timezone": "Asia/Seoul",
                    "published_at": start,
                }
                for i in ids
            ],
        )
        connection.execute(
            insert(OfferingSession),
            [
                {
                    "offering_id": i,
                    "uid": f"many-{i}",
                    "starts_at": start + timedelta(hours=i % 500),
                    "ends_at": start + timedelta(hours=i % 500 + 2),
                }
                for i in ids
            ],
        )
        connection.execute(
            insert(offering_theme), [{"offering_id": i, "theme_id": theme.id} for i in ids]
        )
        # A word only ten offerings have: the index, not a scan, must find them.
        connection.execute(
            Offering.__table__.update()
            .where(Offering.id.in_(list(ids)[:10]))
            .values(title="Rare kelp workshop")
        )
        search.rebuild(connection, everything=True)
        if connection.dialect.name == "postgresql":
            connection.execute(text("ANALYZE"))
        db.session.commit()


def test_the_search_index_serves_words_at_ten_thousand_offerings(app, client, count_queries):
    _many_offerings(app, 10_000)
    with count_queries() as statements:
        assert found(client, "kelp") == ["Rare kelp workshop"] * 10
    with app.app_context():
        connection = db.session.connection()
        postgresql = connection.dialect.name == "postgresql"
        # The ranking of every match (the page's own query reads ten offerings by id).
        [ranking] = [s for s in statements if "offering_search" in s and "next_start" in s][:1]
        before = {}
        event.listen(db.engine, "before_cursor_execute", _keep_parameters(before, ranking))
        client.get("/offerings?q=kelp")
        event.remove(db.engine, "before_cursor_execute", _keep_parameters(before, ranking))
        explain = "EXPLAIN " if postgresql else "EXPLAIN QUERY PLAN "
        plan = "\n".join(
            " ".join(str(column) for column in row)
            for row in connection.exec_driver_sql(explain + ranking, before["parameters"])
        )
        db.session.rollback()
    if postgresql:
        assert search.PG_INDEX in plan, plan
        assert "Seq Scan on offering_search" not in plan, plan
        assert not re.search(r"Seq Scan on offering\b(?!_)", plan), plan
    else:
        assert f"SCAN {search.FTS_TABLE} VIRTUAL TABLE INDEX" in plan, plan
        assert not re.search(r"SCAN offering\b(?!_)", plan), plan


_KEEPERS = {}


def _keep_parameters(into: dict, wanted: str):
    """A listener (the same one for the same dict) keeping the parameters `wanted` ran with."""

    def keep(_conn, _cursor, statement, parameters, *_args) -> None:
        if statement == wanted:
            into["parameters"] = parameters

    return _KEEPERS.setdefault(id(into), keep)


@pytest.mark.parametrize("path", ["/offerings?q=Bulk", "/offerings?q=Bulk+기후&sort=date"])
def test_a_search_runs_as_many_statements_for_five_offerings_as_for_two_hundred(
    app, client, count_queries, make_partner, path
):
    partner = make_partner()
    _bulk_offerings(app, partner, 5)
    small = statements_for(client, count_queries, path)
    _bulk_offerings(app, partner, 195)
    assert statements_for(client, count_queries, path) == small <= 7
