"""Summarising reports into ``ReportDay`` rows, a day at a time.

A day is summarised whole, from the case tables: its rows are deleted and written again in one
transaction. The pipeline and the signals in ``apps.py`` mark a day stale whenever something a summary
counts changes (a report processed or retracted, a band given or overridden, a referral sent); the
``summarise_stale_days`` chore catches up within a minute. ``rebuild`` summarises every day there is.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Min, Q
from django.utils import timezone

from haven.insights.models import AgeBand, ReportDay, Stale
from haven.intake.models import Conversation, MatchStatus, Report, ReportMedia, ReportStatus, Source
from haven.referrals.models import ProposedRoute, Referral
from haven.triage.models import Priority

# Reports a summary counts: not one still open for files, nor one its sender took back.
COUNTED = [ReportStatus.RECEIVED, ReportStatus.PROCESSED, ReportStatus.FAILED]
DIMENSIONS = ("source", "incident_type", "platform", "force")


def triage_target() -> timedelta:
    """How soon after receipt a report should have its band (``HAVEN_INSIGHTS_TRIAGE_MINUTES``)."""
    return timedelta(minutes=settings.INSIGHTS_TRIAGE_MINUTES)


def day_of(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def bounds(day: date) -> tuple[datetime, datetime]:
    """The first moment of a day in the centre's time zone, and of the next."""
    zone = timezone.get_current_timezone()
    start = datetime.combine(day, time.min, tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)


def mark_days(days: Iterable[date]) -> None:
    fresh = [Stale(day=d) for d in set(days)]
    if fresh:
        Stale.objects.bulk_create(fresh, ignore_conflicts=True)


def mark_report(report: Report) -> None:
    mark_days([day_of(report.received_at)])


def mark_reports(ids: list[int]) -> None:
    mark_days(day_of(at) for at in Report.objects.filter(id__in=ids).values_list("received_at", flat=True))


def refresh_stale(limit: int = 60) -> int:
    """Summarise the stale days again, oldest mark first; a day another worker holds is left to it."""
    done = 0
    while done < limit:
        with transaction.atomic():
            stale = Stale.objects.select_for_update(skip_locked=True).order_by("marked_at", "id").first()
            if stale is None:
                break
            summarise_day(stale.day)
            stale.delete()
        done += 1
    return done


def rebuild(progress: Any = None) -> int:
    """Summarise every day on which a report was received; returns the number of days."""
    first = Report.objects.aggregate(first=Min("received_at"))["first"]
    if first is None:
        ReportDay.objects.all().delete()
        return 0
    start, last = day_of(first), timezone.localdate()
    days = [start + timedelta(days=n) for n in range((last - start).days + 1)]
    with transaction.atomic():
        ReportDay.objects.filter(day__lt=start).delete()
    for day in days:
        with transaction.atomic():
            summarise_day(day)
        if progress is not None:
            progress(day)
    Stale.objects.filter(day__lte=last).delete()
    return len(days)


def summarise_day(day: date) -> int:
    """Write the day's ``ReportDay`` rows again from the case tables; returns how many."""
    start, end = bounds(day)
    reports = list(
        Report.objects.filter(received_at__gte=start, received_at__lt=end, status__in=COUNTED).values_list(
            "id", "source", "incident_type", "imminent_danger", "occurred_at", "received_at", "processed_at",
            "organisation__name", "payload",
        )
    )  # fmt: skip
    ids = [r[0] for r in reports]
    groups: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
    facts = _facts(ids)
    for rid, source, incident, imminent, occurred, received, processed, organisation, payload in reports:
        band, deadline = facts.priority.get(rid, ("", None))
        key = (
            source,
            incident,
            _platform(source, organisation, payload, facts.chat_platform.get(rid, "")),
            facts.force.get(rid, ""),
        )
        row = groups[key]
        row["reports"] += 1
        if band:
            row[band.lower()] += 1
        age = _age_band(payload)
        row["under_13"] += age == AgeBand.UNDER_13
        row["teen"] += age == AgeBand.TEEN
        row["imminent"] += bool(imminent)
        tags = _annotations(payload)
        row["sextortion"] += incident == "sextortion" or "sextortion" in tags
        row["self_generated"] += "self_generated" in tags
        row["generative_ai"] += "generative_ai" in tags
        known, novel = facts.media.get(rid, (0, 0))
        row["media_known"] += known
        row["media_novel"] += novel
        if band and processed is not None:
            waited = max(processed - received, timedelta(0))
            row["triaged"] += 1
            row["triage_seconds"] += int(waited.total_seconds())
            row["triage_met"] += waited <= triage_target()
        if deadline is not None:
            row["referral_due"] += 1
        sent = facts.referred.get(rid)
        if sent is not None:
            row["referred"] += 1
            row["referral_seconds"] += int(max(sent - received, timedelta(0)).total_seconds())
            row["referral_met"] += deadline is not None and sent <= deadline
        if occurred is not None and occurred <= received:
            row["lagged"] += 1
            row["lag_seconds"] += int((received - occurred).total_seconds())
        chats, grooming, urgent = facts.chats.get(rid, (0, 0, 0))
        row["conversations"] += chats
        row["grooming"] += grooming
        row["urgent"] += urgent
    ReportDay.objects.filter(day=day).delete()
    ReportDay.objects.bulk_create(
        [
            ReportDay(day=day, **dict(zip(DIMENSIONS, key, strict=True)), **counts)
            for key, counts in groups.items()
        ],
        batch_size=1000,
    )
    return len(groups)


class _Facts:
    """What the other apps know of a day's reports, each read in one query."""

    def __init__(self) -> None:
        self.priority: dict[int, tuple[str, datetime | None]] = {}
        self.force: dict[int, str] = {}
        self.media: dict[int, tuple[int, int]] = {}
        self.referred: dict[int, datetime] = {}
        self.chats: dict[int, tuple[int, int, int]] = {}
        self.chat_platform: dict[int, str] = {}


def _facts(ids: list[int]) -> _Facts:
    facts = _Facts()
    for chunk in _chunks(ids, 5000):
        for rid, band, deadline in Priority.objects.filter(report_id__in=chunk).values_list(
            "report_id", "effective_band", "deadline"
        ):
            facts.priority[rid] = (band, deadline)
        for rid, force in (
            ProposedRoute.objects.filter(report_id__in=chunk)
            .exclude(force="")
            .values_list("report_id", "force")
        ):
            facts.force[rid] = force
        counts = (
            ReportMedia.objects.filter(report_id__in=chunk)
            .values("report_id")
            .annotate(
                known=Count("id", filter=Q(match_status=MatchStatus.KNOWN)),
                novel=Count("id", filter=Q(match_status=MatchStatus.NOVEL)),
            )
        )
        for c in counts:
            facts.media[c["report_id"]] = (c["known"], c["novel"])
        firsts = (
            Referral.reports.through.objects.filter(report_id__in=chunk)
            .values("report_id")
            .annotate(first=Min("referral__sent_at"))
        )
        for f in firsts:
            facts.referred[f["report_id"]] = f["first"]
        chats = (
            Conversation.objects.filter(report_id__in=chunk)
            .values("report_id")
            .annotate(
                n=Count("id"),
                grooming=Count("analysis", filter=Q(analysis__grooming=True)),
                urgent=Count("analysis", filter=Q(analysis__urgent_any=True)),
                platform=Min("platform"),
            )
        )
        for c in chats:
            facts.chats[c["report_id"]] = (c["n"], c["grooming"], c["urgent"])
            facts.chat_platform[c["report_id"]] = c["platform"] or ""
    return facts


def _chunks(ids: list[int], size: int) -> Iterator[list[int]]:
    for n in range(0, len(ids), size):
        yield ids[n : n + size]


def _platform(source: str, organisation: str | None, payload: dict[str, Any], chat_platform: str) -> str:
    """A platform's report is about its own service; otherwise the service the report names first."""
    if source == Source.INDUSTRY and organisation:
        return organisation[:100]
    if chat_platform:
        return chat_platform[:100]
    for person in payload.get("reported_persons") or []:
        for identifier in person.get("identifiers") or []:
            if identifier.get("platform"):
                return str(identifier["platform"])[:100]
    return ""


def _age_band(payload: dict[str, Any]) -> str:
    ages = [v["age_estimate"] for v in payload.get("victims") or [] if v.get("age_estimate") is not None]
    if not ages:
        return AgeBand.UNKNOWN
    return AgeBand.UNDER_13 if min(ages) < 13 else AgeBand.TEEN


def _annotations(payload: dict[str, Any]) -> set[str]:
    tags = set((payload.get("incident") or {}).get("annotations") or [])
    for item in payload.get("media") or []:
        tags.update(item.get("annotations") or [])
    return tags
