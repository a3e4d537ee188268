"""Synthetic reports for the insights demo, tests and benchmark: written straight into the case tables in
bulk (a report, its priority, its route and its files' match results), as the pipeline would have left
them, without running the pipeline. Every name is invented; platforms are ``example`` services.

A ``Rise`` plants a series that grows over the last weeks, so that trends to watch has something true to
find; everything else is flat apart from chance and a weekly rhythm.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import connection, transaction
from django.utils import timezone

from haven.accounts.models import Organisation, OrganisationKind, User
from haven.grading.models import Cluster, Decision, Stage
from haven.intake.models import MatchStatus, Report, ReportMedia, ReportStatus, Source
from haven.intel.models import Hold
from haven.referrals.models import Outcome, ProposedRoute, Referral, State
from haven.triage.actions import current_policy
from haven.triage.models import WINDOWS, Priority

PLATFORMS = ("ExampleChat", "ExampleGames", "ExampleVideo", "ExampleSocial", "ExamplePhotos")
PLATFORM_WEIGHTS = (30, 20, 20, 20, 10)
TYPES = (
    ("csam_distribution", 40), ("csam_possession", 15), ("online_enticement", 15), ("sextortion", 12),
    ("obscene_material_to_child", 8), ("csam_production", 4), ("live_streaming", 3), ("other", 3),
)  # fmt: skip
BANDS = (("P1", 3), ("P2", 17), ("P3", 40), ("P4", 40))
SOURCES = ((Source.INDUSTRY, 80), (Source.PUBLIC, 12), (Source.HOTLINE, 5), (Source.POLICE, 3))
EXTERNAL = "SYN-"


@dataclass(frozen=True)
class Rise:
    """Extra reports of one kind on one platform over the last ``weeks`` weeks, growing to ``per_week``."""

    incident_type: str = "sextortion"
    platform: str = "ExampleGames"
    under_13: bool = True
    weeks: int = 5
    per_week: int = 60


def platform_organisations() -> dict[str, Organisation]:
    """The invented platforms, as industry organisations (a platform's report is about its service)."""
    out = {}
    for name in PLATFORMS:
        slug = "synthetic-" + name.lower()
        out[name], _ = Organisation.objects.get_or_create(
            slug=slug, defaults={"name": name, "kind": OrganisationKind.INDUSTRY}
        )
    return out


def generate(
    count: int,
    *,
    start: date,
    end: date,
    forces: list[str],
    seed: int = 0,
    rise: Rise | None = None,
    batch: int = 5000,
    progress: Callable[[int], object] | None = None,
) -> int:
    """Write ``count`` reports received between ``start`` and ``end`` (inclusive), plus the rise's; returns
    how many were written in all."""
    rng = random.Random(seed)  # noqa: S311  (synthetic data, repeatable by seed)
    orgs = platform_organisations()
    policy = current_policy()
    days = (end - start).days + 1
    plan = [_plain(rng, start, days) for _ in range(count)]
    if rise is not None:
        plan += _risen(rng, rise, end)
    written = 0
    for n in range(0, len(plan), batch):
        with transaction.atomic():
            _write(rng, plan[n : n + batch], orgs=orgs, forces=forces, policy_id=policy.pk)
        written += len(plan[n : n + batch])
        if progress is not None:
            progress(len(plan[n : n + batch]))
    return written


@dataclass
class _Planned:
    received: datetime
    incident_type: str
    platform: str
    age: int | None


def _plain(rng: random.Random, start: date, days: int) -> _Planned:
    day = start + timedelta(days=rng.randrange(days))
    while day.weekday() >= 5 and rng.random() < 0.3:  # a little fewer at weekends
        day = start + timedelta(days=rng.randrange(days))
    return _Planned(
        received=_moment(rng, day),
        incident_type=rng.choices([t for t, _ in TYPES], [w for _, w in TYPES])[0],
        platform=rng.choices(PLATFORMS, PLATFORM_WEIGHTS)[0],
        age=rng.choice([None, None, rng.randint(8, 12), rng.randint(13, 17), rng.randint(13, 17)]),
    )


def _risen(rng: random.Random, rise: Rise, end: date) -> list[_Planned]:
    """The rise: its weeks end with the last whole week that ends by ``end``, each with more than the last."""
    after = end + timedelta(days=1)
    monday = after - timedelta(days=after.weekday())
    out = []
    for week in range(rise.weeks):
        first = monday - timedelta(weeks=rise.weeks - week)
        for _ in range(round(rise.per_week * (week + 1) / rise.weeks)):
            out.append(
                _Planned(
                    received=_moment(rng, first + timedelta(days=rng.randrange(7))),
                    incident_type=rise.incident_type,
                    platform=rise.platform,
                    age=rng.randint(9, 12) if rise.under_13 else rng.randint(13, 17),
                )
            )
    return out


def _moment(rng: random.Random, day: date) -> datetime:
    at = datetime.combine(day, time(0), tzinfo=timezone.get_current_timezone())
    return at + timedelta(seconds=rng.randrange(86400))


def _write(
    rng: random.Random,
    planned: list[_Planned],
    *,
    orgs: dict[str, Organisation],
    forces: list[str],
    policy_id: int,
) -> None:
    reports = []
    for item in planned:
        industry = rng.random() < 0.8
        tags = []
        if item.incident_type == "sextortion" or rng.random() < 0.02:
            tags.append("sextortion")
        if rng.random() < 0.1:
            tags.append("self_generated")
        if rng.random() < 0.03 + 0.03 * (item.received.month % 3):
            tags.append("generative_ai")
        payload = {
            "incident": {"type": item.incident_type, "annotations": tags},
            "victims": [{"age_estimate": item.age}] if item.age is not None else [],
            "reported_persons": [{"identifiers": [
                {"kind": "username", "value": f"user{rng.randrange(10**6)}", "platform": item.platform}]}],
        }  # fmt: skip
        reports.append(
            Report(
                uid=uuid.UUID(int=rng.getrandbits(128), version=4),
                organisation=orgs[item.platform] if industry else None,
                source=Source.INDUSTRY
                if industry
                else rng.choices([s for s, _ in SOURCES[1:]], [12, 5, 3])[0],
                external_id=f"{EXTERNAL}{uuid.UUID(int=rng.getrandbits(128), version=4).hex}",
                body_sha256=f"{rng.getrandbits(256):064x}",
                status=ReportStatus.PROCESSED,
                incident_type=item.incident_type,
                occurred_at=item.received - timedelta(hours=rng.expovariate(1 / 30)),
                imminent_danger=rng.random() < 0.01,
                payload=payload,
                received_at=item.received,
                processed_at=item.received + timedelta(seconds=rng.expovariate(1 / 300)),
                finished_at=item.received,
            )
        )
    made = Report.objects.bulk_create(reports, batch_size=1000)
    if connection.vendor != "postgresql" or any(r.pk is None for r in made):
        uids = {r.uid for r in reports}
        made = list(Report.objects.filter(uid__in=uids))
    priorities, routes, media = [], [], []
    now = timezone.now()
    for report in made:
        band = rng.choices([b for b, _ in BANDS], [w for _, w in BANDS])[0]
        window = WINDOWS[band]
        priorities.append(
            Priority(
                report=report, score=rng.randrange(10, 100), band=band, effective_band=band,
                deadline=report.received_at + window if window else None, reasons=[], policy_id=policy_id,
                computed_at=report.processed_at or now, queued=False,
            )
        )  # fmt: skip
        if forces and rng.random() < 0.7:
            code = rng.choice(forces)
            routes.append(ProposedRoute(report=report, forces=[{"code": code, "name": code}], force=code,
                                        reason="synthetic"))  # fmt: skip
        for position in range(rng.choice([0, 0, 1, 1, 2])):
            known = rng.random() < 0.6
            media.append(
                ReportMedia(
                    report=report, position=position, sha256=f"{rng.getrandbits(256):064x}",
                    match_status=MatchStatus.KNOWN if known else MatchStatus.NOVEL,
                )
            )  # fmt: skip
    Priority.objects.bulk_create(priorities, batch_size=1000)
    ProposedRoute.objects.bulk_create(routes, batch_size=1000)
    ReportMedia.objects.bulk_create(media, batch_size=1000)


def _other_source(rng: random.Random) -> str:
    return rng.choices([s for s, _ in SOURCES[1:]], [w for _, w in SOURCES[1:]])[0]


def referrals(forces: list[Organisation], *, sent_by: User, share: float = 0.05, seed: int = 0) -> int:
    """Closed referrals of a share of the synthetic reports routed to ``forces`` and banded P1 to P3, each
    sent within its deadline or a little after, acknowledged, and given an outcome. Their holds are closed,
    so deconfliction never shows them. Returns how many were written."""
    rng = random.Random(seed)  # noqa: S311  (synthetic data, repeatable by seed)
    by_code = {f.slug: f for f in forces}
    chosen = [
        p for p in Priority.objects.filter(
            report__external_id__startswith=EXTERNAL, report__route__force__in=list(by_code),
            effective_band__in=["P1", "P2", "P3"], report__referrals__isnull=True,
        ).select_related("report", "report__route").order_by("id")
        if rng.random() < share
    ]  # fmt: skip
    outcomes = [Outcome.CHARGED, Outcome.SAFEGUARDED, Outcome.NO_FURTHER_ACTION]
    written = 0
    with transaction.atomic():
        for priority in chosen:
            report = priority.report
            assert report is not None
            force = by_code[report.route.force]
            window = WINDOWS[priority.effective_band] or timedelta(days=7)
            sent = report.received_at + window * rng.uniform(0.2, 1.3)
            hold = Hold.objects.create(organisation=force, reference="synthetic", contact="", closed_at=sent)
            referral = Referral.objects.create(
                force=force, hold=hold, subject_reference="SUBJ-SYNTHETIC", sent_by=sent_by,
                summary="Synthetic history for the insights demo.", state=State.OUTCOME,
            )  # fmt: skip
            referral.reports.add(report)
            acknowledged = sent + window * rng.uniform(0.1, 1.5)
            Referral.objects.filter(pk=referral.pk).update(
                sent_at=sent, acknowledge_by=sent + window, acknowledged_at=acknowledged,
                actioned_at=acknowledged, outcome=rng.choices(outcomes, [3, 4, 5])[0],
                outcome_at=acknowledged + timedelta(days=rng.randint(3, 40)),
            )  # fmt: skip
            written += 1
    return written


def grading_history(
    first: User, second: User, *, start: date, end: date, clusters: int = 150, seed: int = 0
) -> int:
    """Graded clusters over the range, for the dashboards' throughput and agreement: each graded by
    ``first``, then by ``second``, who agrees nine times in ten (a disagreement is settled by ``second`` as
    supervisor). No files: the clusters are done and hold no items. Returns how many decisions."""
    rng = random.Random(seed)  # noqa: S311  (synthetic data, repeatable by seed)
    days = (end - start).days + 1
    decisions = []
    for _ in range(clusters):
        queued = _moment(rng, start + timedelta(days=rng.randrange(days)))
        size = rng.choice([1, 1, 1, 2, 3, 5, 8])
        cluster = Cluster.objects.create(stage=Stage.DONE, band=rng.choice(["P1", "P2", "P3", "P4"]),
                                         queued_at=queued, size=size, first_grader=first)  # fmt: skip
        graded = queued + timedelta(hours=rng.expovariate(1 / 20))
        verified = graded + timedelta(hours=rng.expovariate(1 / 30))
        agree = rng.random() < 0.9
        steps = [
            (first, Stage.FIRST, Stage.SECOND, graded),
            (second, Stage.SECOND, Stage.DONE if agree else Stage.DISPUTED, verified),
        ]
        if not agree:
            steps.append((second, Stage.DISPUTED, Stage.DONE, verified + timedelta(hours=4)))
        category = rng.choice(["A", "B", "C", "not_indecent"])
        decisions += [
            Decision(cluster=cluster, grader=grader, stage=stage, category=category, members=size,
                     outcome=outcome, at=at, waited_seconds=int((at - queued).total_seconds()))
            for grader, stage, outcome, at in steps
        ]  # fmt: skip
    Decision.objects.bulk_create(decisions)
    return len(decisions)
