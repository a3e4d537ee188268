"""Intake throughput: the batch API and the bulk import, against one report per call in the same run.

    HAVEN_DEBUG=1 .venv/bin/python -m bench.intake [--reports 20000] [--baseline 1000]

Uses a throwaway SQLite file, or the PostgreSQL database named by HAVEN_DATABASE_URL (point it at a scratch
database: reports are added, never removed). The API is driven in process through Django's full request
stack (middleware, authentication, validation, the database), without a network hop. Reports are synthetic,
with identifiers from reserved ranges.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import time
import uuid
from typing import Any

from bench import setup_database


def synthetic(i: int, run: str) -> dict[str, Any]:
    return {
        "external_id": f"BENCH-{run}-{i}",
        "incident": {"type": "online_enticement", "occurred_at": "2026-11-20T13:05:00Z",
                     "summary": "Synthetic benchmark report.", "imminent_danger": False},
        "reported_persons": [{"identifiers": [
            {"kind": "email", "value": f"user{i % 5000}@example.com"},
            {"kind": "phone", "value": f"07700 900{i % 1000:03d}", "region": "GB"},
            {"kind": "username", "platform": "examplechat", "value": f"user_{i % 7000}"},
            {"kind": "ip", "value": f"192.0.2.{i % 256}", "port": 40000 + i % 1000,
             "seen_at": "2026-11-20T13:01:00Z", "event": "login"},
        ]}],
        "victims": [{"age_estimate": 13}],
        "media": [{"sha256": f"{i:064x}", "file_name": f"img{i}.jpg"}],
        "reporter": {"organisation": "Example Platform Ltd", "contact_email": "safety@example.com"},
    }  # fmt: skip


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"{statistics.median(ordered) * 1000:.1f} / {p99 * 1000:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=20_000)
    parser.add_argument("--baseline", type=int, default=1_000, help="reports sent one per call")
    parser.add_argument("--batch", type=int, default=1_000)
    args = parser.parse_args()

    scratch = setup_database()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from haven.accounts.actions import create_api_key
    from haven.accounts.models import Organisation, OrganisationKind

    run = uuid.uuid4().hex[:8]
    organisation, _ = Organisation.objects.get_or_create(
        slug="bench-platform", defaults={"name": "Bench Platform", "kind": OrganisationKind.INDUSTRY}
    )
    auth = {"Authorization": f"Bearer {create_api_key(organisation, ['reports:write']).secret}"}
    client = Client(headers={"Host": "localhost"})
    print(f"database: {connection.vendor}; {args.reports:,} reports, batches of {args.batch:,}")
    print("| path | reports | seconds | reports/s | latency ms p50 / p99 |")
    print("| --- | ---: | ---: | ---: | ---: |")

    def row(name: str, count: int, seconds: float, latencies: list[float]) -> None:
        print(f"| {name} | {count:,} | {seconds:.1f} | {count / seconds:,.0f} | {percentiles(latencies)} |")

    latencies = []
    start = time.perf_counter()
    for i in range(args.baseline):
        t = time.perf_counter()
        response = client.post(
            "/api/v1/reports",
            json.dumps(synthetic(i, f"{run}-one")),
            content_type="application/json",
            headers=auth,
            secure=True,
        )
        assert response.status_code == 201, response.content
        latencies.append(time.perf_counter() - t)
    row("API, one report a call (baseline)", args.baseline, time.perf_counter() - start, latencies)

    latencies = []
    start = time.perf_counter()
    for first in range(0, args.reports, args.batch):
        reports = [synthetic(i, f"{run}-batch") for i in range(first, min(args.reports, first + args.batch))]
        t = time.perf_counter()
        response = client.post(
            "/api/v1/reports:batch",
            json.dumps({"reports": reports}),
            content_type="application/json",
            headers=auth,
            secure=True,
        )
        latencies.append(time.perf_counter() - t)
        assert response.status_code == 200, response.content
        assert all(r["outcome"] == "created" for r in response.json())
    row(f"batch API, {args.batch:,} a call (latency per call)", args.reports, time.perf_counter() - start,
        latencies)  # fmt: skip

    path = scratch / "reports.jsonl"
    path.write_text("".join(json.dumps(synthetic(i, f"{run}-import")) + "\n" for i in range(args.reports)))
    for label in ("bulk import (`haven reports import`)", "bulk import again (all already there)"):
        start = time.perf_counter()
        call_command(
            "reports", "import", str(path), "--organisation", organisation.slug, stdout=io.StringIO()
        )
        seconds = time.perf_counter() - start
        print(f"| {label} | {args.reports:,} | {seconds:.1f} | {args.reports / seconds:,.0f} | - |")


if __name__ == "__main__":
    main()
