"""A chart's data, drawn three ways from the same rows: a Vega-Lite specification for the browser, an SVG
drawn here for pages without JavaScript and for the PDF, and a table (and its CSV) for everyone.

A chart's rows are ``(x, series, value)``; a chart of one series has the series "". The table has one row
per x and one column per series, in the order the rows first give them.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal
from xml.sax.saxutils import escape

# Colours with at least 3:1 contrast against white (WCAG 2.2, 1.4.11), from GOV.UK's palette; neighbours
# differ in lightness as well as hue.
PALETTE = (
    "#1d70b8", "#d4351c", "#00703c", "#4c2c92", "#a5620a", "#d53880", "#505a5f", "#28a197",
)  # fmt: skip
MAX_SERIES = len(PALETTE)
OTHER = "Other"

Kind = Literal["line", "bar", "stacked"]


@dataclass
class Chart:
    slug: str
    title: str
    description: str
    kind: Kind
    x_label: str
    y_label: str
    rows: list[tuple[str, str, float]] = field(default_factory=list)
    percent: bool = False  # values are percentages, 0 to 100

    @property
    def xs(self) -> list[str]:
        return list(dict.fromkeys(x for x, _, _ in self.rows))

    @property
    def series(self) -> list[str]:
        return list(dict.fromkeys(s for _, s, _ in self.rows))

    def table(self) -> tuple[list[str], list[list[str]]]:
        """The table's header and rows: x, then each series' value (blank where a series has none)."""
        values = {(x, s): v for x, s, v in self.rows}
        series = self.series
        header = [self.x_label] + [s or self.y_label for s in series]
        body = [[x] + [_number(values[(x, s)], self.percent) if (x, s) in values else "" for s in series]
                for x in self.xs]  # fmt: skip
        return header, body

    def csv(self) -> str:
        header, body = self.table()
        return csv_text([header, *body])

    def vega_lite(self) -> dict[str, Any]:
        """The specification vega-embed draws, with the same rows as the table."""
        series = self.series
        several = len(series) > 1 or (series and series[0] != "")
        y: dict[str, Any] = {"field": "value", "type": "quantitative", "title": self.y_label}
        if self.percent:
            y["scale"] = {"domain": [0, 100]}
        if self.kind == "stacked":
            y["stack"] = "zero"
        elif self.kind == "bar":
            y["stack"] = None
        encoding: dict[str, Any] = {
            "x": {"field": "x", "type": "ordinal", "title": self.x_label, "sort": self.xs,
                  "axis": {"labelAngle": -40 if len(self.xs) > 8 else 0, "labelLimit": 140}},
            "y": y,
            "tooltip": [{"field": "x", "title": self.x_label}, {"field": "series", "title": "Series"},
                        {"field": "value", "title": self.y_label}],
        }  # fmt: skip
        if several:
            encoding["color"] = {
                "field": "series", "type": "nominal", "title": None, "sort": series,
                "scale": {"domain": series, "range": list(PALETTE[: len(series)])},
                "legend": {"orient": "bottom", "columns": 3},
            }  # fmt: skip
        else:
            encoding["color"] = {"value": PALETTE[0]}
        if self.kind == "bar" and several:
            encoding["xOffset"] = {"field": "series", "sort": series}
        mark: dict[str, Any] = {"type": "line", "point": True} if self.kind == "line" else {"type": "bar"}
        return {
            "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
            "description": self.description,
            "width": "container",
            "height": 260,
            "data": {"values": [{"x": x, "series": s or self.y_label, "value": v} for x, s, v in self.rows]},
            "mark": mark,
            "encoding": encoding,
            "config": {"font": "Arial, sans-serif", "legend": {"labelColor": "#0b0c0c"},
                       "axis": {"labelColor": "#0b0c0c", "titleColor": "#0b0c0c"}},
        }  # fmt: skip

    def svg(self, width: int = 640, height: int = 300) -> str:
        return _svg(self, width, height)


def top_series(rows: list[tuple[str, str, float]], keep: int = MAX_SERIES) -> list[tuple[str, str, float]]:
    """The ``keep - 1`` largest series by their total, and the rest summed as "Other"."""
    totals: dict[str, float] = {}
    for _, s, v in rows:
        totals[s] = totals.get(s, 0) + v
    if len(totals) <= keep:
        return rows
    kept = set(sorted(totals, key=lambda s: (-totals[s], s))[: keep - 1])
    merged: dict[tuple[str, str], float] = {}
    for x, s, v in rows:
        key = (x, s if s in kept else OTHER)
        merged[key] = merged.get(key, 0) + v
    return [(x, s, v) for (x, s), v in merged.items()]


def csv_text(rows: Iterable[list[str]]) -> str:
    """Rows as CSV for a download, each cell made inert (``_inert``)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([[_inert(cell) for cell in row] for row in rows])
    return out.getvalue()


def _inert(cell: str) -> str:
    """A cell a spreadsheet will not run: a platform's name is what a partner sent, and one beginning with
    ``=``, ``+``, ``-``, ``@`` or a control character would be read as a formula (OWASP's CSV injection)."""
    return "'" + cell if cell[:1] in {"=", "+", "-", "@", "\t", "\r"} else cell


def _number(value: float, percent: bool) -> str:
    if percent:
        return f"{value:.1f}"
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def _nice_top(value: float) -> tuple[float, float]:
    """A round top for the y axis and its step, so that the axis has four or five labelled ticks."""
    if value <= 0:
        return 1.0, 0.25
    raw = value / 4
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    return step * math.ceil(value / step), step


def _svg(chart: Chart, width: int, height: int) -> str:
    drawing = _Drawing(chart, width, height)
    return "".join(drawing.draw())


class _Drawing:
    """The SVG of one chart: axes and grid, then lines or bars, then the legend."""

    def __init__(self, chart: Chart, width: int, height: int) -> None:
        self.chart, self.width, self.height = chart, width, height
        self.xs, self.series = chart.xs, chart.series
        self.values = {(x, s): v for x, s, v in chart.rows}
        rows_of_legend = math.ceil(len(self.series) / 3) if len(self.series) > 1 else 0
        self.left, self.top, self.legend_h = 56, 12, 22 * rows_of_legend
        bottom = 64 if len(self.xs) > 8 else 40
        self.plot_w = width - self.left - 12
        self.plot_h = height - self.top - bottom - self.legend_h
        self.band = self.plot_w / max(len(self.xs), 1)
        self.colour = {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(self.series)}
        if chart.percent:
            self.y_top, self.step = 100.0, 25.0
        else:
            self.y_top, self.step = _nice_top(self._highest())

    def _highest(self) -> float:
        if self.chart.kind == "stacked":
            return max((sum(self.values.get((x, s), 0) for s in self.series) for x in self.xs), default=0)
        return max((v for _, _, v in self.chart.rows), default=0)

    def y_of(self, v: float) -> float:
        return self.top + self.plot_h - (v / self.y_top) * self.plot_h

    def draw(self) -> list[str]:
        chart, ids = self.chart, f"svg-{self.chart.slug}"
        out = [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {self.width} {self.height}" '
            f'width="{self.width}" height="{self.height}" role="img" aria-labelledby="{ids}-t {ids}-d" '
            'class="haven-chart__svg" font-family="Arial, sans-serif" font-size="12">',
            f'<title id="{ids}-t">{escape(chart.title)}</title>',
            f'<desc id="{ids}-d">{escape(chart.description)}</desc>',
        ]
        out += self.grid()
        out += self.x_labels()
        out += self.lines() if chart.kind == "line" else self.bars()
        out += self.legend()
        out.append("</svg>")
        return out

    def grid(self) -> list[str]:
        out, tick, right = [], 0.0, self.left + self.plot_w
        while tick <= self.y_top + 1e-9:
            y = self.y_of(tick)
            label = _number(tick, False) + ("%" if self.chart.percent else "")
            out.append(f'<line x1="{self.left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#b1b4b6"/>')
            out.append(
                f'<text x="{self.left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#0b0c0c">{label}</text>'
            )
            tick += self.step
        base, middle = self.top + self.plot_h, self.top + self.plot_h / 2
        out.append(f'<line x1="{self.left}" x2="{right}" y1="{base}" y2="{base}" stroke="#0b0c0c"/>')
        out.append(
            f'<text x="14" y="{middle:.1f}" text-anchor="middle" fill="#0b0c0c" '
            f'transform="rotate(-90 14 {middle:.1f})">{escape(self.chart.y_label)}</text>'
        )
        return out

    def x_labels(self) -> list[str]:
        out, slanted = [], len(self.xs) > 8
        every = max(1, math.ceil(len(self.xs) / 16))
        for i, x in enumerate(self.xs):
            if i % every:
                continue
            cx, ly = self.left + self.band * (i + 0.5), self.top + self.plot_h + 16
            turn = f' transform="rotate(-40 {cx:.1f} {ly:.1f})"' if slanted else ""
            anchor = "end" if slanted else "middle"
            out.append(
                f'<text x="{cx:.1f}" y="{ly:.1f}" text-anchor="{anchor}" fill="#0b0c0c"{turn}>'
                f"{escape(x[:20])}</text>"
            )
        return out

    def lines(self) -> list[str]:
        out = []
        for s in self.series:
            points = [
                (self.left + self.band * (i + 0.5), self.y_of(self.values[(x, s)]))
                for i, x in enumerate(self.xs)
                if (x, s) in self.values
            ]
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            out.append(f'<polyline points="{path}" fill="none" stroke="{self.colour[s]}" stroke-width="2"/>')
            out.extend(
                f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2.5" fill="{self.colour[s]}"/>' for px, py in points
            )
        return out

    def bars(self) -> list[str]:
        out, inner, stacked = [], self.band * 0.8, self.chart.kind == "stacked"
        for i, x in enumerate(self.xs):
            x0, base = self.left + self.band * i + self.band * 0.1, 0.0
            for j, s in enumerate(self.series):
                v = self.values.get((x, s), 0)
                if stacked:
                    y0, y1, bx, bw = self.y_of(base + v), self.y_of(base), x0, inner
                    base += v
                else:
                    bw = inner / len(self.series)
                    y0, y1, bx = self.y_of(v), self.y_of(0), x0 + bw * j
                if y1 - y0 > 0:
                    out.append(
                        f'<rect x="{bx:.1f}" y="{y0:.1f}" width="{bw:.1f}" height="{y1 - y0:.1f}" '
                        f'fill="{self.colour[s]}"/>'
                    )
        return out

    def legend(self) -> list[str]:
        if len(self.series) < 2:
            return []
        out = []
        for i, s in enumerate(self.series):
            lx = self.left + (i % 3) * (self.plot_w / 3)
            ly = self.height - self.legend_h + 16 + 22 * (i // 3)
            out.append(
                f'<rect x="{lx:.1f}" y="{ly - 10:.1f}" width="12" height="12" fill="{self.colour[s]}"/>'
            )
            out.append(f'<text x="{lx + 18:.1f}" y="{ly:.1f}" fill="#0b0c0c">{escape(s[:40])}</text>')
        return out
