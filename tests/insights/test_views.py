"""The dashboards for staff with insights.view: every chart's table matches the data it is drawn from,
filters are checked, downloads match the page, and each view is audited. The monthly PDF has its figures."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zlib
from collections.abc import Callable
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from haven.accounts.models import User
from haven.audit.models import AuditEntry
from haven.insights.models import ReportDay
from haven.insights.queries import DASHBOARDS, Filters

pytestmark = pytest.mark.django_db


class Tables(HTMLParser):
    """Each chart's data table, by the chart it is for: its rows of cell text."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.current: str | None = None
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        chart = found.get("data-table-for")
        if tag == "table" and chart:
            self.current = chart
            self.tables[chart] = []
        elif self.current and tag == "tr":
            self.tables[self.current].append([])
        elif self.current and tag in {"td", "th"}:
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.current = None
        elif self.current and tag in {"td", "th"} and self.cell is not None:
            self.tables[self.current][-1].append("".join(self.cell).strip())
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def specs(html: str) -> dict[str, dict[str, object]]:
    found = re.findall(r'<script id="spec-([\w-]+)" type="application/json">(.*?)</script>', html, re.S)
    return {slug: json.loads(body) for slug, body in found}


def table_from_spec(spec: dict[str, object]) -> list[list[str]]:
    """The table a reader should see, worked out from the specification's own data."""
    values = spec["data"]["values"]  # type: ignore[index]
    xs = list(dict.fromkeys(v["x"] for v in values))
    series = list(dict.fromkeys(v["series"] for v in values))
    cell = {(v["x"], v["series"]): v["value"] for v in values}
    percent = "domain" in spec["encoding"]["y"].get("scale", {})  # type: ignore[index]

    def show(value: float) -> str:
        if percent:
            return f"{value:.1f}"
        return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"

    return [[x] + [show(cell[(x, s)]) if (x, s) in cell else "" for s in series] for x in xs]


@pytest.mark.parametrize("slug", [*DASHBOARDS, "trends"])
def test_every_chart_table_matches_its_data(
    slug: str, history: date, analyst: User, sign_in: Callable[..., Client]
) -> None:
    url = reverse("insights:trends") if slug == "trends" else reverse("insights:dashboard", args=[slug])
    page = sign_in(analyst).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    drawn, parser = specs(html), Tables()
    parser.feed(html)
    assert drawn, f"{slug}: no charts"
    assert set(drawn) == set(parser.tables)
    for chart, spec in drawn.items():
        _, *body = parser.tables[chart]
        if body == [["Nothing in this range."]]:
            body = []
        assert body == table_from_spec(spec), chart
    assert AuditEntry.objects.filter(
        action="insights.trends" if slug == "trends" else "insights.view"
    ).exists()


def test_the_reports_headline_is_the_summaries_total(
    history: date, analyst: User, sign_in: Callable[..., Client]
) -> None:
    filters = Filters.default(history)
    page = sign_in(analyst).get(reverse("insights:dashboard", args=["reports"]), filters.query())
    expected = ReportDay.objects.filter(day__gte=filters.start).aggregate(n=Sum("reports"))["n"]
    assert expected > 3000  # the history and its rise
    assert f'data-headline="Reports received">{expected:,}<' in page.content.decode()


def test_a_platform_filter_narrows_every_figure(
    history: date, analyst: User, sign_in: Callable[..., Client]
) -> None:
    client = sign_in(analyst)
    whole = client.get(reverse("insights:csv", args=["reports", "reports-by-type"])).content.decode()
    one = client.get(
        reverse("insights:csv", args=["reports", "reports-by-type"]), {"platform": "ExampleGames"}
    )
    assert one.status_code == 200 and one["Content-Type"].startswith("text/csv")
    total = ReportDay.objects.filter(platform="ExampleGames").aggregate(n=Sum("reports"))["n"]
    rows = [line.split(",") for line in one.content.decode().strip().splitlines()[1:]]
    assert sum(int(n) for _, n in rows) == total
    assert one.content.decode() != whole


@pytest.mark.parametrize(
    ("query", "field"),
    [({"start": "2026-13-01"}, "start"), ({"start": "2026-06-01", "end": "2026-05-01"}, "end"),
     ({"source": "rumour"}, "source"), ({"start": "2020-01-01", "end": "2026-06-01"}, "start")],
)  # fmt: skip
def test_a_bad_filter_is_refused_with_its_field(
    query: dict[str, str], field: str, analyst: User, sign_in: Callable[..., Client]
) -> None:
    client = sign_in(analyst)
    page = client.get(reverse("insights:dashboard", args=["reports"]), query)
    assert page.status_code == 400
    assert f'href="#filter-{field}"' in page.content.decode()
    download = client.get(reverse("insights:csv", args=["reports", "reports-by-type"]), query)
    assert download.status_code == 400 and download.content.decode().startswith(f"{field}:")


@pytest.mark.parametrize("persona", ["grader", "liaison_a", "partner"])
def test_only_staff_with_insights_see_them(
    persona: str, request: pytest.FixtureRequest, sign_in: Callable[..., Client]
) -> None:
    client = sign_in(request.getfixturevalue(persona))
    for url in (reverse("insights:home"), reverse("insights:trends"), reverse("insights:monthly"),
                reverse("insights:csv", args=["reports", "reports-by-type"])):  # fmt: skip
        assert client.get(url).status_code in {403, 404}, url


def drawing_operators(pdf: bytes) -> int:
    """How many rectangles and lines the PDF's page streams draw."""
    count = 0
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            text = zlib.decompress(stream)
        except zlib.error:
            continue
        count += len(re.findall(rb" (?:re|l)\n", text))
    return count


needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")


@needs_poppler
def test_the_monthly_report_is_a_pdf_with_its_headline_figures(history: date, tmp_path: Path) -> None:
    month = (history.replace(day=1) - timedelta(days=1)).replace(day=1)
    output = tmp_path / "report.pdf"
    call_command("insights", "report", "--month", f"{month:%Y-%m}", "--output", str(output))
    info = subprocess.run(["pdfinfo", str(output)], capture_output=True, text=True, check=True).stdout
    pages = re.search(r"Pages:\s+(\d+)", info)
    assert pages is not None and int(pages[1]) >= 2
    layout = subprocess.run(
        ["pdftotext", "-layout", str(output), "-"], capture_output=True, text=True, check=True
    ).stdout
    text = " ".join(layout.split())
    in_month = ReportDay.objects.filter(day__year=month.year, day__month=month.month)
    received = in_month.aggregate(n=Sum("reports"))["n"]
    assert received > 0
    assert re.search(rf"Reports received\s+{received:,}\s", layout), "the month's reports are not in the PDF"
    assert "Sextortion, ExampleGames, children under 13" in text  # the planted trend, by name
    assert "Reports by source, the last twelve months" in text
    assert "ExampleGames" in text
    # Charts are drawn: the PDF holds vector paths, not only text.
    assert drawing_operators(output.read_bytes()) > 200
    assert AuditEntry.objects.filter(action="insights.monthly_report").exists()


def test_a_bad_month_names_the_option(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="--month: '2026-13' is not a month"):
        call_command("insights", "report", "--month", "2026-13", "--output", str(tmp_path / "x.pdf"))
    with pytest.raises(CommandError, match="does not exist"):
        call_command("insights", "report", "--month", "2026-01", "--output", str(tmp_path / "no" / "x.pdf"))
