"""The header folds into one row on a phone, and wide tables read as cards there."""

from html.parser import HTMLParser

import pytest

from tests.test_workspace import in_days


class Tables(HTMLParser):
    """Each table.table--cards on a page: its column headings and, per row, each cell's
    (data-label, class) pair."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tables: list[dict] = []
        self._heading: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "table--cards" in (attrs.get("class") or ""):
            self.tables.append({"headings": [], "rows": []})
        elif not self.tables:
            return
        elif tag == "th":
            self._heading = []
        elif tag == "tr":
            self.tables[-1]["rows"].append([])
        elif tag == "td":
            self.tables[-1]["rows"][-1].append((attrs.get("data-label"), attrs.get("class")))

    def handle_endtag(self, tag):
        if tag == "th" and self._heading is not None:
            self.tables[-1]["headings"].append(" ".join("".join(self._heading).split()))
            self._heading = None

    def handle_data(self, data):
        if self._heading is not None:
            self._heading.append(data)


def card_tables(client, path: str) -> list[dict]:
    response = client.get(path)
    assert response.status_code == 200
    return Tables(response.get_data(as_text=True)).tables


def assert_every_cell_is_labelled_by_its_column(table: dict, unlabelled: set[int]) -> None:
    rows = [row for row in table["rows"] if row]  # the heading row has no td
    assert rows
    for row in rows:
        assert len(row) == len(table["headings"])
        for column, (label, _class) in enumerate(row):
            if column in unlabelled:
                assert label is None
            else:
                assert label == table["headings"][column]


@pytest.fixture
def busy_offering(organizer, make_offering, make_person, register):
    _person, partner = organizer
    offering = make_offering(partner, status="published", sessions=[in_days(5)], capacity=1)
    register(offering, make_person(name="민지"))
    register(offering, make_person(name="Waiting"), status="waitlisted")
    return offering


def test_workspace_tables_label_every_cell_with_its_column(client, organizer, busy_offering):
    _person, partner = organizer
    [offerings] = card_tables(client, f"/workspace/{partner.slug}/?tab=published")
    assert_every_cell_is_labelled_by_its_column(offerings, unlabelled={0})

    [attendees] = card_tables(client, f"/workspace/offerings/{busy_offering.id}/attendees")
    assert_every_cell_is_labelled_by_its_column(attendees, unlabelled={0, 1})
    assert all(row[1][1] == "cell--sub" for row in attendees["rows"] if row)  # the email


def test_admin_tables_label_every_cell_with_its_column(client, login, make_person, make_partner):
    partner = make_partner(approved=False, members=[make_person()])
    login(make_person(admin=True))
    [partners] = card_tables(client, "/admin/partners/")
    assert_every_cell_is_labelled_by_its_column(partners, unlabelled={0, 4})

    [members] = card_tables(client, f"/workspace/{partner.slug}/members/")
    assert_every_cell_is_labelled_by_its_column(members, unlabelled={0, 1, 3})


@pytest.mark.parametrize("language, menu", [("en", "Menu"), ("ko", "메뉴")])
def test_the_header_folds_its_links_and_languages_behind_a_menu(
    client, login, make_person, language, menu
):
    def header(page: str) -> str:
        return page.split('<header class="site-header">', 1)[1].split("</header>", 1)[0]

    client.submit("/language", {"language": language, "next": "/"})
    for logged_in in (False, True):
        if logged_in:
            login(make_person(language=language))
        html = header(client.get("/").get_data(as_text=True))
        folded = html.split('<details class="site-menu">', 1)[1]
        assert folded.startswith(f'\n        <summary class="site-menu__toggle">{menu}</summary>')
        assert '<nav class="site-nav"' in folded  # every link, and the languages, behind it
        assert 'class="language-switch"' in folded
        assert ("/logout" in folded) is logged_in
        assert "<script" not in html  # a <details> opens without script
