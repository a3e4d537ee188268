"""Linking in the database: record a report's identifiers as sightings of canonical values, then work out
the subjects of the members they touch.

A report is linked incrementally: the members it can reach through linkable values (its closure) are
partitioned again, and only their subjects change. ``rebuild`` partitions every member at once with the
same function (``haven.intel.partition``), reading and writing in bulk. Subject ids are kept where they
can be: a new component takes the old subject that holds most of its members.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Count, F, When
from django.db.models import Value as Literal
from django.db.models.functions import Greatest, Least
from django.utils import timezone

from haven.core.batch import Statement, run_together
from haven.core.bulk import BULK_ROWS, checks_afterwards, insert_many
from haven.intake.models import Report
from haven.intel.models import (
    TIER_OF_KIND,
    Decision,
    DecisionKind,
    Link,
    Member,
    Sighting,
    Subject,
    Tier,
    Value,
)
from haven.intel.normalise import normalise
from haven.intel.partition import Constraint, Ints, partition
from haven.intel.warninglists import EXCLUSIONS_VERSION, Warninglist, current, reason_sql

CHUNK = 5000
Progress = Callable[[str], None]


@dataclass
class Outcome:
    members: int = 0
    subjects: int = 0
    created: int = 0
    removed: int = 0
    moved: int = 0
    noisy: int = 0
    timings: dict[str, float] = field(default_factory=dict)


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _person_country(report: Report, person: int) -> str:
    people = report.payload.get("reported_persons") or []
    location = (people[person].get("location") or {}) if person < len(people) else {}
    return str(location.get("country") or "")


@dataclass
class Sighted:
    """What ``record_sightings`` leaves for linking: the report's members, each with its subject (None until
    it is linked), the version of the analysts' decisions read with the identifiers, and, for a report seen
    for the first time, every holder of the linking values its people hold (``_neighbourhood``'s rows)."""

    members: dict[int, int | None]
    decisions: str | None = None
    neighbourhood: list[Holder] | None = None


# A holder of a linking value: (value, holder, the holder's subject, the value's holders, its subjects).
Holder = tuple[int, int, int | None, int, int]
Key = tuple[str, str, str]


def _read_identifiers(report: Report) -> tuple[str, str, bool, list[Any]]:
    """The versions of the exclusions and of the decisions, whether the report was linked before, and its
    identifiers of reported people: one statement."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT x.exclusions, x.decisions, x.linked, "  # noqa: S608  (constant SQL)
            "i.id, i.person, i.kind, i.value, i.platform, i.region "
            f"FROM (SELECT ({EXCLUSIONS_VERSION}) AS exclusions, ({DECISIONS_VERSION}) AS decisions, "
            "EXISTS (SELECT 1 FROM intel_member WHERE report_id = %s) AS linked) x "
            "LEFT JOIN intake_identifier i ON i.report_id = %s AND NOT i.on_victim ORDER BY i.id",
            [report.pk, report.pk],
        )
        rows = cursor.fetchall()
    exclusions, decisions, linked_before = rows[0][:3]
    identifiers = [_Identifier(*row[3:]) for row in rows if row[3] is not None]
    return str(exclusions), str(decisions), bool(linked_before), identifiers


@dataclass
class _Identifier:
    id: int
    person: int
    kind: str
    value: str
    platform: str
    region: str


def record_sightings(report: Report) -> Sighted:
    """Make the report's reported persons members, and each of their identifiers a sighting of its
    canonical value (or an invalid sighting). Safe to run twice. A new report costs two round trips, since
    this runs for every report: one reads the identifiers, the other writes the members, the values and the
    sightings and reads what linking needs next (``run_together``)."""
    people = len(report.payload.get("reported_persons") or [])
    exclusions, decisions, linked_before, found = _read_identifiers(report)
    identifiers = [i for i in found if i.person < people]
    if linked_before:
        return Sighted(_sight_again(report, people, identifiers, current(exclusions)), decisions)
    if not people:
        return Sighted({}, decisions, [])
    read = _normalised(report, identifiers)
    # Each reported person is one more holder of each value it gives, however many times it gives it.
    held = {(i.person, (n.kind, n.platform, n.canonical)) for i in identifiers if (n := read[i.id]).valid}
    values = Counter(key for _, key in held)
    linking = [key for key in values if TIER_OF_KIND[key[0]] < Tier.WEAK]
    statements = [_members_sql(report.pk, people)]
    if values:
        statements.append(_upsert_values_sql(values, report.received_at, current(exclusions)))
    if identifiers:
        statements.append(_sightings_sql(report.pk, identifiers, read))
    if linking:
        statements.append(_neighbourhood_sql(linking))
    results = run_together(statements)
    members: dict[int, int | None] = {pk: None for pk, _ in results[0]}
    if len(members) < people:  # cannot happen while the worker holds the report's row lock
        raise RuntimeError(f"report {report.pk}: its members were written by someone else meanwhile")
    return Sighted(members, decisions, _distinct(results[-1]) if linking else [])


def _normalised(report: Report, identifiers: list[Any]) -> dict[int, Any]:
    return {
        i.id: normalise(
            i.kind,
            i.value,
            platform=i.platform,
            region=i.region,
            fallback_region=_person_country(report, i.person),
        )
        for i in identifiers
    }


def _members_sql(report_id: int, people: int, *, again: bool = False) -> Statement:
    """Insert the report's reported persons as members (``again``: those not there yet), returning
    (id, person) of each inserted."""
    return (
        "INSERT INTO intel_member (report_id, person) VALUES "  # noqa: S608  (placeholders only)
        + ", ".join(["(%s, %s)"] * people)
        + (" ON CONFLICT (report_id, person) DO NOTHING" if again else "")
        + " RETURNING id, person",
        [x for person in range(people) for x in (report_id, person)],
    )


def _sightings_sql(report_id: int, identifiers: list[Any], read: dict[int, Any]) -> Statement:
    """Insert a sighting for each identifier, finding its member and its value by their keys, so that it can
    be sent with the statements that write them."""
    params: list[Any] = []
    for i in identifiers:
        n = read[i.id]
        params += [i.id, i.person, n.kind, n.platform, n.canonical if n.valid else None, n.reason]
    return (
        "WITH i (identifier, person, kind, platform, canonical, invalid) AS (VALUES "  # noqa: S608  (placeholders only)
        + ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(identifiers))
        + ") INSERT INTO intel_sighting (identifier_id, member_id, value_id, invalid) "
        "SELECT i.identifier, m.id, v.id, i.invalid FROM i "
        "JOIN intel_member m ON m.report_id = %s AND m.person = i.person "
        "LEFT JOIN intel_value v "
        "ON v.canonical = i.canonical AND v.kind = i.kind AND v.platform = i.platform",
        [*params, report_id],
    )


def _sight_again(
    report: Report, people: int, identifiers: list[Any], listed: Warninglist
) -> dict[int, int | None]:
    """``record_sightings`` for a report linked before: add the members and sightings missing, counting
    only the holders that are new. Returns the members with their subjects."""
    if people:
        run_together([_members_sql(report.pk, people, again=True)])
    found = list(Member.objects.filter(report=report).values_list("id", "person", "subject_id"))
    members: dict[int, int | None] = {pk: subject for pk, _, subject in found}
    person_of = {person: pk for pk, person, _ in found}
    before = list(
        Sighting.objects.filter(member__report=report).values_list("identifier_id", "member_id", "value_id")
    )
    already = {identifier for identifier, _, _ in before}
    fresh = [i for i in identifiers if i.id not in already]
    if not fresh:
        return members
    read = _normalised(report, fresh)
    when = report.received_at
    held_before = {(m, v) for _, m, v in before if v is not None}
    keys = {
        (person_of[i.person], (n.kind, n.platform, n.canonical)) for i in fresh if (n := read[i.id]).valid
    }
    ids = _value_ids({key for _, key in keys}, when, listed)
    gained = Counter(ids[key] for member, key in keys if (member, ids[key]) not in held_before)
    if ids:
        Value.objects.filter(id__in=sorted(ids.values())).update(
            holders=F("holders")
            + Case(*[When(id=v, then=Literal(c)) for v, c in gained.items()], default=Literal(0)),
            first_seen=Least(F("first_seen"), when),
            last_seen=Greatest(F("last_seen"), when),
        )
    rows = [
        (
            i.id,
            person_of[i.person],
            ids[(n.kind, n.platform, n.canonical)] if n.valid else None,
            n.reason,
        )
        for i in fresh
        for n in [read[i.id]]
    ]
    sql = (
        "INSERT INTO intel_sighting (identifier_id, member_id, value_id, invalid) VALUES "  # noqa: S608  (placeholders only)
        + ", ".join(["(%s, %s, %s, %s)"] * len(rows))
        + " ON CONFLICT (identifier_id) DO NOTHING"
    )
    run_together([(sql, [x for row in rows for x in row])])
    return members


def _upsert_values_sql(holders: Counter[Key], when: datetime, listed: Warninglist) -> Statement:
    """Insert the values not seen before, and count the new holders and the sighting's time into those
    that were: one statement, in key order, so that two workers adding the same values take their locks in
    the same order."""
    keys = sorted(holders, key=lambda key: (key[2], key[0], key[1]))
    stamp = connection.ops.adapt_datetimefield_value(when)
    least, greatest = ("LEAST", "GREATEST") if connection.vendor == "postgresql" else ("MIN", "MAX")
    params: list[Any] = []
    for kind, platform, canonical in keys:
        params += [
            kind,
            platform,
            canonical,
            TIER_OF_KIND[kind],
            listed.match(kind, canonical),
            False,
            holders[(kind, platform, canonical)],
            0,
            stamp,
            stamp,
        ]
    rows = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(keys))
    return (
        "INSERT INTO intel_value AS v (kind, platform, canonical, tier, excluded, noisy, holders, subjects, "  # noqa: S608  (placeholders only)
        f"first_seen, last_seen) VALUES {rows} ON CONFLICT (canonical, kind, platform) DO UPDATE SET "
        "holders = v.holders + EXCLUDED.holders, "
        f"first_seen = {least}(v.first_seen, EXCLUDED.first_seen), "
        f"last_seen = {greatest}(v.last_seen, EXCLUDED.last_seen)",
        params,
    )


def _value_ids(
    keys: set[tuple[str, str, str]], when: datetime, listed: Warninglist
) -> dict[tuple[str, str, str], int]:
    """The id of each canonical value, creating those not seen before: one upsert, in key order, so that two
    workers adding the same values take their locks in the same order."""
    if not keys:
        return {}
    rows = [
        Value(
            kind=k,
            platform=p,
            canonical=c,
            tier=TIER_OF_KIND[k],
            excluded=listed.match(k, c),
            first_seen=when,
            last_seen=when,
        )
        for k, p, c in sorted(keys, key=lambda key: (key[2], key[0], key[1]))
    ]
    Value.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["canonical", "kind", "platform"], update_fields=["tier"]
    )
    return {(v.kind, v.platform, v.canonical): v.pk for v in rows}


# --- working out subjects ---------------------------------------------------------------------------------


@dataclass
class _Decisions:
    merges: list[Decision]
    splits: list[Decision]

    @classmethod
    def active(cls, version: str | None = None) -> _Decisions:
        """The decisions in force. Given the ``DECISIONS_VERSION`` its caller read, those read at that version
        are used again without a query."""
        if version is not None and version in _decisions_at:
            return _decisions_at[version]
        decisions = list(
            Decision.objects.filter(revoked_at__isnull=True)
            .order_by("made_at", "id")
            .only("kind", "side_a", "side_b")
        )
        found = cls(
            [d for d in decisions if d.kind == DecisionKind.MERGE],
            [d for d in decisions if d.kind == DecisionKind.SPLIT],
        )
        # Kept under the version of the rows read, which is newer than ``version`` if they changed meanwhile.
        _decisions_at.clear()
        _decisions_at[f"{len(decisions)}:{max((d.pk for d in decisions), default=0)}"] = found
        return found

    def partners(self, members: set[int]) -> set[int]:
        """Members joined to these by a merge."""
        found: set[int] = set()
        for merge in self.merges:
            both = {*merge.side_a, *merge.side_b}
            if both & members:
                found |= both
        return found

    def constraints(self, position: dict[int, int]) -> tuple[list[Constraint], list[Constraint]]:
        def on(decisions: list[Decision]) -> list[Constraint]:
            found = []
            for d in decisions:
                a = [position[m] for m in d.side_a if m in position]
                b = [position[m] for m in d.side_b if m in position]
                if a and b:
                    found.append(Constraint(a, b))
            return found

        return on(self.merges), on(self.splits)


# A version of the decisions in force, read with a report's identifiers. Decisions are only added or revoked
# (never restored), and ids never come back, so the count in force and their highest id change whenever the
# decisions in force do.
DECISIONS_VERSION = (
    "SELECT COUNT(*) || ':' || COALESCE(MAX(id), 0) FROM intel_decision WHERE revoked_at IS NULL"
)
_decisions_at: dict[str, _Decisions] = {}


# A noisy value is checked again when a report reaches it, since the subjects holding it may have merged
# since: it links again once its holders are in no more than ``cap`` subjects. Only values held by up to this
# many times the cap are checked, which bounds the cost; ``haven link --rebuild`` checks every value.
RECHECK_NOISY_UP_TO = 5


def _subjects_holding(values: Iterable[int], same: dict[int, int] | None = None) -> Counter[int]:
    """How many distinct subjects hold each value (``same`` maps a subject to the one it is about to join;
    a member without a subject counts as one of its own)."""
    same = same or {}
    seen: set[tuple[int, object]] = set()
    for chunk in _chunks(sorted(values)):
        for value, member, subject in Sighting.objects.filter(value_id__in=chunk).values_list(
            "value_id", "member_id", "member__subject_id"
        ):
            seen.add((value, same.get(subject, subject) if subject else f"m{member}"))
    return Counter(value for value, _ in seen)


def _linkable_values(member_ids: Iterable[int]) -> set[int]:
    cap = settings.INTEL_CORRELATION_CAP
    found: set[int] = set()
    noisy: set[int] = set()
    for chunk in _chunks(sorted(member_ids)):
        for value, is_noisy, holders in Sighting.objects.filter(
            member_id__in=chunk, value__tier__lt=Tier.WEAK, value__excluded=""
        ).values_list("value_id", "value__noisy", "value__holders"):
            if not is_noisy:
                found.add(value)
            elif holders <= RECHECK_NOISY_UP_TO * cap:
                noisy.add(value)
    return found | {v for v, count in _subjects_holding(noisy).items() if count <= cap}


def closure(seeds: Iterable[int], decisions: _Decisions) -> tuple[set[int], set[int]]:
    """The members that linking ``seeds`` could touch, and the values that join them: everyone reachable
    through linkable values (and noisy ones that are back under the cap), and through merges."""
    members = set(seeds)
    frontier = set(members)
    values: set[int] = set()
    while frontier:
        new_values = _linkable_values(frontier) - values
        values |= new_values
        reached = decisions.partners(frontier)
        for chunk in _chunks(sorted(new_values)):
            reached.update(Sighting.objects.filter(value_id__in=chunk).values_list("member_id", flat=True))
        frontier = reached - members
        members |= frontier
    return members, values


def link_members(seeds: Iterable[int]) -> Outcome:
    """Partition again the members reachable from ``seeds``, and write what changed."""
    decisions = _Decisions.active()
    members, values = closure(seeds, decisions)
    member_ids = np.array(sorted(members), dtype=np.int64)
    pairs: list[tuple[int, int]] = []
    for chunk in _chunks(member_ids.tolist()):
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
    return _solve(
        member_ids,
        pair_member,
        pair_value,
        value_ids,
        np.ones(len(value_ids), bool),
        old_subjects,
        decisions,
        full=False,
    )


def link_report(report: Report) -> Outcome:
    """The pipeline step: record the report's identifiers, then link its members."""
    sighted = record_sightings(report)
    return _join(sighted.members, sighted.decisions, sighted.neighbourhood) or link_members(sighted.members)


class _UnionFind:
    """Over the report's members ("m<id>") and the subjects they reach ("s<id>")."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        while self.parent.setdefault(x, x) != x:
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        self.parent[self.find(a)] = self.find(b)

    def subjects(self) -> dict[str, list[int]]:
        """The existing subjects in each component, by the component's root."""
        found: dict[str, list[int]] = {}
        for node in self.parent:
            if node.startswith("s"):
                found.setdefault(self.find(node), []).append(int(node[1:]))
        return found


_HOLDERS = (
    "SELECT s.value_id, s.member_id, m.subject_id, v.holders, v.subjects FROM {source} "
    "JOIN intel_sighting s ON s.value_id = v.id JOIN intel_member m ON m.id = s.member_id "
    "WHERE v.tier < {weak} AND v.excluded = '' AND NOT v.noisy"
)


def _neighbourhood(members: list[int]) -> list[Holder]:
    """Every holder of every linking value these members hold, in one query. Noisy values are left out: they
    link nobody, and a new holder only makes them noisier."""
    sql = _HOLDERS.format(
        source="intel_sighting own JOIN intel_value v ON v.id = own.value_id", weak=int(Tier.WEAK)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} AND own.member_id IN ({_marks(members)})", members)
        return _distinct(cursor.fetchall())


def _neighbourhood_sql(keys: list[Key]) -> Statement:
    """``_neighbourhood`` from the values' keys rather than their holders, so that it can be sent with the
    statements that write them. The keys are spelt out one by one: PostgreSQL plans that in half the time of
    a join to a list of them."""
    one = "(v.canonical = %s AND v.kind = %s AND v.platform = %s)"
    return (
        _HOLDERS.format(source="intel_value v", weak=int(Tier.WEAK))
        + f" AND ({' OR '.join([one] * len(keys))})",
        [x for kind, platform, canonical in keys for x in (canonical, kind, platform)],
    )


def _distinct(rows: Iterable[Sequence[Any]]) -> list[Holder]:
    """A holder of several of the values, or of one value twice (two spellings), is listed once."""
    return list(dict.fromkeys(tuple(row) for row in rows))


@dataclass
class _Counts:
    """New upper bounds for the values over the cap: ``grown`` adds to the stored count, ``recounted``
    replaces it."""

    grown: Counter[int] = field(default_factory=Counter)
    recounted: dict[int, int] = field(default_factory=dict)


def _growth(own: set[int], rows: list[Holder], cap: int) -> _Counts | None:
    """For each value over the cap, an upper bound on the subjects its holders now make; None when that might
    pass the cap. A new holder that shares another linking value with one of the value's other holders adds
    none: the cap's count (``partition``) joins them by that value. A value never counted, or whose bound
    would pass the cap, is counted again from its holders' shared values (``_direct_count``)."""
    holders_of: dict[int, set[int]] = {}
    values_of: dict[int, set[int]] = {}
    stored: dict[int, int] = {}
    for value, member, _, holders, subjects in rows:
        holders_of.setdefault(value, set()).add(member)
        if member in own:
            values_of.setdefault(member, set()).add(value)
        if holders > cap:
            stored[value] = subjects
    counts = _Counts()
    recount = []
    for value, subjects in stored.items():
        others = holders_of[value] - own
        new = sum(
            1
            for member in holders_of[value] & own
            if not any(holders_of[w] & others for w in values_of[member] if w != value)
        )
        if subjects == 0 or subjects + new > cap:
            recount.append(value)
        elif new:
            counts.grown[value] = new
    for value, count in _direct_count({v: holders_of[v] for v in recount}).items():
        if count > cap:
            return None
        counts.recounted[value] = count
    return counts


def _direct_count(holders_of: dict[int, set[int]]) -> dict[int, int]:
    """For each value, the groups its holders make when two are joined only by another linking value they
    both hold: one query for all. It can only overcount what ``partition`` finds, which also joins holders
    through people outside them."""
    if not holders_of:
        return {}
    everyone = sorted(set().union(*holders_of.values()))
    held: dict[int, list[int]] = {}
    for chunk in _chunks(everyone):
        for member, value in Sighting.objects.filter(
            member_id__in=chunk,
            value__tier__lt=Tier.WEAK,
            value__excluded="",
            value__noisy=False,
        ).values_list("member_id", "value_id"):
            held.setdefault(value, []).append(member)
    found = {}
    for value, holders in holders_of.items():
        uf = _UnionFind()
        for other, sharing in held.items():
            if other == value:
                continue
            inside = [f"m{m}" for m in sharing if m in holders]
            for node in inside[1:]:
                uf.union(inside[0], node)
        found[value] = len({uf.find(f"m{m}") for m in holders})
    return found


def _blocked(members: list[int], components: dict[str, list[int]], cap: int, decisions: _Decisions) -> bool:
    """Whether an analyst's decision touches these subjects, or joining them could make a noisy value link
    again: then the full path must decide."""
    reached = {s for subjects in components.values() for s in subjects}
    if decisions.merges or decisions.splits:
        involved = {m for d in decisions.merges + decisions.splits for m in (*d.side_a, *d.side_b)}
        decided = set(Member.objects.filter(id__in=involved).values_list("subject_id", flat=True))
        if involved & set(members) or reached & decided:
            return True
    joins = {s: root for root, subjects in components.items() if len(subjects) > 1 for s in subjects}
    if not joins:
        return False
    noisy = Sighting.objects.filter(
        member__subject_id__in=list(joins),
        value__noisy=True,
        value__holders__lte=RECHECK_NOISY_UP_TO * cap,
        value__tier__lt=Tier.WEAK,
        value__excluded="",
    ).values_list("value_id", flat=True)
    root_id = {root: n for n, root in enumerate(components, start=-len(components))}
    after = _subjects_holding(set(noisy), {s: root_id[root] for s, root in joins.items()})
    return any(count <= cap for count in after.values())


def _join(
    own: dict[int, int | None],
    decisions_version: str | None = None,
    neighbourhood: list[Holder] | None = None,
) -> Outcome | None:
    """The common case in a few queries, when a report can only add links: every value its people hold is
    under the cap, no analyst's decision touches the subjects it reaches, and no noisy value in them needs
    checking again. Then the subjects it reaches become one, as a full partition would make them (the
    largest keeps its id). ``neighbourhood`` is ``_neighbourhood``'s rows, when they were read already.
    Returns None when the case does not apply."""
    cap = settings.INTEL_CORRELATION_CAP
    members = sorted(own)
    rows = _neighbourhood(members) if neighbourhood is None else neighbourhood
    counts = _growth(set(own), rows, cap)
    if counts is None:
        return None
    holders = [(value, member, subject) for value, member, subject, _, _ in rows]
    if any(subject is None and member not in own for _, member, subject in holders):
        return None  # someone else's report not linked yet: let the full path sort it out
    uf, first = _reach(own, holders)
    components = uf.subjects()
    if _blocked(members, components, cap, _Decisions.active(decisions_version)):
        return None
    outcome = Outcome(members=len(members))
    survivor_of = _survivors(components)
    for member in members:
        root = uf.find(f"m{member}")
        if root not in survivor_of:
            survivor_of[root] = Subject.objects.create().pk
            outcome.created += 1
    # No savepoint: inside the worker's transaction a failure here must fail the whole report, and a
    # savepoint costs two round trips on a path that runs for every report.
    with transaction.atomic(savepoint=False):
        writes: list[Statement] = []
        for root, survivor in survivor_of.items():
            absorbed = [s for s in components.get(root, []) if s != survivor]
            if absorbed:
                outcome.moved += Member.objects.filter(subject_id__in=absorbed).update(subject_id=survivor)
                Link.objects.filter(subject_id__in=absorbed).update(subject_id=survivor)
                outcome.removed += Subject.objects.filter(id__in=absorbed).delete()[1].get("intel.Subject", 0)
            mine = [m for m in members if uf.find(f"m{m}") == root and own.get(m) != survivor]
            if mine:
                writes.append(
                    (
                        f"UPDATE intel_member SET subject_id = %s WHERE id IN ({_marks(mine)})",  # noqa: S608  (placeholders only)
                        [survivor, *mine],
                    )
                )
                outcome.moved += len(mine)
        for more in set(counts.grown.values()):
            grown = [v for v, n in counts.grown.items() if n == more]
            writes.append(
                (
                    f"UPDATE intel_value SET subjects = subjects + %s WHERE id IN ({_marks(grown)})",  # noqa: S608  (placeholders only)
                    [more, *grown],
                )
            )
        writes += [
            ("UPDATE intel_value SET subjects = %s WHERE id = %s", [n, v])
            for v, n in counts.recounted.items()
        ]
        # Every holder of these values is now in one subject, whose link (if any) was moved there above.
        count = Counter(value for value, _, _ in holders)
        links = [(survivor_of[uf.find(first[v])], v, n) for v, n in count.items() if n >= 2]
        if links:
            writes.append(
                (
                    "INSERT INTO intel_link (subject_id, value_id, members) VALUES "  # noqa: S608  (placeholders only)
                    + ", ".join(["(%s, %s, %s)"] * len(links))
                    + " ON CONFLICT (subject_id, value_id) DO UPDATE SET members = EXCLUDED.members",
                    [x for link in links for x in link],
                )
            )
        run_together(writes)
    outcome.subjects = len(survivor_of)
    return outcome


def _marks(items: Sequence[Any]) -> str:
    return ", ".join(["%s"] * len(items))


def _reach(
    own: dict[int, int | None], holders: list[tuple[int, int, int | None]]
) -> tuple[_UnionFind, dict[int, str]]:
    """Join the report's members with the subjects of everyone sharing a value with them; and for each
    value, the node of its first holder (which names the component it ends in)."""
    uf = _UnionFind()
    for member, subject in own.items():
        uf.find(f"m{member}")
        if subject:
            uf.union(f"m{member}", f"s{subject}")
    first: dict[int, str] = {}
    for value, member, subject in holders:
        node = f"m{member}" if member in own else f"s{subject}"
        if value in first:
            uf.union(first[value], node)
        else:
            first[value] = node
    return uf, first


def _survivors(components: dict[str, list[int]]) -> dict[str, int]:
    """The subject each component keeps: the one with most members (ties to the lowest id), as ``_assign``
    chooses in a full partition."""
    choices = [s for subjects in components.values() if len(subjects) > 1 for s in subjects]
    sizes: dict[int, int] = {}
    if choices:
        counted = Member.objects.filter(subject_id__in=choices).values("subject_id").annotate(n=Count("id"))
        sizes = dict(counted.values_list("subject_id", "n"))
    return {root: min(subjects, key=lambda s: (-sizes.get(s, 0), s)) for root, subjects in components.items()}


def _solve(  # noqa: PLR0917  (arrays of one graph, always passed together)
    member_ids: Ints,
    pair_member: Ints,
    pair_value: Ints,
    value_ids: Ints,
    linkable: np.ndarray,
    old_subjects: Ints,
    decisions: _Decisions,
    *,
    full: bool,
    stored_subjects: Ints | None = None,
    progress: Progress | None = None,
    bulk_from: int = BULK_ROWS,
) -> Outcome:
    clock = _Clock(progress)
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
            _set_subjects(member_ids[changed], new_subjects[changed])
        clock.lap("members")
        gone = sorted(set(old_subjects.tolist()) - set(new_subjects.tolist()) - {0})
        outcome.removed = _remove_empty(gone)
        outcome.noisy = _set_noisy(value_ids, result.noisy, full=full)
        counted = result.subjects > 0
        if stored_subjects is not None:
            counted &= result.subjects != stored_subjects
        _update_pairs(Value._meta.db_table, "subjects", value_ids[counted], result.subjects[counted].tolist())
        touched = np.unique(np.concatenate([new_subjects, old_subjects[old_subjects > 0]]))
        _write_links(
            new_subjects[pm], value_ids[pv], result.used[pv], touched, full=full, bulk_from=bulk_from
        )
        clock.lap("links")
    outcome.timings = clock.laps
    return outcome


class _Clock:
    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.laps: dict[str, float] = {}
        self.at = timezone.now()

    def lap(self, name: str) -> None:
        now = timezone.now()
        self.laps[name] = (now - self.at).total_seconds()
        self.at = now
        if self.progress:
            self.progress(name)


def _unique_pairs(a: Ints, b: Ints) -> tuple[Ints, Ints, Ints]:
    """The distinct pairs (a[i], b[i]) of non-negative ints, sorted, with how often each occurs: one sort of
    a combined key, several times faster than ``np.unique(..., axis=1)``."""
    if len(a) == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, empty
    span = int(b.max()) + 1
    keys, counts = np.unique(a.astype(np.int64) * span + b, return_counts=True)
    return keys // span, keys % span, counts


def _assign(labels: Ints, old_subjects: Ints) -> Ints:
    """A subject for each component: the old subject holding most of its members (each old subject once,
    ties to the lowest id), else a new one, numbered -1, -2, ... until it is created."""
    n_labels = int(labels.max()) + 1 if len(labels) else 0
    has_old = old_subjects > 0
    key_label, key_old = labels[has_old], old_subjects[has_old]
    chosen = np.zeros(n_labels, dtype=np.int64)
    if len(key_label):
        pair_label, pair_old, counts = _unique_pairs(key_label, key_old)
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


def _update_pairs(
    table: str, column: str, ids: Ints, values: Sequence[Any], sql_type: str = "bigint"
) -> None:
    """``UPDATE table SET column = v WHERE id = k`` for many (k, v): on PostgreSQL through a temporary
    table filled by COPY (one statement however many rows), elsewhere a few thousand a statement."""
    if len(ids) == 0:
        return
    quote = connection.ops.quote_name
    target, col = quote(table), quote(column)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"CREATE TEMPORARY TABLE haven_pairs (k bigint PRIMARY KEY, v {sql_type})")
            with cursor.cursor.copy("COPY haven_pairs (k, v) FROM STDIN") as copy:
                for row in zip(ids.tolist(), values, strict=True):
                    copy.write_row(row)
            cursor.execute(f"UPDATE {target} SET {col} = p.v FROM haven_pairs p WHERE {target}.id = p.k")  # noqa: S608
            cursor.execute("DROP TABLE haven_pairs")
            return
        for start in range(0, len(ids), CHUNK):
            keys = ids[start : start + CHUNK].tolist()
            vals = list(values[start : start + CHUNK])
            rows = ", ".join(["(%s, %s)"] * len(keys))
            params = [x for pair in zip(keys, vals, strict=True) for x in pair]
            cursor.execute(
                f"WITH v(k, s) AS (VALUES {rows}) "  # noqa: S608  (names from the model, values as parameters)
                f"UPDATE {target} SET {col} = v.s FROM v WHERE {target}.id = v.k",
                params,
            )


def _set_subjects(member_ids: Ints, subjects: Ints) -> None:
    _update_pairs(Member._meta.db_table, "subject_id", member_ids, subjects.tolist())


def _remove_empty(subject_ids: list[int]) -> int:
    removed = 0
    for chunk in _chunks(subject_ids):
        removed += (
            Subject.objects.filter(id__in=chunk, members__isnull=True).delete()[1].get("intel.Subject", 0)
        )
    return removed


def _set_noisy(value_ids: Ints, noisy: np.ndarray, *, full: bool) -> int:
    now_noisy = value_ids[noisy].tolist()
    if full:
        Value.objects.filter(noisy=True).exclude(id__in=now_noisy).update(noisy=False)
    else:
        for chunk in _chunks(value_ids[~noisy].tolist()):
            Value.objects.filter(id__in=chunk, noisy=True).update(noisy=False)
    for chunk in _chunks(now_noisy):
        Value.objects.filter(id__in=chunk).update(noisy=True)
    return len(now_noisy)


def _write_links(
    subjects: Ints, values: Ints, used: np.ndarray, touched: Ints, *, full: bool, bulk_from: int
) -> None:
    """One Link for each (subject, value) that joins two or more of the subject's members. Only the rows
    that differ are deleted or added, so a rebuild that changes nothing writes nothing."""
    if used.any():
        link_subject, link_value, counts = _unique_pairs(subjects[used], values[used])
        joined = counts >= 2
        wanted = np.stack([link_subject[joined], link_value[joined], counts[joined]], axis=1)
    else:
        wanted = np.empty((0, 3), dtype=np.int64)
    if full:
        have = _read_array("SELECT id, subject_id, value_id, members FROM intel_link", 4)
    else:
        rows: list[tuple[int, int, int, int]] = []
        for chunk in _chunks(touched.tolist()):
            rows.extend(
                Link.objects.filter(subject_id__in=chunk).values_list("id", "subject", "value", "members")
            )
        have = np.array(rows, dtype=np.int64).reshape(-1, 4)
    keep_have = _rows_in(have[:, 1:], wanted)
    keep_wanted = _rows_in(wanted, have[:, 1:])
    stale = have[~keep_have, 0].tolist()
    for chunk in _chunks(stale):
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


# --- the full rebuild -------------------------------------------------------------------------------------


def _read_array(sql: str, columns: int) -> np.ndarray:
    """Integer rows of a query as an array. On PostgreSQL the rows come through COPY as text, which numpy
    parses in one pass (0.4 s for 4M rows, against 1.7 s to split them in Python first)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buffer = bytearray()
            with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT") as copy:
                for block in copy:
                    buffer += block
            # Whitespace of any kind (the tabs and newlines) separates the numbers.
            parsed: np.ndarray = np.fromstring(buffer.decode(), dtype=np.int64, sep=" ")
            return parsed.reshape(-1, columns)
        cursor.execute(sql)
        rows = cursor.fetchall()
    return np.array(rows, dtype=np.int64).reshape(-1, columns)


def rebuild(progress: Progress | None = None, *, bulk_from: int = BULK_ROWS) -> Outcome:
    """Work out every subject from scratch, keeping the analysts' decisions. Warninglists and exclusions are
    applied again, so a new exclusion takes effect everywhere. When at least ``bulk_from`` reported persons
    move or links are added, the foreign keys and indexes of that write are made again after it (see
    ``checks_afterwards``), and the table is locked against readers until the rebuild ends."""
    clock = _Clock(progress)
    with transaction.atomic():
        _refresh_exclusions(current())
        clock.lap("warninglists")
        members = _read_array("SELECT id, COALESCE(subject_id, 0) FROM intel_member ORDER BY id", 2)
        values = _read_array(
            "SELECT id, CASE WHEN tier < 3 AND excluded = '' THEN 1 ELSE 0 END, subjects, holders "
            "FROM intel_value ORDER BY id",
            4,
        )
        # A person may give one value twice (two spellings of a number): pairs are made distinct here, where
        # it is cheaper than in the database.
        raw = _read_array("SELECT member_id, value_id FROM intel_sighting WHERE value_id IS NOT NULL", 2)
        pair_member, pair_value, _ = _unique_pairs(raw[:, 0], raw[:, 1])
        pairs = np.stack([pair_member, pair_value], axis=1)
        clock.lap("read")
        _recount_holders(values[:, 0], pairs[:, 1], values[:, 3])
        clock.lap("holders")
        outcome = _solve(
            members[:, 0],
            pairs[:, 0],
            pairs[:, 1],
            values[:, 0],
            values[:, 1].astype(bool),
            members[:, 1],
            _Decisions.active(),
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
            _update_pairs(
                Value._meta.db_table,
                "excluded",
                np.array([c[0] for c in changed]),
                [c[1] for c in changed],
                "text",
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
    _update_pairs(Value._meta.db_table, "holders", value_ids[wrong], holders[wrong].tolist())
