"""The fast path: when a report can only add links, join the subjects it reaches into one in a few queries,
as a full partition would. It declines (returns None) whenever the careful path must decide."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Count

from haven.core.batch import Statement, run_together
from haven.intel.linking.common import Holder, Outcome, chunks, placeholders
from haven.intel.linking.decisions import Decisions
from haven.intel.linking.holders import holders_of_members
from haven.intel.linking.partitioning import RECHECK_NOISY_UP_TO, subjects_holding
from haven.intel.models import (
    Link,
    Member,
    Sighting,
    Subject,
    Tier,
)


class UnionFind:
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


@dataclass
class Growth:
    """New upper bounds for the values over the cap: ``grown`` adds to the stored count, ``recounted``
    replaces it."""

    grown: Counter[int] = field(default_factory=Counter)
    recounted: dict[int, int] = field(default_factory=dict)


def bound_growth(own: set[int], rows: list[Holder], cap: int) -> Growth | None:
    """For each value over the cap, an upper bound on the subjects its holders now make; None when that might
    pass the cap. A new holder that shares another linking value with one of the value's other holders adds
    none: the cap's count (``partition``) joins them by that value. A value never counted, or whose bound
    would pass the cap, is counted again from its holders' shared values (``count_holder_groups``)."""
    holders_of: dict[int, set[int]] = {}
    values_of: dict[int, set[int]] = {}
    stored: dict[int, int] = {}
    for value, member, _, holders, subjects in rows:
        holders_of.setdefault(value, set()).add(member)
        if member in own:
            values_of.setdefault(member, set()).add(value)
        if holders > cap:
            stored[value] = subjects
    counts = Growth()
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
    for value, count in count_holder_groups({v: holders_of[v] for v in recount}).items():
        if count > cap:
            return None
        counts.recounted[value] = count
    return counts


def count_holder_groups(holders_of: dict[int, set[int]]) -> dict[int, int]:
    """For each value, the groups its holders make when two are joined only by another linking value they
    both hold: one query for all. It can only overcount what ``partition`` finds, which also joins holders
    through people outside them."""
    if not holders_of:
        return {}
    everyone = sorted(set().union(*holders_of.values()))
    held: dict[int, list[int]] = {}
    for chunk in chunks(everyone):
        for member, value in Sighting.objects.filter(
            member_id__in=chunk,
            value__tier__lt=Tier.WEAK,
            value__excluded="",
            value__noisy=False,
        ).values_list("member_id", "value_id"):
            held.setdefault(value, []).append(member)
    found = {}
    for value, holders in holders_of.items():
        uf = UnionFind()
        for other, sharing in held.items():
            if other == value:
                continue
            inside = [f"m{m}" for m in sharing if m in holders]
            for node in inside[1:]:
                uf.union(inside[0], node)
        found[value] = len({uf.find(f"m{m}") for m in holders})
    return found


def needs_full_path(
    members: list[int], components: dict[str, list[int]], cap: int, decisions: Decisions
) -> bool:
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
    after = subjects_holding(set(noisy), {s: root_id[root] for s, root in joins.items()})
    return any(count <= cap for count in after.values())


def link_by_joining(
    own: dict[int, int | None],
    decisions_version: str | None = None,
    neighbourhood: list[Holder] | None = None,
) -> Outcome | None:
    """The common case in a few queries, when a report can only add links: every value its people hold is
    under the cap, no analyst's decision touches the subjects it reaches, and no noisy value in them needs
    checking again. Then the subjects it reaches become one, as a full partition would make them (the
    largest keeps its id). ``neighbourhood`` is ``holders_of_members``'s rows, when they were read already.
    Returns None when the case does not apply."""
    cap = settings.INTEL_CORRELATION_CAP
    members = sorted(own)
    rows = holders_of_members(members) if neighbourhood is None else neighbourhood
    counts = bound_growth(set(own), rows, cap)
    if counts is None:
        return None
    holders = [(value, member, subject) for value, member, subject, _, _ in rows]
    if any(subject is None and member not in own for _, member, subject in holders):
        return None  # someone else's report not linked yet: let the full path sort it out
    uf, first = union_with_holders(own, holders)
    components = uf.subjects()
    if needs_full_path(members, components, cap, Decisions.active(decisions_version)):
        return None
    outcome = Outcome(members=len(members))
    survivor_of = surviving_subjects(components)
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
                        f"UPDATE intel_member SET subject_id = %s WHERE id IN ({placeholders(mine)})",  # noqa: S608  (placeholders only)
                        [survivor, *mine],
                    )
                )
                outcome.moved += len(mine)
        for more in set(counts.grown.values()):
            grown = [v for v, n in counts.grown.items() if n == more]
            writes.append(
                (
                    f"UPDATE intel_value SET subjects = subjects + %s WHERE id IN ({placeholders(grown)})",  # noqa: S608  (placeholders only)
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


def union_with_holders(
    own: dict[int, int | None], holders: list[tuple[int, int, int | None]]
) -> tuple[UnionFind, dict[int, str]]:
    """Join the report's members with the subjects of everyone sharing a value with them; and for each
    value, the node of its first holder (which names the component it ends in)."""
    uf = UnionFind()
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


def surviving_subjects(components: dict[str, list[int]]) -> dict[str, int]:
    """The subject each component keeps: the one with most members (ties to the lowest id), as ``_assign``
    chooses in a full partition."""
    choices = [s for subjects in components.values() if len(subjects) > 1 for s in subjects]
    sizes: dict[int, int] = {}
    if choices:
        counted = Member.objects.filter(subject_id__in=choices).values("subject_id").annotate(n=Count("id"))
        sizes = dict(counted.values_list("subject_id", "n"))
    return {root: min(subjects, key=lambda s: (-sizes.get(s, 0), s)) for root, subjects in components.items()}
