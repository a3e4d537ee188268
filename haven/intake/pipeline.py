"""The processing pipeline for a received report. Intake defines it; the apps that build on intake (intel,
triage, referrals) add their steps from their ``AppConfig.ready()`` with ``register_step``, so intake never
imports them. Every step must be safe to run twice on the same report."""

from __future__ import annotations

from collections.abc import Callable

from haven.hashbank.actions import record_hits
from haven.hashbank.hashing import FileHashes
from haven.hashbank.matcher import matcher
from haven.intake.models import MatchStatus, Report

Step = Callable[[Report], None]
_steps: list[tuple[str, Step]] = []


def register_step(name: str, step: Step) -> None:
    """Add a step after the built-in ones. Registering the same name again replaces it."""
    global _steps  # noqa: PLW0603  (the registry is this module's state)
    _steps = [(n, s) for n, s in _steps if n != name] + [(name, step)]


def steps() -> list[tuple[str, Step]]:
    return [("match_media", match_media), *_steps]


def match_media(report: Report) -> None:
    """Match each media item's hashes against the bank: known (with the matches) or novel."""
    seen: list[int] = []
    for item in report.media.all():
        if not (item.md5 or item.sha1 or item.sha256 or item.pdq):
            item.match_status, item.matches = MatchStatus.NO_HASH, []
        else:
            hashes = FileHashes(
                path=item.file_name, md5=item.md5 or None, sha1=item.sha1 or None,
                sha256=item.sha256 or None, pdq=item.pdq or None, quality=100 if item.pdq else None,
            )  # fmt: skip
            matches = matcher().match(hashes)
            item.matches = [m.as_json() for m in matches]
            item.match_status = MatchStatus.KNOWN if matches else MatchStatus.NOVEL
            seen.extend({m.record for m in matches})
        item.save(update_fields=["match_status", "matches"])
    record_hits(seen)
