"""How a match was made, in words, for the report page and the referral package: ``{{ match|how_matched }}``
on a match as stored with a report (``Match.as_json`` or ``VideoHit.as_json``)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()

EXACT_NAMES = {
    "md5": "the same file (MD5)",
    "sha1": "the same file (SHA-1)",
    "sha256": "the same file (SHA-256)",
}


def _share(value: Any) -> str:
    return f"{round(float(value or 0) * 100)}%"


@register.filter
def how_matched(match: dict[str, Any]) -> str:
    how = match.get("how") or match.get("variant") or ""
    if how == "vpdq":
        return (f"video frames: {_share(match.get('query_share'))} of this video's frames in the banked one, "
                f"{_share(match.get('banked_share'))} of the banked one's in this")  # fmt: skip
    if how == "image":
        return f"a banked still image seen in {_share(match.get('query_share'))} of this video's frames"
    if how == "file":
        return "the same video file"
    if how == "robust":
        evidence = match.get("evidence") or {}
        return (f"robust match: {evidence.get('inliers')} points agree, over {evidence.get('cells')} of the "
                f"banked picture's 64 cells, turned {evidence.get('degrees')}° and scaled "
                f"{evidence.get('scale')}")  # fmt: skip
    if how in EXACT_NAMES:
        return EXACT_NAMES[how]
    return f"PDQ, {how.replace('_', ' ')}, distance {match.get('distance')}"
