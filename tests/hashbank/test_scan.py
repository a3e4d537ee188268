"""`haven scan` and `haven hash` on folders of benign stand-in images."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from PIL import Image

from haven.hashbank.models import BankRecord
from haven.hashbank.scan import ScanError, dask_cluster
from tests.hashbank.conftest import ALTERATIONS, BANKED, SAMPLES, UNRELATED, load, save


@pytest.fixture
def seized(tmp_path: Path) -> Path:
    root = tmp_path / "seized"
    for i, name in enumerate(BANKED[:6]):
        alteration = sorted(ALTERATIONS)[i % len(ALTERATIONS)]
        save(ALTERATIONS[alteration](load(name)), root / "dcim" / f"{i:02d}-{alteration}.png")
    for name in UNRELATED[:3]:
        save(load(name), root / "other" / f"{name}.jpg", "JPEG", quality=85)
    save(Image.new("RGB", (200, 200), (240, 240, 240)), root / "blank.png")
    (root / "notes.txt").write_text("not an image")
    outside = tmp_path / "outside.png"
    save(load(BANKED[0]), outside)
    (root / "link-out.png").symlink_to(outside)
    return root


def scan_rows(*args: str) -> tuple[list[dict[str, object]], str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("scan", *args, stdout=out, stderr=err)
    except CommandError as exc:
        err.write(str(exc))
    return [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue()


def test_scan_finds_known_copies_and_reports_the_rest(
    banked: dict[str, int], seized: Path, tmp_path: Path
) -> None:
    output = tmp_path / "out.jsonl"
    with pytest.raises(CommandError, match=r"1 file\(s\) could not be read"):
        call_command("scan", str(seized), "--workers", "2", "--output", str(output))
    rows = {Path(str(r["path"])).name: r for r in map(json.loads, output.read_text().splitlines())}
    assert "link-out.png" not in rows  # the link out of the folder was not followed
    assert len(rows) == 11
    for i, name in enumerate(BANKED[:6]):
        (row,) = [r for n, r in rows.items() if n.startswith(f"{i:02d}-")]
        assert row["status"] == "known"
        assert row["matches"][0]["series"] == f"series-{name}"
        fields = {"record", "category", "series", "distance", "variant", "list"}
        assert set(row["matches"][0]) == fields
    for name in UNRELATED[:3]:
        assert rows[f"{name}.jpg"]["status"] == "unknown"
    assert rows["blank.png"]["status"] == "low_quality"
    assert rows["notes.txt"]["status"] == "error"
    assert rows["notes.txt"]["sha256"] == hashlib.sha256(b"not an image").hexdigest()
    # Each banked original was seen once in the folder; the others not at all.
    hits = dict(BankRecord.objects.values_list("series", "hit_count"))
    assert [hits[f"series-{name}"] for name in BANKED[:6]] == [1] * 6
    assert sum(hits.values()) == 6


def test_resume_skips_finished_files_and_mends_a_torn_line(
    banked: dict[str, int], seized: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "out.jsonl"
    with pytest.raises(CommandError):
        call_command("scan", str(seized), "--workers", "1", "--output", str(output))
    lines = output.read_text().splitlines(keepends=True)
    output.write_text("".join(lines[:4]) + lines[4][:20])  # as if killed while writing the fifth row
    capsys.readouterr()
    with pytest.raises(CommandError):
        call_command("scan", str(seized), "--workers", "1", "--output", str(output), "--resume")
    err = capsys.readouterr().err
    resumed = [json.loads(line) for line in output.read_text().splitlines()]
    # The summary counts the earlier run's rows too, categories included.
    assert "scanned 11 files (4 done before): known 6, unknown 3, low_quality 1, error 1" in err
    assert "known by category: C 6" in err
    assert sorted(r["path"] for r in resumed) == sorted(json.loads(line)["path"] for line in lines)
    assert len({r["path"] for r in resumed}) == len(resumed)


def test_scan_writes_csv(banked: dict[str, int], seized: Path, tmp_path: Path) -> None:
    output = tmp_path / "out.csv"
    with pytest.raises(CommandError):
        call_command("scan", str(seized), "--format", "csv", "--output", str(output))
    with output.open() as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["path", "md5", "sha1", "sha256", "pdq", "quality", "status", "matches", "error"]
    known = [r for r in rows if r["status"] == "known"]
    assert len(known) == 6
    assert json.loads(known[0]["matches"])[0]["list"] == "national"


def test_scan_refuses_bad_arguments(tmp_path: Path, db: None) -> None:
    with pytest.raises(CommandError, match="not a directory"):
        call_command("scan", str(tmp_path / "missing"))
    with pytest.raises(CommandError, match="--resume needs --output"):
        call_command("scan", str(tmp_path), "--resume")


def test_hash_prints_json_lines(tmp_path: Path, db: None) -> None:
    out = io.StringIO()
    path = SAMPLES / "coffee.png"
    call_command("hash", str(path), stdout=out)
    (row,) = [json.loads(line) for line in out.getvalue().splitlines()]
    assert row["md5"] == hashlib.md5(path.read_bytes()).hexdigest()  # noqa: S324
    assert row["status"] == "hashed"
    assert row["matches"] == []
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x89PNG broken")
    out = io.StringIO()
    with pytest.raises(CommandError, match=r"bad\.png: not an image"):
        call_command("hash", str(path), str(bad), stdout=out)
    assert [json.loads(line)["status"] for line in out.getvalue().splitlines()] == ["hashed", "error"]


def test_a_dask_cluster_gives_the_same_rows(banked: dict[str, int], seized: Path, tmp_path: Path) -> None:
    """`--dask local` starts real worker processes; only the rows' order may differ from the process pool."""
    rows = {}
    for name, extra in (("pool", []), ("dask", ["--dask", "local"])):
        output = tmp_path / f"{name}.jsonl"
        with pytest.raises(CommandError, match=r"1 file\(s\) could not be read"):
            call_command("scan", str(seized), "--workers", "2", "--output", str(output), *extra)
        rows[name] = sorted(output.read_text().splitlines())
    assert len(rows["dask"]) == 11
    assert rows["dask"] == rows["pool"]
    assert sum('"status": "known"' in r for r in rows["dask"]) == 6


def test_an_unreachable_dask_scheduler_is_named(tmp_path: Path, db: None) -> None:
    (tmp_path / "a.txt").write_text("x")
    with pytest.raises(ScanError, match=r"cannot reach the Dask scheduler at tcp://127\.0\.0\.1:9"):
        list(dask_cluster("tcp://127.0.0.1:9", workers=1, connect_timeout=1)(["a.txt"]))
