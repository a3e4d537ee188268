"""One output row per file, shared by `haven hash` and `haven scan`."""

from __future__ import annotations

from typing import Any

from haven.hashbank.hashing import MIN_MATCH_QUALITY, FileHashes
from haven.hashbank.matcher import Match, VideoHit
from haven.hashbank.video import VideoHashes

STATUSES = ("known", "unknown", "low_quality", "error")


def status_of(hashes: FileHashes, matches: list[Match] | None) -> str:
    if matches:
        return "known"
    if hashes.error:
        return "error"
    if hashes.quality is not None and hashes.quality < MIN_MATCH_QUALITY:
        return "low_quality"
    return "unknown" if matches is not None else "hashed"


def row(hashes: FileHashes, matches: list[Match] | None) -> dict[str, Any]:
    return {
        "path": hashes.path,
        "md5": hashes.md5,
        "sha1": hashes.sha1,
        "sha256": hashes.sha256,
        "pdq": hashes.pdq,
        "quality": hashes.quality,
        "status": status_of(hashes, matches),
        "matches": [m.as_json() for m in matches or []],
        "error": hashes.error,
    }


def _video(hashes: VideoHashes) -> dict[str, Any]:
    return {
        "path": hashes.path,
        "kind": "video",
        "md5": hashes.md5,
        "sha1": hashes.sha1,
        "sha256": hashes.sha256,
        "duration": hashes.duration,
    }


def video_row(hashes: VideoHashes) -> dict[str, Any]:
    """A video's hashes: the file's, its duration and size, and each sampled frame as
    ``[index, seconds, pdq, quality]``."""
    return {
        **_video(hashes),
        "width": hashes.width,
        "height": hashes.height,
        "frames": [list(f.row) for f in hashes.frames],
        "status": "error" if hashes.error else "hashed",
        "error": hashes.error,
    }


def video_scan_row(hashes: VideoHashes, hits: list[VideoHit]) -> dict[str, Any]:
    """A scanned video's row: the columns an image's has (no PDQ of its own), its length and how many
    frames were hashed, and each banked video it matched with both shares and the matched stretches."""
    return {
        **_video(hashes),
        "pdq": None,
        "quality": None,
        "frames": len(hashes.frames),
        "status": video_status(hashes, hits),
        "matches": [h.as_json() for h in hits],
        "error": hashes.error,
    }


def video_status(hashes: VideoHashes, hits: list[VideoHit]) -> str:
    """As ``status_of`` for an image: known, error, unknown, or low_quality when no frame was good enough."""
    if hits:
        return "known"
    if hashes.error:
        return "error"
    return "unknown" if any(f.good for f in hashes.frames) else "low_quality"
