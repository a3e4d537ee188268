"""Near-duplicate search over PDQ hashes: every stored hash within a Hamming radius of a query.

Two implementations sit behind one small interface and pass one shared test suite:

``FlatIndex``
    faiss ``IndexBinaryFlat``: compares the query with every stored hash. Exact, simple, and the baseline
    the benchmarks measure against.

``MultiIndex``
    Multi-index hashing (Norouzi, Punjani and Fleet, 2012). The 256 bits are cut into ``m`` chunks. If two
    hashes differ in at most ``r`` bits, then by the pigeonhole principle at least one chunk differs in at
    most ``r // m`` bits. So every chunk gets a bucket table, a query probes each table for all keys within
    ``r // m`` flips of its own chunk, and each candidate found is checked with a full 256-bit popcount.
    Nothing within the radius can be missed: recall is 100%, and the tests check it against brute force.

Both keep additions since the last build in a small delta that is scanned directly, and removals in a
tombstone mask, so adding or disabling a record never rebuilds the index.
"""

from __future__ import annotations

import itertools
import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numba import njit

HASH_BYTES = 32
HASH_BITS = 256
# The widest radius an index answers exactly; lists may set any threshold up to this.
DEFAULT_MAX_RADIUS = 47

Codes = np.ndarray[Any, np.dtype[np.uint8]]


@dataclass(frozen=True)
class Hit:
    id: int
    distance: int


class PdqIndex(Protocol):
    """The matcher's view of an index: ids are the bank's record ids (non-negative int64)."""

    def add(self, ids: np.ndarray[Any, Any], codes: Codes) -> None: ...

    def remove(self, ids: np.ndarray[Any, Any]) -> None: ...

    def search(self, queries: Codes, radius: int) -> list[list[Hit]]: ...

    def __len__(self) -> int: ...


def hex_to_codes(hexes: list[str]) -> Codes:
    if not hexes:
        return np.zeros((0, HASH_BYTES), dtype=np.uint8)
    return np.frombuffer(bytes.fromhex("".join(hexes)), dtype=np.uint8).reshape(-1, HASH_BYTES).copy()


def _as_words(codes: Codes) -> np.ndarray[Any, np.dtype[np.uint64]]:
    """(n, 32) bytes → (n, 4) big-endian 64-bit words: bit 0 of the hash is the top bit of word 0."""
    return np.ascontiguousarray(codes).view(">u8").astype(np.uint64).reshape(-1, 4)


@njit(cache=True, nogil=True, inline="always")
def _popcount64(x: np.uint64) -> int:  # pragma: no cover  (compiled)
    x = x - ((x >> np.uint64(1)) & np.uint64(0x5555555555555555))
    x = (x & np.uint64(0x3333333333333333)) + ((x >> np.uint64(2)) & np.uint64(0x3333333333333333))
    x = (x + (x >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    return int((x * np.uint64(0x0101010101010101)) >> np.uint64(56))


@njit(cache=True, nogil=True)
def _distance(a: Any, b: Any) -> int:  # pragma: no cover  (compiled)
    return (
        _popcount64(a[0] ^ b[0])
        + _popcount64(a[1] ^ b[1])
        + _popcount64(a[2] ^ b[2])
        + _popcount64(a[3] ^ b[3])
    )


@njit(cache=True, nogil=True)
def _chunk(words: Any, start: int, length: int) -> int:  # pragma: no cover  (compiled)
    """Bits [start, start + length) of a 256-bit hash held as 4 big-endian words."""
    value = 0
    for bit in range(start, start + length):
        word = words[bit >> 6]
        value = (value << 1) | int((word >> np.uint64(63 - (bit & 63))) & np.uint64(1))
    return value


@njit(cache=True, nogil=True)
def _chunk_keys(words: Any, starts: Any, lengths: Any) -> Any:  # pragma: no cover  (compiled)
    n, m = words.shape[0], starts.shape[0]
    keys = np.empty((m, n), dtype=np.int64)
    for i in range(n):
        for j in range(m):
            keys[j, i] = _chunk(words[i], starts[j], lengths[j])
    return keys


@njit(cache=True, nogil=True)
def _probe_bucket(
    key: int,
    table: int,
    q: Any,
    words: Any,
    offsets: Any,
    table_base: Any,
    ids: Any,
    alive: Any,
    radius: int,
    out_rows: Any,
    out_dist: Any,
    count: int,
) -> int:  # pragma: no cover  (compiled)
    base = table_base[table]
    lo = offsets[base + key]
    hi = offsets[base + key + 1]
    n = words.shape[0]
    for p in range(lo, hi):
        row = ids[table * n + p]
        if alive[row]:
            d = _distance(q, words[row])
            if d <= radius:
                if count < out_rows.shape[0]:
                    out_rows[count] = row
                    out_dist[count] = d
                count += 1  # counted even past the buffer, so the caller can retry with room for all
    return count


@njit(cache=True, nogil=True)
def _search_one(
    q: Any,
    words: Any,
    starts: Any,
    lengths: Any,
    offsets: Any,
    table_base: Any,
    ids: Any,
    alive: Any,
    radius: int,
    masks: Any,
    mask_start: Any,
    out_rows: Any,
    out_dist: Any,
) -> int:  # pragma: no cover  (compiled)
    """Probe each table's bucket for the query's key XOR every one of that table's flip masks."""
    count = 0
    for t in range(starts.shape[0]):
        key = _chunk(q, starts[t], lengths[t])
        for i in range(mask_start[t], mask_start[t + 1]):
            count = _probe_bucket(
                key ^ masks[i],
                t,
                q,
                words,
                offsets,
                table_base,
                ids,
                alive,
                radius,
                out_rows,
                out_dist,
                count,
            )
    return count


@njit(cache=True, nogil=True)
def _scan(
    q: Any, words: Any, alive: Any, radius: int, out_rows: Any, out_dist: Any
) -> int:  # pragma: no cover
    count = 0
    for row in range(words.shape[0]):
        if alive[row]:
            d = _distance(q, words[row])
            if d <= radius:
                if count < out_rows.shape[0]:
                    out_rows[count] = row
                    out_dist[count] = d
                count += 1
    return count


def flip_masks(
    lengths: np.ndarray[Any, Any], flips: int
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Key masks with at most ``flips`` bits set; table t uses masks[mask_start[t] : mask_start[t + 1]]."""
    per_table = [
        [
            sum(1 << bit for bit in bits)
            for k in range(flips + 1)
            for bits in itertools.combinations(range(int(n)), k)
        ]
        for n in lengths
    ]
    sizes = [len(m) for m in per_table]
    mask_start = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    return np.array([m for table in per_table for m in table], dtype=np.int64), mask_start


class _Rows:
    """Hashes in insertion order, with a record id and an alive flag per row; grows by doubling."""

    def __init__(self) -> None:
        self.words = np.zeros((0, 4), dtype=np.uint64)
        self.ids = np.zeros(0, dtype=np.int64)
        self.alive = np.zeros(0, dtype=np.bool_)
        self.size = 0
        self.row_of: dict[int, int] = {}

    def append(self, ids: np.ndarray[Any, Any], words: np.ndarray[Any, Any]) -> None:
        need = self.size + len(ids)
        if need > len(self.ids):
            capacity = max(need, 2 * len(self.ids), 1024)
            for name in ("words", "ids", "alive"):
                old = getattr(self, name)
                new = np.zeros((capacity, *old.shape[1:]), dtype=old.dtype)
                new[: self.size] = old[: self.size]
                setattr(self, name, new)
        self.words[self.size : need] = words
        self.ids[self.size : need] = ids
        self.alive[self.size : need] = True
        for offset, record_id in enumerate(ids.tolist()):
            previous = self.row_of.get(record_id)
            if previous is not None:
                self.alive[previous] = False  # re-adding an id replaces its hash
            self.row_of[record_id] = self.size + offset
        self.size = need

    def kill(self, record_id: int) -> bool:
        row = self.row_of.pop(record_id, None)
        if row is None:
            return False
        self.alive[row] = False
        return True


def _collect(rows: np.ndarray[Any, Any], dist: np.ndarray[Any, Any], ids: np.ndarray[Any, Any]) -> list[Hit]:
    if len(rows) == 0:
        return []
    unique_rows, first = np.unique(rows, return_index=True)
    return [Hit(int(ids[r]), int(d)) for r, d in zip(unique_rows.tolist(), dist[first].tolist(), strict=True)]


class MultiIndex:
    """Exact radius search by multi-index hashing; see the module docstring."""

    def __init__(self, *, max_radius: int = DEFAULT_MAX_RADIUS, threads: int = 1) -> None:
        self.max_radius = max_radius
        self.threads = threads
        self._main = _Rows()
        self._delta = _Rows()
        self._starts = np.zeros(0, dtype=np.int64)
        self._lengths = np.zeros(0, dtype=np.int64)
        self._offsets = np.zeros(1, dtype=np.int64)
        self._table_base = np.zeros(0, dtype=np.int64)
        self._table_rows = np.zeros(0, dtype=np.uint32)
        self._masks: dict[int, tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]] = {}

    def __len__(self) -> int:
        return int(self._main.alive[: self._main.size].sum() + self._delta.alive[: self._delta.size].sum())

    @staticmethod
    def layout(n: int, max_radius: int) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        """Chunk starts and lengths: about log2(n) bits a chunk, and enough chunks for 3 flips at most."""
        bits = min(22, max(8, math.ceil(math.log2(max(n, 2)))))
        chunks = max(math.ceil(HASH_BITS / bits), math.ceil((max_radius + 1) / 4))
        lengths = np.full(chunks, HASH_BITS // chunks, dtype=np.int64)
        lengths[: HASH_BITS % chunks] += 1
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
        return starts, lengths

    def build(self, ids: np.ndarray[Any, Any], codes: Codes) -> None:
        """Replace the contents with these hashes and index them."""
        ids = np.asarray(ids, dtype=np.int64)
        self._main = _Rows()
        self._delta = _Rows()
        self._main.append(ids, _as_words(codes))
        n = self._main.size
        self._starts, self._lengths = self.layout(n, self.max_radius)
        self._masks = {}
        keys = _chunk_keys(self._main.words[:n], self._starts, self._lengths)
        sizes = (1 << self._lengths) + 1
        self._table_base = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        self._offsets = np.zeros(int(sizes.sum()), dtype=np.int64)
        self._table_rows = np.zeros(len(self._starts) * n, dtype=np.uint32)
        for t in range(len(self._starts)):
            counts = np.bincount(keys[t], minlength=1 << int(self._lengths[t]))
            base = int(self._table_base[t])
            np.cumsum(counts, out=self._offsets[base + 1 : base + 1 + len(counts)])
            self._table_rows[t * n : (t + 1) * n] = np.argsort(keys[t], kind="stable").astype(np.uint32)

    def add(self, ids: np.ndarray[Any, Any], codes: Codes) -> None:
        ids = np.asarray(ids, dtype=np.int64)
        for record_id in ids.tolist():
            self._main.kill(record_id)
        self._delta.append(ids, _as_words(codes))

    def remove(self, ids: np.ndarray[Any, Any]) -> None:
        for record_id in np.asarray(ids, dtype=np.int64).tolist():
            self._main.kill(record_id)
            self._delta.kill(record_id)

    def _search_main(self, q: np.ndarray[Any, Any], radius: int) -> list[Hit]:
        main = self._main
        n = main.size
        if n == 0:
            return []
        flips = radius // len(self._starts)
        capacity = 256
        while True:
            rows = np.empty(capacity, dtype=np.int64)
            dist = np.empty(capacity, dtype=np.int64)
            if flips > 3:  # wider than the layout serves: a full scan is still exact
                count = _scan(q, main.words[:n], main.alive, radius, rows, dist)
            else:
                if flips not in self._masks:
                    self._masks[flips] = flip_masks(self._lengths, flips)
                masks, mask_start = self._masks[flips]
                count = _search_one(
                    q, main.words[:n], self._starts, self._lengths, self._offsets, self._table_base,
                    self._table_rows, main.alive, radius, masks, mask_start, rows, dist,
                )  # fmt: skip
            if count <= capacity:
                return _collect(rows[:count], dist[:count], main.ids)
            capacity = count

    def _search_delta(self, q: np.ndarray[Any, Any], radius: int) -> list[Hit]:
        delta = self._delta
        if delta.size == 0:
            return []
        capacity = max(16, delta.size)
        rows = np.empty(capacity, dtype=np.int64)
        dist = np.empty(capacity, dtype=np.int64)
        count = _scan(q, delta.words[: delta.size], delta.alive, radius, rows, dist)
        return _collect(rows[:count], dist[:count], delta.ids)

    def _search_block(self, words: np.ndarray[Any, Any], radius: int) -> list[list[Hit]]:
        return [self._search_main(q, radius) + self._search_delta(q, radius) for q in words]

    def search(self, queries: Codes, radius: int) -> list[list[Hit]]:
        words = _as_words(queries)
        if self.threads <= 1 or len(words) < 2 * self.threads:
            return self._search_block(words, radius)
        blocks = np.array_split(words, self.threads)
        with ThreadPoolExecutor(self.threads) as pool:
            parts = pool.map(self._search_block, blocks, [radius] * len(blocks))
        return [hits for part in parts for hits in part]

    # Saved as plain .npy files, so loading maps them from disk instead of reading and parsing them.
    _FILES = ("words", "ids", "alive", "starts", "lengths", "offsets", "table_base", "table_rows")

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        if self._delta.size:
            self.build(*self._live_contents())
        n = self._main.size
        arrays = {
            "words": self._main.words[:n], "ids": self._main.ids[:n], "alive": self._main.alive[:n],
            "starts": self._starts, "lengths": self._lengths, "offsets": self._offsets,
            "table_base": self._table_base, "table_rows": self._table_rows,
        }  # fmt: skip
        for name, array in arrays.items():
            np.save(directory / f"{name}.npy", array)

    @classmethod
    def load(cls, directory: Path, *, max_radius: int = DEFAULT_MAX_RADIUS, threads: int = 1) -> MultiIndex:
        index = cls(max_radius=max_radius, threads=threads)
        arrays = {name: np.load(directory / f"{name}.npy", mmap_mode="r") for name in cls._FILES}
        main = index._main
        main.words, main.ids = arrays["words"], arrays["ids"]
        main.alive = np.array(arrays["alive"])  # writable: records may be disabled after loading
        main.size = len(main.ids)
        main.row_of = dict(zip(main.ids.tolist(), range(main.size), strict=True))
        index._starts, index._lengths = np.array(arrays["starts"]), np.array(arrays["lengths"])
        index._offsets, index._table_base = arrays["offsets"], np.array(arrays["table_base"])
        index._table_rows = arrays["table_rows"]
        return index

    def _live_contents(self) -> tuple[np.ndarray[Any, Any], Codes]:
        parts = []
        for rows in (self._main, self._delta):
            live = rows.alive[: rows.size]
            parts.append((rows.ids[: rows.size][live], rows.words[: rows.size][live]))
        ids = np.concatenate([p[0] for p in parts])
        words = np.concatenate([p[1] for p in parts]).astype(">u8")
        return ids, words.view(np.uint8).reshape(-1, HASH_BYTES)


class FlatIndex:
    """Brute force with faiss ``IndexBinaryFlat``: the exact baseline."""

    def __init__(self) -> None:
        import faiss  # noqa: PLC0415  (heavy; only the flat index and the benchmarks need it)

        self._faiss = faiss
        self._index = faiss.IndexBinaryIDMap2(faiss.IndexBinaryFlat(HASH_BITS))

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def build(self, ids: np.ndarray[Any, Any], codes: Codes) -> None:
        self._index.reset()
        self.add(ids, codes)

    def add(self, ids: np.ndarray[Any, Any], codes: Codes) -> None:
        ids = np.asarray(ids, dtype=np.int64)
        self.remove(ids)
        self._index.add_with_ids(np.ascontiguousarray(codes), ids)

    def remove(self, ids: np.ndarray[Any, Any]) -> None:
        self._index.remove_ids(np.asarray(ids, dtype=np.int64))  # type: ignore[arg-type]  # faiss wraps arrays

    def search(self, queries: Codes, radius: int) -> list[list[Hit]]:
        if len(self) == 0:
            return [[] for _ in range(len(queries))]
        # faiss counts a hit when distance < radius, so ask for radius + 1.
        lims, dist, ids = self._index.range_search(np.ascontiguousarray(queries), radius + 1)
        return [
            [
                Hit(int(i), int(d))
                for i, d in zip(ids[lims[q] : lims[q + 1]], dist[lims[q] : lims[q + 1]], strict=True)
            ]
            for q in range(len(queries))
        ]
