"""Bank import throughput: `haven bank import` of a CSV list (the chunk path), against the row path, in the
same run and on the same database.

    HAVEN_DEBUG=1 HAVEN_DATABASE_URL=postgresql://… .venv/bin/python -m bench.bank_import --records 1000000

Point HAVEN_DATABASE_URL at a scratch database: the bank tables are emptied first. The list is synthetic:
random sha256, md5 and PDQ hashes (no images at all), categories and series. Measured, each on the
database as the step before left it:
1. the row path (``importing.add_rows``, what every import did before) on the first ``--baseline`` rows;
2. `haven bank import` of the whole list (CSV parsing, validation and the chunk path);
3. `haven bank import` of the same list again, when every record is already there.
"""

from __future__ import annotations

import argparse
import csv
import io
import itertools
import random
import time
from pathlib import Path

from bench import setup_database

CATEGORIES = ["A", "B", "C", "uncategorised", "uncategorised", "not_indecent"]


def write_list(path: Path, records: int, seed: int) -> None:
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["md5", "sha1", "sha256", "pdq", "category", "series", "source"])
        for i in range(records):
            writer.writerow([
                f"{rng.getrandbits(128):032x}", "", f"{rng.getrandbits(256):064x}",
                f"{rng.getrandbits(256):064x}" if i % 3 else "", rng.choice(CATEGORIES),
                f"S-{i % 997}" if i % 5 == 0 else "", "bench feed",
            ])  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--baseline", type=int, default=20_000, help="rows through the row path")
    parser.add_argument("--chunk", type=int, default=50_000)
    parser.add_argument("--jobs", type=int, default=0, help="as `haven bank import --jobs` (0: its default)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    scratch = setup_database()

    from django.core.management import call_command
    from django.db import connection, transaction

    from haven.hashbank import csvformat
    from haven.hashbank.actions import get_or_create_list
    from haven.hashbank.importing import RecordInput, add_rows
    from haven.hashbank.models import BankRecord, RecordEvent, RecordSource

    print(f"database: {connection.vendor}; records: {args.records:,}; chunk {args.chunk:,}; jobs {args.jobs}")
    with connection.cursor() as cursor:
        tables = [m._meta.db_table for m in (RecordEvent, RecordSource, BankRecord)]
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")
    national = get_or_create_list("national")

    started = time.perf_counter()
    listing = scratch / "list.csv"
    write_list(listing, args.records, args.seed)
    print(
        f"wrote {listing} ({listing.stat().st_size / 1e6:,.0f} MB) in {time.perf_counter() - started:.1f} s"
    )

    with listing.open(encoding="utf-8", newline="") as stream:
        read = (item for _, item in csvformat.read(stream) if isinstance(item, RecordInput))
        baseline = list(itertools.islice(read, args.baseline))
    started = time.perf_counter()
    with transaction.atomic():
        add_rows(baseline, national, "bench")
    took = time.perf_counter() - started
    print(f"row path, {len(baseline):,} rows: {took:.1f} s, {len(baseline) / took:,.0f} records/s")

    for label in ("haven bank import", "haven bank import again"):
        started = time.perf_counter()
        out = io.StringIO()
        call_command(
            "bank", "import", str(listing), "--format", "csv", "--chunk", str(args.chunk),
            "--jobs", str(args.jobs), stdout=out,
        )  # fmt: skip
        took = time.perf_counter() - started
        print(f"{label}, {args.records:,} rows: {took:.1f} s, {args.records / took:,.0f} records/s")
        print(f"  {out.getvalue().strip()}")
    print(f"records in the bank: {BankRecord.objects.count():,}")


if __name__ == "__main__":
    main()
