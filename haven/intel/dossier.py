"""What Haven knows about one subject, read for its page: identifiers with their sightings, the reports in
time order, media matches, the links and why, weak associations, and the decisions that shaped it.

A subject may hold tens of thousands of reports (strangers joined by a shared address under the cap can make
one), so the page reads a page of each table: the subject's keys (its reports' times, its values) are read
and sorted, and only the rows shown are loaded. The number of queries does not grow with the subject.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Max, Min, QuerySet, Window
from django.db.models.functions import RowNumber

from haven.intake.models import MatchStatus, Report, ReportMedia
from haven.intel.models import Decision, Grading, Link, Member, Sighting, Subject, Tier, Value

ASSOCIATIONS_SHOWN = 10  # other subjects named for a weak value
REPORTS_SHOWN = 5  # reports named for an identifier
LISTED = 20  # links, unreadable identifiers and media matches listed before "and N more"
TIMELINE_PAGE = 50
IDENTIFIERS_PAGE = 100
ASSOCIATIONS_PAGE = 50

# The query parameter that pages each table.
PAGE_PARAMS = ("reports", "identifiers", "associations")


@dataclass
class Held:
    value: Value
    first_seen: datetime
    last_seen: datetime
    report_count: int = 0
    reports: list[Report] = field(default_factory=list)  # the first few
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
    member_count: int
    report_count: int
    timeline_page: Page[Any]
    timeline: list[tuple[Report, Grading | None]]
    page_members: list[Member]  # the reported people of the reports on the timeline's page
    identifiers_page: Page[Any]
    identifiers: list[Held]
    associations_page: Page[Any]
    associations: list[Held]
    invalid: list[tuple[Report, Sighting]]
    invalid_count: int
    links: list[Link]
    link_count: int
    media: list[ReportMedia]
    media_count: int
    decisions: list[Decision]


def _values_held(subject: Subject) -> QuerySet[Value]:
    """The values the subject's reported people gave, each once (a semi-join, not a grouping of every
    sighting)."""
    return Value.objects.filter(
        pk__in=Sighting.objects.filter(member__subject=subject, value__isnull=False).values("value_id")
    )


def _page_of(
    rows: Iterable[tuple[Any, ...]], per_page: int, number: str | None
) -> tuple[Page[Any], list[int]]:
    """A page of ``rows`` sorted here, each its sort key ending with an id; and the ids on the page.

    Sorted in Python, not with ORDER BY … LIMIT: for a subject of 36,000 reports PostgreSQL chose to walk
    the whole reports or values table in order, filtering on the subject, and took about 2 s a table;
    reading the subject's keys took 0.3 s for its reports and 0.8 to 1.0 s for its 45,000 values."""
    page = Paginator(sorted(rows), per_page).get_page(number)
    return page, [row[-1] for row in page.object_list]


def _held(subject: Subject, values: list[Value]) -> list[Held]:
    """The page's values, each with when it was first and last reported, in how many reports, and the
    first few reports that give it: the sightings of these values only."""
    counted = {
        row["value_id"]: row
        for row in Sighting.objects.filter(member__subject=subject, value__in=values)
        .values("value_id")
        .annotate(
            first_seen=Min("member__report__received_at"),
            last_seen=Max("member__report__received_at"),
            reports=Count("member__report_id", distinct=True),
        )
    }
    held = [
        Held(
            v,
            counted[v.pk]["first_seen"],
            counted[v.pk]["last_seen"],
            report_count=counted[v.pk]["reports"],
        )
        for v in values
        if v.pk in counted  # unless its last sighting left the subject meanwhile
    ]
    by_value = {h.value.pk: h for h in held}
    first = (
        Sighting.objects.filter(member__subject=subject, value_id__in=list(by_value))
        .annotate(
            n=Window(
                RowNumber(),
                partition_by=[F("value_id")],
                order_by=[F("member__report__received_at").asc(), F("member__report_id").asc()],
            )
        )
        .filter(n__lte=REPORTS_SHOWN)
        .values_list("value_id", "member__report_id")
    )
    pairs = list(first)
    reports = Report.objects.in_bulk({report for _, report in pairs})
    for value, report in pairs:
        h = by_value[value]
        if reports[report] not in h.reports:
            h.reports.append(reports[report])
    return held


def dossier(subject: Subject, pages: Mapping[str, str | None] | None = None) -> Dossier:
    pages = pages or {}
    members = Member.objects.filter(subject=subject)
    member_ids = set(members.values_list("id", flat=True))
    timeline_page, report_ids = _page_of(
        members.values_list("report__received_at", "report_id").distinct(),
        TIMELINE_PAGE,
        pages.get("reports"),
    )
    reports = Report.objects.select_related("organisation").in_bulk(report_ids)
    shown = [reports[pk] for pk in report_ids]
    gradings = {g.report_id: g for g in Grading.objects.filter(report__in=shown)}
    held = list(_values_held(subject).values_list("tier", "kind", "canonical", "id"))
    identifiers_page, identifier_ids = _page_of(
        [row for row in held if row[0] < Tier.WEAK], IDENTIFIERS_PAGE, pages.get("identifiers")
    )
    associations_page, association_ids = _page_of(
        [row for row in held if row[0] == Tier.WEAK], ASSOCIATIONS_PAGE, pages.get("associations")
    )
    values = Value.objects.in_bulk([*identifier_ids, *association_ids])
    associations = _held(subject, [values[pk] for pk in association_ids])
    _other_subjects(subject, [h for h in associations if not h.value.excluded])
    invalid = Sighting.objects.filter(member__subject=subject, value__isnull=True)
    links = Link.objects.filter(subject=subject)
    media = ReportMedia.objects.filter(report__members__subject=subject, match_status=MatchStatus.KNOWN)
    return Dossier(
        subject=subject,
        member_count=len(member_ids),
        report_count=timeline_page.paginator.count,
        timeline_page=timeline_page,
        timeline=[(r, gradings.get(r.pk)) for r in shown],
        page_members=list(members.filter(report__in=shown).select_related("report").order_by("id")),
        identifiers_page=identifiers_page,
        identifiers=_held(subject, [values[pk] for pk in identifier_ids]),
        associations_page=associations_page,
        associations=associations,
        invalid=[
            (s.member.report, s)
            for s in invalid.select_related("identifier", "member__report").order_by("identifier_id")[:LISTED]
        ],
        invalid_count=invalid.count(),
        links=list(links.select_related("value").order_by("-members", "value_id")[:LISTED]),
        link_count=links.count(),
        media=list(
            media.distinct()
            .select_related("report")
            .order_by("report__received_at", "report_id", "position")[:LISTED]
        ),
        media_count=media.distinct().count(),
        decisions=[
            d
            for d in Decision.objects.select_related("made_by", "revoked_by").order_by("-made_at")
            if member_ids & {*d.side_a, *d.side_b}
        ],
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
