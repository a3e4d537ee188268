"""PDQ radius search: Haven's MultiIndex against faiss IndexBinaryFlat (brute force) and faiss
IndexBinaryMultiHash (the multi-index HMA uses: 16 tables of 16 bits, nflip = radius // 16), in the same run.

    .venv/bin/python -m bench.pdq_index --size 1000000 [--queries 2000] [--radius 31]

Two sets: random hashes (queries are copies with 0 to 40 bits flipped), and a clustered set (a few hundred
centres with many close copies, plus near-blank hashes), because real PDQ sets are lumpy.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from haven.hashbank.index import FlatIndex, MultiIndex


def flip_bits(rng: np.random.Generator, codes: np.ndarray[Any, Any], max_bits: int) -> np.ndarray[Any, Any]:
    bits = np.unpackbits(codes, axis=1)
    for row in bits:
        row[rng.choice(256, int(rng.integers(0, max_bits + 1)), replace=False)] ^= 1
    return np.packbits(bits, axis=1)


def random_set(rng: np.random.Generator, n: int) -> np.ndarray[Any, Any]:
    return rng.integers(0, 256, size=(n, 32), dtype=np.uint8)


def clustered_set(rng: np.random.Generator, n: int) -> np.ndarray[Any, Any]:
    centres = rng.integers(0, 256, size=(max(n // 5000, 50), 32), dtype=np.uint8)
    codes = centres[rng.integers(0, len(centres), n)]
    # Each copy differs from its centre in a random few of its bits (a sparse XOR mask).
    for start in range(0, n, 500_000):
        part = slice(start, min(n, start + 500_000))
        rows = part.stop - part.start
        codes[part] ^= np.packbits(rng.random((rows, 256)) < rng.uniform(0.01, 0.12, size=(rows, 1)), axis=1)
    blank = n // 20
    codes[:blank] = np.packbits(rng.random((blank, 256)) < 0.02, axis=1)
    return codes


def timed(fn: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def measure(
    name: str, codes: np.ndarray[Any, Any], rng: np.random.Generator, args: argparse.Namespace
) -> None:
    size = len(codes)
    ids = np.arange(size, dtype=np.int64)
    queries = flip_bits(rng, codes[rng.integers(0, size, args.queries)], 40)

    index = MultiIndex()
    build_s, _ = timed(lambda: index.build(ids, codes))
    folder = Path(tempfile.mkdtemp(prefix="haven-bench-idx-"))
    index.save(folder)
    load_s, loaded = timed(lambda: MultiIndex.load(folder))
    size_mb = sum(f.stat().st_size for f in folder.iterdir()) / 1e6
    loaded.search(queries[:5], args.radius)  # compile and warm
    latencies, results = [], []
    for i in range(len(queries)):
        took, hits = timed(lambda i=i: loaded.search(queries[i : i + 1], args.radius)[0])
        latencies.append(took)
        results.append(hits)
    single_s = sum(latencies)
    p50, p99 = (float(np.percentile(latencies, p)) * 1000 for p in (50, 99))
    loaded.threads = 2
    batch_s, _ = timed(lambda: loaded.search(queries, args.radius))

    flat = FlatIndex()
    flat_build_s, _ = timed(lambda: flat.build(ids, codes))
    sample = queries[: args.flat_queries]
    flat_s, truth = timed(
        lambda: [flat.search(sample[i : i + 1], args.radius)[0] for i in range(len(sample))]
    )
    flat_batch_s, _ = timed(lambda: flat.search(sample, args.radius))
    found = sum(len({h.id for h in r} & {h.id for h in t}) for r, t in zip(results, truth, strict=False))
    total = sum(len(t) for t in truth)
    recall = found / total if total else 1.0
    print(
        f"| {name} | MultiIndex | {build_s:.1f} | {load_s:.2f} | {size_mb:,.0f} "
        f"| {len(queries) / single_s:,.0f} | {p50:.2f} / {p99:.2f} | {len(queries) / batch_s:,.0f} "
        f"| {recall:.4f} ({total} neighbours) |"
    )
    print(
        f"| {name} | faiss IndexBinaryFlat | {flat_build_s:.1f} | - | {codes.nbytes / 1e6:,.0f} "
        f"| {len(sample) / flat_s:,.0f} | {1000 * flat_s / len(sample):.2f} (mean) "
        f"| {len(sample) / flat_batch_s:,.0f} | 1 (reference) |"
    )
    multi_build_s, multi = timed(lambda: faiss_multihash(codes, args.radius))
    multi_latencies, multi_results = [], []
    for i in range(len(queries)):
        took, (_, _, found) = timed(lambda i=i: multi.range_search(queries[i : i + 1], args.radius + 1))
        multi_latencies.append(took)
        multi_results.append(set(found.tolist()))
    multi_single_s = sum(multi_latencies)
    mp50, mp99 = (float(np.percentile(multi_latencies, p)) * 1000 for p in (50, 99))
    multi_batch_s, _ = timed(lambda: multi.range_search(queries, args.radius + 1))
    multi_found = sum(
        len(multi_results[i] & {h.id for h in t}) for i, t in enumerate(truth) if i < len(multi_results)
    )
    print(
        f"| {name} | faiss IndexBinaryMultiHash (HMA's) | {multi_build_s:.1f} | - | - "
        f"| {len(queries) / multi_single_s:,.0f} | {mp50:.2f} / {mp99:.2f} "
        f"| {len(queries) / multi_batch_s:,.0f} | {multi_found / total if total else 1.0:.4f} |"
    )
    shutil.rmtree(folder)


def faiss_multihash(codes: np.ndarray[Any, Any], radius: int) -> Any:
    """The index HMA's PDQ matcher builds: 16 hash tables of 16 bits each, flipping up to radius // 16 bits
    of each substring (exact up to radius 31, by the pigeonhole principle). range_search takes the distance
    strictly below its bound, hence radius + 1 where it is called."""
    import faiss

    index = faiss.IndexBinaryMultiHash(256, 16, 16)
    index.nflip = radius // 16
    index.add(codes)
    return index


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--radius", type=int, default=31)
    parser.add_argument("--flat-queries", type=int, default=200)
    parser.add_argument("--sets", default="random,clustered", help="comma-separated: random, clustered")
    args = parser.parse_args()
    rng = np.random.default_rng(20261128)
    print(f"{args.size:,} hashes, radius {args.radius}")
    print(
        "| set | index | build s | load s | MB | single q/s (1 thread) | latency ms p50 / p99 "
        "| batch q/s (2 threads) | recall |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    makers = {"random": random_set, "clustered": clustered_set}
    for name in args.sets.split(","):
        measure(name, makers[name](rng, args.size), rng, args)


if __name__ == "__main__":
    main()
