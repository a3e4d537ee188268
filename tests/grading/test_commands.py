"""`haven scan --queue-novel` puts unknown files into the grading queue (with the files only on consent), and
`haven grading` clusters and reports."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from haven.grading.models import Cluster, Item
from haven.hashbank.actions import add_records, get_or_create_list
from haven.hashbank.hashing import hash_bytes
from haven.hashbank.importing import RecordInput


def _folder(tmp_path: Path, files: dict[str, bytes]) -> Path:
    folder = tmp_path / "seized"
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def test_a_scan_queues_only_the_unknown_files_and_uploads_them_on_consent(
    tmp_path: Path, evidence: Any, coffee_copies: list[bytes], db: None
) -> None:
    known = hash_bytes(coffee_copies[3], "cat.png")
    add_records(
        [RecordInput(sha256=known.sha256, pdq=known.pdq, category="C")], get_or_create_list("national")
    )
    folder = _folder(
        tmp_path, {"a.png": coffee_copies[0], "b.jpg": coffee_copies[1], "cat.png": coffee_copies[3]}
    )
    out = tmp_path / "rows.jsonl"
    call_command(
        "scan", str(folder), "--workers", "1", "--output", str(out), "--queue-novel", "--upload-files"
    )
    items = list(Item.objects.order_by("id"))
    assert sorted(i.sha256 for i in items) == sorted(
        str(hash_bytes(d, "x").sha256) for d in coffee_copies[:2]
    )
    assert all(i.blob_id is not None and i.origin == "scan" for i in items)
    assert Cluster.objects.count() == 1  # the two copies are near-duplicates, clustered at once
    assert len(out.read_text().splitlines()) == 3  # the rows are written as ever


def test_without_consent_only_hashes_are_queued_and_wait_for_a_copy(
    tmp_path: Path, evidence: Any, coffee_copies: list[bytes], db: None
) -> None:
    folder = _folder(tmp_path, {"a.png": coffee_copies[0]})
    call_command(
        "scan", str(folder), "--workers", "1", "--output", str(tmp_path / "r.jsonl"), "--queue-novel"
    )
    item = Item.objects.get()
    assert item.blob_id is None
    with pytest.raises(CommandError, match="--upload-files needs --queue-novel"):
        call_command("scan", str(folder), "--upload-files")


def test_grading_metrics_are_json(db: None) -> None:
    out = io.StringIO()
    call_command("grading", "metrics", stdout=out)
    data = json.loads(out.getvalue())
    assert data["stages"]["first"] == {"clusters": 0, "items": 0} and data["looks_saved"] == 0
    with pytest.raises(CommandError, match="--days"):
        call_command("grading", "metrics", "--days", "0")
    call_command("grading", "cluster", stdout=io.StringIO())
