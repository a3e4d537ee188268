"""The second stage of still-image matching: what PDQ misses. A known picture cropped by up to a tenth from
each side, partly covered by text, logos or stickers, or turned by a few degrees, has a new global hash, but
most of its corners are still there, where they were relative to each other.

``features`` finds up to ``KEYPOINTS`` ORB keypoints (OpenCV) on the picture scaled to ``SIDE`` pixels, spread
over a 4 x 4 grid so that no crop or overlay removes them all, with their 256-bit descriptors. A banked
record keeps these (``ImageFeatures``), never the picture.

``FeatureIndex`` finds the candidates: each descriptor is filed under ``TABLES`` words of ``WORD_BITS`` of its
bits (locality-sensitive hashing of binary codes: no vocabulary to train or ship), and a query's candidates
are the records sharing the most words with it.

``verify`` decides. The two sets of descriptors are matched (nearest neighbour by faiss, with Lowe's ratio
test and one query point a banked point), and RANSAC fits one rotation, scale and shift (OpenCV's
``estimateAffinePartial2D``) through them. The match is called known only when at least ``MIN_INLIERS``
points agree with that one movement, the movement is a plausible copy (a scale between 0.5 and 2, at most
10 degrees of turn) and the agreeing points spread over at least ``MIN_CELLS`` of the banked picture's 8 x 8
cells and at least a quarter of each picture's width and height (``MIN_SPAN``): a shared watermark or a
line of the same text in the same font agrees too, but only over a small patch or a strip. The evidence
(points, turn, scale, and where in each picture they lie) goes with the match.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

import cv2
import faiss
import numpy as np

VERSION = 1  # of the features' recipe and byte layout; stored features of another version are not used
SIDE = 512
KEYPOINTS = 256
MAX_POINTS = 1024  # what an imported record's features may hold
GRID = 4
WORD_BITS = 16
TABLES = 3
MAX_POSTINGS = 5_000  # a word filed under more records than this says little (a stop word) and is skipped
CANDIDATES = 8
RATIO = 0.85
MAX_DESCRIPTOR_DISTANCE = 80
MIN_INLIERS = 20
MIN_CELLS = 6
CELLS = 8
MIN_SPAN = 0.25  # of each picture's width and of its height, that the agreeing points must stretch over
REPROJECTION_PIXELS = 6.0
_HEADER = struct.Struct("<BHHH")  # version, width, height, points

# The bits each table's word is made of: fixed for good, so every process files descriptors the same way.
_BITS = np.random.default_rng(20261201).permutation(256)[: WORD_BITS * TABLES].reshape(TABLES, WORD_BITS)


@dataclass(frozen=True)
class Features:
    width: int
    height: int
    points: np.ndarray[Any, Any]  # (n, 2) float32, in the scaled picture's pixels
    descriptors: np.ndarray[Any, Any]  # (n, 32) uint8

    def to_bytes(self) -> bytes:
        n = len(self.points)
        header = _HEADER.pack(VERSION, self.width, self.height, n)
        points = np.round(self.points * 8).astype("<u2").tobytes()  # an eighth of a pixel
        return header + points + np.ascontiguousarray(self.descriptors, dtype=np.uint8).tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> Features:
        """Raises ValueError when the bytes are not features of this version."""
        if len(data) < _HEADER.size:
            raise ValueError("image features too short")
        version, width, height, n = _HEADER.unpack_from(data)
        if version != VERSION:
            raise ValueError(f"image features of version {version}, not {VERSION}")
        if len(data) != _HEADER.size + n * (4 + 32):
            raise ValueError("image features of the wrong length")
        if not (width and height) or n > MAX_POINTS:
            raise ValueError(f"image features out of range: {width} x {height} pixels, {n} points")
        start = _HEADER.size
        points = np.frombuffer(data, "<u2", n * 2, start).reshape(n, 2).astype(np.float32) / 8
        descriptors = np.frombuffer(data, np.uint8, n * 32, start + n * 4).reshape(n, 32)
        return cls(width, height, points, descriptors)


def features(pixels: np.ndarray[Any, Any]) -> Features | None:
    """The picture's features, or None when it has too few corners to match on (a flat or tiny picture)."""
    grey = cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY) if pixels.ndim == 3 else pixels
    height, width = grey.shape
    scale = SIDE / max(height, width)
    if scale < 1:
        grey = cv2.resize(grey, (max(1, round(width * scale)), max(1, round(height * scale))),
                          interpolation=cv2.INTER_AREA)  # fmt: skip
    height, width = grey.shape
    if min(height, width) < 32:
        return None
    orb = cv2.ORB.create(nfeatures=KEYPOINTS * 8, fastThreshold=7, edgeThreshold=15)
    found = orb.detect(grey, None)
    cells: dict[tuple[int, int], list[Any]] = {}
    for point in sorted(found, key=lambda k: -k.response):
        cell = (int(point.pt[0] * GRID / width), int(point.pt[1] * GRID / height))
        cells.setdefault(cell, []).append(point)
    quota = KEYPOINTS // (GRID * GRID)
    keep = [p for points in cells.values() for p in points[:quota]]
    rest = sorted((p for points in cells.values() for p in points[quota:]), key=lambda k: -k.response)
    keep += rest[: KEYPOINTS - len(keep)]
    kept, descriptors = orb.compute(grey, keep)
    if descriptors is None or len(kept) < MIN_INLIERS:
        return None
    points = np.array([p.pt for p in kept], dtype=np.float32)
    return Features(width, height, points, descriptors)


@dataclass(frozen=True)
class Evidence:
    """Why a robust match was called: how many points agreed, the turn and scale that carry the query onto
    the banked picture, how many of the banked picture's 8 x 8 cells the points cover, and the box each
    picture's agreeing points lie in (fractions of its width and height: left, top, right, bottom)."""

    inliers: int
    cells: int
    degrees: float
    scale: float
    query_box: tuple[float, float, float, float]
    banked_box: tuple[float, float, float, float]

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def _box(points: np.ndarray[Any, Any], width: int, height: int) -> tuple[float, float, float, float]:
    low, high = points.min(axis=0), points.max(axis=0)
    return (round(float(low[0]) / width, 3), round(float(low[1]) / height, 3),
            round(float(high[0]) / width, 3), round(float(high[1]) / height, 3))  # fmt: skip


def verify(query: Features, banked: Features) -> Evidence | None:
    """The evidence that ``query`` shows the banked picture, or None when it does not (module docstring)."""
    nearest = faiss.IndexBinaryFlat(256)
    nearest.add(np.ascontiguousarray(banked.descriptors))
    # 256 points against 256: starting faiss's threads would cost eight times the search itself.
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        distance, index = nearest.search(np.ascontiguousarray(query.descriptors), 2)
    finally:
        faiss.omp_set_num_threads(threads)
    # Lowe's ratio test, and one query point a banked point (the closest wins).
    good = (
        (distance[:, 0] <= MAX_DESCRIPTOR_DISTANCE)
        & (distance[:, 0] < RATIO * distance[:, 1])
        & (index[:, 1] >= 0)
    )
    best: dict[int, tuple[int, int]] = {}
    for point in np.flatnonzero(good):
        banked_point = int(index[point, 0])
        if banked_point not in best or distance[point, 0] < best[banked_point][1]:
            best[banked_point] = (int(point), int(distance[point, 0]))
    if len(best) < MIN_INLIERS:
        return None
    source = query.points[[point for point, _ in best.values()]]
    target = banked.points[list(best)]
    movement, mask = cv2.estimateAffinePartial2D(
        source, target, method=cv2.RANSAC, ransacReprojThreshold=REPROJECTION_PIXELS, maxIters=2000,
        confidence=0.995, refineIters=10,
    )  # fmt: skip
    if movement is None:
        return None
    agree = mask.ravel().astype(bool)
    scale = float(np.hypot(movement[0, 0], movement[1, 0]))
    degrees = float(np.degrees(np.arctan2(movement[1, 0], movement[0, 0])))
    inliers = int(agree.sum())
    if inliers < MIN_INLIERS or not 0.5 <= scale <= 2.0 or abs(degrees) > 10:
        return None
    on_banked = target[agree]
    cells = len({(int(x * CELLS / banked.width), int(y * CELLS / banked.height)) for x, y in on_banked})
    if cells < MIN_CELLS:
        return None
    query_box = _box(source[agree], query.width, query.height)
    banked_box = _box(on_banked, banked.width, banked.height)
    if min(query_box[2] - query_box[0], query_box[3] - query_box[1],
           banked_box[2] - banked_box[0], banked_box[3] - banked_box[1]) < MIN_SPAN:  # fmt: skip
        return None  # a line of text, a banner: agreeing points in a strip, not over the picture
    return Evidence(inliers, cells, round(degrees, 2), round(scale, 3), query_box, banked_box)


def words(descriptors: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """(n, 32) descriptors → (TABLES, n) words, each built from its table's chosen bits."""
    out = np.zeros((TABLES, len(descriptors)), dtype=np.uint32)
    for table, chosen in enumerate(_BITS):
        for place, bit in enumerate(chosen):
            byte, shift = divmod(int(bit), 8)
            out[table] |= ((descriptors[:, byte] >> (7 - shift)) & 1).astype(np.uint32) << place
    return out


BUILD_CHUNK = 10_000  # records whose words are worked out at a time while building


class FeatureIndex:
    """Records filed under their descriptors' words, one table per word.

    Each record has a slot (a dense number, so that counting votes is one ``bincount``). Each table is a
    block sorted by word, with the offset of each word's run, plus a small unsorted delta of later
    additions that is merged in when it grows. A removed record's slot is emptied at once and its postings
    dropped at the next merge. Memory: 4 bytes a descriptor a table (3 GB for a million records of 256
    descriptors). Not thread-safe: the matcher holds its lock around it.
    """

    MERGE_AT = 500_000  # postings in a table's delta

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self._offsets = [np.zeros(2**WORD_BITS + 1, dtype=np.int64) for _ in range(TABLES)]
        self._slots = [np.zeros(0, dtype=np.int32) for _ in range(TABLES)]
        self._delta: list[list[tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]]] = [
            [] for _ in range(TABLES)
        ]
        self._delta_size = 0
        # Whether each table's delta is one part sorted by word: cleared by an addition, set by sorting.
        self._delta_ordered = [False] * TABLES
        self._record_at: list[int] = []  # slot → record id, or -1 once removed
        self._slot_of: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self._slot_of)

    def build(self, rows: Iterable[tuple[int, np.ndarray[Any, Any]]]) -> None:
        """File every (record id, descriptors) at once, a chunk of records at a time."""
        self._reset()
        keys: list[list[np.ndarray[Any, Any]]] = [[] for _ in range(TABLES)]
        owners: list[np.ndarray[Any, Any]] = []
        chunk: list[np.ndarray[Any, Any]] = []

        def flush() -> None:
            if chunk:
                filed = words(np.concatenate(chunk))
                for table in range(TABLES):
                    keys[table].append(filed[table].astype(_KEY))
                first = len(self._record_at) - len(chunk)
                sizes = [len(d) for d in chunk]
                owners.append(np.repeat(np.arange(first, first + len(chunk), dtype=np.int32), sizes))
                chunk.clear()

        for record_id, descriptors in rows:
            self._slot_of[record_id] = len(self._record_at)
            self._record_at.append(record_id)
            chunk.append(descriptors)
            if len(chunk) >= BUILD_CHUNK:
                flush()
        flush()
        owner = np.concatenate(owners) if owners else np.zeros(0, np.int32)
        for table in range(TABLES):
            table_keys = np.concatenate(keys[table]) if keys[table] else np.zeros(0, _KEY)
            keys[table] = []
            self._file(table, table_keys, owner)

    def _file(self, table: int, keys: np.ndarray[Any, Any], owner: np.ndarray[Any, Any]) -> None:
        order = np.argsort(keys, kind="stable")  # a radix sort for 16-bit words
        self._slots[table] = owner[order]
        counts = np.bincount(keys, minlength=2**WORD_BITS)
        self._offsets[table] = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)

    def add(self, record_id: int, descriptors: np.ndarray[Any, Any]) -> None:
        """File a record, replacing what it had."""
        self.remove([record_id])
        slot = len(self._record_at)
        self._slot_of[record_id] = slot
        self._record_at.append(record_id)
        filed = words(descriptors)
        owner = np.full(len(descriptors), slot, dtype=np.int32)
        for table in range(TABLES):
            self._delta[table].append((filed[table].astype(_KEY), owner))
            self._delta_ordered[table] = False
        self._delta_size += len(descriptors)
        if self._delta_size >= self.MERGE_AT:
            self._merge()

    def remove(self, record_ids: Iterable[int]) -> None:
        for record_id in record_ids:
            slot = self._slot_of.pop(record_id, None)
            if slot is not None:
                self._record_at[slot] = -1

    def _merge(self) -> None:
        """Fold the deltas into the sorted blocks, dropping removed records' postings."""
        dead = np.flatnonzero(np.array(self._record_at, dtype=np.int64) < 0).astype(np.int32)
        for table in range(TABLES):
            counts = np.diff(self._offsets[table])
            keys = np.repeat(np.arange(2**WORD_BITS, dtype=_KEY), counts)
            owner = self._slots[table]
            if self._delta[table]:
                keys = np.concatenate([keys, *(k for k, _ in self._delta[table])])
                owner = np.concatenate([owner, *(o for _, o in self._delta[table])])
            if len(dead):
                kept = ~np.isin(owner, dead)
                keys, owner = keys[kept], owner[kept]
            self._file(table, keys, owner)
            self._delta[table] = []
        self._delta_size = 0

    def _delta_sorted(self, table: int) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]] | None:
        """The table's delta as one pair of arrays sorted by word, joined again after each addition."""
        parts = self._delta[table]
        if not parts:
            return None
        if not self._delta_ordered[table]:
            keys = np.concatenate([k for k, _ in parts])
            owner = np.concatenate([o for _, o in parts])
            order = np.argsort(keys, kind="stable")
            self._delta[table] = [(keys[order], owner[order])]
            self._delta_ordered[table] = True
        return self._delta[table][0]

    def candidates(
        self, descriptors: np.ndarray[Any, Any], limit: int = CANDIDATES
    ) -> list[tuple[int, float]]:
        """The records sharing the most words with the query, most first: (record id, score), each shared
        word counting by its rarity."""
        if not self._slot_of:
            return []
        filed = words(descriptors)
        slots: list[np.ndarray[Any, Any]] = []
        weights: list[np.ndarray[Any, Any]] = []
        for table in range(TABLES):
            keys = filed[table]
            offsets = self._offsets[table]
            found = _postings(offsets[keys], offsets[keys + 1], self._slots[table])
            slots.append(found[0])
            weights.append(found[1])
            delta = self._delta_sorted(table)
            if delta is not None:
                sorted_keys, owner = delta
                starts = np.searchsorted(sorted_keys, keys.astype(_KEY), "left")
                ends = np.searchsorted(sorted_keys, keys.astype(_KEY), "right")
                found = _postings(starts, ends, owner)
                slots.append(found[0])
                weights.append(found[1])
        votes = np.bincount(np.concatenate(slots), np.concatenate(weights), minlength=len(self._record_at))
        top = np.argpartition(-votes, limit)[:limit] if len(votes) > limit else np.arange(len(votes))
        top = top[np.argsort(-votes[top], kind="stable")]
        out = []
        for slot in top:
            record_id = self._record_at[int(slot)]
            if record_id >= 0 and votes[slot] > 0:
                out.append((record_id, round(float(votes[slot]), 1)))
        return out


_KEY = np.uint16 if WORD_BITS <= 16 else np.uint32


def _postings(
    starts: np.ndarray[Any, Any], ends: np.ndarray[Any, Any], owners: np.ndarray[Any, Any]
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """The slots filed under each query point's word (``owners[start:end]``), with the word's weight,
    skipping stop words."""
    sizes = ends - starts
    usable = (sizes > 0) & (sizes <= MAX_POSTINGS)
    starts, sizes = starts[usable], sizes[usable]
    flat = np.repeat(starts - np.cumsum(sizes) + sizes, sizes) + np.arange(int(sizes.sum()))
    # A rare word says more than a common one (inverse document frequency).
    weights = np.repeat(np.log(1 + MAX_POSTINGS / sizes), sizes)
    return owners[flat], weights
