"""The processing pipeline for a received report. Intake defines it; the apps that build on intake (intel,
triage, referrals) add their steps from their ``AppConfig.ready()`` with ``register_step``, so intake never
imports them. Every step must be safe to run twice on the same report.

The steps write state outside ``actions.py`` by design: they are the parts of one action,
``actions.process_report``, and run only inside its transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings

from haven.evidence import store
from haven.hashbank.actions import record_hits
from haven.hashbank.hashing import FileHashes, hash_bytes
from haven.hashbank.matcher import matcher
from haven.hashbank.video import VideoHashes, hash_video_bytes, looks_like_video
from haven.intake.models import Bundle, MatchStatus, Report, ReportMedia

Step = Callable[[Report], None]
_steps: list[tuple[str, Step]] = []


def register_step(name: str, step: Step) -> None:
    """Add a step after the built-in ones. Registering the same name again replaces it."""
    global _steps  # noqa: PLW0603  (the registry is this module's state)
    _steps = [(n, s) for n, s in _steps if n != name] + [(name, step)]


def unregister_step(name: str) -> None:
    global _steps  # noqa: PLW0603
    _steps = [(n, s) for n, s in _steps if n != name]


def steps() -> list[tuple[str, Step]]:
    return [("match_media", match_media), ("bundle_viral_media", bundle_viral_media), *_steps]


def match_media(report: Report) -> None:
    """Match each media item against the bank: known (with the matches) or novel. An uploaded image is
    hashed from the evidence store in memory, so its PDQ and all eight orientations are matched too."""
    seen: list[int] = []
    for item in report.media.select_related("blob"):
        if item.blob is not None and not item.pdq:
            data = store.read(item.blob.sha256)
            if looks_like_video(item.file_name, data[:512]):
                seen.extend(_match_video(item, hash_video_bytes(data, item.file_name)))
                continue
            hashes = hash_bytes(data, item.file_name, dihedral=True, robust=True)
            item.pdq = hashes.pdq or ""
        elif item.md5 or item.sha1 or item.sha256 or item.pdq:
            hashes = FileHashes.given(
                md5=item.md5, sha1=item.sha1, sha256=item.sha256, pdq=item.pdq, path=item.file_name
            )
        else:
            item.match_status, item.matches = MatchStatus.NO_HASH, []
            item.save(update_fields=["match_status", "matches"])
            continue
        matches = matcher().match(hashes)
        item.matches = [m.as_json() for m in matches]
        item.match_status = MatchStatus.KNOWN if matches else MatchStatus.NOVEL
        seen.extend({m.record for m in matches})
        item.save(update_fields=["match_status", "matches", "pdq"])
    record_hits(seen)


def _match_video(item: ReportMedia, video: VideoHashes) -> list[int]:
    """An uploaded video: known by its file or its frames (vPDQ), novel, or with no usable hash if it could
    not be decoded."""
    hits = matcher().match_video(video)
    item.matches = [h.as_json() for h in hits]
    if hits:
        item.match_status = MatchStatus.KNOWN
    elif video.error:
        item.match_status = MatchStatus.NO_HASH
    else:
        item.match_status = MatchStatus.NOVEL
    item.save(update_fields=["match_status", "matches"])
    return sorted({h.record for h in hits})


def bundle_viral_media(report: Report) -> None:
    """When one file (by sha256) has come in ``VIRAL_MIN_REPORTS`` or more reports within
    ``VIRAL_WINDOW_DAYS``, put those reports in one bundle. Running it again gives the same bundle."""
    since = report.received_at - timedelta(days=settings.VIRAL_WINDOW_DAYS)
    for sha256 in sorted({m.sha256 for m in report.media.all() if m.sha256}):
        sharing = list(
            ReportMedia.objects.filter(sha256=sha256, report__received_at__gte=since)
            .values_list("report_id", flat=True)
            .distinct()
        )
        if len(sharing) < settings.VIRAL_MIN_REPORTS:
            continue
        bundle, _ = Bundle.objects.get_or_create(media_sha256=sha256)
        Report.objects.filter(id__in=sharing, bundle__isnull=True).update(bundle=bundle)
        bundle.report_count = Report.objects.filter(bundle=bundle).count()
        bundle.save(update_fields=["report_count", "updated_at"])
        report.bundle = bundle
