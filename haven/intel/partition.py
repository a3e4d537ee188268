"""Who is one person: the pure part of linking, on arrays, with no database.

Members (reported persons) are joined by the values they hold. The same function serves a report linked
in the pipeline (a few members) and a full rebuild (millions), so the two cannot drift apart.

The rules:
- Only linkable values join members (strong or medium tier, not on a warninglist).
- Over-correlation cap (MISP's ``correlation_limit``): a value whose holders fall into more than ``cap``
  subjects, counting the subjects the *other* values make, is noisy and joins nobody. Values held by at most
  ``cap`` members cannot exceed it; the rest are admitted while they stay under the cap. So one person's
  address in fifty reports still links them, while a help-desk address pasted by fifty people does not.
- An analyst's merge joins its two sides whatever the values say; a split keeps its two sides apart, and a
  value that would bridge them joins the first side it reaches only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from numba import njit
from scipy.sparse import coo_matrix, csr_matrix
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


def _components(n: int, members: Ints, nodes: Ints, extra: Ints, size: int) -> Ints:
    """Connected components of members 0..n-1 joined through value nodes n.. and member pairs."""
    rows = np.concatenate([members, extra[:, 0]]) if len(extra) else members
    cols = np.concatenate([nodes, extra[:, 1]]) if len(extra) else nodes
    graph = coo_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(size, size))
    _, labels = connected_components(graph, directed=False)
    return labels[:n].astype(np.int64)


@njit(cache=True, nogil=True)
def _pieces(indptr: Ints, indices: Ints) -> Ints:  # pragma: no cover - compiled by numba
    """For each node of an undirected graph (CSR, no repeated edges): into how many pieces its connected
    component falls when the node is taken out. One iterative depth-first search (Tarjan's articulation
    points): a child whose subtree reaches no higher than the node is a piece of its own, and everything
    else, with the node's parent, is one more."""
    n = len(indptr) - 1
    disc = np.full(n, -1, dtype=np.int64)
    low = np.zeros(n, dtype=np.int64)
    parent = np.full(n, -1, dtype=np.int64)
    pieces = np.zeros(n, dtype=np.int64)
    stack = np.empty(n, dtype=np.int64)
    edge = np.empty(n, dtype=np.int64)
    clock = 0
    for root in range(n):
        if disc[root] != -1:
            continue
        disc[root] = low[root] = clock
        clock += 1
        top = 0
        stack[0], edge[0] = root, indptr[root]
        while top >= 0:
            u = stack[top]
            e = edge[top]
            if e < indptr[u + 1]:
                edge[top] = e + 1
                w = indices[e]
                if disc[w] == -1:
                    parent[w] = u
                    disc[w] = low[w] = clock
                    clock += 1
                    top += 1
                    stack[top], edge[top] = w, indptr[w]
                elif w != parent[u]:
                    low[u] = min(low[u], disc[w])
            else:
                top -= 1
                if top >= 0:
                    p = stack[top]
                    low[p] = min(low[p], low[u])
                    if low[u] >= disc[p]:
                        pieces[p] += 1
    for u in range(n):
        if parent[u] != -1:
            pieces[u] += 1
    return pieces


def _count_without_each(values: Ints, holders: Ints, alive: Bools) -> dict[int, int]:
    """For each alive value in ``values``: how many components its holders fall into when it is left out
    and every other alive value links. ``values[i]`` is held by the component ``holders[i]``.

    In the graph of components and values, that is the number of pieces the value's node leaves behind when
    it is taken out, which one depth-first search gives for every value at once."""
    keep = alive[values]
    if not keep.any():
        return {}
    pairs = np.unique(np.stack([values[keep], holders[keep]]), axis=1)
    local_values, value_of = np.unique(pairs[0], return_inverse=True)
    _, holder_of = np.unique(pairs[1], return_inverse=True)
    n_holders = int(holder_of.max()) + 1
    size = n_holders + len(local_values)
    a, b = holder_of, n_holders + value_of
    graph = csr_matrix((np.ones(2 * len(a), dtype=np.int8), (np.concatenate([a, b]), np.concatenate([b, a]))),
                       shape=(size, size))  # fmt: skip
    pieces = _pieces(graph.indptr.astype(np.int64), graph.indices.astype(np.int64))
    return dict(zip(local_values.tolist(), pieces[n_holders:].tolist(), strict=True))


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
    must = [(group[0], other) for merge in merges for group in [[*merge.side_a, *merge.side_b]]
            for other in group[1:]]  # fmt: skip
    extra = np.array(must, dtype=np.int64).reshape(-1, 2)
    size = n_members + n_values
    keep = low[pair_value]
    labels = _components(n_members, pair_member[keep], n_members + pair_value[keep], extra, size)
    # Values held by more members than the cap: admitted while, with every other admitted value linking,
    # their holders still fall into no more than ``cap`` subjects. Dropping one can only raise the others'
    # counts, so the loop ends, and the result does not depend on the order of the values.
    alive = candidate & ~low
    ask = alive[pair_value]
    high_values, high_holders = pair_value[ask], labels[pair_member[ask]]
    while True:
        counts = _count_without_each(high_values, high_holders, alive)
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
    return Partition(labels=labels, noisy=candidate & ~used, used=used)


def _apply_splits(
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
    for value, member in zip(pair_value[keep][order].tolist(), pair_member[keep][order].tolist(), strict=True):
        if value in first:
            union(first[value], member)
        else:
            first[value] = member
    labels = labels.copy()
    base = int(labels.max()) + 1
    labels[members] = base + np.array([find(int(m)) for m in members], dtype=np.int64)
    return labels
