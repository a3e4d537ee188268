"""The analysts' work queue with many open reports: `GET /staff/queue/` (first page, filters, a deep page),
its latency and its query count, against a baseline in the same run that reads every open report's priority
and sorts them in Python.

    HAVEN_DEBUG=1 HAVEN_DATABASE_URL=postgresql://… .venv/bin/python -m bench.queue --reports 100000

Point HAVEN_DATABASE_URL at a scratch database: the reports and priorities tables are emptied first. The
reports are synthetic rows (no media, no people), each with a priority of a random band and deadline.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import timedelta
from typing import Any

from bench import setup_database

BANDS = ["P1", "P2", "P2", "P3", "P3", "P3", "P4", "P4", "P4", "P4"]


def p50_p95(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000


def fill(total: int, rng: random.Random) -> Any:
    """Empty the tables, then make ``total`` processed reports with priorities; returns the analyst."""
    from django.db import connection
    from django.utils import timezone

    from haven.accounts.models import Organisation, OrganisationKind, Role, User
    from haven.intake.models import Report
    from haven.triage.actions import current_policy
    from haven.triage.models import WINDOWS, Priority

    Priority.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE intake_report CASCADE"
            if connection.vendor == "postgresql"
            else "DELETE FROM intake_report"
        )
    centre, _ = Organisation.objects.get_or_create(
        slug="bench-centre", defaults={"name": "Bench Centre", "kind": OrganisationKind.CENTRE}
    )
    Organisation.objects.get_or_create(
        slug="bench-force", defaults={"name": "Bench Police", "kind": OrganisationKind.POLICE_FORCE}
    )
    platform, _ = Organisation.objects.get_or_create(
        slug="bench-platform", defaults={"name": "Bench Platform", "kind": OrganisationKind.INDUSTRY}
    )
    analyst = User.objects.filter(username="bench-analyst").first() or User.objects.create_user(
        "bench-analyst", password=None, role=Role.ANALYST, organisation=centre
    )
    policy = current_policy()
    now = timezone.now()
    started = time.perf_counter()
    for start in range(0, total, 5000):
        received = [
            now - timedelta(minutes=rng.randrange(0, 60 * 24 * 30)) for _ in range(min(5000, total - start))
        ]
        reports = Report.objects.bulk_create(
            Report(organisation=platform, source="industry", body_sha256="0" * 64, status="processed",
                   incident_type="online_enticement", payload={}, received_at=r, processed_at=r,
                   assignee=analyst if rng.random() < 0.05 else None)
            for r in received
        )  # fmt: skip
        priorities = []
        for report in reports:
            band = rng.choice(BANDS)
            window = WINDOWS[band]
            priorities.append(
                Priority(report=report, score=rng.randrange(0, 120), band=band, effective_band=band,
                         deadline=report.received_at + window if window else None, reasons=[],
                         policy=policy, computed_at=now)
            )  # fmt: skip
        Priority.objects.bulk_create(priorities)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE intake_report")
            cursor.execute("VACUUM ANALYZE triage_priority")
    took = time.perf_counter() - started
    print(f"database: {connection.vendor}; {total:,} open reports made in {took:.0f} s")
    return analyst


def signed_in(analyst: Any) -> Any:
    """A test client signed in as the analyst, past the second factor."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client(headers={"Host": "localhost"})
    client.force_login(analyst)
    device = TOTPDevice.objects.filter(user=analyst).first() or TOTPDevice.objects.create(
        user=analyst, name="bench", confirmed=True
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def measure(client: Any, total: int, requests: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    print("| request | p50 ms | p95 ms | statements (and BEGIN/COMMIT) |")
    print("| --- | ---: | ---: | ---: |")
    deep = total // 50 // 2
    for label, url in [
        ("first page", "/staff/queue/"),
        ("band P2", "/staff/queue/?band=P2"),
        ("assigned to me", "/staff/queue/?assignee=me"),
        ("overdue only", "/staff/queue/?overdue=on"),
        ("proposed force", "/staff/queue/?force=bench-force"),
        (f"page {deep:,}", f"/staff/queue/?page={deep}"),
    ]:
        latencies = []
        statements = control = 0
        for _ in range(requests):
            with CaptureQueriesContext(connection) as captured:
                begin = time.perf_counter()
                response = client.get(url)
                latencies.append(time.perf_counter() - begin)
            assert response.status_code == 200, (url, response.status_code)
            sql = [q["sql"] for q in captured.captured_queries]
            control = sum(s in ("BEGIN", "COMMIT") for s in sql)
            statements = max(statements, len(sql) - control)
        p50, p95 = p50_p95(latencies)
        print(f"| `GET {url}` ({label}) | {p50:.1f} | {p95:.1f} | {statements} (+{control}) |")


def baseline(requests: int) -> None:
    """Every open report's priority read and sorted in Python, the first 50 kept."""
    from django.utils import timezone

    from haven.triage.views import open_reports

    far = timezone.now() + timedelta(days=3650)
    latencies = []
    for _ in range(requests):
        begin = time.perf_counter()
        rows = list(open_reports().order_by().values_list("effective_band", "deadline", "id", "report__uid"))
        rows.sort(key=lambda r: (r[0], r[1] or far, r[2]))
        assert len(rows[:50]) == min(50, len(rows))
        latencies.append(time.perf_counter() - begin)
    p50, p95 = p50_p95(latencies)
    print(f"| baseline: every open priority read and sorted in Python | {p50:.1f} | {p95:.1f} | 1 |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=60, help="requests of each kind")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    setup_database()
    analyst = fill(args.reports, random.Random(args.seed))
    measure(signed_in(analyst), args.reports, args.requests)
    baseline(max(5, args.requests // 6))


if __name__ == "__main__":
    main()
