"""Trends to watch: weekly series whose last weeks rose beyond their own usual range.

Every series is a count of reports per week for one combination of a few dimensions (a source; an incident
type; a platform; an incident type on a platform; each of the last two counting children under 13 only; and
each marked annotation, overall and by platform). The summaries are read once, by week, source, incident
type and platform, and every series is added up from that. For each, with the last ``RECENT`` whole
weeks against the ``BASELINE`` weeks before them:

- the usual top is the highest of: the baseline's highest week; its mean plus ``SPREAD`` times its
  standard deviation, or the square root of its mean if that is larger (counts vary by about that much by
  chance); and, where there is a year of history, last year's highest week in the same recent weeks,
  scaled by how the baseline has grown since (a series that rises every December is not news in December);
- a series is listed when its recent mean is above the usual top, at least ``RECENT - 1`` of its recent
  weeks are above the baseline's highest, and the recent weeks hold at least ``MIN_EXCESS`` more reports
  than the baseline mean would give.

A broad series whose rise a listed narrower one explains (every report the narrower counts, the broader
counts too, and the narrower rise is at least ``EXPLAINED`` of it) is left off, so that a rise shows once,
where it is most specific.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from haven.insights.charts import Chart
from haven.insights.models import ReportDay
from haven.insights.queries import as_date, label_of

RECENT = 4
BASELINE = 12
SPREAD = 3.0
MIN_EXCESS = 10
EXPLAINED = 0.75
MARKED_LABELS = {
    "sextortion": "Sextortion",
    "self_generated": "Self-generated",
    "generative_ai": "Generative AI",
}
PART_OF_REPORTS = {"under_13": "children under 13"}  # counts of some of the reports, and their names
FAMILIES: list[tuple[str, tuple[str, ...]]] = [
    ("reports", ("source",)),
    ("reports", ("incident_type",)),
    ("reports", ("platform",)),
    ("reports", ("incident_type", "platform")),
    ("under_13", ("incident_type",)),
    ("under_13", ("incident_type", "platform")),
    *[(m, ()) for m in MARKED_LABELS],
    *[(m, ("platform",)) for m in MARKED_LABELS],
]


@dataclass
class Trend:
    measure: str
    where: dict[str, str]
    weeks: list[date]  # every week shown, baseline then recent
    counts: list[int]
    usual_top: float
    baseline_mean: float

    @property
    def recent(self) -> list[int]:
        return self.counts[-RECENT:]

    @property
    def excess(self) -> int:
        return round(sum(self.recent) - RECENT * self.baseline_mean)

    @property
    def ratio(self) -> float:
        mean = statistics.fmean(self.recent)
        return round(mean / self.baseline_mean, 1) if self.baseline_mean else math.inf

    @property
    def label(self) -> str:
        parts = [MARKED_LABELS[self.measure]] if self.measure in MARKED_LABELS else []
        parts += [label_of(k, v) for k, v in self.where.items()]
        if self.measure in PART_OF_REPORTS:
            parts.append(PART_OF_REPORTS[self.measure])
        return ", ".join(parts) or "All reports"

    @property
    def slug(self) -> str:
        raw = "-".join([self.measure, *(f"{k}-{v}" for k, v in self.where.items())])
        return "trend-" + "".join(c if c.isalnum() else "-" for c in raw.lower())[:80]

    def chart(self) -> Chart:
        rows = [(f"w/c {w:%d %b}", "Reports", float(c)) for w, c in zip(self.weeks, self.counts, strict=True)]
        rows += [(f"w/c {w:%d %b}", "Usual top", round(self.usual_top, 1)) for w in self.weeks]
        return Chart(
            self.slug,
            self.label,
            f"Reports a week: {self.label}. The last {RECENT} weeks: {', '.join(map(str, self.recent))}, "
            f"against a usual top of {self.usual_top:.1f}: {self.excess} more than the usual "
            f"{self.baseline_mean:.1f} a week would give.",
            "line",
            "Week",
            "Reports",
            rows,
        )


def last_whole_week(today: date) -> date:
    """The Monday after the last whole week: recent weeks end the day before it."""
    return today - timedelta(days=today.weekday())


def find(today: date | None = None, platform: str = "", source: str = "") -> list[Trend]:
    """The series rising beyond their range, largest rise first."""
    end = last_whole_week(today or timezone.localdate())
    weeks = [end - timedelta(weeks=n) for n in range(RECENT + BASELINE, 0, -1)]
    year_ago = [w - timedelta(weeks=52) for w in weeks]
    history_starts = ReportDay.objects.order_by("day").values_list("day", flat=True).first()
    seasonal = history_starts is not None and history_starts <= year_ago[0]
    rows = ReportDay.objects.filter(day__gte=year_ago[0] if seasonal else weeks[0], day__lt=end)
    if platform:
        rows = rows.filter(platform=platform)
    if source:
        rows = rows.filter(source=source)
    measures = sorted({m for m, _ in FAMILIES})
    grouped = (
        rows.annotate(week=TruncWeek("day"))
        .values("week", "source", "incident_type", "platform")
        .annotate(**{m: Sum(m) for m in measures})
        .order_by()
    )
    series: dict[tuple[str, tuple[str, ...], tuple[str, ...]], dict[date, int]] = defaultdict(dict)
    for row in grouped:
        week = as_date(row["week"])
        for measure, dims in FAMILIES:
            if row[measure]:
                counts = series[(measure, dims, tuple(row[d] for d in dims))]
                counts[week] = counts.get(week, 0) + row[measure]
    found: list[Trend] = []
    for (measure, dims, key), counts in series.items():
        trend = _judge(
            measure, dict(zip(dims, key, strict=True)), weeks=weeks, year_ago=year_ago, counts=counts,
            seasonal=seasonal,
        )  # fmt: skip
        if trend is not None:
            found.append(trend)
    return _most_specific(found)


def _judge(
    measure: str,
    where: dict[str, str],
    *,
    weeks: list[date],
    year_ago: list[date],
    counts: dict[date, int],
    seasonal: bool,
) -> Trend | None:
    values = [counts.get(w, 0) for w in weeks]
    base, recent = values[:BASELINE], values[BASELINE:]
    mean = statistics.fmean(base)
    spread = max(statistics.pstdev(base), math.sqrt(mean))
    top = max(*base, mean + SPREAD * spread)
    if seasonal:
        last = [counts.get(w, 0) for w in year_ago]
        last_mean = statistics.fmean(last[:BASELINE])
        growth = mean / last_mean if last_mean else 1.0
        top = max(top, max(last[BASELINE:]) * growth)
    above = sum(v > max(base) for v in recent)
    if statistics.fmean(recent) <= top or above < RECENT - 1 or sum(recent) - RECENT * mean < MIN_EXCESS:
        return None
    return Trend(measure, where, weeks, values, top, mean)


def _most_specific(found: list[Trend]) -> list[Trend]:
    kept: list[Trend] = []
    for trend in sorted(found, key=lambda t: (-len(_counted(t)), -t.excess)):
        explained = any(_explains(other, trend) for other in kept)
        if not explained:
            kept.append(trend)
    return sorted(kept, key=lambda t: (-t.excess, t.label))


def _explains(narrow: Trend, broad: Trend) -> bool:
    """Whether the narrower series' rise accounts for the broader one's: every report the narrower one
    counts, the broader counts too, and the narrower holds most of the rise."""
    return narrow.excess >= EXPLAINED * broad.excess and _counted(broad).items() <= _counted(narrow).items()


def _counted(trend: Trend) -> dict[str, str]:
    """What a series' reports have in common: its filters, and what its count adds (children under 13; an
    incident type or annotation). Sextortion by annotation is taken as the incident type: the annotated
    count holds the incident type too."""
    found = dict(trend.where)
    if trend.measure == "under_13":
        found["age"] = "under_13"
    elif trend.measure == "sextortion":
        found["incident_type"] = "sextortion"
    elif trend.measure != "reports":
        found["annotation"] = trend.measure
    return found
