"""The SVG charts: well-formed, named for screen readers, values written, text escaped."""

import xml.etree.ElementTree as ET

import pytest

from learning_platform.impact.charts import Bar, Series, bar_chart, column_chart, data_table, meter

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def request_context(app):
    with app.test_request_context():
        yield


def parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))


def texts(svg: ET.Element) -> list[str]:
    return [element.text for element in svg.iter(f"{SVG}text")]


def test_a_column_chart_is_an_image_named_by_its_title_and_description(request_context):
    svg = parse(
        column_chart(
            "reg",
            "Registrations per week",
            "Three weeks of registrations.",
            ["1 Jul", "8 Jul", "15 Jul"],
            [Series("Confirmed", [3, 0, 12]), Series("Waitlisted", [1, 0, 2])],
        )
    )
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "reg-title reg-desc"
    assert svg.find(f"{SVG}title").get("id") == "reg-title"
    assert svg.find(f"{SVG}title").text == "Registrations per week"
    assert svg.find(f"{SVG}desc").text == "Three weeks of registrations."
    assert svg.get("viewBox").startswith("0 0 ")
    assert "width" not in svg.attrib  # it scales to its container
    written = texts(svg)
    assert "4" in written and "14" in written  # the column totals, on the columns
    assert "Confirmed" in written and "Waitlisted" in written  # the legend
    # The second series is patterned, not only another hue (it survives greyscale).
    assert svg.find(f"{SVG}defs/{SVG}pattern") is not None


def test_a_bar_chart_writes_each_value_and_keeps_long_labels_whole_in_a_title(request_context):
    long = "Climate Action Citizens' School: ten weeks reading Changwon's carbon-neutral plan"
    svg = parse(
        bar_chart("themes", "By theme", "Offerings by theme.", [Bar(long, 4), Bar("Oceans", 1234)])
    )
    written = texts(svg)
    assert "4" in written and "1,234" in written
    assert any(text.endswith("…") for text in written)  # shortened on the drawing
    assert f"{long}: 4" in [title.text for title in svg.iter(f"{SVG}title")]


def test_labels_and_titles_are_escaped(request_context):
    markup = bar_chart(
        "x", "<b>Title</b>", 'A "quoted" & <i>desc</i>', [Bar("<script>alert(1)</script>", 2)]
    )
    assert "<script>" not in str(markup) and "<b>" not in str(markup)
    svg = parse(markup)  # still well-formed
    assert svg.find(f"{SVG}title").text == "<b>Title</b>"
    assert "<script>alert(1)</script>" in texts(svg)


def test_numbers_follow_the_locale(app):
    with app.test_request_context(headers={"Accept-Language": "ko"}):
        svg = parse(meter("m", "Fill", 0.5))
    assert any("50" in text and "%" in text for text in texts(svg))


def test_a_meter_is_clamped_to_zero_and_one_hundred_percent(request_context):
    assert "100%" in texts(parse(meter("m", "Fill", 1.7)))
    assert "0%" in texts(parse(meter("m", "Fill", -1)))


def test_the_data_table_heads_each_row_and_escapes_cells(request_context):
    table = parse(data_table("By theme", ["Theme", "Offerings"], [["<script>", "3"]]))
    assert table.find("caption").text == "By theme"
    assert [th.get("scope") for th in table.iter("th")] == ["col", "col", "row"]
    assert table.find("tbody/tr/th").text == "<script>"
    assert table.find("tbody/tr/td").text == "3"


def test_hours_are_whole_where_whole_and_carry_their_unit(app):
    from flask_babel import force_locale

    from learning_platform.impact.dashboard import hours, hours_number

    with app.test_request_context():
        assert [hours(142.0), hours(53.5), hours(1234.04)] == ["142 h", "53.5 h", "1,234 h"]
        assert hours_number(7.0) == "7"
        with force_locale("ko"):
            assert hours(142.0) == "142시간"


def test_an_hours_axis_is_in_whole_numbers(request_context):
    from learning_platform.impact.dashboard import hours

    svg = parse(
        column_chart(
            "h",
            "Hours",
            "Per month",
            ["Oct", "Nov"],
            [Series("Hours", [114.0, 28.0])],
            number=hours,
        )
    )
    labels = texts(svg)
    assert {"200", "100", "0"} <= set(labels)  # the axis: no "200.0"
    assert "114 h" in labels and "28 h" in labels  # the columns: with the unit
    assert not [label for label in labels if label.endswith(".0")]
