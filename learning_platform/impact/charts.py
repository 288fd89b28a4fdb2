"""Charts drawn on the server as accessible SVG: pure functions from numbers to markup.

Each chart is an `<svg role="img">` whose `<title>` and `<desc>` name it (aria-labelledby),
scales to its container's width (viewBox), labels its values on the bars, and tells its series
apart by lightness and pattern as well as hue (it survives greyscale printing). Text is
escaped; numbers are formatted for the reader's locale. Pair every chart with `data_table`
holding the same numbers: screen readers read the table, not the drawing.

    column_chart("registrations", title, description, ["1 Jul", "8 Jul"],
                 [Series("Confirmed", [3, 5]), Series("Waitlisted", [0, 2])])
    bar_chart("themes", title, description, [Bar("Climate action", 4), Bar("Oceans", 1)])
    meter("attendance", title, 0.82)
    data_table(caption, ["Week", "Confirmed"], [["1 Jul", "3"]])

No JavaScript, no external assets: the markup goes into the page as is (strict CSP).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flask_babel import format_decimal, format_percent
from markupsafe import Markup, escape

#: Fills, darkest first, and the pattern laid over each (None: plain). Dark, then a hatched
#: middle tone, then a dotted light one: apart in lightness and texture, not only in hue.
PALETTE = (
    ("#1d4e89", None),
    ("#e3a33a", "hatch"),
    ("#d5dde5", "dots"),
    ("#5b8c3a", "cross"),
)
INK = "#1f2933"
MUTED = "#52606d"
GRID = "#cbd2d9"
OUTLINE = "#1f2933"
WIDTH = 360
FONT = 15
#: The drawing's own fonts, for renderers that do not pass the page's CSS into the SVG (the
#: PDF's WeasyPrint): the families with Korean, Thai and Latin glyphs (learning_platform.pdf).
#: On the page, the stylesheet's `font-family: inherit` wins over this attribute.
FONT_FAMILY = (
    "'Noto Sans CJK KR', 'NanumGothic', 'Noto Sans Thai', 'Loma', 'Noto Sans', 'DejaVu Sans',"
    " sans-serif"
)


@dataclass(frozen=True)
class Series:
    """One stacked series of a column chart: a name and one value per column."""

    label: str
    values: Sequence[float]


@dataclass(frozen=True)
class Bar:
    """One bar: its label, value, and the text written at its end (default: the value)."""

    label: str
    value: float
    text: str = ""


def _number(value: float) -> str:
    return format_decimal(value, format="#,##0.#")


def _nice_max(value: float) -> float:
    """A round top for an axis at or above `value` (1, 2, 2.5, 5 × 10ⁿ)."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power  # pragma: no cover - the loop always returns


def _text_width(text: str, size: float = FONT) -> float:
    """The rough width of `text` at `size`: wide (CJK) characters are a full em."""
    return sum(size if unicodedata.east_asian_width(char) in "WF" else size * 0.56 for char in text)


def _fit(text: str, width: float, size: float = FONT) -> str:
    """`text`, shortened with an ellipsis to fit `width`."""
    if _text_width(text, size) <= width:
        return text
    while text and _text_width(text + "…", size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _defs(chart_id: str) -> str:
    patterns = []
    for index, (colour, pattern) in enumerate(PALETTE):
        if pattern is None:
            continue
        mark = {
            "hatch": f'<path d="M0 0L0 6" stroke="{INK}" stroke-width="1.6"/>',
            "dots": f'<circle cx="3" cy="3" r="1.1" fill="{INK}"/>',
            "cross": '<path d="M0 0L0 6M0 0L6 0" stroke="#ffffff" stroke-width="1.4"/>',
        }[pattern]
        patterns.append(
            f'<pattern id="{chart_id}-fill{index}" width="6" height="6" '
            f'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
            f'<rect width="6" height="6" fill="{colour}"/>{mark}</pattern>'
        )
    return f"<defs>{''.join(patterns)}</defs>" if patterns else ""


def _fill(chart_id: str, index: int) -> str:
    colour, pattern = PALETTE[index % len(PALETTE)]
    return f"url(#{chart_id}-fill{index % len(PALETTE)})" if pattern else colour


def _open(chart_id: str, title: str, description: str, height: float, class_: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart__svg {class_}" role="img" '
        f'viewBox="0 0 {WIDTH} {height:.0f}" font-family="{FONT_FAMILY}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
    )


def _legend(chart_id: str, labels: Sequence[str], y: float) -> str:
    parts, x = [], 0.0
    for index, label in enumerate(labels):
        parts.append(
            f'<rect x="{x:.1f}" y="{y - 11:.1f}" width="14" height="14" fill="{_fill(chart_id, index)}" '
            f'stroke="{OUTLINE}" stroke-width="1"/>'
            f'<text x="{x + 20:.1f}" y="{y:.1f}" font-size="{FONT - 1}" fill="{INK}">{escape(label)}</text>'
        )
        x += 20 + _text_width(label, FONT - 1) + 18
    return "".join(parts)


def column_chart(
    chart_id: str,
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    number: Callable[[float], str] = _number,
) -> Markup:
    """Columns over time (one per label), each stacking the `series` values; the total is
    written above each column when there is room. `chart_id` must be unique in the page."""
    count = max(len(labels), 1)
    totals = [sum(s.values[i] for s in series) for i in range(len(labels))]
    top_value = _nice_max(max(totals, default=0))
    ticks = [top_value * step / 2 for step in range(3)]
    # The axis in plain numbers ("200", "100", "0"); the values on the columns carry the unit.
    widest_tick = max(_text_width(_number(tick), FONT - 2) for tick in ticks)
    left, right, top, bottom = max(30, widest_tick + 10), 6, 40 if len(series) > 1 else 16, 34
    plot_height = 200
    height = top + plot_height + bottom
    plot_width = WIDTH - left - right
    slot = plot_width / count
    column = max(min(slot * 0.7, 48), 2)
    scale = plot_height / top_value
    base = top + plot_height
    parts = [_open(chart_id, title, description, height, "chart__svg--columns"), _defs(chart_id)]
    if len(series) > 1:
        parts.append(_legend(chart_id, [s.label for s in series], 16))
    for value in ticks:
        y = base - value * scale
        parts.append(
            f'<line x1="{left:.1f}" x2="{WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{left - 6:.1f}" y="{y + 4:.1f}" font-size="{FONT - 2}" fill="{MUTED}" text-anchor="end">{escape(_number(value))}</text>'
        )
    widest = max((_text_width(label, FONT - 2) for label in labels), default=0)
    every = max(math.ceil((widest + 6) / slot), 1)
    for index, label in enumerate(labels):
        x = left + slot * index + (slot - column) / 2
        y = base
        pieces = []
        for number_of_series, one in enumerate(series):
            value = one.values[index]
            if value <= 0:
                continue
            height_of = value * scale
            y -= height_of
            pieces.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{column:.1f}" height="{height_of:.1f}" '
                f'fill="{_fill(chart_id, number_of_series)}" stroke="{OUTLINE}" stroke-width="0.8">'
                f"<title>{escape(label)} · {escape(one.label)}: {escape(number(value))}</title></rect>"
            )
        parts.append(f"<g>{''.join(pieces)}</g>")
        middle = x + column / 2
        if totals[index] > 0 and slot >= 18:
            parts.append(
                f'<text x="{middle:.1f}" y="{y - 5:.1f}" font-size="{FONT - 2}" fill="{INK}" '
                f'text-anchor="middle" font-weight="600">{escape(number(totals[index]))}</text>'
            )
        if index % every == 0:
            parts.append(
                f'<text x="{middle:.1f}" y="{base + 20:.1f}" font-size="{FONT - 2}" fill="{MUTED}" '
                f'text-anchor="middle">{escape(_fit(label, slot * every - 2, FONT - 2))}</text>'
            )
    parts.append(
        f'<line x1="{left:.1f}" x2="{WIDTH - right}" y1="{base}" y2="{base}" stroke="{INK}" stroke-width="1"/>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_chart(
    chart_id: str,
    title: str,
    description: str,
    bars: Sequence[Bar],
    *,
    maximum: float | None = None,
    number: Callable[[float], str] = _number,
) -> Markup:
    """Horizontal bars, one per row, its label above it (shortened to fit, the full label in
    the bar's `<title>`) and its value at its end. `maximum` fixes the scale (1 for rates)."""
    row = 46
    height = max(len(bars), 1) * row + 4
    top_value = (
        maximum if maximum is not None else _nice_max(max((b.value for b in bars), default=0))
    )
    room = WIDTH - 4
    parts = [_open(chart_id, title, description, height, "chart__svg--bars")]
    for index, bar in enumerate(bars):
        y = index * row
        length = max(min(bar.value / top_value, 1.0) * room, 0) if top_value else 0
        text = bar.text or number(bar.value)
        parts.append(
            f"<g><title>{escape(bar.label)}: {escape(text)}</title>"
            f'<text x="0" y="{y + 16}" font-size="{FONT}" fill="{INK}">{escape(_fit(bar.label, WIDTH - 4))}</text>'
            f'<rect x="0" y="{y + 23}" width="{room}" height="16" fill="#eef2f6"/>'
            f'<rect x="0" y="{y + 23}" width="{length:.1f}" height="16" fill="{PALETTE[0][0]}"/>'
            f"{_bar_value(text, length, room, y + 36)}"
            "</g>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _bar_value(text: str, length: float, room: float, y: float) -> str:
    """The value after the bar's end, or inside it (white on the dark fill) when it is long."""
    width = _text_width(text, FONT - 1)
    if length + 6 + width <= room:
        x, anchor, colour = length + 6, "start", INK
    else:
        x, anchor, colour = max(length - 6, width + 4), "end", "#ffffff"
    return (
        f'<text x="{x:.1f}" y="{y}" font-size="{FONT - 1}" fill="{colour}" font-weight="600" '
        f'text-anchor="{anchor}">{escape(text)}</text>'
    )


def meter(chart_id: str, title: str, fraction: float, *, description: str = "") -> Markup:
    """One percentage as a filled bar out of 100 %, the percentage written beside it."""
    fraction = min(max(fraction, 0.0), 1.0)
    text = format_percent(fraction)
    room = WIDTH - 64
    parts = [
        _open(chart_id, title, description or f"{title}: {text}", 28, "chart__svg--meter"),
        f'<rect x="0" y="4" width="{room}" height="20" fill="#eef2f6" stroke="{OUTLINE}" stroke-width="0.8"/>',
        f'<rect x="0" y="4" width="{fraction * room:.1f}" height="20" fill="{PALETTE[0][0]}"/>',
        f'<text x="{room + 8}" y="20" font-size="{FONT + 1}" fill="{INK}" font-weight="700">{escape(text)}</text>',
        "</svg>",
    ]
    return Markup("".join(parts))


def data_table(caption: str, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> Markup:
    """The chart's numbers as a table: the first cell of each row is its header."""
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headers)
    body = []
    for cells in rows:
        first, *rest = cells
        tds = "".join(
            f'<td data-label="{escape(h)}">{escape(c)}</td>'
            for h, c in zip(headers[1:], rest, strict=False)
        )
        body.append(f'<tr><th scope="row">{escape(first)}</th>{tds}</tr>')
    return Markup(
        f'<table class="chart-table table--cards"><caption>{escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )
