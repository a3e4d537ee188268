"""The monthly report for partners: the month's headline figures beside the month before, charts over the
last twelve months, the month's breakdowns and the trends to watch at its end, as a PDF (WeasyPrint).

It holds counts and shares only: no reference, name, identifier or note of any person or case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from haven.core.pdf import html_to_pdf
from haven.insights import queries, trends
from haven.insights.queries import Filters, month_end

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class MonthError(ValueError):
    pass


def parse_month(raw: str) -> date:
    """``YYYY-MM`` as the month's first day; a month that has not begun yet is refused."""
    found = MONTH.match(raw.strip())
    if not found or not 1 <= int(found[2]) <= 12 or int(found[1]) < 2000:
        raise MonthError(f"{raw!r} is not a month: expected YYYY-MM, as in 2026-10")
    month = date(int(found[1]), int(found[2]), 1)
    if month > timezone.localdate():
        raise MonthError(f"{raw} has not begun")
    return month


def previous_month(today: date) -> str:
    return f"{(today.replace(day=1) - timedelta(days=1)):%Y-%m}"


@dataclass
class Figure:
    label: str
    value: str
    before: str
    change: str


def _change(now: str, before: str) -> str:
    if now.endswith("%") and before.endswith("%"):
        return f"{float(now[:-1]) - float(before[:-1]):+.1f} points"
    return _relative(_count(now), _count(before))


def _relative(now: int, before: int) -> str:
    if before == 0:
        return "new" if now else "none either month"
    return f"{100 * (now - before) / before:+.0f}%"


def context(month: date) -> dict[str, Any]:
    end = month_end(month)
    this, last = Filters(start=month, end=end), Filters(start=(month - timedelta(days=1)).replace(day=1),
                                                        end=month - timedelta(days=1))  # fmt: skip
    year = Filters(start=(month - timedelta(days=334)).replace(day=1), end=end)
    boards = {slug: build(this) for slug, (_, build) in queries.DASHBOARDS.items()}
    before = {slug: build(last) for slug, (_, build) in queries.DASHBOARDS.items() if slug != "platforms"}
    figures = []
    for slug, wanted in (("reports", ("Reports received", "A child in imminent danger", "Sextortion",
                                      "Generative AI")),
                         ("media", ("Files the bank knew", "Novel files", "Files graded")),
                         ("priorities", ("Referred by the deadline",)),
                         ("referrals", ("Referrals sent", "Arrests or charges", "Children safeguarded")),
                         ("grooming", ("Read as grooming",))):  # fmt: skip
        for headline in boards[slug].headlines:
            if headline.label in wanted:
                prior = next(h for h in before[slug].headlines if h.label == headline.label)
                figures.append(
                    Figure(headline.label, headline.value, prior.value, _change(headline.value, prior.value))
                )  # fmt: skip
    over_year = [c for c in queries.reports_dashboard(year).charts if c.slug == "reports-by-source"]
    over_year += [c for c in queries.media_dashboard(year).charts if c.slug == "media-known-novel"]
    over_year += [c for c in queries.priorities_dashboard(year).charts if c.slug == "deadlines-met"]
    for chart in over_year:
        chart.slug += "-year"
        chart.title += ", the last twelve months"
    breakdowns = [c for slug in ("reports", "referrals", "platforms", "grooming") for c in boards[slug].charts
                  if c.slug in {"reports-by-type", "reports-by-age", "referral-outcomes", "platform-volume",
                                "grooming-stages"}]  # fmt: skip
    rising = trends.find(today=end + timedelta(days=1))
    return {
        "month": month,
        "running_head": f"Haven insights, {month:%B %Y}",
        "end": end,
        "generated": timezone.now(),
        "figures": figures,
        "year_charts": [(c, c.table(), c.svg(width=680, height=300)) for c in over_year],
        "month_charts": [(c, c.table(), c.svg(width=680, height=300)) for c in breakdowns if c.rows],
        "trends": [(t, t.chart().svg(width=680, height=260)) for t in rising[:5]],
        "more_trends": max(0, len(rising) - 5),
    }


def _count(value: int | str) -> int:
    digits = re.match(r"[\d,]+", str(value))
    return int(digits[0].replace(",", "")) if digits else 0


def render_html(month: date) -> str:
    return render_to_string("insights/monthly_print.html", context(month))


def render_pdf(month: date) -> bytes:
    return html_to_pdf(render_html(month))
