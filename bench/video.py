"""Hashing a video: vPDQ (a PDQ hash a second) of a long generated film, against the time it takes to play,
and against two baselines in the same run: decoding alone (the floor: every frame must be decoded to find
each second's frame), and hashing every frame rather than one a second.

    taskset -c 0 .venv/bin/python -m bench.video --minutes 10 --height 720

The film is generated footage (``haven.hashbank.footage``): a new scene every three seconds, drifting
within it, encoded with H.264 at 25 frames a second. It is written once into a scratch folder.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from haven.hashbank import pdqfast
from haven.hashbank.footage import SCENE_SECONDS, Film, frame_at
from haven.hashbank.video import _fit, hash_video

FPS = 25


def write_long(path: Path, minutes: float, height: int) -> None:
    """A long film, fast to make: each scene is drawn once and drifts by shifting its pixels."""
    import av

    width = height * 16 // 9 // 2 * 2
    frames = round(minutes * 60 * FPS)
    scene_frames = int(SCENE_SECONDS * FPS)
    with av.open(str(path), mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=Fraction(FPS), options={"preset": "veryfast"})
        assert isinstance(stream, av.VideoStream)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        scene: Any = None
        for n in range(frames):
            if n % scene_frames == 0:
                scene = frame_at(
                    Film(seed=n // scene_frames, seconds=SCENE_SECONDS, width=width, height=height), 0
                )
            picture = np.roll(scene, shift=(n % scene_frames) * 2, axis=1)
            for packet in stream.encode(av.VideoFrame.from_ndarray(picture, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def decode_only(path: Path) -> int:
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        return sum(1 for _ in container.decode(stream))


def every_frame(path: Path) -> int:
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        count = 0
        for frame in container.decode(stream):
            width, height = _fit(frame.width, frame.height)
            pdqfast.pdq(
                frame.reformat(width=width, height=height, format="rgb24").to_ndarray(), dihedral=False
            )
            count += 1
        return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--height", type=int, default=720)
    args = parser.parse_args()
    path = Path(tempfile.mkdtemp(prefix="haven-video-")) / "film.mp4"
    start = time.perf_counter()
    write_long(path, args.minutes, args.height)
    print(f"film: {args.minutes:g} minutes at {args.height}p, {FPS} fps, {path.stat().st_size / 1e6:.1f} MB "
          f"(written in {time.perf_counter() - start:.0f} s)")  # fmt: skip
    pdqfast.pdq(np.zeros((64, 64, 3), dtype=np.uint8), dihedral=False)  # compile before timing
    play = args.minutes * 60
    print("| way | time | frames | share of playing time |")
    print("| --- | ---: | ---: | ---: |")
    start = time.perf_counter()
    hashed = hash_video(path)
    took = time.perf_counter() - start
    assert hashed.error is None, hashed.error
    way = "`hash_video` (file hashes, one decode, PDQ a second)"
    print(f"| {way} | **{took:.1f} s** | {len(hashed.frames)} hashed | {took / play:.1%} |")
    start = time.perf_counter()
    decoded = decode_only(path)
    took = time.perf_counter() - start
    print(f"| decoding alone (floor) | {took:.1f} s | {decoded} decoded | {took / play:.1%} |")
    start = time.perf_counter()
    count = every_frame(path)
    took = time.perf_counter() - start
    print(f"| PDQ of every frame (baseline) | {took:.1f} s | {count} hashed | {took / play:.1%} |")


if __name__ == "__main__":
    main()
