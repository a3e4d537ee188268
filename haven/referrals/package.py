"""The referral package: what a force is given about a case, as one document.

It holds the summary, the identifiers, the linked reports with their 3x5x2 grading and handling conditions,
a summary of the media matches (hashes, categories and counts, never an image), the risk reasons and the
deadlines. The same fragment is shown as a staff page and rendered to PDF by WeasyPrint, which is given
no way to fetch anything: the document is self-contained, and a reference to anything outside it stops
the rendering.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from haven.core.pdf import html_to_pdf
from haven.intake.models import MatchStatus, Report, ReportMedia
from haven.intel.models import Grading, Sighting, Subject, Tier, Value
from haven.referrals.models import Referral, SafeguardingReferral
from haven.referrals.routing import RouteError, outward_code
from haven.referrals.safeguarding import police_side
from haven.triage.models import Priority


@dataclass
class ReportEntry:
    report: Report
    grading: Grading | None
    priority: Priority | None
    media: list[ReportMedia] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    categories: dict[str, int] = field(default_factory=dict)


def identifiers_of(referral: Referral) -> tuple[list[Value], list[Value]]:
    """The values seen on the referred people: those that identify someone, then the weak associations
    (IP addresses, URLs) that many people may share."""
    sightings = (
        Sighting.objects.filter(member__holds=referral.hold, value__isnull=False)
        .select_related("value")
        .order_by("value__tier", "value__kind", "value__canonical")
    )
    values = list({s.value.pk: s.value for s in sightings if s.value is not None}.values())
    return [v for v in values if v.tier != Tier.WEAK], [v for v in values if v.tier == Tier.WEAK]


def _entries(reports: list[Report]) -> list[ReportEntry]:
    gradings = {g.report_id: g for g in Grading.objects.filter(report__in=reports)}
    priorities = {p.report_id: p for p in Priority.objects.filter(report__in=reports)}
    entries = {r.pk: ReportEntry(r, gradings.get(r.pk), priorities.get(r.pk)) for r in reports}
    media = ReportMedia.objects.filter(report__in=reports).defer("blob").order_by("report_id", "position")
    for item in media:
        entry = entries[item.report_id]
        entry.media.append(item)
        entry.counts[item.match_status] = entry.counts.get(item.match_status, 0) + 1
        for category in sorted({m.get("category") or "uncategorised" for m in item.matches or []}):
            entry.categories[category] = entry.categories.get(category, 0) + 1
    return list(entries.values())


def _subjects(referral: Referral) -> list[Subject]:
    """The subjects the referred people belong to now (one, unless they were split or merged since)."""
    ids = referral.hold.members.exclude(subject=None).values_list("subject_id", flat=True)
    return list(Subject.objects.filter(id__in=ids).select_related("priority").order_by("id"))


def _earliest(values: list[datetime | None]) -> datetime | None:
    return min((v for v in values if v is not None), default=None)


def context(referral: Referral) -> dict[str, Any]:
    """Everything the package shows, read in a fixed number of queries."""
    reports = list(referral.reports.select_related("organisation").order_by("received_at", "id"))
    entries = _entries(reports)
    identifiers, associations = identifiers_of(referral)
    subjects = _subjects(referral)
    subject_priorities = [(s, p) for s in subjects if (p := getattr(s, "priority", None)) is not None]
    priorities = [e.priority for e in entries if e.priority is not None] + [p for _, p in subject_priorities]
    bands = sorted(p.effective_band for p in priorities)
    totals: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    for entry in entries:
        totals.update(entry.counts)
        categories.update(entry.categories)
    return {
        "referral": referral,
        "entries": entries,
        "identifiers": identifiers,
        "associations": associations,
        "subject_priorities": subject_priorities,
        "band": bands[0] if bands else None,
        "act_by": _earliest([p.deadline for p in priorities]),
        "conditions": [e for e in entries if e.grading and e.grading.conditions],
        "media_total": sum(totals.values()),
        "media_known": totals[MatchStatus.KNOWN],
        "media_novel": totals[MatchStatus.NOVEL],
        "media_unhashed": totals[MatchStatus.NO_HASH] + totals[MatchStatus.PENDING],
        "categories": sorted(categories.items()),
        "generated_at": timezone.now(),
    }


def render_pdf(referral: Referral) -> bytes:
    """The package as a PDF: the fragment inside a print document with its own stylesheet."""
    return html_to_pdf(render_to_string("referrals/package_print.html", context(referral)))


def _offenders(reports: list[Report]) -> list[dict[str, Any]]:
    """What children's services need of the people reported: a name if the report gives one, an age, and
    where they are to the postcode district (whether they are near the child). Not their accounts or
    addresses: those are for the police, whose contact the referral gives."""
    found = []
    for report in reports:
        for person in report.payload.get("reported_persons") or []:
            location = person.get("location") or {}
            try:
                district = outward_code(location["postcode"]) if location.get("postcode") else ""
            except RouteError:
                district = ""
            found.append({
                "report": report.reference, "name": person.get("name") or "",
                "age_estimate": person.get("age_estimate"), "district": district,
                "country": (location.get("country") or "").upper(),
            })  # fmt: skip
    return found


def safeguarding_context(referral: SafeguardingReferral) -> dict[str, Any]:
    """Everything a safeguarding referral shows: the children, the centre's account, each report's grading,
    priority and risk reasons, what the agency needs of the offender, and the police side, if any."""
    reports = list(referral.reports.select_related("organisation").order_by("received_at", "id"))
    entries = _entries(reports)
    priorities = [e.priority for e in entries if e.priority is not None]
    bands = sorted(p.effective_band for p in priorities)
    return {
        "referral": referral,
        "entries": entries,
        "children": referral.children,
        "offenders": _offenders(reports),
        "police": police_side(referral),
        "band": bands[0] if bands else None,
        "act_by": _earliest([p.deadline for p in priorities]),
        "conditions": [e for e in entries if e.grading and e.grading.conditions],
        "generated_at": timezone.now(),
    }


def render_safeguarding_pdf(referral: SafeguardingReferral) -> bytes:
    return html_to_pdf(render_to_string("referrals/safeguarding_print.html", safeguarding_context(referral)))
