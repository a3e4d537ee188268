"""The careful path: find every member a report can reach (its closure), partition them again with
``haven.intel.partition`` (the over-correlation cap, the analysts' decisions), and write what changed. The
full rebuild runs the same partition over every member."""

from __future__ import annotations

import sys
import uuid
from collections import Counter
from collections.abc import Iterable

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from haven.core.bulk import checks_afterwards, insert_many
from haven.intel.linking.common import (
    Clock,
    Outcome,
    Progress,
    chunks,
    read_array,
    unique_pairs,
    update_pairs,
)
from haven.intel.linking.decisions import Decisions
from haven.intel.models import (
    Link,
    Member,
    Sighting,
    Subject,
    Tier,
    Value,
)
from haven.intel.partition import Ints, partition

# A noisy value is checked again when a report reaches it, since the subjects holding it may have merged
# since: it links again once its holders are in no more than ``cap`` subjects. Only values held by up to this
# many times the cap are checked, which bounds the cost; ``haven link --rebuild`` checks every value.
RECHECK_NOISY_UP_TO = 5
# A row count no write reaches: checks are never dropped outside the rebuild.
NEVER = sys.maxsize


def subjects_holding(values: Iterable[int], same: dict[int, int] | None = None) -> Counter[int]:
    """How many distinct subjects hold each value (``same`` maps a subject to the one it is about to join;
    a member without a subject counts as one of its own)."""
    same = same or {}
    seen: set[tuple[int, object]] = set()
    for chunk in chunks(sorted(values)):
        for value, member, subject in Sighting.objects.filter(value_id__in=chunk).values_list(
            "value_id", "member_id", "member__subject_id"
        ):
            seen.add((value, same.get(subject, subject) if subject else f"m{member}"))
    return Counter(value for value, _ in seen)


def _linkable_values(member_ids: Iterable[int]) -> set[int]:
    cap = settings.INTEL_CORRELATION_CAP
    found: set[int] = set()
    noisy: set[int] = set()
    for chunk in chunks(sorted(member_ids)):
        for value, is_noisy, holders in Sighting.objects.filter(
            member_id__in=chunk, value__tier__lt=Tier.WEAK, value__excluded=""
        ).values_list("value_id", "value__noisy", "value__holders"):
            if not is_noisy:
                found.add(value)
            elif holders <= RECHECK_NOISY_UP_TO * cap:
                noisy.add(value)
    return found | {v for v, count in subjects_holding(noisy).items() if count <= cap}


def closure(seeds: Iterable[int], decisions: Decisions) -> tuple[set[int], set[int]]:
    """The members that linking ``seeds`` could touch, and the values that join them: everyone reachable
    through linkable values (and noisy ones that are back under the cap), and through merges."""
    members = set(seeds)
    frontier = set(members)
    values: set[int] = set()
    while frontier:
        new_values = _linkable_values(frontier) - values
        values |= new_values
        reached = decisions.partners(frontier)
        for chunk in chunks(sorted(new_values)):
            reached.update(Sighting.objects.filter(value_id__in=chunk).values_list("member_id", flat=True))
        frontier = reached - members
        members |= frontier
    return members, values


def link_members(seeds: Iterable[int]) -> Outcome:
    """Partition again the members reachable from ``seeds``, and write what changed."""
    decisions = Decisions.active()
    members, values = closure(seeds, decisions)
    member_ids = np.array(sorted(members), dtype=np.int64)
    pairs: list[tuple[int, int]] = []
    for chunk in chunks(member_ids.tolist()):
        pairs.extend(
            Sighting.objects.filter(member_id__in=chunk, value_id__in=values)
            .values_list("member_id", "value_id")
            .distinct()
        )
    pair_member = np.array([p[0] for p in pairs], dtype=np.int64)
    pair_value = np.array([p[1] for p in pairs], dtype=np.int64)
    value_ids = np.array(sorted(values), dtype=np.int64)
    old = dict(Member.objects.filter(id__in=member_ids.tolist()).values_list("id", "subject_id"))
    old_subjects = np.array([old.get(m) or 0 for m in member_ids.tolist()], dtype=np.int64)
    return partition_and_write(
        member_ids,
        pair_member,
        pair_value,
        value_ids,
        np.ones(len(value_ids), bool),
        old_subjects,
        decisions,
        full=False,
    )


def partition_and_write(  # noqa: PLR0917  (arrays of one graph, always passed together)
    member_ids: Ints,
    pair_member: Ints,
    pair_value: Ints,
    value_ids: Ints,
    linkable: np.ndarray,
    old_subjects: Ints,
    decisions: Decisions,
    *,
    full: bool,
    stored_subjects: Ints | None = None,
    progress: Progress | None = None,
    bulk_from: int | None = None,
) -> Outcome:
    """Partition the members, give each component a subject, and write what changed. Only the rebuild
    (``full``) writes through temporary tables, and only it gives ``bulk_from``, past which a write's
    indexes and foreign keys are dropped and made again after it (``checks_afterwards``): no request or
    worker job runs DDL."""
    if bulk_from is None or not full:
        bulk_from = NEVER
    clock = Clock(progress)
    position = {int(m): i for i, m in enumerate(member_ids.tolist())}
    merges, splits = decisions.constraints(position)
    pm = np.searchsorted(member_ids, pair_member)
    pv = np.searchsorted(value_ids, pair_value)
    result = partition(
        len(member_ids), pm, pv, linkable, cap=settings.INTEL_CORRELATION_CAP, merges=merges, splits=splits
    )
    clock.lap("partition")
    new_subjects = _assign(result.labels, old_subjects)
    clock.lap("assign")
    outcome = Outcome(members=len(member_ids), subjects=len(np.unique(new_subjects)))
    with transaction.atomic(savepoint=False):
        outcome.created = _create_subjects(new_subjects)
        changed = new_subjects != old_subjects
        outcome.moved = int(changed.sum())
        with checks_afterwards(Member, ["subject"], outcome.moved, at_least=bulk_from):
            _set_subjects(member_ids[changed], new_subjects[changed], bulk=full)
        clock.lap("members")
        gone = sorted(set(old_subjects.tolist()) - set(new_subjects.tolist()) - {0})
        outcome.removed = _remove_empty(gone)
        outcome.noisy = _set_noisy(value_ids, result.noisy, full=full)
        counted = result.subjects > 0
        if stored_subjects is not None:
            counted &= result.subjects != stored_subjects
        update_pairs(
            Value._meta.db_table, "subjects", value_ids[counted], result.subjects[counted].tolist(),
            temporary_table=full,
        )  # fmt: skip
        touched = np.unique(np.concatenate([new_subjects, old_subjects[old_subjects > 0]]))
        _write_links(
            new_subjects[pm], value_ids[pv], result.used[pv], touched, full=full, bulk_from=bulk_from
        )
        clock.lap("links")
    outcome.timings = clock.laps
    return outcome


def _assign(labels: Ints, old_subjects: Ints) -> Ints:
    """A subject for each component: the old subject holding most of its members (each old subject once,
    ties to the lowest id), else a new one, numbered -1, -2, ... until it is created."""
    n_labels = int(labels.max()) + 1 if len(labels) else 0
    has_old = old_subjects > 0
    key_label, key_old = labels[has_old], old_subjects[has_old]
    chosen = np.zeros(n_labels, dtype=np.int64)
    if len(key_label):
        pair_label, pair_old, counts = unique_pairs(key_label, key_old)
        order = np.lexsort((pair_old, -counts))
        taken: set[int] = set()
        for label, subject in zip(pair_label[order].tolist(), pair_old[order].tolist(), strict=True):
            if chosen[label] == 0 and subject not in taken:
                chosen[label] = subject
                taken.add(subject)
    missing = np.flatnonzero(chosen == 0)
    in_use = np.zeros(n_labels, dtype=bool)
    in_use[labels] = True
    missing = missing[in_use[missing]]
    chosen[missing] = -np.arange(1, len(missing) + 1)
    found: Ints = chosen[labels]
    return found


def _create_subjects(new_subjects: Ints) -> int:
    """Create the subjects numbered below zero, and put their real ids in place (in ``new_subjects``)."""
    placeholders = np.unique(new_subjects[new_subjects < 0])
    if len(placeholders) == 0:
        return 0
    count = len(placeholders)
    now = timezone.now()
    if connection.vendor == "postgresql":
        # One statement, the ids and uids made by the server: a third of the time of drawing the ids,
        # making the uids in Python and COPYing the rows (2.3 s of a rebuild's 7.2 s for 296,000 subjects
        # went on the ids alone). Which placeholder gets which new id does not matter.
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO intel_subject (uid, created_at) SELECT gen_random_uuid(), %s "
                "FROM generate_series(1, %s) RETURNING id",
                [now, count],
            )
            ids = sorted(int(row[0]) for row in cursor.fetchall())
    else:  # SQLite: this transaction holds the write lock, so the next ids are ours
        top = Subject.objects.order_by("-id").values_list("id", flat=True).first() or 0
        ids = list(range(top + 1, top + 1 + count))
        insert_many(Subject, ["id", "uid", "created_at"], ((i, uuid.uuid4(), now) for i in ids))
    real = np.array(ids, dtype=np.int64)
    # placeholders are sorted ascending (-count .. -1); -k maps to ids[k - 1]
    mapping = real[(-placeholders - 1)]
    lookup = new_subjects < 0
    new_subjects[lookup] = mapping[np.searchsorted(placeholders, new_subjects[lookup])]
    return count


def _set_subjects(member_ids: Ints, subjects: Ints, *, bulk: bool) -> None:
    update_pairs(Member._meta.db_table, "subject_id", member_ids, subjects.tolist(), temporary_table=bulk)


def _remove_empty(subject_ids: list[int]) -> int:
    removed = 0
    for chunk in chunks(subject_ids):
        removed += (
            Subject.objects.filter(id__in=chunk, members__isnull=True).delete()[1].get("intel.Subject", 0)
        )
    return removed


def _set_noisy(value_ids: Ints, noisy: np.ndarray, *, full: bool) -> int:
    now_noisy = value_ids[noisy].tolist()
    if full:
        Value.objects.filter(noisy=True).exclude(id__in=now_noisy).update(noisy=False)
    else:
        for chunk in chunks(value_ids[~noisy].tolist()):
            Value.objects.filter(id__in=chunk, noisy=True).update(noisy=False)
    for chunk in chunks(now_noisy):
        Value.objects.filter(id__in=chunk).update(noisy=True)
    return len(now_noisy)


def _write_links(
    subjects: Ints, values: Ints, used: np.ndarray, touched: Ints, *, full: bool, bulk_from: int
) -> None:
    """One Link for each (subject, value) that joins two or more of the subject's members. Only the rows
    that differ are deleted or added, so a rebuild that changes nothing writes nothing."""
    if used.any():
        link_subject, link_value, counts = unique_pairs(subjects[used], values[used])
        joined = counts >= 2
        wanted = np.stack([link_subject[joined], link_value[joined], counts[joined]], axis=1)
    else:
        wanted = np.empty((0, 3), dtype=np.int64)
    if full:
        have = read_array("SELECT id, subject_id, value_id, members FROM intel_link", 4)
    else:
        rows: list[tuple[int, int, int, int]] = []
        for chunk in chunks(touched.tolist()):
            rows.extend(
                Link.objects.filter(subject_id__in=chunk).values_list("id", "subject", "value", "members")
            )
        have = np.array(rows, dtype=np.int64).reshape(-1, 4)
    keep_have = _rows_in(have[:, 1:], wanted)
    keep_wanted = _rows_in(wanted, have[:, 1:])
    stale = have[~keep_have, 0].tolist()
    for chunk in chunks(stale):
        Link.objects.filter(id__in=chunk).delete()
    new = wanted[~keep_wanted]
    with checks_afterwards(Link, ["subject", "value"], len(new), at_least=bulk_from):
        insert_many(Link, ["subject", "value", "members"], new.tolist())


def _rows_in(rows: np.ndarray, other: np.ndarray) -> np.ndarray:
    """For each (subject, value, members) row of ``rows``, whether the same row is in ``other``."""
    if len(rows) == 0 or len(other) == 0:
        return np.zeros(len(rows), dtype=bool)
    span = int(max(rows[:, 1].max(), other[:, 1].max())) + 1
    keys, other_keys = rows[:, 0] * span + rows[:, 1], other[:, 0] * span + other[:, 1]
    order = np.argsort(other_keys)
    at = np.clip(np.searchsorted(other_keys[order], keys), 0, len(order) - 1)
    found = order[at]
    same: np.ndarray = (other_keys[found] == keys) & (other[found, 2] == rows[:, 2])
    return same
