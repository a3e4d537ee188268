"""The insights dashboards on a large history: each dashboard answered from the daily summaries, beside the
same figures counted straight from the case tables (the naive query), in the same run.

    HAVEN_DEBUG=1 HAVEN_DATABASE_URL=postgresql://... .venv/bin/python -m bench.insights --reports 1000000

``--reports`` synthetic reports over the last ``--days`` days (``haven.insights.synthetic``, with a rising
series and closed referrals of a share of them) are written once into the scratch database and summarised
(``summary.rebuild``, timed). Then, for the default range (the last 26 weeks) and for a whole year:

- each dashboard page, ``GET /staff/insights/<slug>/`` as a signed-in supervisor through Django's test client
  (so the time is the server's: queries, charts, SVG, template, audit entry), median and worst of
  ``--repeat`` runs;
- the reports dashboard's figures counted the naive way, from ``intake_report`` joined to priorities and
  files with the same filters, against the same figures from the summaries (``reports_dashboard``).

Last, keeping up: a day's summary made again after a change (``summarise_day``), the chore's unit of work.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import timedelta
from typing import Any

from bench import setup_database
from bench.queue import signed_in

FORCES = ("bench-force-north", "bench-force-south")


def populate(count: int, days: int) -> None:
    from django.utils import timezone
    from rich.progress import Progress

    from haven.accounts.models import Organisation, OrganisationKind
    from haven.insights import summary
    from haven.insights.synthetic import EXTERNAL, Rise, generate, referrals
    from haven.intake.models import Report

    have = Report.objects.filter(external_id__startswith=EXTERNAL).count()
    if have >= count:
        print(f"history: {have:,} synthetic reports already in the scratch database")
        return
    forces = [
        Organisation.objects.get_or_create(slug=s, defaults={"name": s.replace("-", " ").title(),
                                                             "kind": OrganisationKind.POLICE_FORCE})[0]
        for s in FORCES
    ]  # fmt: skip
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    start = time.perf_counter()
    with Progress() as bar:
        task = bar.add_task("writing reports", total=count + 1000)
        made = generate(count - have, start=monday - timedelta(days=days), end=monday - timedelta(days=1),
                        forces=list(FORCES), seed=1, rise=Rise(per_week=200),
                        progress=lambda n: bar.advance(task, n))  # fmt: skip
    wrote = time.perf_counter() - start
    analyst = _supervisor()
    start = time.perf_counter()
    sent = referrals(forces, sent_by=analyst, share=0.01, seed=1)
    referred = time.perf_counter() - start
    start = time.perf_counter()
    summarised = summary.rebuild()
    rebuilt = time.perf_counter() - start
    print(f"history: wrote {made:,} reports in {wrote:.0f} s and {sent:,} referrals in {referred:.0f} s")
    print(f"summary.rebuild: {summarised} days in {rebuilt:.0f} s ({rebuilt / summarised:.2f} s a day)")


def _supervisor() -> Any:
    from haven.accounts.actions import create_organisation, create_user
    from haven.accounts.models import Organisation, OrganisationKind, Role, User

    found = User.objects.filter(username="bench-supervisor").first()
    if found:
        return found
    centre = Organisation.objects.filter(slug="bench-centre").first() or create_organisation(
        "bench-centre", "Bench Centre", OrganisationKind.CENTRE
    )
    return create_user("bench-supervisor", role=Role.SUPERVISOR, organisation=centre,
                       password="bench-password-not-secret-1", email="bench@example.org")  # noqa: S106  # fmt: skip


def timed(run: Any, repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000, max(samples) * 1000


def naive_reports(filters: Any) -> dict[str, Any]:
    """The reports dashboard's figures from the case tables, the way one would write them without
    summaries: by source per period, by incident type, by band, sextortion, known and novel files."""
    from django.db.models import Count, Q
    from django.db.models.functions import TruncMonth, TruncWeek

    from haven.intake.models import MatchStatus, Report, ReportMedia, ReportStatus
    from haven.triage.models import Priority

    start, end = filters.moments()
    reports = Report.objects.filter(received_at__gte=start, received_at__lt=end,
                                    status__in=[ReportStatus.RECEIVED, ReportStatus.PROCESSED,
                                                ReportStatus.FAILED])  # fmt: skip
    trunc = TruncWeek("received_at") if filters.weekly else TruncMonth("received_at")
    return {
        "by_source": list(reports.annotate(p=trunc).values("p", "source").annotate(n=Count("id")).order_by()),
        "by_type": list(reports.values("incident_type").annotate(n=Count("id")).order_by()),
        "by_band": list(Priority.objects.filter(report__in=reports).values("effective_band")
                        .annotate(n=Count("id")).order_by()),
        "sextortion": reports.filter(Q(incident_type="sextortion")).count(),
        "media": list(ReportMedia.objects.filter(report__in=reports).values("match_status")
                      .annotate(n=Count("id")).order_by()),
        "known": MatchStatus.KNOWN,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=364)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    setup_database()
    from django.db import connection
    from django.urls import reverse
    from django.utils import timezone

    from haven.insights import summary
    from haven.insights.models import ReportDay
    from haven.insights.queries import DASHBOARDS, Filters, reports_dashboard

    populate(args.reports, args.days)
    client = signed_in(_supervisor())
    today = timezone.localdate()
    ranges = {
        "26 weeks": Filters.default(today),
        "a year": Filters(start=today - timedelta(days=364), end=today),
    }
    print(f"database: {connection.vendor}; summary rows: {ReportDay.objects.count():,}")
    print("| page | range | median | worst |")
    print("| --- | --- | ---: | ---: |")
    for label, filters in ranges.items():
        for slug in [*DASHBOARDS, "trends"]:
            url = (
                reverse("insights:trends") if slug == "trends" else reverse("insights:dashboard", args=[slug])
            )

            query = filters.query()

            def get(url: str = url, query: dict[str, str] = query) -> None:
                assert client.get(url, query).status_code == 200

            p50, worst = timed(get, args.repeat)
            print(f"| {slug} | {label} | {p50:.0f} ms | {worst:.0f} ms |")
    print()
    print("| reports dashboard's figures | range | median | worst |")
    print("| --- | --- | ---: | ---: |")
    for label, filters in ranges.items():
        p50, worst = timed(lambda f=filters: reports_dashboard(f), args.repeat)
        print(f"| from the summaries | {label} | {p50:.0f} ms | {worst:.0f} ms |")
        p50, worst = timed(lambda f=filters: naive_reports(f), args.repeat)
        print(f"| naive, from the case tables (baseline) | {label} | {p50:.0f} ms | {worst:.0f} ms |")
    day = today - timedelta(days=30)
    p50, worst = timed(lambda: summary.summarise_day(day), args.repeat)
    print(f"\nsummarise_day (one day, after a change): median {p50:.0f} ms, worst {worst:.0f} ms")


if __name__ == "__main__":
    main()
