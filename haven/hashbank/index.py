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
# The widest threshold a list may set. Every radius is answered exactly; past a few flips a chunk the index
# falls back to a full scan.
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
    """Bits [start, start + length) of a 256-bit hash held as 4 big-endian words (length <= 32)."""
    word, offset = start >> 6, start & 63
    mask = (np.uint64(1) << np.uint64(length)) - np.uint64(1)
    if offset + length <= 64:
        return int((words[word] >> np.uint64(64 - offset - length)) & mask)
    low_bits = offset + length - 64  # the chunk runs on into the next word
    high = words[word] << np.uint64(low_bits)
    low = words[word + 1] >> np.uint64(64 - low_bits)
    return int((high | low) & mask)


@njit(cache=True, nogil=True)
def _chunk_keys(words: Any, starts: Any, lengths: Any) -> Any:  # pragma: no cover  (compiled)
    n, m = words.shape[0], starts.shape[0]
    keys = np.empty((m, n), dtype=np.int64)
    for i in range(n):
        for j in range(m):
            keys[j, i] = _chunk(words[i], starts[j], lengths[j])
    return keys


@njit(cache=True, nogil=True)
def _popcount_small(x: int) -> int:  # pragma: no cover  (compiled)
    return _popcount64(np.uint64(x))


@njit(cache=True, nogil=True)
def _grown(pairs: Any, used: int) -> Any:  # pragma: no cover  (compiled)
    """A (2, capacity) array with twice the capacity, keeping the first ``used`` columns."""
    bigger = np.empty((2, 2 * pairs.shape[1]), dtype=pairs.dtype)
    bigger[:, :used] = pairs[:, :used]
    return bigger


@njit(cache=True, nogil=True)
def _put(out: Any, count: int, row: int, distance: int) -> Any:  # pragma: no cover  (compiled)
    """Store one hit in column ``count`` of a (2, capacity) array, growing it when full."""
    if count == out.shape[1]:
        out = _grown(out, count)
    out[0, count] = row
    out[1, count] = distance
    return out


@njit(cache=True, nogil=True)
def _bucket_bounds(
    qkeys: Any, order: Any, masks: Any, mask_start: Any, offsets: Any, table_base: Any, n: int, bounds: Any
) -> None:  # pragma: no cover  (compiled)
    """Stage 1: for every probe, its bucket's first and last row in table_rows, and its table's position."""
    k = 0
    for position in range(order.shape[0]):
        t = order[position]
        base = table_base[t]
        for i in range(mask_start[t], mask_start[t + 1]):
            key = qkeys[t] ^ masks[i]
            bounds[0, k] = offsets[base + key] + t * n
            bounds[1, k] = offsets[base + key + 1] + t * n
            bounds[2, k] = position
            k += 1


@njit(cache=True, nogil=True)
def _gather(bounds: Any, table_rows: Any, found: Any) -> Any:  # pragma: no cover  (compiled)
    """Stage 2: every candidate row with the position of the table that found it."""
    c = 0
    for k in range(bounds.shape[1]):
        for p in range(bounds[0, k], bounds[1, k]):
            if c == found.shape[1]:
                found = _grown(found, c)
            found[0, c] = table_rows[p]
            found[1, c] = bounds[2, k]
            c += 1
    return found, c


@njit(cache=True, nogil=True)
def _reached_earlier(
    cand: Any, qkeys: Any, order: Any, position: int, starts: Any, lengths: Any, flips: Any
) -> bool:  # pragma: no cover  (compiled)
    """Whether a table probed before ``position`` also reaches this hash, so it has been counted already."""
    for earlier in range(position):
        e = order[earlier]
        if _popcount_small(qkeys[e] ^ _chunk(cand, starts[e], lengths[e])) <= flips[e]:
            return True
    return False


@njit(cache=True, nogil=True)
def _search_many(
    queries: Any,
    words: Any,
    alive: Any,
    starts: Any,
    lengths: Any,
    offsets: Any,
    table_base: Any,
    table_rows: Any,
    order: Any,
    flips: Any,
    masks: Any,
    mask_start: Any,
    radius: int,
) -> Any:  # pragma: no cover  (compiled)
    """Every stored row within ``radius`` of each query, each row once.

    Tables are probed in ``order``; table ``t`` with every key within ``flips[t]`` bits of the query's
    chunk. Each query runs in three stages (bucket bounds, candidate rows, candidate hashes) so that the
    loads in a stage do not wait on one another and the CPU can overlap their cache misses. A row found
    again in a later table is dropped by checking whether an earlier table's probes already reached it, so
    no sort is needed. Returns rows, distances and each query's end offset.
    """
    probes = 0
    for position in range(order.shape[0]):
        probes += mask_start[order[position] + 1] - mask_start[order[position]]
    bounds = np.empty((3, probes), dtype=np.int64)
    found = np.empty((2, 4 * probes + 64), dtype=np.int64)
    out = np.empty((2, max(64, 4 * queries.shape[0])), dtype=np.int64)
    ends = np.empty(queries.shape[0], dtype=np.int64)
    qkeys = np.empty(starts.shape[0], dtype=np.int64)
    count = 0
    for qi in range(queries.shape[0]):
        q = queries[qi]
        for t in range(starts.shape[0]):
            qkeys[t] = _chunk(q, starts[t], lengths[t])
        _bucket_bounds(qkeys, order, masks, mask_start, offsets, table_base, words.shape[0], bounds)
        found, candidates = _gather(bounds, table_rows, found)
        for j in range(candidates):  # stage 3: every candidate's distance
            row = found[0, j]
            d = _distance(q, words[row])
            if d > radius or not alive[row]:
                continue
            if _reached_earlier(words[row], qkeys, order, found[1, j], starts, lengths, flips):
                continue
            out = _put(out, count, row, d)
            count += 1
        ends[qi] = count
    return out[0, :count], out[1, :count], ends


@njit(cache=True, nogil=True)
def _scan_many(queries: Any, words: Any, alive: Any, radius: int) -> Any:  # pragma: no cover
    """Brute force over every live row: for the delta, and for radii wider than the layout serves."""
    out = np.empty((2, max(64, 4 * queries.shape[0])), dtype=np.int64)
    ends = np.empty(queries.shape[0], dtype=np.int64)
    count = 0
    for qi in range(queries.shape[0]):
        q = queries[qi]
        for row in range(words.shape[0]):
            d = _distance(q, words[row])
            if d > radius or not alive[row]:
                continue
            out = _put(out, count, row, d)
            count += 1
        ends[qi] = count
    return out[0, :count], out[1, :count], ends


MAX_FLIPS = 4  # beyond this many flips a chunk, probing costs more than a full scan
MAX_CHUNK_BITS = 24  # a 24-bit table has 16M buckets: 64 MB of 32-bit offsets


def _probes(length: int, flips: int) -> int:
    return sum(math.comb(length, k) for k in range(flips + 1))


def _table_cost(length: int, flips: int, n: int) -> float:
    """Expected cache misses for one table: a bucket bound per probe, plus rows and hashes per candidate."""
    per_bucket = n / (1 << length)
    return _probes(length, flips) * (1 + min(1.0, per_bucket) + per_bucket)


@dataclass(frozen=True)
class Plan:
    """How one radius is searched: which tables to probe, and with how many flipped bits each.

    Refined pigeonhole: write the radius as ``m * f + a`` with ``0 <= a < m``. If two hashes are within the
    radius, then either one of any chosen ``a + 1`` chunks differs in at most ``f`` bits, or one of the other
    chunks differs in at most ``f - 1``; otherwise the distance would be at least
    ``(a + 1)(f + 1) + (m - a - 1) f = radius + 1``. So ``a + 1`` tables are probed with ``f`` flips and the
    rest with ``f - 1`` (and not at all when ``f`` is 0). The tables raised to ``f`` are those for which
    it costs least.
    """

    order: np.ndarray[Any, Any]  # tables in probe order
    flips: np.ndarray[Any, Any]  # per table; -1 for a table not probed
    masks: np.ndarray[Any, Any]
    mask_start: np.ndarray[Any, Any]

    @classmethod
    def make(cls, lengths: np.ndarray[Any, Any], radius: int, n: int) -> Plan | None:
        """The plan, or None when the radius is too wide to probe (a full scan is then cheaper)."""
        m = len(lengths)
        f, a = divmod(radius, m)
        if f > MAX_FLIPS:
            return None
        sizes = [int(x) for x in lengths]
        flips = np.full(m, f - 1, dtype=np.int64)
        extra = sorted(range(m), key=lambda t: _table_cost(sizes[t], f, n) - _table_cost(sizes[t], f - 1, n))
        flips[extra[: a + 1]] = f
        order = np.array([t for t in range(m) if flips[t] >= 0], dtype=np.int64)
        per_table = [
            [sum(1 << bit for bit in bits) for k in range(int(flips[t]) + 1)
             for bits in itertools.combinations(range(sizes[t]), k)]
            for t in range(m)
        ]  # fmt: skip
        mask_start = np.concatenate([[0], np.cumsum([len(p) for p in per_table])]).astype(np.int64)
        masks = np.array([x for p in per_table for x in p], dtype=np.int64)
        return cls(order, flips, masks, mask_start)

    def cost(self, lengths: np.ndarray[Any, Any], n: int) -> float:
        return sum(_table_cost(int(lengths[t]), int(self.flips[t]), n) for t in self.order)


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


def _split(
    found: tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]], ids: np.ndarray[Any, Any]
) -> list[list[Hit]]:
    rows, dist, ends = found
    record_ids, distances = ids[rows].tolist(), dist.tolist()
    out, begin = [], 0
    for end in ends.tolist():
        out.append([Hit(record_ids[i], distances[i]) for i in range(begin, end)])
        begin = end
    return out


class MultiIndex:
    """Exact radius search by multi-index hashing; see the module docstring and ``Plan``."""

    def __init__(self, *, design_radius: int = 31, threads: int = 1, chunks: int | None = None) -> None:
        self.design_radius = design_radius  # the radius the chunk layout is tuned for; any radius is exact
        self.threads = threads
        self.chunks = chunks  # force the number of chunks (tests); None picks the cheapest
        self._main = _Rows()
        self._delta = _Rows()
        self._starts = np.zeros(0, dtype=np.int64)
        self._lengths = np.zeros(0, dtype=np.int64)
        self._offsets = np.zeros(1, dtype=np.int64)
        self._table_base = np.zeros(0, dtype=np.int64)
        self._table_rows = np.zeros(0, dtype=np.uint32)
        self._plans: dict[int, Plan | None] = {}

    def __len__(self) -> int:
        return int(self._main.alive[: self._main.size].sum() + self._delta.alive[: self._delta.size].sum())

    @staticmethod
    def layout(
        n: int, design_radius: int = 31, chunks: int | None = None
    ) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        """Chunk starts and lengths: the number of chunks whose plan at ``design_radius`` costs least."""
        max_bits = min(MAX_CHUNK_BITS, max(8, math.ceil(math.log2(max(n, 2))) + 1))
        best: tuple[float, np.ndarray[Any, Any]] | None = None
        if chunks is not None and not math.ceil(HASH_BITS / MAX_CHUNK_BITS) <= chunks <= 32:
            raise ValueError(f"chunks must be {math.ceil(HASH_BITS / MAX_CHUNK_BITS)} to 32")
        choices = [chunks] if chunks else range(math.ceil(HASH_BITS / max_bits), 33)
        for m in choices:
            lengths = np.full(m, HASH_BITS // m, dtype=np.int64)
            lengths[: HASH_BITS % m] += 1
            plan = Plan.make(lengths, design_radius, n)
            cost = plan.cost(lengths, n) if plan is not None else math.inf
            if best is None or cost < best[0]:
                best = (cost, lengths)
        assert best is not None
        lengths = best[1]
        return np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64), lengths

    def build(self, ids: np.ndarray[Any, Any], codes: Codes) -> None:
        """Replace the contents with these hashes and index them."""
        ids = np.asarray(ids, dtype=np.int64)
        self._main = _Rows()
        self._delta = _Rows()
        self._main.append(ids, _as_words(codes))
        n = self._main.size
        self._starts, self._lengths = self.layout(n, self.design_radius, self.chunks)
        self._plans = {}
        keys = _chunk_keys(self._main.words[:n], self._starts, self._lengths)
        sizes = (1 << self._lengths) + 1
        self._table_base = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        # Offsets index rows within one table, so 32 bits are enough below 2**31 hashes.
        self._offsets = np.zeros(int(sizes.sum()), dtype=np.int32 if n < 2**31 else np.int64)
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

    def _plan(self, radius: int) -> Plan | None:
        if radius not in self._plans:
            self._plans[radius] = Plan.make(self._lengths, radius, self._main.size)
        return self._plans[radius]

    def _search_block(self, words: np.ndarray[Any, Any], radius: int) -> list[list[Hit]]:
        main, delta = self._main, self._delta
        n = main.size
        if n == 0:
            hits: list[list[Hit]] = [[] for _ in range(len(words))]
        else:
            plan = self._plan(radius)
            if plan is None:  # wider than any plan serves: a full scan is still exact
                found = _scan_many(words, main.words[:n], main.alive, radius)
            else:
                found = _search_many(
                    words, main.words[:n], main.alive, self._starts, self._lengths, self._offsets,
                    self._table_base, self._table_rows, plan.order, plan.flips, plan.masks,
                    plan.mask_start, radius,
                )  # fmt: skip
            hits = _split(found, main.ids)
        if delta.size:
            extra = _split(_scan_many(words, delta.words[: delta.size], delta.alive, radius), delta.ids)
            hits = [h + e for h, e in zip(hits, extra, strict=True)]
        return hits

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
    def load(cls, directory: Path, *, design_radius: int = 31, threads: int = 1) -> MultiIndex:
        index = cls(design_radius=design_radius, threads=threads)
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
