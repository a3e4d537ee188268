"""Videos: the exact hashes of the file, and vPDQ, the PDQ hash of one frame a second with its quality.

vPDQ (Meta's ThreatExchange) samples a video's frames at a fixed rate and hashes each with PDQ; two videos
are compared by the share of each one's good frames that the other has within the PDQ threshold. Haven
decodes a video once, through PyAV (which ships its own ffmpeg), and hashes the frame shown at each whole
second, reduced to fit in ``FRAME_SIZE`` pixels (PDQ reduces every picture to 64 x 64 anyway).

Before a frame is decoded, the container's own figures are checked against the limits (duration,
resolution, frame count): a file that claims more is refused, as an image bomb is. Decoding stops at the
limits too, whatever the container claimed. A file that cannot be opened, or whose frames stop well before
its stated end, is an error with its reason.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from haven.hashbank import pdqfast
from haven.hashbank.hashing import MIN_MATCH_QUALITY, FileHashes, exact_hashes, hash_file

# What Haven takes for a video by its name; ``looks_like_video`` also knows the containers by their bytes.
VIDEO_SUFFIXES = frozenset(
    {".mp4", ".m4v", ".mov", ".qt", ".webm", ".mkv", ".avi", ".wmv", ".flv", ".mpg", ".mpeg", ".3gp", ".ts"}
)
EVERY_SECONDS = 1.0  # vPDQ's rate: one frame a second
FRAME_SIZE = 512  # a sampled frame is reduced to fit in this square before PDQ
MAX_SECONDS = int(os.environ.get("HAVEN_VIDEO_MAX_SECONDS", "") or 4 * 3600)
MAX_FRAME_PIXELS = int(os.environ.get("HAVEN_VIDEO_MAX_FRAME_PIXELS", "") or 8192 * 4320)
MAX_FRAMES = int(os.environ.get("HAVEN_VIDEO_MAX_FRAMES", "") or MAX_SECONDS * 120)
# A video whose frames end before this share of its stated duration (and more than a few seconds short)
# is truncated.
TRUNCATED_BELOW = 0.9
CHUNK = 1 << 20


class VideoError(ValueError):
    """A video Haven will not hash, with the reason."""


@dataclass(frozen=True)
class Frame:
    """One sampled frame: its place, its time in seconds, its PDQ hash and that hash's quality (0 to 100)."""

    index: int
    seconds: float
    pdq: str
    quality: int

    @property
    def good(self) -> bool:
        return self.quality >= MIN_MATCH_QUALITY

    @property
    def row(self) -> tuple[int, float, str, int]:
        """As rows and bank records carry a frame: ``(index, seconds, pdq, quality)``."""
        return (self.index, self.seconds, self.pdq, self.quality)


@dataclass
class VideoHashes:
    path: str
    md5: str | None = None
    sha1: str | None = None
    sha256: str | None = None
    duration: float | None = None
    width: int | None = None
    height: int | None = None
    frames: list[Frame] = field(default_factory=list)
    error: str | None = None


def looks_like_video(name: str, head: bytes = b"") -> bool:
    """By the file's suffix, or by the first bytes of its container (MP4, MOV and 3GP; Matroska and WebM;
    AVI; MPEG programme and transport streams; FLV; ASF)."""
    if Path(name).suffix.lower() in VIDEO_SUFFIXES:
        return True
    if head[4:8] == b"ftyp" and head[8:12] not in {b"avif", b"avis", b"heic", b"heix", b"mif1", b"msf1"}:
        return True
    return (
        head.startswith(
            (b"\x1a\x45\xdf\xa3", b"FLV", b"\x00\x00\x01\xba", b"\x30\x26\xb2\x75\x8e\x66\xcf\x11")
        )
        or (head[:4] == b"RIFF" and head[8:12] == b"AVI ")
        or (len(head) > 188 and head[0] == 0x47 == head[188])
    )


def head_of(path: Path | str) -> bytes:
    try:
        with Path(path).open("rb") as stream:
            return stream.read(512)
    except OSError:
        return b""


def hash_any(path: str, robust: bool = True) -> FileHashes | VideoHashes:
    """A video's hashes if the file is one (by its name or its first bytes), else an image's with its eight
    orientations and (with ``robust``) its second-stage features: what `haven scan` hashes each file with,
    in a worker process or on a Dask worker."""
    if looks_like_video(path, head_of(path)):
        return hash_video(path)
    return hash_file(path, dihedral=True, robust=robust)


def hash_any_batch(paths: list[str], robust: bool = True) -> list[FileHashes | VideoHashes]:
    """Several files: one task for a Dask worker, which imports no Django."""
    return [hash_any(path, robust) for path in paths]


def hash_video(path: Path | str, *, every: float = EVERY_SECONDS) -> VideoHashes:
    """Hash one video file. Never raises for a bad file: the reason is in ``error``, beside whatever exact
    hashes the bytes gave."""
    result = VideoHashes(path=str(path))
    try:
        _exact(Path(path), result)
    except OSError as exc:
        result.error = f"cannot read: {exc.strerror or exc}"
        return result
    return _with_frames(result, str(path), every)


def hash_video_bytes(data: bytes, name: str, *, every: float = EVERY_SECONDS) -> VideoHashes:
    """A video held in memory (a report's upload, read from the evidence store): as ``hash_video``."""
    md5, sha1, sha256 = exact_hashes(data)
    return _with_frames(VideoHashes(path=name, md5=md5, sha1=sha1, sha256=sha256), io.BytesIO(data), every)


def _with_frames(result: VideoHashes, source: str | io.BytesIO, every: float) -> VideoHashes:
    """The file's frames hashed into ``result``, or the reason they could not be."""
    try:
        _frames(source, result, every)
    except VideoError as exc:
        result.error, result.frames = str(exc), []
    return result


def _exact(path: Path, result: VideoHashes) -> None:
    md5, sha1, sha256 = (hashlib.md5(usedforsecurity=False), hashlib.sha1(usedforsecurity=False),
                         hashlib.sha256())  # fmt: skip
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            md5.update(chunk)
            sha1.update(chunk)
            sha256.update(chunk)
    result.md5, result.sha1, result.sha256 = md5.hexdigest(), sha1.hexdigest(), sha256.hexdigest()


def _frames(path: str | io.BytesIO, result: VideoHashes, every: float) -> None:
    import av  # noqa: PLC0415  (ffmpeg's libraries load only when a video is hashed)

    try:
        container = av.open(path, metadata_errors="ignore")
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise VideoError(f"not a video Haven can read: {_reason(exc)}") from None
    with container:
        if not container.streams.video:
            raise VideoError("no video stream: not a video Haven can read")
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        duration = _check(container, stream)
        result.duration, result.width, result.height = (
            duration,
            stream.codec_context.width,
            stream.codec_context.height,
        )
        try:
            result.frames = list(_sample(container, stream, every))
        except av.error.FFmpegError as exc:
            raise VideoError(f"corrupt video: {_reason(exc)}") from None
    if not result.frames:
        raise VideoError("corrupt or empty video: no frame could be decoded")
    last = result.frames[-1].seconds
    if duration and last < TRUNCATED_BELOW * duration - 3 * every:
        raise VideoError(
            f"truncated video: its frames end at {_clock(last)} of the {_clock(duration)} it states"
        )


def _check(container: Any, stream: Any) -> float | None:
    """The container's own figures against the limits, before a frame is decoded; returns the duration."""
    # The longest of what the stream, the container and a frame count say: a truncated AVI's index may
    # shrink the first two, its header's frame count still tells the whole.
    stated = []
    if stream.duration is not None and stream.time_base is not None:
        stated.append(float(stream.duration * stream.time_base))
    if container.duration is not None:
        stated.append(container.duration / 1_000_000)  # av.time_base
    if stream.frames and stream.average_rate:
        stated.append(float(stream.frames / stream.average_rate))
    seconds = max(stated) if stated else None
    if seconds is not None and seconds > MAX_SECONDS:
        raise VideoError(f"video of {_clock(seconds)} is longer than the {_clock(MAX_SECONDS)} limit")
    width, height = stream.codec_context.width or 0, stream.codec_context.height or 0
    if width * height > MAX_FRAME_PIXELS:
        raise VideoError(
            f"video of {width} x {height} pixels a frame is larger than the {MAX_FRAME_PIXELS:,}-pixel limit"
        )
    if stream.frames and stream.frames > MAX_FRAMES:
        raise VideoError(f"video of {stream.frames:,} frames is over the {MAX_FRAMES:,}-frame limit")
    return seconds


def _pictures(container: Any, stream: Any, every: float) -> Iterator[tuple[float, Any]]:
    """The first frame shown at or after each multiple of ``every`` seconds, with its time; one decode,
    stopped at the limits whatever the container said."""
    rate = stream.average_rate or stream.guessed_rate or Fraction(30)
    due, decoded = 0.0, 0
    for frame in container.decode(stream):
        decoded += 1
        if decoded > MAX_FRAMES:
            raise VideoError(f"video decodes to more than the {MAX_FRAMES:,}-frame limit")
        seconds = float(frame.time) if frame.time is not None else decoded / float(rate)
        if seconds > MAX_SECONDS:
            raise VideoError(f"video runs past the {_clock(MAX_SECONDS)} limit")
        if seconds + 1e-6 < due:
            continue
        yield seconds, frame
        due = (math.floor(seconds / every + 1e-9) + 1) * every


def _sample(container: Any, stream: Any, every: float) -> Iterator[Frame]:
    """Each sampled frame, hashed."""
    for index, (seconds, frame) in enumerate(_pictures(container, stream, every)):
        width, height = _fit(frame.width, frame.height)
        pixels = frame.reformat(width=width, height=height, format="rgb24").to_ndarray()
        pdq, quality, _ = pdqfast.pdq(np.ascontiguousarray(pixels), dihedral=False)
        yield Frame(index, round(seconds, 3), pdq, quality)


def keyframes(data: bytes, count: int = 6, size: int = 160) -> list[tuple[float, np.ndarray[Any, Any]]]:
    """Up to ``count`` frames spread over the video, each scaled to fit ``size`` pixels, with its time: what
    the grading viewer shows (blurred) in place of playing a video. Raises VideoError with a reason."""
    import av  # noqa: PLC0415

    try:
        container = av.open(io.BytesIO(data), metadata_errors="ignore")
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise VideoError(f"not a video Haven can read: {_reason(exc)}") from None
    out = []
    with container:
        if not container.streams.video:
            raise VideoError("no video stream: not a video Haven can read")
        stream = container.streams.video[0]
        duration = _check(container, stream) or float(count)
        try:
            for seconds, frame in _pictures(container, stream, max(duration / count, 0.04)):
                scale = min(1.0, size / max(frame.width, frame.height, 1))
                width, height = max(2, round(frame.width * scale)), max(2, round(frame.height * scale))
                out.append((seconds, frame.reformat(width=width, height=height, format="rgb24").to_ndarray()))
                if len(out) == count:
                    break
        except av.error.FFmpegError as exc:
            raise VideoError(f"corrupt video: {_reason(exc)}") from None
    if not out:
        raise VideoError("corrupt or empty video: no frame could be decoded")
    return out


def _fit(width: int, height: int) -> tuple[int, int]:
    scale = min(1.0, FRAME_SIZE / max(width, height, 1))
    return max(2, round(width * scale)), max(2, round(height * scale))


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def _reason(exc: Exception) -> str:
    return str(getattr(exc, "strerror", None) or exc).strip() or type(exc).__name__


# -- comparing two videos, as vPDQ does ---------------------------------------------------------------------


@dataclass(frozen=True)
class VideoMatch:
    """How two videos compare: the share of each one's good, distinct frames that the other has within the
    threshold, and the stretches of each (in seconds) that matched."""

    query_share: float
    banked_share: float
    query_ranges: list[tuple[float, float]]
    banked_ranges: list[tuple[float, float]]
    matched_frames: int

    def known(self, share: float) -> bool:
        """A clip cut from a banked video has most of its own frames in it; a compilation holding a banked
        clip has most of the clip's. Either is a match."""
        return self.matched_frames >= 2 and max(self.query_share, self.banked_share) >= share

    def as_json(self) -> dict[str, Any]:
        return {
            "query_share": round(self.query_share, 3),
            "banked_share": round(self.banked_share, 3),
            "query_ranges": [list(r) for r in self.query_ranges],
            "banked_ranges": [list(r) for r in self.banked_ranges],
            "matched_frames": self.matched_frames,
        }


def good_distinct(frames: list[Frame]) -> list[Frame]:
    """The frames worth matching on: of good quality, each hash once (a still scene repeats its hash)."""
    seen: set[str] = set()
    out = []
    for frame in frames:
        if frame.good and frame.pdq not in seen:
            seen.add(frame.pdq)
            out.append(frame)
    return out


def as_codes(frames: list[Frame]) -> np.ndarray[Any, Any]:
    """Frames' PDQ hashes as rows of 32 bytes."""
    if not frames:
        return np.zeros((0, 32), dtype=np.uint8)
    return np.frombuffer(b"".join(bytes.fromhex(f.pdq) for f in frames), dtype=np.uint8).reshape(-1, 32)


_POPCOUNT = np.array([bin(n).count("1") for n in range(256)], dtype=np.uint16)


def distances(a: np.ndarray[Any, Any], b: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Every Hamming distance between the rows of ``a`` and of ``b``, as an ``len(a) x len(b)`` array."""
    if not len(a) or not len(b):
        return np.zeros((len(a), len(b)), dtype=np.uint16)
    found: np.ndarray[Any, Any] = _POPCOUNT[a[:, None, :] ^ b[None, :, :]].sum(axis=2, dtype=np.uint16)
    return found


def compare(
    query: list[Frame], banked: list[Frame], *, threshold: int, every: float = EVERY_SECONDS
) -> VideoMatch:
    """vPDQ's comparison: each side's good, distinct frames, matched within ``threshold`` bits."""
    q, b = good_distinct(query), good_distinct(banked)
    near: np.ndarray[Any, Any] = distances(as_codes(q), as_codes(b)) <= threshold
    q_hit = [bool(near[i].any()) for i in range(len(q))]
    b_hit = [bool(near[:, j].any()) for j in range(len(b))]
    return VideoMatch(
        query_share=sum(q_hit) / len(q) if q else 0.0,
        banked_share=sum(b_hit) / len(b) if b else 0.0,
        query_ranges=ranges([f.seconds for f, hit in zip(q, q_hit, strict=True) if hit], every),
        banked_ranges=ranges([f.seconds for f, hit in zip(b, b_hit, strict=True) if hit], every),
        matched_frames=sum(q_hit),
    )


def ranges(seconds: list[float], every: float = EVERY_SECONDS) -> list[tuple[float, float]]:
    """Matched frames' times as stretches: frames no more than two samples apart join one stretch, which
    ends a sample after its last frame."""
    out: list[tuple[float, float]] = []
    for t in sorted(seconds):
        if out and t - out[-1][1] <= every + 1e-6:
            out[-1] = (out[-1][0], round(t + every, 3))
        else:
            out.append((t, round(t + every, 3)))
    return out
