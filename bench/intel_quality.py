"""Issue 5's done-when check at full size: a held-back synthetic set (haven.intel.synthetic, with its traps)
goes through the real commands, and the subjects that come out are scored pairwise against the truth.

    HAVEN_DEBUG=1 .venv/bin/python -m bench.intel_quality [--people 2000] [--seed 9001]

Runs `haven reports import`, `haven worker --burst` and `haven subjects export --format jsonl` (the same
management commands, in this process) on a throwaway SQLite file, or on HAVEN_DATABASE_URL when set (a
scratch database). The baselines, in the same run, are two careless linkers on the same reports: every
value as written, weak ones included, and exact strong values without normalisation.
"""

from __future__ import annotations

import argparse
import io
import json
import time

from bench import setup_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=9001)
    args = parser.parse_args()
    scratch = setup_database()
    from django.core.management import call_command

    from haven.accounts.models import Organisation, OrganisationKind
    from haven.intel.synthetic import as_written, careless, dataset, exact_strong, pairwise

    Organisation.objects.get_or_create(
        slug="held-back", defaults={"name": "Held-back set", "kind": OrganisationKind.INDUSTRY}
    )
    call_command("migrate", verbosity=0)
    data = dataset(people=args.people, seed=args.seed)
    path = scratch / "held-back.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in data.reports))
    start = time.perf_counter()
    call_command("reports", "import", str(path), "--organisation", "held-back", stdout=io.StringIO())
    imported = time.perf_counter()
    call_command("worker", "--burst", verbosity=0)
    processed = time.perf_counter()
    out = io.StringIO()
    call_command("subjects", "export", "--format", "jsonl", stdout=out)
    rows = map(json.loads, out.getvalue().splitlines())
    predicted = {r["external_id"]: s["id"] for s in rows for r in s["reports"]}
    rate = len(data.reports) / (processed - imported)
    print(
        f"{len(data.reports):,} reports by {args.people:,} people; import {imported - start:.1f} s, "
        f"worker {processed - imported:.1f} s ({rate:,.0f} reports/s)"
    )
    print("| linker | pairwise precision | pairwise recall |")
    print("| --- | ---: | ---: |")
    for name, result in [
        ("Haven (`haven worker --burst`, then `haven subjects export`)", predicted),
        (
            "baseline: every value as written, lowercased, weak ones too",
            careless(data.reports, as_written),
        ),
        ("baseline: exact strong values, no normalisation", careless(data.reports, exact_strong)),
    ]:
        precision, recall = pairwise(data.truth, result)
        print(f"| {name} | {precision:.4f} | {recall:.4f} |")


if __name__ == "__main__":
    main()
