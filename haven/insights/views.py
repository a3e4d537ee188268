"""The insights dashboards, their charts' CSV, trends to watch and the monthly report, for staff with
``insights.view``. Every page and download is audited with the filters it was given."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.html import json_script

from haven.audit.actions import record
from haven.core.access import Permission, requires
from haven.insights import trends as trends_of
from haven.insights.charts import csv_text
from haven.insights.monthly import MonthError, parse_month, previous_month, render_pdf
from haven.insights.queries import DASHBOARDS, Dashboard, FilterError, Filters, choices


def _filters(request: HttpRequest) -> tuple[Filters, FilterError | None]:
    try:
        return Filters.parse(request.GET), None
    except FilterError as problem:
        return Filters.default(), problem


def _tabs(current: str) -> list[tuple[str, str, bool]]:
    tabs = [(slug, title, slug == current) for slug, (title, _) in DASHBOARDS.items()]
    return [*tabs, ("trends", "Trends to watch", current == "trends")]


@requires(Permission.INSIGHTS_VIEW)
def dashboard(request: HttpRequest, slug: str = "reports") -> HttpResponse:
    if slug not in DASHBOARDS:
        raise Http404("no such dashboard")
    filters, problem = _filters(request)
    board = DASHBOARDS[slug][1](filters)
    record("insights.view", request=request, details={"dashboard": slug, **filters.query()})
    return _page(request, board, filters, problem)


def _page(
    request: HttpRequest, board: Dashboard, filters: Filters, problem: FilterError | None
) -> HttpResponse:
    context = {
        "title": f"Insights: {board.title}",
        "board": board,
        "filters": filters,
        "query": filters.query(),
        "choices": choices(),
        "problem": problem,
        "tabs": _tabs(board.slug),
        "qs": urlencode(filters.query()),
        "charts": [
            (chart, chart.table(), chart.svg(), json_script(chart.vega_lite(), f"spec-{chart.slug}"))
            for chart in board.charts
        ],
        "last_month": previous_month(timezone.localdate()),
    }
    return render(request, "insights/dashboard.html", context, status=400 if problem else 200)


@requires(Permission.INSIGHTS_VIEW)
def chart_csv(request: HttpRequest, slug: str, chart: str) -> HttpResponse:
    """One chart's data table as CSV, with the same filters as the page."""
    if slug not in DASHBOARDS:
        raise Http404("no such dashboard")
    try:
        filters = Filters.parse(request.GET)
    except FilterError as problem:
        return HttpResponse(f"{problem}\n", status=400, content_type="text/plain; charset=utf-8")
    found = next((c for c in DASHBOARDS[slug][1](filters).charts if c.slug == chart), None)
    if found is None:
        raise Http404("no such chart")
    record("insights.csv", request=request, details={"dashboard": slug, "chart": chart, **filters.query()})
    response = HttpResponse(found.csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{chart}-{filters.start}-{filters.end}.csv"'
    return response


@requires(Permission.INSIGHTS_VIEW)
def trends(request: HttpRequest) -> HttpResponse:
    filters, problem = _filters(request)
    found = trends_of.find(today=min(filters.end, timezone.localdate()), platform=filters.platform,
                           source=filters.source)  # fmt: skip
    board = Dashboard(
        "trends",
        "Trends to watch",
        f"Weekly series whose last {trends_of.RECENT} whole weeks rose beyond their own range over the "
        f"{trends_of.BASELINE} weeks before (and, with a year of history, the same weeks last year). "
        "The end of the date range sets the last week.",
        charts=[t.chart() for t in found],
    )
    record("insights.trends", request=request, details={"found": [t.label for t in found], **filters.query()})
    return _page(request, board, filters, problem)


@requires(Permission.INSIGHTS_VIEW)
def trend_list(request: HttpRequest) -> HttpResponse:
    """Trends to watch as CSV: each series, its recent weeks, its usual top and its rise."""
    found = trends_of.find()
    rows = [["series", "recent_weeks", "usual_top", "baseline_mean", "excess", "ratio"]]
    rows += [[t.label, " ".join(str(c) for c in t.recent), f"{t.usual_top:.1f}", f"{t.baseline_mean:.1f}",
              str(t.excess), str(t.ratio)] for t in found]  # fmt: skip
    record("insights.trends_csv", request=request, details={"found": len(found)})
    response = HttpResponse(csv_text(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="trends.csv"'
    return response


@requires(Permission.INSIGHTS_VIEW)
def monthly(request: HttpRequest) -> HttpResponse:
    """The monthly report for partners as a PDF: ``?month=YYYY-MM``, last month by default."""
    raw = request.GET.get("month") or previous_month(timezone.localdate())
    try:
        month = parse_month(raw)
    except MonthError as problem:
        return HttpResponse(f"month: {problem}\n", status=400, content_type="text/plain; charset=utf-8")
    pdf = render_pdf(month)
    record("insights.monthly_report", request=request, details={"month": f"{month:%Y-%m}", "bytes": len(pdf)})
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="haven-insights-{month:%Y-%m}.pdf"'
    return response
