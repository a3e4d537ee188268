"""The encrypted evidence store: round trip, dedupe, no plaintext on disk, tampering caught, key rotation."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from haven.evidence import keys, store
from haven.evidence.models import Blob

# Benign bytes with a marker that would show if plaintext reached the disk.
CONTENT = b"HAVEN-PLAINTEXT-MARKER " * 5000


@pytest.fixture(autouse=True)
def evidence_dir(settings: Any, tmp_path: Path) -> Path:
    settings.EVIDENCE_DIR = tmp_path / "evidence"
    return tmp_path / "evidence"


def files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def test_a_blob_round_trips_and_is_stored_once(evidence_dir: Path, db: None) -> None:
    first = store.put(CONTENT)
    assert first.created
    assert first.blob.sha256 == hashlib.sha256(CONTENT).hexdigest()
    assert (first.blob.md5, first.blob.size) == (hashlib.md5(CONTENT).hexdigest(), len(CONTENT))  # noqa: S324
    assert store.read(first.blob.sha256) == CONTENT
    again = store.put(CONTENT)
    assert (again.created, again.blob.pk) == (False, first.blob.pk)
    assert len(files(evidence_dir)) == 1  # no leftover temporary file either
    for path in files(evidence_dir):
        assert b"HAVEN-PLAINTEXT-MARKER" not in path.read_bytes()


def test_tampering_is_caught_on_read(evidence_dir: Path, db: None) -> None:
    sha = store.put(CONTENT).blob.sha256
    (path,) = files(evidence_dir)
    sealed = bytearray(path.read_bytes())
    sealed[100] ^= 1
    path.write_bytes(bytes(sealed))
    with pytest.raises(store.EvidenceError, match="failed its integrity check"):
        store.read(sha)


def test_a_wrapped_key_cannot_be_moved_to_another_blob(db: None) -> None:
    one, two = store.put(b"one" * 100).blob, store.put(b"two" * 100).blob
    Blob.objects.filter(pk=two.pk).update(wrapped_key=one.wrapped_key)
    with pytest.raises(store.EvidenceError, match="its key failed the integrity check"):
        store.read(two.sha256)
    assert store.read(one.sha256) == b"one" * 100


def test_the_size_limit_leaves_nothing_behind(evidence_dir: Path, db: None) -> None:
    with pytest.raises(store.TooLargeError):
        store.put(CONTENT, max_bytes=1000)
    assert files(evidence_dir) == []
    assert Blob.objects.count() == 0


def test_a_missing_file_is_restored_by_the_next_upload(evidence_dir: Path, db: None) -> None:
    sha = store.put(CONTENT).blob.sha256
    for path in files(evidence_dir):
        path.unlink()
    with pytest.raises(store.EvidenceError, match="cannot read its file"):
        store.read(sha)
    assert not store.put(CONTENT).created
    assert store.read(sha) == CONTENT


def test_rotate_key_rewraps_every_blob(settings: Any, db: None) -> None:
    old_id = keys.current().id
    shas = [store.put(bytes([i]) * 1000).blob.sha256 for i in range(3)]
    new = keys.new_key()
    old = settings.EVIDENCE_KEY
    settings.EVIDENCE_KEY = new
    settings.EVIDENCE_OLD_KEYS = []
    with pytest.raises(ImproperlyConfigured, match=f"evidence key {old_id}"):
        store.read(shas[0])  # the old key is gone and nothing was re-wrapped yet
    settings.EVIDENCE_OLD_KEYS = [old]
    out = io.StringIO()
    call_command("evidence", "rotate-key", stdout=out)
    assert "re-wrapped 3 blob key(s)" in out.getvalue()
    assert set(Blob.objects.values_list("key_id", flat=True)) == {keys.current().id}
    settings.EVIDENCE_OLD_KEYS = []
    assert [store.read(sha) for sha in shas] == [bytes([i]) * 1000 for i in range(3)]


def test_bad_keys_are_named(settings: Any) -> None:
    settings.EVIDENCE_KEY = "not base64!"
    with pytest.raises(ImproperlyConfigured, match="HAVEN_EVIDENCE_KEY: not base64"):
        keys.current()
    settings.EVIDENCE_KEY = "c2hvcnQ="
    with pytest.raises(ImproperlyConfigured, match="must be 32 bytes"):
        keys.current()
