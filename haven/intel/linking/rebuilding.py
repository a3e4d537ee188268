"""Working out every subject again (``haven link --rebuild``): read everything as arrays, partition once,
write by difference. Only this explicit command drops and remakes indexes (``checks_afterwards``) or
vacuums."""

from __future__ import annotations

import numpy as np
from django.db import connection, transaction

from haven.core.bulk import BULK_ROWS
from haven.intel.linking.common import Clock, Outcome, Progress, read_array, unique_pairs, update_pairs
from haven.intel.linking.decisions import Decisions
from haven.intel.linking.partitioning import partition_and_write
from haven.intel.models import (
    Value,
)
from haven.intel.partition import Ints
from haven.intel.warninglists import Warninglist, current, reason_sql


def rebuild(progress: Progress | None = None, *, bulk_from: int = BULK_ROWS) -> Outcome:
    """Work out every subject from scratch, keeping the analysts' decisions. Warninglists and exclusions are
    applied again, so a new exclusion takes effect everywhere. When at least ``bulk_from`` reported persons
    move or links are added, the foreign keys and indexes of that write are made again after it (see
    ``checks_afterwards``), and the table is locked against readers until the rebuild ends."""
    clock = Clock(progress)
    with transaction.atomic():
        _refresh_exclusions(current())
        clock.lap("warninglists")
        members = read_array("SELECT id, COALESCE(subject_id, 0) FROM intel_member ORDER BY id", 2)
        values = read_array(
            "SELECT id, CASE WHEN tier < 3 AND excluded = '' THEN 1 ELSE 0 END, subjects, holders "
            "FROM intel_value ORDER BY id",
            4,
        )
        # A person may give one value twice (two spellings of a number): pairs are made distinct here, where
        # it is cheaper than in the database.
        raw = read_array("SELECT member_id, value_id FROM intel_sighting WHERE value_id IS NOT NULL", 2)
        pair_member, pair_value, _ = unique_pairs(raw[:, 0], raw[:, 1])
        pairs = np.stack([pair_member, pair_value], axis=1)
        clock.lap("read")
        _recount_holders(values[:, 0], pairs[:, 1], values[:, 3])
        clock.lap("holders")
        outcome = partition_and_write(
            members[:, 0],
            pairs[:, 0],
            pairs[:, 1],
            values[:, 0],
            values[:, 1].astype(bool),
            members[:, 1],
            Decisions.active(),
            full=True,
            stored_subjects=values[:, 2],
            progress=progress,
            bulk_from=bulk_from,
        )
    outcome.timings = clock.laps | outcome.timings
    return outcome


def tidy_after(outcome: Outcome) -> bool:
    """After a rebuild that moved at least ``BULK_ROWS`` reported persons, on PostgreSQL: vacuum and analyse
    the tables it rewrote, so that the reports linked next meet neither a million dead rows nor stale
    statistics, nor autovacuum doing the same work under them. Runs outside any transaction. Returns whether
    it ran."""
    if connection.vendor != "postgresql" or outcome.moved < BULK_ROWS or connection.in_atomic_block:
        return False
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) intel_member, intel_link, intel_subject, intel_value")
    return True


def _refresh_exclusions(listed: Warninglist) -> None:
    """Apply the warninglists to every value again, in the database where it can."""
    inet = connection.vendor == "postgresql"
    for kind in sorted(listed.kinds()):
        if kind == "ip" and listed.networks and not inet:
            rows = Value.objects.filter(kind=kind).values_list("id", "canonical", "excluded")
            changed = [
                (pk, reason)
                for pk, canonical, was in rows.iterator(chunk_size=20_000)
                if (reason := listed.match(kind, canonical)) != was
            ]
            update_pairs(
                Value._meta.db_table,
                "excluded",
                np.array([c[0] for c in changed]),
                [c[1] for c in changed],
                "text",
                temporary_table=True,
            )
            continue
        reason, params = reason_sql(listed, kind, inet=inet)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE intel_value SET excluded = {reason} WHERE kind = %s AND excluded <> {reason}",  # noqa: S608
                [*params, kind, *params],
            )
    Value.objects.exclude(kind__in=listed.kinds()).exclude(excluded="").update(excluded="")


def _recount_holders(value_ids: Ints, pair_value: Ints, stored: Ints) -> None:
    holders = np.bincount(np.searchsorted(value_ids, pair_value), minlength=len(value_ids))
    wrong = np.flatnonzero(holders != stored)
    update_pairs(
        Value._meta.db_table, "holders", value_ids[wrong], holders[wrong].tolist(), temporary_table=True
    )
