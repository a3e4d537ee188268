"""The functions that change the evidence store beyond storing a blob (``store.py``)."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from haven.audit.actions import record
from haven.evidence.models import Blob
from haven.evidence.store import path_of


def _unreferenced() -> Q:
    """Blobs that no row of any app refers to. The apps that refer to blobs are found from the model's
    relations, so the evidence store needs to know nothing of intake."""
    condition = Q()
    for relation in Blob._meta.related_objects:
        model = relation.related_model
        assert not isinstance(model, str)
        condition &= Q(~Exists(model._default_manager.filter(**{relation.field.name: OuterRef("pk")})))
    return condition


def sweep_unreferenced_blobs(*, idle_for: timedelta = timedelta(hours=1)) -> int:
    """Delete blobs that nothing refers to and that nobody has stored for ``idle_for``: the file of an
    upload whose report was finished or retracted before it could be attached, or of a request that
    failed after the file was stored. Safe on several workers: each takes the rows under a lock that the
    others skip. Files go after the commit, so a rollback leaves every row with its file."""
    cutoff = timezone.now() - idle_for
    with transaction.atomic():
        blobs = list(
            Blob.objects.select_for_update(skip_locked=True)
            .filter(_unreferenced(), stored_at__lt=cutoff)
            .values_list("id", "sha256")[:1000]
        )
        if not blobs:
            return 0
        Blob.objects.filter(id__in=[pk for pk, _ in blobs]).delete()
        record("evidence.blobs_swept", details={"sha256": [sha for _, sha in blobs]})
        transaction.on_commit(lambda: _remove_files([sha for _, sha in blobs]))
    return len(blobs)


def _remove_files(digests: list[str]) -> None:
    for sha256 in digests:
        path_of(sha256).unlink(missing_ok=True)


def sweep_incoming(*, idle_for: timedelta = timedelta(days=1)) -> int:
    """Remove half-written uploads (``incoming/*.part``) left by a process that died mid-upload."""
    folder = Path(settings.EVIDENCE_DIR) / "incoming"
    if not folder.is_dir():
        return 0
    cutoff = time.time() - idle_for.total_seconds()
    removed = 0
    for part in folder.glob("*.part"):
        try:
            if part.stat().st_mtime < cutoff:
                part.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed
