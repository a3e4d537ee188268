"""The array core of linking, against brute force: how many subjects a value's holders make without it."""

from __future__ import annotations

import numpy as np
import pytest

from haven.intel.partition import _count_without_each, partition


def brute_force(
    members: np.ndarray, values: np.ndarray, labels: np.ndarray, alive: np.ndarray
) -> dict[int, int]:
    """The definition, slowly: for each alive value, join its holders that share a label or another alive
    value, and count the groups."""
    counts = {}
    for v in sorted(set(values[alive[values]].tolist())):
        holders = sorted(set(members[values == v].tolist()))
        group = {m: m for m in holders}

        def find(x: int, group: dict[int, int] = group) -> int:
            while group[x] != x:
                x = group[x]
            return x

        for a in holders:
            for b in holders:
                shares = {u for u in values[members == a].tolist() if alive[u] and u != v} & set(
                    values[members == b].tolist()
                )
                if labels[a] == labels[b] or shares:
                    group[find(a)] = find(b)
        counts[v] = len({find(m) for m in holders})
    return counts


@pytest.mark.parametrize("seed", range(30))
def test_counts_match_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_values, n_members = int(rng.integers(2, 15)), int(rng.integers(2, 40))
    pairs = np.unique(np.stack([rng.integers(0, n_members, 80), rng.integers(0, n_values, 80)]), axis=1)
    labels = rng.integers(0, max(2, n_members // 2), n_members)
    alive = rng.random(n_values) < 0.8
    found = _count_without_each(pairs[0], pairs[1], labels, alive)
    assert found == brute_force(pairs[0], pairs[1], labels, alive)


def test_the_cap_counts_subjects_not_members() -> None:
    # Members 0..5 are one person: each holds values 0 and 1 (an address and a phone). With a cap of 3 both
    # link. Members 6..9 each hold value 2 and nothing else in common: it is noisy.
    member = np.array([0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    value = np.array([0] * 6 + [1] * 6 + [2] * 4)
    result = partition(10, member, value, np.ones(3, bool), cap=3)
    assert result.noisy.tolist() == [False, False, True]
    assert len(set(result.labels[:6].tolist())) == 1
    assert len(set(result.labels[6:].tolist())) == 4


def test_shared_values_do_not_vouch_for_each_other_along_a_chain() -> None:
    # Values 0..3 are help-desk addresses, each pasted by four strangers, overlapping in a chain: member
    # 4k+3 holds both value k and value k+1. Each value's own holders share nothing else, so all are noisy.
    member, value = [], []
    for k in range(4):
        for h in range(4):
            member.append(4 * k + h)
            value.append(k)
        if k < 3:
            member.append(4 * k + 3)
            value.append(k + 1)
    pairs = np.unique(np.stack([member, value]), axis=1)
    result = partition(16, pairs[0], pairs[1], np.ones(4, bool), cap=3)
    assert result.noisy.all()
    assert len(set(result.labels.tolist())) == 16
