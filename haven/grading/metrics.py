"""Figures for supervisors: what grading costs each grader, how the queue stands, how long grading takes,
how often graders agree, and how many looks clustering saved."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Min, Q, Sum
from django.utils import timezone

from haven.accounts.models import User
from haven.grading.actions import LOOK_IDLE, reveal_seconds, seconds_of
from haven.grading.models import Cluster, Decision, Item, Look, Reveal, Stage

BREAK_GAP = timedelta(minutes=10)  # a pause this long between looks counts as a break


def _look_end(look: Look, now: datetime) -> datetime:
    return min(look.closed_at or now, look.opened_at + LOOK_IDLE)


def reviewing_minutes(grader: User, now: datetime | None = None) -> float:
    """Minutes the grader has spent in the viewer since their last break (a gap of ``BREAK_GAP``)."""
    now = now or timezone.now()
    looks = list(
        Look.objects.filter(grader=grader, opened_at__gte=now - timedelta(hours=12)).order_by("-opened_at")
    )
    total = timedelta()
    later_start = now
    for look in looks:
        end = _look_end(look, now)
        if later_start - end >= BREAK_GAP:
            break
        total += end - look.opened_at
        later_start = look.opened_at
    return total.total_seconds() / 60


@dataclass
class Day:
    grader: str
    day: date
    revealed: int = 0
    reveal_seconds: int = 0
    minutes: float = 0.0
    decisions: int = 0
    items: int = 0
    looks_saved: int = 0


@dataclass
class Metrics:
    days: list[Day]
    stages: dict[str, dict[str, int]]
    oldest_waiting_hours: float | None
    bands: dict[str, int]
    first_grade_hours: dict[str, float | None]
    verified_hours: dict[str, float | None]
    agreement: float | None
    second_decisions: int
    looks_saved: int
    items_graded: int
    totals: dict[str, Any] = field(default_factory=dict)


def _hours(seconds: list[int]) -> dict[str, float | None]:
    if not seconds:
        return {"median": None, "p90": None, "count": 0}
    ordered = sorted(seconds)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    return {
        "median": round(statistics.median(ordered) / 3600, 1),
        "p90": round(p90 / 3600, 1),
        "count": len(ordered),
    }


def metrics(*, days: int = 30, now: datetime | None = None) -> Metrics:
    now = now or timezone.now()
    since = now - timedelta(days=days)
    by_day: dict[tuple[str, date], Day] = {}

    def day_of(grader: User, at: datetime) -> Day:
        key = (grader.get_username(), timezone.localtime(at).date())
        return by_day.setdefault(key, Day(*key))

    for shown in Reveal.objects.filter(started_at__gte=since).select_related("grader"):
        row = day_of(shown.grader, shown.started_at)
        row.revealed += 1
        row.reveal_seconds += seconds_of(shown)
    for look in Look.objects.filter(opened_at__gte=since).select_related("grader"):
        day_of(look.grader, look.opened_at).minutes += (
            _look_end(look, now) - look.opened_at
        ).total_seconds() / 60
    decisions = list(Decision.objects.filter(at__gte=since).select_related("grader"))
    for decision in decisions:
        row = day_of(decision.grader, decision.at)
        row.decisions += 1
        row.items += decision.members
        row.looks_saved += decision.members - 1
    stages = {stage: {"clusters": 0, "items": 0} for stage in Stage.values}
    for counts in Cluster.objects.values("stage").annotate(clusters=Count("id"), files=Sum("size")):
        stages[counts["stage"]] = {"clusters": counts["clusters"], "items": counts["files"] or 0}
    waiting = Q(stage__in=[Stage.FIRST, Stage.SECOND])
    oldest = Cluster.objects.filter(waiting).aggregate(at=Min("queued_at"))["at"]
    bands = dict(Cluster.objects.filter(waiting).values_list("band").annotate(n=Count("id")).order_by("band"))
    seconds = [d for d in decisions if d.stage == Stage.SECOND]
    agreed = sum(1 for d in seconds if d.outcome == Stage.DONE)
    return Metrics(
        days=sorted(by_day.values(), key=lambda d: (d.day, d.grader), reverse=True),
        stages=stages,
        oldest_waiting_hours=round((now - oldest).total_seconds() / 3600, 1) if oldest else None,
        bands=bands,
        first_grade_hours=_hours([d.waited_seconds for d in decisions if d.stage == Stage.FIRST]),
        verified_hours=_hours([d.waited_seconds for d in decisions if d.outcome == Stage.DONE]),
        agreement=round(agreed / len(seconds), 3) if seconds else None,
        second_decisions=len(seconds),
        looks_saved=sum(d.members - 1 for d in decisions),
        items_graded=sum(d.members for d in decisions),
        totals={
            "waiting_for_a_copy": Item.objects.filter(blob=None).count(),
            "reveal_allowance": reveal_seconds(),
        },
    )


def by_grader(rows: list[Day]) -> dict[str, dict[str, float]]:
    """The period's totals for each grader."""
    totals: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for row in rows:
        for name in ("revealed", "reveal_seconds", "minutes", "decisions", "items", "looks_saved"):
            totals[row.grader][name] += getattr(row, name)
    return {k: dict(v) for k, v in totals.items()}
