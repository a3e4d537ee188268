"""Who is one person: the pure part of linking, on arrays, with no database.

Members (reported persons) are joined by the values they hold. The same function serves a report linked
in the pipeline (a few members) and a full rebuild (millions), so the two cannot drift apart.

The rules:
- Only linkable values join members (strong or medium tier, not on a warninglist).
- Over-correlation cap (MISP's ``correlation_limit``): a value whose holders are more than ``cap``
  subjects, judged by the other evidence among those holders, is noisy and joins nobody. Values held by at
  most ``cap`` members cannot exceed it. So one person's address in fifty reports still links them (their
  handle and number are in the same reports), while a help-desk address pasted by fifty people does not.
- An analyst's merge joins its two sides whatever the values say; a split keeps its two sides apart, and a
  value that would bridge them joins the first side it reaches only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Constraint:
    side_a: Sequence[int]  # member positions
    side_b: Sequence[int]


@dataclass
class Partition:
    labels: Ints  # a component number for each member
    noisy: Bools  # for each value
    used: Bools  # for each value: allowed to link (it may still hold one member only)
    subjects: Ints  # for each value held by more than the cap: its subjects without it (0: not counted)


def _components(n: int, members: Ints, nodes: Ints, extra: Ints, size: int) -> Ints:
    """Connected components of members 0..n-1 joined through value nodes n.. and member pairs."""
    rows = np.concatenate([members, extra[:, 0]]) if len(extra) else members
    cols = np.concatenate([nodes, extra[:, 1]]) if len(extra) else nodes
    graph = coo_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(size, size))
    _, labels = connected_components(graph, directed=False)
    found: Ints = np.asarray(labels[:n], dtype=np.int64)
    return found


def _count_without_each(members: Ints, values: Ints, labels: Ints, alive: Bools) -> dict[int, int]:
    """For each alive value over the cap (``members[i]`` holds ``values[i]``): how many subjects its holders
    make by the other evidence among themselves. Two holders are one subject when values under the cap
    already join them (the same ``labels``), or when they share another alive value over the cap.

    Only the value's own holders are looked at, so shared values cannot vouch for each other along a chain
    of strangers: a help-desk address pasted by fifty people stays fifty subjects, while one person's
    address, number and handle, each in fifty of their reports, vouch for each other. Every value is
    counted at once, as one graph with a separate copy of the nodes for each value."""
    keep = alive[values]
    members, values = members[keep], values[keep]
    if len(values) == 0:
        return {}
    # Pairs of values (v, u) held by one member: u joins those of v's holders that hold it.
    order = np.argsort(members, kind="stable")
    by_member, held = members[order], values[order]
    starts = np.flatnonzero(np.r_[True, by_member[1:] != by_member[:-1]])
    sizes = np.diff(np.r_[starts, len(by_member)])
    multi = sizes >= 2
    k, first = sizes[multi], starts[multi]
    square = k * k
    offset = np.arange(square.sum()) - np.repeat(np.cumsum(square) - square, square)
    k_each, first_each = np.repeat(k, square), np.repeat(first, square)
    i, j = first_each + offset // k_each, first_each + offset % k_each
    i, j = i[i != j], j[i != j]
    span = int(max(labels.max(initial=0), values.max(initial=0))) + 1
    label_keys = values * span + labels[members]
    evidence_from = held[i] * span + labels[by_member[i]]
    evidence_to = held[i] * span + held[j]
    label_nodes = np.unique(label_keys)
    value_nodes, value_of_edge = np.unique(evidence_to, return_inverse=True)
    n_labels = len(label_nodes)
    rows = np.searchsorted(label_nodes, evidence_from)
    cols = n_labels + value_of_edge
    size = n_labels + len(value_nodes)
    graph = coo_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(size, size))
    _, component = connected_components(graph, directed=False)
    owner = label_nodes // span
    distinct = np.unique(owner * size + component[:n_labels])
    owners, counts = np.unique(distinct // size, return_counts=True)
    return dict(zip(owners.tolist(), counts.tolist(), strict=True))


def partition(
    n_members: int,
    pair_member: Ints,
    pair_value: Ints,
    linkable: Bools,
    *,
    cap: int,
    merges: Sequence[Constraint] = (),
    splits: Sequence[Constraint] = (),
) -> Partition:
    """Partition members into subjects. ``pair_member[i]`` holds ``pair_value[i]``; pairs are distinct."""
    n_values = len(linkable)
    holders = np.bincount(pair_value, minlength=n_values)
    candidate = linkable & (holders >= 2)
    low = candidate & (holders <= cap)
    must = [
        (group[0], other)
        for merge in merges
        for group in [[*merge.side_a, *merge.side_b]]
        for other in group[1:]
    ]
    extra = np.array(must, dtype=np.int64).reshape(-1, 2)
    size = n_members + n_values
    keep = low[pair_value]
    labels = _components(n_members, pair_member[keep], n_members + pair_value[keep], extra, size)
    # Values held by more members than the cap: admitted while their holders, by the other evidence among
    # themselves, are no more than ``cap`` subjects. Dropping one can only raise the others' counts, so the
    # loop ends, and the result does not depend on the order of the values.
    alive = candidate & ~low
    ask = alive[pair_value]
    high_members, high_values = pair_member[ask], pair_value[ask]
    subjects = np.zeros(n_values, dtype=np.int64)
    while True:
        counts = _count_without_each(high_members, high_values, labels, alive)
        if counts:
            subjects[list(counts)] = list(counts.values())
        dropped = [v for v, count in counts.items() if count > cap]
        if not dropped:
            break
        alive[dropped] = False
    used = low | alive
    if alive.any():
        keep = used[pair_value]
        labels = _components(n_members, pair_member[keep], n_members + pair_value[keep], extra, size)
    if splits:
        labels = _apply_splits(labels, pair_member, pair_value, used, must, splits)
    return Partition(labels=labels, noisy=candidate & ~used, used=used, subjects=subjects)


def _apply_splits(  # noqa: PLR0917  (the arrays partition() works on)
    labels: Ints,
    pair_member: Ints,
    pair_value: Ints,
    used: Bools,
    must: list[tuple[int, int]],
    splits: Sequence[Constraint],
) -> Ints:
    """Redo, with a union-find that refuses forbidden joins, each component that a split cuts across."""
    broken = {
        int(label)
        for split in splits
        for label in set(labels[list(split.side_a)].tolist()) & set(labels[list(split.side_b)].tolist())
    }
    if not broken:
        return labels
    inside = np.isin(labels, list(broken))
    members = np.flatnonzero(inside)
    parent = {int(m): int(m) for m in members}
    # For each root: which sides of which split it contains (bit 1 side A, bit 2 side B).
    sides: dict[int, dict[int, int]] = {}
    for number, split in enumerate(splits):
        for bit, side in ((1, split.side_a), (2, split.side_b)):
            for m in side:
                if int(m) in parent:
                    sides.setdefault(int(m), {})[number] = sides.get(int(m), {}).get(number, 0) | bit

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra == rb:
            return
        tags_a, tags_b = sides.get(ra, {}), sides.get(rb, {})
        if len(tags_a) < len(tags_b):
            ra, rb, tags_a, tags_b = rb, ra, tags_b, tags_a
        if any(tags_a.get(c, 0) | bits == 3 for c, bits in tags_b.items()):
            return
        parent[rb] = ra
        for c, bits in tags_b.items():
            tags_a[c] = tags_a.get(c, 0) | bits
        if tags_a:
            sides[ra] = tags_a
        sides.pop(rb, None)

    for a, b in must:
        if a in parent and b in parent:
            union(a, b)
    keep = inside[pair_member] & used[pair_value]
    order = np.lexsort((pair_member[keep], pair_value[keep]))
    first: dict[int, int] = {}
    for value, member in zip(
        pair_value[keep][order].tolist(), pair_member[keep][order].tolist(), strict=True
    ):
        if value in first:
            union(first[value], member)
        else:
            first[value] = member
    labels = labels.copy()
    base = int(labels.max()) + 1
    labels[members] = base + np.array([find(int(m)) for m in members], dtype=np.int64)
    return labels
