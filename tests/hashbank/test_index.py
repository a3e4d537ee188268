"""One suite for every PDQ index: exact results against a brute-force popcount written here in numpy."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from haven.hashbank.index import FlatIndex, Hit, MultiIndex, PdqIndex

IMPLEMENTATIONS: dict[str, Callable[[], Any]] = {"multi": MultiIndex, "flat": FlatIndex}


def brute_force(
    codes: np.ndarray[Any, Any], ids: np.ndarray[Any, Any], q: np.ndarray[Any, Any], r: int
) -> set[tuple[int, int]]:
    dist = np.unpackbits(codes ^ q, axis=1).sum(axis=1)
    return {(int(i), int(d)) for i, d in zip(ids[dist <= r], dist[dist <= r], strict=True)}


def flip(rng: np.random.Generator, code: np.ndarray[Any, Any], n: int) -> np.ndarray[Any, Any]:
    bits = np.unpackbits(code)
    bits[rng.choice(256, n, replace=False)] ^= 1
    return np.packbits(bits)


def as_set(hits: list[Hit]) -> set[tuple[int, int]]:
    return {(h.id, h.distance) for h in hits}


@pytest.fixture(params=sorted(IMPLEMENTATIONS))
def make(request: pytest.FixtureRequest) -> Callable[[], Any]:
    return IMPLEMENTATIONS[request.param]


def random_bank(n: int, seed: int = 7) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, size=(n, 32), dtype=np.uint8), rng.choice(10**9, n, replace=False).astype(
        np.int64
    )


def clustered_bank(n: int, seed: int = 8) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Lumpy like real PDQ sets: a few centres with many close copies, plus near-blank hashes."""
    rng = np.random.default_rng(seed)
    centres = rng.integers(0, 256, size=(20, 32), dtype=np.uint8)
    codes = np.array([flip(rng, centres[rng.integers(0, 20)], int(rng.integers(0, 40))) for _ in range(n)])
    codes[: n // 10] = np.packbits(rng.random((n // 10, 256)) < 0.03, axis=1)  # mostly-zero, near-blank
    return codes, np.arange(n, dtype=np.int64) + 1


@pytest.mark.parametrize("bank", [random_bank, clustered_bank])
def test_results_equal_brute_force(make: Callable[[], Any], bank: Callable[[int], Any]) -> None:
    codes, ids = bank(3000)
    rng = np.random.default_rng(11)
    queries = np.array(
        [flip(rng, codes[rng.integers(0, len(codes))], int(rng.integers(0, 48))) for _ in range(150)]
    )
    index = make()
    index.build(ids, codes)
    for radius in (0, 16, 31, 40):
        results = index.search(queries, radius)
        for q, hits in zip(queries, results, strict=True):
            assert as_set(hits) == brute_force(codes, ids, q, radius)
            assert len(hits) == len(as_set(hits))  # each record once
    assert sum(len(h) for h in index.search(queries, 31)) > 75  # the test found real neighbours


@pytest.mark.parametrize("chunks", [11, 12, 14, 16, 20, 32])
def test_every_layout_and_radius_is_exact(chunks: int) -> None:
    """Each chunk count under radii that give 0 to 5 flips a chunk, with and without the refined split."""
    codes, ids = clustered_bank(2000, seed=21)
    rng = np.random.default_rng(chunks)
    queries = np.array(
        [flip(rng, codes[rng.integers(0, len(codes))], int(rng.integers(0, 48))) for _ in range(60)]
    )
    index = MultiIndex(chunks=chunks)
    index.build(ids, codes)
    assert len(index._lengths) == chunks
    for radius in sorted({0, 1, chunks - 1, chunks, chunks + 1, 2 * chunks - 1, 31, 40, 47}):
        for q, hits in zip(queries, index.search(queries, radius), strict=True):
            assert len(hits) == len(as_set(hits))
            assert as_set(hits) == brute_force(codes, ids, q, radius), (chunks, radius)


def test_the_radius_is_inclusive(make: Callable[[], Any]) -> None:
    codes, ids = random_bank(500)
    rng = np.random.default_rng(3)
    at_31 = flip(rng, codes[0], 31)
    at_32 = flip(rng, codes[1], 32)
    index = make()
    index.build(ids, codes)
    hits_31, hits_32 = index.search(np.array([at_31, at_32]), 31)
    assert (int(ids[0]), 31) in as_set(hits_31)
    assert int(ids[1]) not in {h.id for h in hits_32}


def test_add_and_remove_without_rebuild(make: Callable[[], Any]) -> None:
    codes, ids = random_bank(1000)
    index: PdqIndex = make()
    index.build(ids[:900], codes[:900])  # type: ignore[attr-defined]
    index.add(ids[900:], codes[900:])
    assert len(index) == 1000
    assert as_set(index.search(codes[950:951], 0)[0]) == {(int(ids[950]), 0)}
    index.remove(ids[[5, 950]])
    assert len(index) == 998
    assert index.search(codes[[5, 950]], 0) == [[], []]
    # Re-adding an id with a new hash replaces the old one.
    index.add(ids[[6]], codes[[7]])
    assert as_set(index.search(codes[[6]], 0)[0]) == set()
    assert as_set(index.search(codes[[7]], 0)[0]) == {(int(ids[6]), 0), (int(ids[7]), 0)}


def test_empty_index(make: Callable[[], Any]) -> None:
    index = make()
    index.build(np.zeros(0, dtype=np.int64), np.zeros((0, 32), dtype=np.uint8))
    assert index.search(np.zeros((2, 32), dtype=np.uint8), 31) == [[], []]
    index.add(np.array([9]), np.zeros((1, 32), dtype=np.uint8))
    assert as_set(index.search(np.zeros((1, 32), dtype=np.uint8), 0)[0]) == {(9, 0)}


def test_multi_index_saves_and_loads(tmp_path: Path) -> None:
    codes, ids = clustered_bank(2000)
    index = MultiIndex()
    index.build(ids[:1500], codes[:1500])
    index.add(ids[1500:], codes[1500:])
    index.remove(ids[:10])
    index.save(tmp_path / "idx")
    loaded = MultiIndex.load(tmp_path / "idx")
    assert len(loaded) == 1990
    queries = codes[::50]
    assert [as_set(h) for h in loaded.search(queries, 31)] == [as_set(h) for h in index.search(queries, 31)]
    loaded.remove(ids[[1999]])
    assert int(ids[1999]) not in {h.id for h in loaded.search(codes[[1999]], 0)[0]}


def test_two_threads_give_the_same_answers() -> None:
    codes, ids = random_bank(5000)
    one, two = MultiIndex(threads=1), MultiIndex(threads=2)
    one.build(ids, codes)
    two.build(ids, codes)
    queries = codes[:64]
    assert [as_set(h) for h in one.search(queries, 31)] == [as_set(h) for h in two.search(queries, 31)]
