"""Grouping queued media into near-duplicate clusters, so that one decision covers them all.

Two items belong together when their PDQ hashes are within the match threshold; clusters are the connected
components of that relation (single linkage, as Griffeye and Project VIC stack duplicates). Every pair
within the radius is found with the bank's multi-index (``MultiIndex``: exact, no pair missed), and the
components with a union-find. No Django here, so the benchmark can time it alone.
"""

from __future__ import annotations

import numpy as np

from haven.hashbank.index import MultiIndex, hex_to_codes


def _root(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def components(pdqs: list[str | None], radius: int, *, threads: int = 1) -> list[int]:
    """For each position, the smallest position in its cluster. An item without a PDQ is alone."""
    parent = list(range(len(pdqs)))
    have = [i for i, pdq in enumerate(pdqs) if pdq]
    if len(have) < 2:
        return parent
    codes = hex_to_codes([pdqs[i] or "" for i in have])
    index = MultiIndex(design_radius=radius, threads=threads)
    index.build(np.arange(len(have), dtype=np.int64), codes)
    for row, hits in enumerate(index.search(codes, radius)):
        for hit in hits:
            if hit.id != row:
                a, b = _root(parent, have[row]), _root(parent, have[hit.id])
                if a != b:
                    parent[max(a, b)] = min(a, b)
    return [_root(parent, i) for i in range(len(pdqs))]


def components_naive(pdqs: list[str | None], radius: int) -> list[int]:
    """The same, by comparing every pair: the benchmark's baseline and the tests' reference."""
    parent = list(range(len(pdqs)))
    values = [int(p, 16) if p else None for p in pdqs]
    for i, a in enumerate(values):
        if a is None:
            continue
        for j in range(i + 1, len(values)):
            b = values[j]
            if b is not None and (a ^ b).bit_count() <= radius:
                x, y = _root(parent, i), _root(parent, j)
                if x != y:
                    parent[max(x, y)] = min(x, y)
    return [_root(parent, i) for i in range(len(pdqs))]
