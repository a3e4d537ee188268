"""Cost of the hash-chained audit trail, against plain inserts of the same rows in the same run.

    HAVEN_DEBUG=1 .venv/bin/python -m bench.audit_chain [--entries N]

Uses a throwaway SQLite file, or the PostgreSQL database named by HAVEN_DATABASE_URL (its audit tables
are appended to, never emptied, so point it at a scratch database).
"""

from __future__ import annotations

import argparse
import statistics
import time

from bench import setup_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    setup_database()
    from django.db import connection, transaction
    from django.utils import timezone

    from haven.audit.actions import record
    from haven.audit.models import AuditEntry
    from haven.audit.verify import verify_chain

    n = args.entries

    def chained_one_per_transaction() -> None:
        for i in range(n):
            record("bench.append", object_type="bench.thing", object_id=i, ip="192.0.2.1", details={"i": i})

    def chained_batch() -> None:
        with transaction.atomic():
            for i in range(n):
                record(
                    "bench.append", object_type="bench.thing", object_id=i, ip="192.0.2.1", details={"i": i}
                )

    with connection.cursor() as cursor:
        # Baseline table: the same columns and indexes' shape, with no hashing, no head row and no lock.
        cursor.execute(
            f"CREATE TEMPORARY TABLE bench_plain AS SELECT * FROM {AuditEntry._meta.db_table} WHERE 1 = 0"
        )
    next_seq = [0]

    def plain_inserts() -> None:
        sql = (
            "INSERT INTO bench_plain (seq, at, actor, organisation, action, object_type, object_id, ip,"
            " user_agent, details, prev_hash, hash) VALUES (%s, %s, '', '', 'bench.plain', 'bench.thing', %s,"
            " '192.0.2.1', '', %s, '', %s)"
        )
        for i in range(n):
            next_seq[0] += 1
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    sql, [next_seq[0], timezone.now(), str(i), f'{{"i": {i}}}', f"plain-{next_seq[0]}"]
                )

    def timed(fn: object) -> float:
        runs = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            fn()  # type: ignore[operator]
            runs.append(time.perf_counter() - start)
        return statistics.median(runs)

    results = {
        "plain INSERT, one transaction each (baseline)": timed(plain_inserts),
        "record(), one transaction each": timed(chained_one_per_transaction),
        "record(), all in one transaction": timed(chained_batch),
    }
    start = time.perf_counter()
    report = verify_chain()
    verify_seconds = time.perf_counter() - start
    assert report.ok, report.problem

    print(f"database: {connection.vendor}; {n} entries per run, median of {args.repeats} runs")
    print("| operation | seconds | entries/s |")
    print("| --- | ---: | ---: |")
    for name, seconds in results.items():
        print(f"| {name} | {seconds:.3f} | {n / seconds:,.0f} |")
    rate = report.checked / verify_seconds
    print(f"| `haven audit verify` over {report.checked} entries | {verify_seconds:.3f} | {rate:,.0f} |")


if __name__ == "__main__":
    main()
