"""What Haven knows about one subject, read for its page: identifiers with their sightings, the reports in
time order, media matches, the links and why, weak associations, and the decisions that shaped it. A fixed
number of queries, however large the subject."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count

from haven.intake.models import MatchStatus, Report, ReportMedia
from haven.intel.models import Decision, Grading, Link, Member, Sighting, Subject, Tier, Value

ASSOCIATIONS_SHOWN = 10


@dataclass
class Held:
    value: Value
    first_seen: datetime
    last_seen: datetime
    reports: list[Report] = field(default_factory=list)
    others: list[Subject] = field(default_factory=list)  # weak values: other subjects holding them
    other_count: int = 0

    @property
    def status(self) -> str:
        if self.value.excluded:
            return f"On a warninglist: {self.value.excluded}"
        if self.value.noisy:
            return "Noisy: held by too many people to link"
        if self.value.tier == Tier.WEAK:
            return "Association only: never links"
        return "Links"


@dataclass
class Dossier:
    subject: Subject
    members: list[Member]
    reports: list[Report]
    identifiers: list[Held]
    associations: list[Held]
    invalid: list[tuple[Report, Any]]
    links: list[Link]
    media: list[ReportMedia]
    decisions: list[Decision]
    timeline: list[tuple[Report, Grading | None]]


def dossier(subject: Subject) -> Dossier:
    members = list(
        Member.objects.filter(subject=subject)
        .select_related("report", "report__organisation")
        .order_by("report__received_at", "report_id", "person")
    )
    reports = list({m.report_id: m.report for m in members}.values())
    by_id = {r.pk: r for r in reports}
    held: dict[int, Held] = {}
    invalid = []
    sightings = Sighting.objects.filter(member__subject=subject).select_related(
        "value", "identifier", "member"
    )
    for s in sightings.order_by("identifier_id"):
        report = by_id[s.member.report_id]
        if s.value is None:
            invalid.append((report, s))
            continue
        h = held.setdefault(s.value.pk, Held(s.value, report.received_at, report.received_at))
        h.first_seen, h.last_seen = (
            min(h.first_seen, report.received_at),
            max(h.last_seen, report.received_at),
        )
        if report not in h.reports:
            h.reports.append(report)
    weak = [h for h in held.values() if h.value.tier == Tier.WEAK and not h.value.excluded]
    _other_subjects(subject, weak)
    member_ids = {m.pk for m in members}
    gradings = {g.report_id: g for g in Grading.objects.filter(report__in=reports)}
    decisions = [
        d
        for d in Decision.objects.select_related("made_by", "revoked_by").order_by("-made_at")
        if member_ids & {*d.side_a, *d.side_b}
    ]
    return Dossier(
        subject=subject,
        members=members,
        reports=reports,
        identifiers=sorted(
            (h for h in held.values() if h.value.tier != Tier.WEAK),
            key=lambda h: (h.value.tier, h.value.kind, h.value.canonical),
        ),
        associations=sorted(
            (h for h in held.values() if h.value.tier == Tier.WEAK),
            key=lambda h: (h.value.kind, h.value.canonical),
        ),
        invalid=invalid,
        links=list(
            Link.objects.filter(subject=subject).select_related("value").order_by("-members", "value_id")
        ),
        media=list(
            ReportMedia.objects.filter(report__in=reports, match_status=MatchStatus.KNOWN)
            .select_related("report")
            .order_by("report__received_at", "position")
        ),
        decisions=decisions,
        timeline=[(r, gradings.get(r.pk)) for r in reports],
    )


def _other_subjects(subject: Subject, weak: list[Held]) -> None:
    """For each weak value, the other subjects that hold it (the first few) and how many there are."""
    if not weak:
        return
    by_value = {h.value.pk: h for h in weak}
    others = (
        Sighting.objects.filter(value_id__in=by_value)
        .exclude(member__subject=subject)
        .exclude(member__subject__isnull=True)
        .values("value_id", "member__subject_id")
        .annotate(n=Count("identifier_id"))
        .order_by("value_id", "member__subject_id")
    )
    wanted: dict[int, list[int]] = {}
    for row in others:
        h = by_value[row["value_id"]]
        h.other_count += 1
        if h.other_count <= ASSOCIATIONS_SHOWN:
            wanted.setdefault(row["member__subject_id"], []).append(row["value_id"])
    for other in Subject.objects.filter(id__in=wanted):
        for value_id in wanted[other.pk]:
            by_value[value_id].others.append(other)
