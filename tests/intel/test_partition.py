"""The array core of linking, against brute force: a value's subjects when it is left out."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from haven.intel.partition import _count_without_each, partition


def brute_force(values: np.ndarray, holders: np.ndarray, alive: np.ndarray) -> dict[int, int]:
    """Take each value out in turn and count its holders' components: the definition, slowly."""
    counts = {}
    n_holders = int(holders.max()) + 1
    for v in sorted(set(values[alive[values]].tolist())):
        keep = alive[values] & (values != v)
        size = n_holders + len(alive)
        rows, cols = holders[keep], n_holders + values[keep]
        graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(size, size))
        _, labels = connected_components(graph, directed=False)
        counts[v] = len(set(labels[holders[values == v]].tolist()))
    return counts


@pytest.mark.parametrize("seed", range(30))
def test_counts_match_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_values, n_holders = int(rng.integers(2, 40)), int(rng.integers(2, 60))
    pairs = np.unique(
        np.stack([rng.integers(0, n_values, 150), rng.integers(0, n_holders, 150)]), axis=1
    )  # a value held twice by one component counts once
    alive = rng.random(n_values) < 0.8
    assert _count_without_each(pairs[0], pairs[1], alive) == brute_force(pairs[0], pairs[1], alive)


def test_a_bridge_value_and_a_shared_value() -> None:
    # Value 0 alone joins holders {0, 1} to {2}; values 1 and 2 both join holders 3 and 4.
    values = np.array([0, 0, 0, 1, 1, 2, 2])
    holders = np.array([0, 1, 2, 3, 4, 3, 4])
    assert _count_without_each(values, holders, np.ones(3, bool)) == {0: 3, 1: 1, 2: 1}


def test_the_cap_counts_subjects_not_members() -> None:
    # Six members; every one holds values 0 and 1 (one person's address and phone): with a cap of 3, both
    # link. Members 6..9 each hold value 2 and nothing else in common: it is noisy.
    member = np.array([0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    value = np.array([0] * 6 + [1] * 6 + [2] * 4)
    result = partition(10, member, value, np.ones(3, bool), cap=3)
    assert result.noisy.tolist() == [False, False, True]
    assert len(set(result.labels[:6].tolist())) == 1
    assert len(set(result.labels[6:].tolist())) == 4
