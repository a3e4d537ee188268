"""The robust second stage at scale: how many unknown images a second one core takes through it, with a
million banked records, against plain faiss (every banked descriptor searched for each query descriptor)
in the same run.

    taskset -c 0 .venv/bin/python -m bench.robust --pictures /tmp/reval-held/query/distractors

``--pictures`` is a folder of benign pictures (the evaluation's distractors, ``bench.robust_eval``); the
features of ``--real`` of them are computed once (on every core) and kept in the temporary folder. The
index of ``--records`` records files each real picture's features under several record ids (record ``r``
has picture ``r % real``'s), so its word lists are as long as a bank of that many such pictures would make.

The queries are the kind the stage meets: new pictures the bank does not hold (most of what a centre
sees), and crops, overlays and turns of banked ones. Each goes through the stage as the matcher runs it:
the index's candidates, then each candidate verified against its features (held here in memory; the
matcher reads them from the database, one query for the eight).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import resource
import statistics
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from haven.hashbank import robust, stills
from haven.hashbank.hashing import features_of_bytes, hash_bytes


def _features(path: str) -> bytes | None:
    return features_of_bytes(Path(path).read_bytes())


def load(folder: Path, real: int, workers: int) -> list[robust.Features]:
    # Kept in the temporary folder, not beside the pictures: the evaluation scans the folder around them.
    digest = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:12]
    cache = Path(tempfile.gettempdir()) / f"haven-robust-features-{digest}-{real}.npz"
    if cache.exists():
        data = np.load(cache)
        shapes, points, descriptors = data["shape"], data["points"], data["descriptors"]  # read once each
        out, start = [], 0
        for count, width, height in shapes:
            end = start + int(count)
            out.append(robust.Features(int(width), int(height), points[start:end], descriptors[start:end]))
            start = end
        return out
    paths = sorted(str(p) for p in folder.rglob("*.jpg"))[:real]
    started = time.perf_counter()
    with ProcessPoolExecutor(workers) as pool:
        found = [robust.Features.from_bytes(f) for f in pool.map(_features, paths, chunksize=64) if f]
    print(f"features of {len(found):,} pictures in {time.perf_counter() - started:.0f} s on {workers} cores")
    np.savez(
        cache,
        shape=np.array([(len(f.points), f.width, f.height) for f in found]),
        points=np.concatenate([f.points for f in found]),
        descriptors=np.concatenate([f.descriptors for f in found]),
    )
    return found


def queries(folder: Path, count: int) -> list[tuple[str, robust.Features]]:
    """Half new pictures (seeds no banked picture has), half altered copies of banked ones."""
    seeds = sorted(int(p.stem) for p in folder.rglob("*.jpg"))[:count]
    out = []
    for n in range(count):
        if n % 2 == 0:
            picture, kind = stills.scene(90_000_000 + n, 480, 360), "new"
        else:
            how = ("crop", "overlay", "rotation")[n % 3]
            seed = seeds[n]
            picture, kind = stills.altered(stills.scene(seed, 480, 360), how, seed), how
        found = robust.features(stills.as_array(stills.reencode(picture, 85)))
        if found is not None:
            out.append((kind, found))
    return out


def through_stage(
    index: robust.FeatureIndex,
    bank: list[robust.Features],
    asked: list[tuple[str, robust.Features]],
    replicas: int,
) -> dict[str, Any]:
    times, index_times = [], []
    known: dict[str, int] = {}
    for kind, query in asked:
        started = time.perf_counter()
        # Each real picture stands under several record ids here, but once in a real bank: the first
        # CANDIDATES distinct pictures are verified, as the matcher verifies its first CANDIDATES records.
        found = index.candidates(query.descriptors, robust.CANDIDATES * replicas)
        distinct = list(dict.fromkeys(r % len(bank) for r, _ in found))[: robust.CANDIDATES]
        middle = time.perf_counter()
        proven = [r for r in distinct if robust.verify(query, bank[r]) is not None]
        times.append(time.perf_counter() - started)
        index_times.append(middle - started)
        known[kind] = known.get(kind, 0) + bool(proven)
    return {
        "per_second": len(times) / sum(times),
        "median_ms": statistics.median(times) * 1000,
        "p95_ms": sorted(times)[int(len(times) * 0.95)] * 1000,
        "index_ms": statistics.mean(index_times) * 1000,
        "known": known,
    }


def plain_faiss(bank: list[robust.Features], records: int, asked: list[tuple[str, robust.Features]]) -> float:
    """The baseline: faiss's exact binary index over every banked descriptor; each query descriptor's
    nearest one votes for its record, and the eight records with most votes are verified. Seconds a query."""
    index = faiss.IndexBinaryFlat(256)
    owner = []
    for r in range(records):
        index.add(bank[r % len(bank)].descriptors)
        owner.append(np.full(len(bank[r % len(bank)].descriptors), r))
    owners = np.concatenate(owner)
    started = time.perf_counter()
    for _, query in asked:
        _, nearest = index.search(np.ascontiguousarray(query.descriptors), 1)
        votes = np.bincount(owners[nearest.ravel()], minlength=records)
        for r in np.argsort(-votes)[: robust.CANDIDATES]:
            robust.verify(query, bank[int(r) % len(bank)])
    return (time.perf_counter() - started) / len(asked)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pictures", type=Path, required=True)
    parser.add_argument("--real", type=int, default=100_000)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--baseline-records", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    faiss.omp_set_num_threads(1)
    bank = load(args.pictures, args.real, args.workers)
    asked = queries(args.pictures, args.queries)
    print(f"{len(bank):,} real pictures, {len(asked)} queries ({sum(k == 'new' for k, _ in asked)} new)")

    small = robust.FeatureIndex()
    small.build((r, bank[r % len(bank)].descriptors) for r in range(args.baseline_records))
    ours = through_stage(small, bank, asked, -(-args.baseline_records // len(bank)))
    baseline = plain_faiss(bank, args.baseline_records, asked[:60])
    print(f"{args.baseline_records:,} records: this index {ours['per_second']:.1f} images/s "
          f"(median {ours['median_ms']:.1f} ms); plain faiss {1 / baseline:.2f} images/s "
          f"({baseline * 1000:.0f} ms)")  # fmt: skip
    del small

    started = time.perf_counter()
    index = robust.FeatureIndex()
    index.build((r, bank[r % len(bank)].descriptors) for r in range(args.records))
    built = time.perf_counter() - started
    memory = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    result = through_stage(index, bank, asked, -(-args.records // len(bank)))
    print(f"{args.records:,} records: built in {built:.0f} s, peak memory {memory:.1f} GB")
    print(f"  {result['per_second']:.1f} images/s on one core; median {result['median_ms']:.1f} ms, "
          f"95th percentile {result['p95_ms']:.1f} ms, of which the index {result['index_ms']:.1f} ms; "
          f"known: {result['known']}")  # fmt: skip
    kinds = {k: sum(1 for kind, _ in asked if kind == k) for k, _ in asked}
    print(f"  queries of each kind: {kinds}")
    extract = []
    for n in range(100):
        picture = stills.reencode(stills.scene(91_000_000 + n, 480, 360), 85)
        pixels = stills.as_array(picture)
        started = time.perf_counter()
        robust.features(pixels)
        extract.append(time.perf_counter() - started)
    print(f"  features of a decoded 480 x 360 picture: {statistics.median(extract) * 1000:.1f} ms (median)")
    hashing_cost()


def hashing_cost() -> None:
    """What the features add to hashing a file (the scan's workers, the pipeline): hash_bytes with and
    without them, on a 480 x 360 JPEG and a 12-megapixel one (decoded at a reduced scale for PDQ)."""
    for width, height in ((480, 360), (4000, 3000)):
        data = io.BytesIO()
        stills.scene(92_000_000 + width, width, height).save(data, format="JPEG", quality=85)
        blob = data.getvalue()
        timings = {}
        for robust_too in (False, True, False, True):
            started = time.perf_counter()
            for _ in range(20):
                hash_bytes(blob, "x.jpg", dihedral=True, robust=robust_too)
            timings[robust_too] = (time.perf_counter() - started) / 20 * 1000
        print(f"  hashing a {width} x {height} JPEG: {timings[False]:.1f} ms; with features "
              f"{timings[True]:.1f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
