"""The dashboards: each a few aggregates over ``ReportDay`` (or, for the small tables of referrals,
grading decisions and chat readings, over those tables), filtered the same way.

Filters: a date range (inclusive, by the day a report was received, a referral sent or a decision made),
a source, a platform and a force. A filter that a table cannot answer is not applied to it, and the page
says so: referrals know their force but not their reports' source or platform; grading decisions know
none of the three.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone

from haven.chats.models import Analysis
from haven.grading.models import Decision, Stage
from haven.insights.charts import Chart, top_series
from haven.insights.models import ReportDay
from haven.insights.summary import bounds
from haven.intake.models import IncidentType, Source
from haven.referrals import forces
from haven.referrals.models import Outcome, Referral
from haven.triage.models import Priority

MAX_DAYS = 3 * 366
WEEKLY_UP_TO = 120  # days; a longer range is shown by month


class FilterError(ValueError):
    def __init__(self, field_name: str, problem: str) -> None:
        super().__init__(f"{field_name}: {problem}")
        self.field, self.problem = field_name, problem


@dataclass(frozen=True)
class Filters:
    start: date
    end: date
    source: str = ""
    platform: str = ""
    force: str = ""

    @classmethod
    def default(cls, today: date | None = None) -> Filters:
        """The last 26 whole weeks and this one."""
        today = today or timezone.localdate()
        return cls(start=today - timedelta(days=today.weekday() + 26 * 7), end=today)

    @classmethod
    def parse(cls, query: Any, today: date | None = None) -> Filters:
        """From a query string; a bad value raises ``FilterError`` naming its field."""
        base = cls.default(today)
        start, end = _date(query, "start", base.start), _date(query, "end", base.end)
        if end < start:
            raise FilterError("end", "must not be before start")
        if (end - start).days > MAX_DAYS:
            raise FilterError("start", f"a range may be at most {MAX_DAYS} days")
        source = (query.get("source") or "").strip()
        if source and source not in Source.values:
            raise FilterError("source", f"must be one of {', '.join(Source.values)}")
        platform, force = (query.get("platform") or "").strip(), (query.get("force") or "").strip()
        if len(platform) > 100 or len(force) > 100:
            raise FilterError("platform" if len(platform) > 100 else "force", "at most 100 characters")
        return cls(start=start, end=end, source=source, platform=platform, force=force)

    def query(self) -> dict[str, str]:
        out = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        out.update(
            {
                k: v
                for k, v in (("source", self.source), ("platform", self.platform), ("force", self.force))
                if v
            }
        )
        return out

    @property
    def weekly(self) -> bool:
        return (self.end - self.start).days <= WEEKLY_UP_TO

    def days(self) -> QuerySet[ReportDay]:
        rows = ReportDay.objects.filter(day__gte=self.start, day__lte=self.end)
        for name in ("source", "platform", "force"):
            if getattr(self, name):
                rows = rows.filter(**{name: getattr(self, name)})
        return rows

    def moments(self) -> tuple[datetime, datetime]:
        return bounds(self.start)[0], bounds(self.end)[1]


def _date(query: Any, name: str, default: date) -> date:
    raw = (query.get(name) or "").strip()
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise FilterError(name, "must be a date, YYYY-MM-DD") from None


@dataclass
class Headline:
    label: str
    value: str
    note: str = ""


@dataclass
class Dashboard:
    slug: str
    title: str
    summary: str
    headlines: list[Headline] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    unfiltered: list[str] = field(default_factory=list)  # filters some charts cannot apply


def periods(filters: Filters) -> list[date]:
    """The weeks (Mondays) or months (first days) the range touches, in order."""
    if filters.weekly:
        first = filters.start - timedelta(days=filters.start.weekday())
        return [first + timedelta(weeks=n) for n in range((filters.end - first).days // 7 + 1)]
    out, current = [], filters.start.replace(day=1)
    while current <= filters.end:
        out.append(current)
        current = month_end(current) + timedelta(days=1)
    return out


def month_end(month: date) -> date:
    """The last day of the month that ``month`` is in."""
    return (month.replace(day=1) + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def period_label(filters: Filters, start: date) -> str:
    """A week by its Monday, a month by its name; a period that runs past the range's end says so."""
    if filters.weekly:
        label, last = f"w/c {start:%d %b %Y}", start + timedelta(days=6)
    else:
        label, last = f"{start:%b %Y}", month_end(start)
    return f"{label} (to date)" if last > filters.end else label


def as_date(value: date | datetime) -> date:
    """A period's start as a date: a truncated timestamp is read in the centre's time zone."""
    if isinstance(value, datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).date()
    return value


def over_time(
    filters: Filters, rows: QuerySet[ReportDay], by: str | None, measures: dict[str, str]
) -> list[tuple[str, str, float]]:
    """Each measure (or each value of ``by``) summed per period, with empty periods as 0."""
    trunc = TruncWeek("day") if filters.weekly else TruncMonth("day")
    group = ["period", by] if by else ["period"]
    found = rows.annotate(period=trunc).values(*group).annotate(**{k: Sum(k) for k in measures}).order_by()
    sums: Counter[tuple[date, str]] = Counter()
    for row in found:
        for measure, label in measures.items():
            series = label_of(by, row[by]) if by else label
            sums[(as_date(row["period"]), series)] += row[measure] or 0
    all_series = sorted({s for _, s in sums}, key=lambda s: -sum(v for (_, t), v in sums.items() if t == s))
    if not all_series:
        all_series = list(measures.values()) if not by else []
    out = [(period_label(filters, p), s, float(sums[(p, s)])) for p in periods(filters) for s in all_series]
    return top_series(out)


def totals(
    rows: QuerySet[ReportDay], by: str, measure: str = "reports", limit: int = 12
) -> list[tuple[str, str, float]]:
    found = rows.values(by).annotate(n=Sum(measure)).order_by("-n", by)[:limit]
    return [(label_of(by, r[by]), "", float(r["n"] or 0)) for r in found if r["n"]]


def measures_of(
    rows: QuerySet[ReportDay], measures: dict[str, str], rest: str
) -> list[tuple[str, str, float]]:
    """Reports split by counts that partition them, and the rest (``reports`` less their sum) if any."""
    got = _sum(rows, "reports", *measures)
    out = [(label, "", float(got[m])) for m, label in measures.items()]
    if got["reports"] > sum(got[m] for m in measures):
        out.append((rest, "", float(got["reports"] - sum(got[m] for m in measures))))
    return out


LABELS: dict[str, dict[str, str]] = {
    "source": dict(Source.choices),
    "incident_type": dict(IncidentType.choices),
}


def label_of(by: str | None, value: str) -> str:
    if by is None:
        return value
    if by in LABELS:
        return LABELS[by].get(value, value)
    if by == "force" and value:
        return forces.names().get(value, value)
    return value or "Not known"


def _sum(rows: QuerySet[ReportDay], *measures: str) -> dict[str, int]:
    got = rows.aggregate(**{m: Sum(m) for m in measures})
    return {m: int(got[m] or 0) for m in measures}


def _share(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def _pct(part: int, whole: int) -> str:
    return f"{_share(part, whole):.1f}%" if whole else "none due"


def _hours(seconds: int, count: int) -> str:
    return f"{seconds / count / 3600:.1f} h" if count else "none"


# -- the dashboards ------------------------------------------------------------------------------------------


def reports_dashboard(filters: Filters) -> Dashboard:
    rows = filters.days()
    got = _sum(rows, "reports", "imminent", "sextortion", "self_generated", "generative_ai")
    return Dashboard(
        "reports",
        "Reports",
        "What is reported, from where and about what.",
        headlines=[
            Headline("Reports received", f"{got['reports']:,}"),
            Headline("A child in imminent danger", f"{got['imminent']:,}"),
            Headline("Sextortion", f"{got['sextortion']:,}", "by incident type or annotation"),
            Headline("Self-generated", f"{got['self_generated']:,}", "annotated"),
            Headline("Generative AI", f"{got['generative_ai']:,}", "annotated"),
        ],
        charts=[
            Chart(
                "reports-by-source",
                "Reports by source",
                "Reports received in each period, by source.",
                "line",
                "Period",
                "Reports",
                over_time(filters, rows, "source", {"reports": "Reports"}),
            ),
            Chart(
                "reports-by-type",
                "Reports by incident type",
                "Reports received in the range, by incident type.",
                "bar",
                "Incident type",
                "Reports",
                totals(rows, "incident_type"),
            ),
            Chart(
                "reports-type-over-time",
                "Reports by incident type over time",
                "Reports received in each period, by incident type (the seven largest, the rest as Other).",
                "line",
                "Period",
                "Reports",
                over_time(filters, rows, "incident_type", {"reports": "Reports"}),
            ),
            Chart(
                "reports-annotated",
                "Sextortion, self-generated and generative AI",
                "Reports in each period marked as sextortion, self-generated imagery or generative AI.",
                "line",
                "Period",
                "Reports",
                over_time(
                    filters,
                    rows,
                    None,
                    {
                        "sextortion": "Sextortion",
                        "self_generated": "Self-generated",
                        "generative_ai": "Generative AI",
                    },
                ),
            ),
            Chart(
                "reports-by-age",
                "Reports by the youngest child's age",
                "Reports in the range, by the youngest victim's age band.",
                "bar",
                "Age band",
                "Reports",
                measures_of(rows, {"under_13": "Under 13", "teen": "13 to 17"}, rest="Age not given"),
            ),
        ],
    )


def media_dashboard(filters: Filters) -> Dashboard:
    rows = filters.days()
    got = _sum(rows, "media_known", "media_novel")
    start, end = filters.moments()
    decisions = Decision.objects.filter(at__gte=start, at__lt=end)
    graded = decisions.aggregate(
        n=Count("id"),
        files=Sum("members"),
        agreed=Count("id", filter=Q(stage=Stage.SECOND, outcome=Stage.DONE)),
        second=Count("id", filter=Q(stage=Stage.SECOND)),
    )
    trunc = TruncWeek("at") if filters.weekly else TruncMonth("at")
    per: Counter[tuple[date, str]] = Counter()
    names = dict(Stage.choices)
    for row in (
        decisions.annotate(period=trunc).values("period", "stage").annotate(n=Sum("members")).order_by()
    ):
        per[(as_date(row["period"]), names.get(row["stage"], row["stage"]))] += row["n"]
    stages = [names[Stage.FIRST], names[Stage.SECOND], names[Stage.DISPUTED]]
    throughput = [(period_label(filters, p), s, float(per[(p, s)])) for p in periods(filters) for s in stages]
    return Dashboard(
        "media",
        "Media and grading",
        "Known and novel files, and the graders' throughput.",
        headlines=[
            Headline("Files the bank knew", f"{got['media_known']:,}"),
            Headline("Novel files", f"{got['media_novel']:,}", "sent to grading"),
            Headline(
                "Share of files known", _pct(got["media_known"], got["media_known"] + got["media_novel"])
            ),
            Headline("Files graded", f"{graded['files'] or 0:,}", f"in {graded['n']:,} decisions"),
            Headline("Second graders agreeing", _pct(graded["agreed"], graded["second"])),
        ],
        charts=[
            Chart(
                "media-known-novel",
                "Known and novel files",
                "Files in reports in each period: known to the bank, or novel.",
                "stacked",
                "Period",
                "Files",
                over_time(filters, rows, None, {"media_known": "Known", "media_novel": "Novel"}),
            ),
            Chart(
                "grading-throughput",
                "Files graded",
                "Files covered by grading decisions in each period, by stage.",
                "stacked",
                "Period",
                "Files",
                throughput,
            ),
        ],
        unfiltered=["source", "platform", "force"]
        if any((filters.source, filters.platform, filters.force))
        else [],
    )


def priorities_dashboard(filters: Filters) -> Dashboard:
    rows = filters.days()
    got = _sum(
        rows,
        "reports",
        "triaged",
        "triage_seconds",
        "triage_met",
        "referral_due",
        "referred",
        "referral_seconds",
        "referral_met",
    )
    over = over_time(
        filters, rows, None, {"triage_met": "t", "triaged": "T", "referral_met": "r", "referral_due": "R"}
    )
    shares: list[tuple[str, str, float]] = []
    by_period: dict[str, dict[str, float]] = {}
    for x, s, v in over:
        by_period.setdefault(x, {})[s] = v
    for x, got_then in by_period.items():
        t, t_all, r, r_all = (int(got_then.get(k, 0)) for k in ("t", "T", "r", "R"))
        shares.append((x, "Banded within the triage target", _share(t, t_all)))
        shares.append((x, "Referred by the band's deadline", _share(r, r_all)))
    subjects = (
        Priority.objects.filter(subject__isnull=False)
        .values("effective_band")
        .annotate(n=Count("id"))
        .order_by("effective_band")
    )
    return Dashboard(
        "priorities",
        "Priorities and deadlines",
        "Reports and subjects by band, and how often deadlines are met.",
        headlines=[
            Headline("Mean time to a band", _hours(got["triage_seconds"], got["triaged"])),
            Headline("Banded within the target", _pct(got["triage_met"], got["triaged"])),
            Headline("Mean time to referral", _hours(got["referral_seconds"], got["referred"])),
            Headline(
                "Referred by the deadline",
                _pct(got["referral_met"], got["referral_due"]),
                f"of {got['referral_due']:,} reports banded P1 to P3",
            ),
        ],
        charts=[
            Chart(
                "reports-by-band",
                "Reports by priority band",
                "Reports in the range, by the band in force.",
                "bar",
                "Band",
                "Reports",
                measures_of(rows, {"p1": "P1", "p2": "P2", "p3": "P3", "p4": "P4"}, rest="Not yet banded"),
            ),
            Chart(
                "deadlines-met",
                "Deadlines met",
                "The share of reports banded within the triage target, and "
                "referred by their band's deadline, in each period.",
                "line",
                "Period",
                "Share met (%)",
                shares,
                percent=True,
            ),
            Chart(
                "subjects-by-band",
                "Subjects by priority band",
                "Every subject now, by the band in force (not filtered: a subject has no single date).",
                "bar",
                "Band",
                "Subjects",
                [(r["effective_band"], "", float(r["n"])) for r in subjects],
            ),
        ],
    )


def referrals_dashboard(filters: Filters) -> Dashboard:
    start, end = filters.moments()
    referrals = Referral.objects.filter(sent_at__gte=start, sent_at__lt=end)
    if filters.force:
        referrals = referrals.filter(force__slug=filters.force)
    outcomes = dict(Outcome.choices)
    stacked: list[tuple[str, str, float]] = []
    for row in (
        referrals.values("force__name", "outcome").annotate(n=Count("id")).order_by("force__name", "outcome")
    ):
        stacked.append((row["force__name"], outcomes.get(row["outcome"], "Open"), float(row["n"])))
    acked = referrals.filter(acknowledged_at__isnull=False)
    ack_rows = []
    for row in (
        referrals.values("force__name")
        .annotate(n=Count("id"), met=Count("id", filter=Q(acknowledged_at__lte=F("acknowledge_by"))))
        .order_by("force__name")
    ):
        ack_rows.append((row["force__name"], "", _share(row["met"], row["n"])))
    hours = [(force, "", round(sum(s) / len(s) / 3600, 1)) for force, s in _ack_seconds(acked).items()]
    got = referrals.aggregate(
        n=Count("id"),
        charged=Count("id", filter=Q(outcome=Outcome.CHARGED)),
        safeguarded=Count("id", filter=Q(outcome=Outcome.SAFEGUARDED)),
        nfa=Count("id", filter=Q(outcome=Outcome.NO_FURTHER_ACTION)),
        met=Count("id", filter=Q(acknowledged_at__lte=F("acknowledge_by"))),
    )
    return Dashboard(
        "referrals",
        "Referrals and outcomes",
        "What forces did with the cases the centre referred.",
        headlines=[
            Headline("Referrals sent", f"{got['n']:,}"),
            Headline("Arrests or charges", f"{got['charged']:,}"),
            Headline("Children safeguarded", f"{got['safeguarded']:,}", "without a charge"),
            Headline("No further action", f"{got['nfa']:,}"),
            Headline("Acknowledged in time", _pct(got["met"], got["n"])),
        ],
        charts=[
            Chart(
                "referral-outcomes",
                "Referrals by force and outcome",
                "Referrals sent in the range, by force, and what each came to (open if no outcome yet).",
                "stacked",
                "Force",
                "Referrals",
                top_series(stacked),
            ),
            Chart(
                "referral-acknowledged",
                "Acknowledged in time",
                "The share of each force's referrals it acknowledged by the deadline.",
                "bar",
                "Force",
                "Acknowledged in time (%)",
                ack_rows,
                percent=True,
            ),
            Chart(
                "referral-ack-hours",
                "Mean time to acknowledge",
                "Mean hours from sending to the force's acknowledgement.",
                "bar",
                "Force",
                "Hours",
                hours,
            ),
        ],
        unfiltered=["source", "platform"] if filters.source or filters.platform else [],
    )


def _ack_seconds(acked: QuerySet[Referral]) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for force, sent, ack in acked.values_list("force__name", "sent_at", "acknowledged_at").order_by(
        "force__name"
    ):
        if ack is not None:
            out.setdefault(force, []).append(max((ack - sent).total_seconds(), 0))
    return out


def platforms_dashboard(filters: Filters) -> Dashboard:
    rows = filters.days().exclude(platform="")
    per = {
        r["platform"]: r
        for r in rows.values("platform").annotate(
            reports=Sum("reports"), due=Sum("referral_due"), lagged=Sum("lagged"), lag=Sum("lag_seconds")
        )
    }
    ordered = sorted(per, key=lambda p: (-per[p]["reports"], p))[:12]
    return Dashboard(
        "platforms",
        "Platforms",
        "Which services reports come from, how many are actionable, and how soon "
        "after the incident each platform reports.",
        headlines=[
            Headline("Platforms named", f"{len(per):,}"),
            Headline("Reports naming a platform", f"{sum(p['reports'] for p in per.values()):,}"),
        ],
        charts=[
            Chart(
                "platform-over-time",
                "Reports by platform over time",
                "Reports naming a platform in each period, by platform (the seven largest, then Other).",
                "line",
                "Period",
                "Reports",
                over_time(filters, rows, "platform", {"reports": "Reports"}),
            ),
            Chart(
                "platform-volume",
                "Reports by platform",
                "Reports in the range, by platform (the 12 largest).",
                "bar",
                "Platform",
                "Reports",
                [(p, "", float(per[p]["reports"])) for p in ordered],
            ),
            Chart(
                "platform-actionable",
                "Actionable reports",
                "The share of each platform's reports banded P1 to P3, with a deadline to act by.",
                "bar",
                "Platform",
                "Actionable (%)",
                [(p, "", _share(per[p]["due"], per[p]["reports"])) for p in ordered],
                percent=True,
            ),
            Chart(
                "platform-lag",
                "Time to report",
                "Mean hours from the incident to the platform's report, "
                "where the report says when it happened.",
                "bar",
                "Platform",
                "Hours",
                [
                    (p, "", round(per[p]["lag"] / per[p]["lagged"] / 3600, 1))
                    for p in ordered
                    if per[p]["lagged"]
                ],
            ),
        ],
    )


def grooming_dashboard(filters: Filters) -> Dashboard:
    rows = filters.days()
    got = _sum(rows, "conversations", "grooming", "urgent")
    start, end = filters.moments()
    readings = Analysis.objects.filter(
        grooming=True, conversation__report__received_at__gte=start, conversation__report__received_at__lt=end
    )
    if filters.platform:
        readings = readings.filter(conversation__platform=filters.platform)
    if filters.source:
        readings = readings.filter(conversation__report__source=filters.source)
    stages: Counter[str] = Counter()
    flags: Counter[str] = Counter()
    for seen, urgent in readings.values_list("stages", "urgent"):
        stages.update(set(seen or []))
        flags.update(set(urgent or []))
    return Dashboard(
        "grooming",
        "Grooming",
        "Conversations read for grooming: how many were flagged, the stages seen and "
        "the urgent flags raised.",
        headlines=[
            Headline("Conversations read", f"{got['conversations']:,}"),
            Headline("Read as grooming", f"{got['grooming']:,}", _pct(got["grooming"], got["conversations"])),
            Headline("With an urgent flag", f"{got['urgent']:,}"),
        ],
        charts=[
            Chart(
                "grooming-over-time",
                "Conversations flagged",
                "Conversations read, read as grooming, and with an urgent flag, in each period.",
                "line",
                "Period",
                "Conversations",
                over_time(
                    filters,
                    rows,
                    None,
                    {"conversations": "Read", "grooming": "Grooming", "urgent": "Urgent flag"},
                ),
            ),
            Chart(
                "grooming-stages",
                "Stages seen",
                "Conversations read as grooming that show each stage.",
                "bar",
                "Stage",
                "Conversations",
                [(s.replace("_", " "), "", float(n)) for s, n in stages.most_common()],
            ),
            Chart(
                "grooming-urgent",
                "Urgent flags",
                "Conversations read as grooming with each urgent flag.",
                "bar",
                "Flag",
                "Conversations",
                [(s.replace("_", " "), "", float(n)) for s, n in flags.most_common()],
            ),
        ],
        unfiltered=["force"] if filters.force else [],
    )


DASHBOARDS: dict[str, tuple[str, Callable[[Filters], Dashboard]]] = {
    "reports": ("Reports", reports_dashboard),
    "media": ("Media and grading", media_dashboard),
    "priorities": ("Priorities and deadlines", priorities_dashboard),
    "referrals": ("Referrals and outcomes", referrals_dashboard),
    "platforms": ("Platforms", platforms_dashboard),
    "grooming": ("Grooming", grooming_dashboard),
}


def choices() -> dict[str, list[tuple[str, str]]]:
    """The values the filters offer, as (value, label): every platform and force the summaries know."""
    platforms = sorted(p for p in ReportDay.objects.values_list("platform", flat=True).distinct() if p)
    codes = {f for f in ReportDay.objects.values_list("force", flat=True).distinct() if f}
    codes |= set(Referral.objects.values_list("force__slug", flat=True).distinct())
    return {
        "source": list(Source.choices),
        "platform": [(p, p) for p in platforms],
        "force": sorted(((c, label_of("force", c)) for c in codes), key=lambda pair: pair[1]),
    }
