"""Generated footage for tests, the demo and the video benchmark: benign moving pictures (smooth colour fields
and drifting shapes, a new scene every few seconds), written with PyAV, and the alterations a known video
meets in the wild (re-encoding, resizing, a new frame rate, trimming, a watermark).

Nothing here shows a person. A ``seed`` makes the same film every time; films of different seeds share their
palette and their kind of background, so that they make fair distractors for each other.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

# Container and codec for each kind of file Haven is asked to read.
FORMATS = {
    ".mp4": ("mp4", "libx264", "yuv420p"),
    ".mov": ("mov", "libx264", "yuv420p"),
    ".mkv": ("matroska", "libx264", "yuv420p"),
    ".webm": ("webm", "libvpx-vp9", "yuv420p"),
    ".avi": ("avi", "mpeg4", "yuv420p"),
}
SCENE_SECONDS = 3.0


@dataclass(frozen=True)
class Film:
    """What to draw: ``seconds`` of the film ``seed``, from ``start`` seconds into it."""

    seed: int
    seconds: float
    start: float = 0.0
    fps: int = 25
    width: int = 320
    height: int = 240
    watermark: bool = False


def frame_at(film: Film, t: float) -> np.ndarray[Any, Any]:
    """The picture ``t`` seconds into the film (RGB, ``height x width x 3``)."""
    scene = int(t // SCENE_SECONDS)
    rng = np.random.default_rng([film.seed, scene])
    h, w = film.height, film.width
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    y /= h
    x /= w
    drift = (t % SCENE_SECONDS) / SCENE_SECONDS * 0.15
    picture = np.zeros((h, w, 3), dtype=np.float32)
    for channel in range(3):
        a, b, c = rng.uniform(-1, 1, 3)
        picture[:, :, channel] = 0.5 + 0.35 * np.sin(6 * (a * x + b * y + drift) + 3 * c)
    for _ in range(int(rng.integers(3, 7))):
        cy, cx = rng.uniform(0.15, 0.85, 2)
        cx += drift * rng.uniform(-1, 1)
        ry, rx = rng.uniform(0.05, 0.2, 2)
        colour = rng.uniform(0, 1, 3)
        inside = ((y - cy) / ry) ** 2 + ((x - cx) / rx) ** 2 <= 1
        picture[inside] = colour
    out = (np.clip(picture, 0, 1) * 255).astype(np.uint8)
    if film.watermark:
        _stamp(out)
    return out


def _stamp(picture: np.ndarray[Any, Any]) -> None:
    """A channel's mark in the bottom-right corner, as broadcasters and re-uploaders add them: a
    half-transparent white panel with a darker line of "text", about 3% of the frame."""
    h, w, _ = picture.shape
    top, left, bottom, right = int(h * 0.85), int(w * 0.78), int(h * 0.95), int(w * 0.96)
    panel = picture[top:bottom, left:right].astype(np.float32)
    panel = panel * 0.6 + 255 * 0.4
    line = slice((bottom - top) // 3, (bottom - top) * 2 // 3)
    panel[line, 3:-3] = panel[line, 3:-3] * 0.5
    picture[top:bottom, left:right] = panel.astype(np.uint8)


def write(film: Film, path: Path, *, bit_rate: int | None = None) -> Path:
    """Encode the film to ``path``, the container and codec chosen by its suffix."""
    import av  # noqa: PLC0415

    fmt, codec, pixel_format = FORMATS[path.suffix.lower()]
    with av.open(str(path), mode="w", format=fmt) as container:
        stream = container.add_stream(codec, rate=Fraction(film.fps))
        assert isinstance(stream, av.VideoStream)
        stream.width, stream.height, stream.pix_fmt = film.width, film.height, pixel_format
        if bit_rate:
            stream.bit_rate = bit_rate
        for n in range(round(film.seconds * film.fps)):
            picture = frame_at(film, film.start + n / film.fps)
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def altered(film: Film, how: str) -> tuple[Film, str]:
    """The film as one alteration leaves it, and the suffix to write it with."""
    rng = random.Random(film.seed)  # noqa: S311  (test footage, not secrets)
    if how == "reencoded":
        return film, ".webm"
    if how == "resized":
        smaller = (film.width * 3 // 8 * 2, film.height * 3 // 8 * 2)  # three quarters, kept even
        return Film(film.seed, film.seconds, film.start, film.fps, *smaller), ".mp4"
    if how == "frame_rate":
        return Film(film.seed, film.seconds, film.start, 15, film.width, film.height), ".mkv"
    if how == "trimmed":
        cut = rng.uniform(0.2, 0.4) * film.seconds
        return Film(
            film.seed, film.seconds * 0.5, film.start + cut, film.fps, film.width, film.height
        ), ".mp4"
    if how == "watermarked":
        return Film(
            film.seed, film.seconds, film.start, film.fps, film.width, film.height, watermark=True
        ), ".mov"
    raise ValueError(f"no alteration {how!r}")


ALTERATIONS = ("reencoded", "resized", "frame_rate", "trimmed", "watermarked")
