"""Linking at scale: a full rebuild over about 1M reports and 4M identifiers, and one new report at a time.

    HAVEN_DEBUG=1 HAVEN_DATABASE_URL=postgresql://... .venv/bin/python -m bench.linking [--reports 1000000]

The baseline, in the same run, is a plain Python union-find over the same (member, value) pairs, with no
cap, no warninglists, no decisions and no writes: the least any linker must do. The data is written straight
into the tables (reports, identifiers, members, values, sightings) with COPY, since what is measured is the
linking, not intake; identifiers are synthetic and from reserved ranges (example.com, 2001:db8::/32).
Point HAVEN_DATABASE_URL at a scratch database.
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np

from bench import setup_database


def _max_id(model: Any) -> int:
    return int(model.objects.order_by("-id").values_list("id", flat=True).first() or 0)


def _reset_sequences(*models: Any) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )


def generate(reports: int, seed: int) -> None:
    """``reports`` reports by reports/3 people, four identifiers each: the person's email, one of their
    account or handle, an IPv6 address from a large pool (weak), and a fourth from: the person's other
    handle or account (90%), one of reports/500 shared help-desk addresses, each pasted by about 25 people
    (noisy at the default cap), or a no-reply address (on the warninglist). Holder counts are written as the
    pipeline keeps them."""
    from haven.core.bulk import insert_many
    from haven.intake.actions import IDENTIFIER_COLUMNS, REPORT_COLUMNS
    from haven.intake.models import Identifier, Report
    from haven.intel.models import Member, Sighting, Value

    rng = np.random.default_rng(seed)
    people = max(1, reports // 3)
    prolific = max(1, people // 30)
    person = np.where(
        rng.random(reports) < 0.3, rng.integers(0, prolific, reports), rng.integers(0, people, reports)
    )
    ips, shared = 200_000, max(1, reports // 500)
    email, account, handle = 0, people, 2 * people
    ip0, shared0, no_reply = 3 * people, 3 * people + ips, 3 * people + ips + shared
    slot1 = np.where(rng.random(reports) < 0.5, account + person, handle + person)
    other = np.where(slot1 < handle, handle + person, account + person)
    pick = rng.random(reports)
    slot3 = np.where(
        pick < 0.9, other, np.where(pick < 0.95, shared0 + rng.integers(0, shared, reports), no_reply)
    )
    slots = np.stack([email + person, slot1, ip0 + rng.integers(0, ips, reports), slot3], axis=1)

    def describe(v: int) -> tuple[str, str, str, int, str]:
        if v < account:
            return "email", "", f"user{v}@example.com", 1, ""
        if v < handle:
            return "account_id", "examplechat", str(v - account), 1, ""
        if v < ip0:
            return "username", "examplegram", f"handle{v - handle}", 2, ""
        if v < shared0:
            return "ip", "", f"2001:db8::{(v - ip0) >> 16:x}:{(v - ip0) & 0xFFFF:x}", 3, ""
        if v < no_reply:
            return "email", "", f"helpdesk{v - shared0}@example.net", 1, ""
        return "email", "", "no-reply@notifications.example.com", 1, "shared or no-reply mailbox"

    now = datetime(2026, 11, 1, tzinfo=UTC)
    used, holders = np.unique(slots, return_counts=True)
    value_base = _max_id(Value) + 1
    value_id = {int(v): value_base + i for i, v in enumerate(used.tolist())}
    insert_many(
        Value,
        [
            "id",
            "kind",
            "platform",
            "canonical",
            "tier",
            "excluded",
            "noisy",
            "holders",
            "subjects",
            "first_seen",
            "last_seen",
        ],
        (
            (value_id[v], *describe(v), False, h, 0, now, now)
            for v, h in zip(used.tolist(), holders.tolist(), strict=True)
        ),
    )
    report_base, member_base = _max_id(Report) + 1, _max_id(Member) + 1
    identifier_base = _max_id(Identifier) + 1
    for start in range(0, reports, 100_000):
        stop = min(reports, start + 100_000)
        rows: list[tuple[Any, ...]] = [
            (
                report_base + i,
                uuid.uuid4(),
                None,
                "industry",
                None,
                None,
                "0" * 64,
                "processed",
                "other",
                None,
                False,
                {"reported_persons": [{}]},
                now,
                now,
                None,
                "",
                0,
            )
            for i in range(start, stop)
        ]
        insert_many(Report, ("id", *REPORT_COLUMNS), rows)
        insert_many(
            Member,
            ["id", "report", "person"],
            ((member_base + i, report_base + i, 0) for i in range(start, stop)),
        )
        identifiers, sightings = [], []
        for i in range(start, stop):
            for j, v in enumerate(slots[i].tolist()):
                kind, platform, canonical, _, _ = describe(v)
                pk = identifier_base + 4 * i + j
                identifiers.append(
                    (pk, report_base + i, False, 0, kind, canonical, platform, "", None, None, "")
                )
                sightings.append((pk, member_base + i, value_id[v], ""))
        insert_many(Identifier, ("id", *IDENTIFIER_COLUMNS), identifiers)
        insert_many(Sighting, ["identifier", "member", "value", "invalid"], sightings)
        print(f"  wrote {stop:,} reports", flush=True)
    _reset_sequences(Value, Report, Member, Identifier)
    from django.db import connection

    if connection.vendor == "postgresql":  # as autovacuum would, on a live database
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def union_find_baseline(pairs: np.ndarray) -> int:
    """Plain Python union-find over (member, value) pairs: members sharing any value are one subject."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(x, x) != root:
            parent[x], x = root, parent[x]
        return root

    first: dict[int, int] = {}
    for member, value in pairs.tolist():
        if value in first:
            a, b = find(first[value]), find(member)
            if a != b:
                parent[b] = a
        else:
            first[value] = member
    return len({find(m) for m in set(pairs[:, 0].tolist())})


@dataclass
class Timings:
    """Per new report: the worker's step (row lock, linking, commit), linking alone (``link_report``), linking
    with the commit, and the baseline run after each; with the share of CPU time the hypervisor took (steal).
    The row lock and the commit are shared by every step the worker runs for a report (match, bundle, link).
    """

    step: list[float] = field(default_factory=list)
    linking: list[float] = field(default_factory=list)
    committed: list[float] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)
    steal: str = "unknown"

    def report(self) -> str:
        return (
            f"incremental, {len(self.step):,} reports (CPU steal {self.steal}):\n"
            f"  worker's step (row lock, linking, commit): {_percentiles(self.step)}\n"
            f"  linking alone (link_report): {_percentiles(self.linking)}\n"
            f"  linking and the commit: {_percentiles(self.committed)}\n"
            f"  baseline, five round trips doing nothing: {_percentiles(self.floor)}"
        )


def _cpu_times() -> list[int]:
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            return [int(x) for x in stat.readline().split()[1:]]
    except OSError:
        return []


def _steal(before: list[int], after: list[int]) -> str:
    """The share of CPU time taken by the hypervisor between the two readings (/proc/stat's eighth column)."""
    if len(before) < 8 or len(after) < 8:
        return "unknown"
    spent = [b - a for a, b in zip(before, after, strict=True)]
    return f"{100 * spent[7] / max(1, sum(spent)):.0f}%"


def incremental(count: int, people: int, seed: int) -> Timings:
    """Submit ``count`` reports, a third by prolific people (so that they link into large subjects), then time
    the linking step of each as the worker runs it: in a transaction, with the report read under a row lock,
    sightings recorded, members linked, and the commit. Returns those times, and after each a baseline's:
    the same number of round trips with no work in them."""
    from django.db import connection, transaction

    from haven.core.heap import freeze_startup_heap
    from haven.intake.actions import Submitted, submit_reports
    from haven.intake.models import Report
    from haven.intake.schemas import ReportIn
    from haven.intel.linking import link_report

    rng = np.random.default_rng(seed)
    run = uuid.uuid4().hex[:8]  # new external ids every run, so that no report is found again
    items = []
    for n in range(count):
        p = int(rng.integers(0, max(1, people // 30) if n % 3 == 0 else people))
        items.append(
            ReportIn.model_validate(
                {
                    "external_id": f"INC-{run}-{n}",
                    "incident": {"type": "other", "summary": "Synthetic benchmark report."},
                    "reported_persons": [
                        {
                            "identifiers": [
                                {"kind": "email", "value": f"User{p}@Example.com"},
                                {"kind": "username", "platform": "examplegram", "value": f"@handle{p}"},
                                {"kind": "ip", "value": f"2001:db8::1:{int(rng.integers(0, 65_536)):x}"},
                                {"kind": "email", "value": f"new{seed}-{n}@example.org"},
                            ]
                        }
                    ],
                }
            )
        )
    stored = [
        r.report
        for r in submit_reports(items, organisation=None, source="public")
        if isinstance(r, Submitted)
    ]
    freeze_startup_heap()  # as `haven worker` does before its first job
    timings = Timings()
    cpu = _cpu_times()
    for report in stored:
        start = time.perf_counter()
        with transaction.atomic():
            # As the worker does: the report read under a row lock, then the step.
            locked = Report.objects.select_for_update().get(pk=report.pk)
            linking = time.perf_counter()
            link_report(locked)
            linked = time.perf_counter()
        end = time.perf_counter()
        timings.step.append(end - start)
        timings.linking.append(linked - linking)
        timings.committed.append(end - linking)
        start = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            # The floor, right after: the step's five round trips doing nothing (the row lock, the read of the
            # identifiers, the writes sent together, the last writes, and the commit, which waits for the
            # log as the step's does because one row is written).
            Report.objects.select_for_update().get(pk=report.pk)
            for _ in range(2):
                cursor.execute("SELECT 1")
            cursor.execute("UPDATE intel_member SET person = person WHERE report_id = %s", [report.pk])
        timings.floor.append(time.perf_counter() - start)
    timings.steal = _steal(cpu, _cpu_times())
    return timings


def prewarm() -> str:
    """Load the linking tables and their indexes into PostgreSQL's buffers, as on a server that has been
    linking for a while. Needs the pg_prewarm extension (PostgreSQL's contrib) and the right to create it.
    Without it, a run just after the server starts reads much of what it touches from disk."""
    from django.db import DatabaseError, connection, transaction

    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
            cursor.execute(
                "SELECT COALESCE(SUM(pg_prewarm(c.oid)), 0) FROM pg_class c "
                "WHERE c.relkind IN ('r', 'i') AND c.relname LIKE 'intel\\_%'"
            )
            (blocks,) = cursor.fetchone()
    except DatabaseError as error:
        return f"not prewarmed: {error}"
    return f"prewarmed: {blocks * 8 / 1024:,.0f} MiB of the intel tables and indexes"


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return (
        f"p50 {statistics.median(samples) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, "
        f"max {ordered[-1] * 1000:.1f} ms"
    )


def profile_incremental(count: int, people: int, seed: int) -> None:
    """The incremental run alone, with the time spent in each kind of query (by its first 60 characters)."""
    from collections import defaultdict

    from django.db import connection

    spent: dict[str, list[float]] = defaultdict(list)

    def timer(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent[" ".join(sql.split())[:60]].append(time.perf_counter() - start)

    with connection.execute_wrapper(timer):
        timings = incremental(count, people, seed + int(time.time()))
    print(timings.report())
    total = sum(timings.step)
    floor_sql = ("SELECT 1", "UPDATE intel_member SET person = person")
    for sql, times in sorted(spent.items(), key=lambda kv: -sum(kv[1]))[:25]:
        if sql.startswith(floor_sql):
            continue
        print(
            f"{sum(times) / total * 100:5.1f}%  {len(times) / len(timings.step):5.2f}/report  "
            f"{statistics.median(times) * 1000:6.2f} ms  {sql}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--incremental", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="time the data already in the database")
    parser.add_argument(
        "--incremental-only",
        action="store_true",
        help="with --reuse: only the incremental run, on the subjects already there; lists each query's time",
    )
    parser.add_argument(
        "--prewarm",
        action="store_true",
        help="before the incremental run, load the linking tables into PostgreSQL's buffers (pg_prewarm)",
    )
    args = parser.parse_args()
    setup_database()
    from django.db import connection

    from haven.intel.linking import rebuild, tidy_after
    from haven.intel.linking.common import read_array
    from haven.intel.models import Link, Member, Sighting, Subject

    if args.prewarm:
        print(prewarm())
    if args.reuse and args.incremental_only:
        profile_incremental(args.incremental, max(1, args.reports // 3), args.seed)
        return
    start = time.perf_counter()
    if not args.reuse:
        generate(args.reports, args.seed)
    else:  # start from no subjects, as after a fresh generation
        with connection.cursor() as cursor:
            cursor.execute("UPDATE intel_member SET subject_id = NULL")
            cursor.execute("DELETE FROM intel_link")
            cursor.execute("DELETE FROM intel_subject")
    print(
        f"database: {connection.vendor}; {'cleared' if args.reuse else 'generated'} in "
        f"{time.perf_counter() - start:.0f} s: "
        f"{Member.objects.count():,} reported persons, {Sighting.objects.count():,} identifiers"
    )

    def timed(label: str) -> None:
        start = time.perf_counter()
        outcome = rebuild()
        seconds = time.perf_counter() - start
        steps = ", ".join(f"{k} {v:.1f}" for k, v in outcome.timings.items())
        start = time.perf_counter()
        if tidy_after(outcome):  # as `haven link --rebuild` does after the rebuild, outside its transaction
            steps += f"; then vacuum and analyse {time.perf_counter() - start:.1f}"
        print(
            f"| {label} | {seconds:.1f} | {outcome.subjects:,} subjects, {outcome.moved:,} moved, "
            f"{outcome.noisy:,} noisy | {steps} |"
        )

    print("| run | seconds | result | steps (s) |")
    print("| --- | ---: | --- | --- |")
    timed("rebuild from nothing (no subjects yet)")
    timed("rebuild again (every subject already right)")
    start = time.perf_counter()
    pairs = read_array(
        "SELECT DISTINCT member_id, value_id FROM intel_sighting WHERE value_id IS NOT NULL", 2
    )
    read = time.perf_counter() - start
    start = time.perf_counter()
    groups = union_find_baseline(pairs)
    print(
        f"| baseline: read pairs {read:.1f} s + Python union-find, no cap, no writes | "
        f"{read + time.perf_counter() - start:.1f} | {groups:,} groups (every value links) | - |"
    )
    if args.prewarm:
        print(prewarm())
    timings = incremental(
        args.incremental, max(1, args.reports // 3), args.seed + (1000 if args.reuse else 0)
    )
    print(timings.report())
    print(f"subjects {Subject.objects.count():,}, links {Link.objects.count():,}")


if __name__ == "__main__":
    main()
