"""PDQ hashing speed: Haven's fast path (JPEG draft decode) against a naive full decode, in the same run.

    .venv/bin/python -m bench.hashing [--images 12] [--workers 2]

Test images are scikit-image's sample photographs, scaled up to about 1 and 12 megapixels and saved as
JPEG in a temporary folder. Reports images per second on one core and on all cores, and how far the fast
hash moves from the naive one (Hamming bits).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pdqhash
import skimage
from PIL import Image

from haven.hashbank.hashing import bits_to_hex, decode_pixels, hamming, pdq_of_pixels

PHOTOS = [
    "chelsea.png",
    "coffee.png",
    "rocket.jpg",
    "hubble_deep_field.jpg",
    "motorcycle_left.png",
    "horse.png",
]
SIZES = {"1 MP": (1200, 900), "12 MP": (4000, 3000)}


def naive(path: str) -> str:
    pixels = np.asarray(Image.open(path).convert("RGB"))
    vector, _ = pdqhash.compute(pixels)
    return bits_to_hex(vector)


def fast(path: str) -> str:
    return pdq_of_pixels(decode_pixels(Path(path).read_bytes(), exact=False), dihedral=False)[0]


def warm() -> None:
    """Load the compiled PDQ once, as a long-running scan worker would, so it is not timed."""
    pdq_of_pixels(np.zeros((64, 64, 3), dtype=np.uint8), dihedral=True)


def rate(fn: object, paths: list[str], workers: int) -> tuple[float, list[str]]:
    if workers == 1:
        warm()
        start = time.perf_counter()
        out = [fn(p) for p in paths]  # type: ignore[operator]
        return len(paths) / (time.perf_counter() - start), out
    with ProcessPoolExecutor(workers, initializer=warm) as pool:
        list(pool.map(warm_task, range(workers)))  # start every worker before the clock starts
        start = time.perf_counter()
        out = list(pool.map(fn, paths))  # type: ignore[arg-type]
        return len(paths) / (time.perf_counter() - start), out


def warm_task(_: int) -> None:
    time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=12)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="haven-bench-hash-"))
    data = Path(skimage.__file__).parent / "data"
    print("| size | mode | cores | images/s | speed-up | median shift | max shift |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for label, size in SIZES.items():
        paths = []
        for i in range(args.images):
            image = Image.open(data / PHOTOS[i % len(PHOTOS)]).convert("RGB").resize(size)
            path = folder / f"{label.replace(' ', '')}-{i}.jpg"
            image.save(path, "JPEG", quality=90)
            paths.append(str(path))
        for cores in (1, args.workers):
            naive_rate, naive_hashes = rate(naive, paths, cores)
            fast_rate, fast_hashes = rate(fast, paths, cores)
            shifts = [hamming(a, b) for a, b in zip(naive_hashes, fast_hashes, strict=True)]
            print(f"| {label} | naive full decode | {cores} | {naive_rate:.1f} | 1.0x | - | - |")
            print(
                f"| {label} | Haven fast path | {cores} | {fast_rate:.1f} | {fast_rate / naive_rate:.1f}x "
                f"| {statistics.median(shifts):g} | {max(shifts)} |"
            )


if __name__ == "__main__":
    main()
