"""A chart's three drawings agree: the table and CSV hold exactly the rows the Vega-Lite specification and
the SVG are drawn from, and every colour is readable on white."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

from haven.insights.charts import OTHER, PALETTE, Chart, top_series

ROWS = [
    ("w/c 05 Jan 2026", "Industry", 120.0), ("w/c 05 Jan 2026", "Public", 7.0),
    ("w/c 12 Jan 2026", "Industry", 131.0), ("w/c 12 Jan 2026", "Public", 4.0),
    ("w/c 19 Jan 2026", "Industry", 98.0),
]  # fmt: skip


def contrast_on_white(colour: str) -> float:
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(int(colour[i : i + 2], 16) / 255) for i in (1, 3, 5))
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)


def test_the_table_csv_and_specification_hold_the_same_rows() -> None:
    chart = Chart("by-source", "Reports by source", "Reports by source.", "line", "Period", "Reports", ROWS)
    header, body = chart.table()
    assert header == ["Period", "Industry", "Public"]
    # A week without public reports has a blank cell, not a made-up zero.
    assert body == [
        ["w/c 05 Jan 2026", "120", "7"],
        ["w/c 12 Jan 2026", "131", "4"],
        ["w/c 19 Jan 2026", "98", ""],
    ]
    assert list(csv.reader(io.StringIO(chart.csv()))) == [header, *body]
    spec = chart.vega_lite()
    assert [(v["x"], v["series"], v["value"]) for v in spec["data"]["values"]] == ROWS
    assert spec["encoding"]["color"]["scale"]["domain"] == ["Industry", "Public"]
    assert spec["encoding"]["x"]["sort"] == [x for x, _ in dict.fromkeys((x, 0) for x, _, _ in ROWS)]


def test_the_svg_draws_every_point_and_is_labelled() -> None:
    chart = Chart("by-source", "Reports by source", "Reports by source.", "line", "Period", "Reports", ROWS)
    svg = ET.fromstring(  # noqa: S314  (our own SVG)
        chart.svg()
    )
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert svg.get("role") == "img" and svg.find("s:title", ns).text == "Reports by source"  # type: ignore[union-attr]
    assert len(svg.findall("s:polyline", ns)) == 2
    assert len(svg.findall("s:circle", ns)) == len(ROWS)
    bars = Chart("types", "Types", "Types.", "stacked", "Period", "Reports", ROWS)
    rects = ET.fromstring(  # noqa: S314  (our own SVG)
        bars.svg()
    ).findall("s:rect", ns)
    assert len(rects) == len(ROWS) + 2  # a bar per value, and the legend's two swatches
    # Each stack is as tall as its week's total: 127, 135 and 98.
    h = [float(r.get("height", 0)) for r in rects[: len(ROWS)]]
    stacks = [h[0] + h[1], h[2] + h[3], h[4]]
    assert abs(stacks[1] / stacks[0] - 135 / 127) < 0.01 and abs(stacks[2] / stacks[1] - 98 / 135) < 0.01


def test_every_colour_has_three_to_one_contrast_on_white() -> None:
    assert all(contrast_on_white(c) >= 3.0 for c in PALETTE)
    assert contrast_on_white("#f47738") < 3.0  # the check can fail: GOV.UK orange does not pass


def test_more_series_than_colours_fold_into_other() -> None:
    rows = [("x", f"series {n}", float(n)) for n in range(12)]
    folded = top_series(rows)
    names = {s for _, s, _ in folded}
    assert len(names) == len(PALETTE) and OTHER in names
    assert sum(v for _, _, v in folded) == sum(v for _, _, v in rows)
    assert "series 11" in names and "series 0" not in names


def test_a_name_that_looks_like_a_formula_is_inert_in_the_csv() -> None:
    rows = [('=HYPERLINK("http://example.com")', "", 3.0), ("@SUM(A1)", "", 2.0), ("ExampleChat", "", 1.0)]
    chart = Chart("platforms", "Platforms", "Reports by platform.", "bar", "Platform", "Reports", rows)
    cells = [row[0] for row in csv.reader(io.StringIO(chart.csv()))][1:]
    assert cells == ['\'=HYPERLINK("http://example.com")', "'@SUM(A1)", "ExampleChat"]
    assert chart.table()[1][0][0] == rows[0][0]  # the page shows the name as it is, escaped as HTML
