"""Blobs that nothing refers to are swept once nobody has stored them for a while; nothing else is."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from haven.audit.models import AuditEntry
from haven.evidence import store
from haven.evidence.actions import sweep_incoming, sweep_unreferenced_blobs
from haven.evidence.models import Blob
from haven.intake.actions import Submitted, attach_file, submit_reports
from haven.intake.schemas import ReportIn
from tests.conftest import Orgs
from tests.intake.conftest import a_report


@pytest.mark.django_db(transaction=True)  # the files go after the commit
def test_unreferenced_idle_blobs_go_and_the_rest_stay(orgs: Orgs, settings: Any, tmp_path: Path) -> None:
    settings.EVIDENCE_DIR = tmp_path / "evidence"
    (result,) = submit_reports(
        [ReportIn.model_validate(a_report("EV-1", media=[]))], organisation=orgs.platform, source="industry"
    )
    assert isinstance(result, Submitted)
    kept = store.put(b"attached to a report " * 20).blob
    attach_file(result.report, kept, file_name="kept.png")
    orphan = store.put(b"left by a failed request " * 20).blob
    recent = store.put(b"just uploaded, not yet attached " * 20).blob
    long_ago = timezone.now() - timedelta(hours=2)
    Blob.objects.filter(pk__in=[kept.pk, orphan.pk]).update(stored_at=long_ago)

    assert sweep_unreferenced_blobs(idle_for=timedelta(hours=1)) == 1
    assert set(Blob.objects.values_list("pk", flat=True)) == {kept.pk, recent.pk}
    assert not store.path_of(orphan.sha256).exists()
    assert store.path_of(kept.sha256).exists() and store.path_of(recent.sha256).exists()
    assert AuditEntry.objects.get(action="evidence.blobs_swept").details["sha256"] == [orphan.sha256]
    assert sweep_unreferenced_blobs(idle_for=timedelta(hours=1)) == 0


@pytest.mark.django_db
def test_storing_the_same_content_again_keeps_it_from_the_sweep(settings: Any, tmp_path: Path) -> None:
    settings.EVIDENCE_DIR = tmp_path / "evidence"
    blob = store.put(b"uploaded twice " * 20).blob
    Blob.objects.filter(pk=blob.pk).update(stored_at=timezone.now() - timedelta(days=3))
    store.put(b"uploaded twice " * 20)
    assert sweep_unreferenced_blobs(idle_for=timedelta(hours=1)) == 0


def test_half_written_uploads_are_removed_after_a_day(settings: Any, tmp_path: Path) -> None:
    settings.EVIDENCE_DIR = tmp_path
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    old, new = incoming / "old.part", incoming / "new.part"
    old.write_bytes(b"x")
    new.write_bytes(b"y")
    day_ago = (timezone.now() - timedelta(days=2)).timestamp()
    os.utime(old, (day_ago, day_ago))
    assert sweep_incoming(idle_for=timedelta(days=1)) == 1
    assert not old.exists() and new.exists()
