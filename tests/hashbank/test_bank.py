"""Bank records: CSV import and export, merging, and matching altered copies of banked images."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from PIL import Image

from haven.audit.models import AuditEntry
from haven.hashbank.actions import RecordInput, add_records, get_or_create_list, set_status
from haven.hashbank.hashing import hash_file
from haven.hashbank.matcher import matcher
from haven.hashbank.models import BankList, BankRecord, RecordEvent, Status
from haven.hashbank.results import status_of
from tests.hashbank.conftest import ALTERATIONS, BANKED, SAMPLES, UNRELATED, load, save

MD5 = "0" * 31 + "1"
SHA256 = "a" * 64


def write_csv(path: Path, rows: list[str]) -> Path:
    path.write_text("md5,sha1,sha256,pdq,category,series,source\n" + "\n".join(rows) + "\n")
    return path


def test_import_lists_bad_rows_and_keeps_the_good(tmp_path: Path, db: None) -> None:
    path = write_csv(
        tmp_path / "bank.csv",
        [
            f"{MD5},,{SHA256},,A,S-1,iwf",
            ",,,,B,S-2,iwf",  # no hash at all
            "xyz,,,,A,,iwf",  # bad md5
            f",,{'b' * 64},,Z,,iwf",  # bad category
            f",,{'c' * 64},{'d' * 64},C,S-3,",
        ],
    )
    out = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("bank", "import", str(path), "--format", "csv", stdout=out)
    message = str(raised.value)
    assert f"{path}: line 3: no hash" in message
    assert f"{path}: line 4: md5: expected 32 hexadecimal characters" in message
    assert f"{path}: line 5: category: expected one of" in message
    assert "2 created, 0 merged, 0 unchanged, 3 rejected" in out.getvalue()
    assert BankRecord.objects.count() == 2
    rec = BankRecord.objects.get(sha256=SHA256)
    assert (rec.md5, rec.category, rec.series) == (MD5, "A", "S-1")
    assert AuditEntry.objects.filter(action="hashbank.import").count() == 1


def test_importing_the_same_file_again_changes_nothing(tmp_path: Path, db: None) -> None:
    path = write_csv(tmp_path / "bank.csv", [f"{MD5},,{SHA256},,A,S-1,iwf", f",,{'c' * 64},{'d' * 64},C,,"])
    call_command("bank", "import", str(path), "--format", "csv", stdout=io.StringIO())
    before = (BankRecord.objects.count(), RecordEvent.objects.count(), list(BankRecord.objects.values()))
    out = io.StringIO()
    call_command("bank", "import", str(path), "--format", "csv", stdout=out)
    assert "0 created, 0 merged, 2 unchanged" in out.getvalue()
    assert (
        BankRecord.objects.count(),
        RecordEvent.objects.count(),
        list(BankRecord.objects.values()),
    ) == before


def test_the_same_media_from_two_sources_merges(db: None) -> None:
    national = get_or_create_list("national")
    partner = get_or_create_list("partner:example")
    add_records([RecordInput(sha256=SHA256, category="uncategorised", source="hotline")], national)
    add_records([RecordInput(md5=MD5, sha256=SHA256, category="B", series="S-9", source="platform")], partner)
    rec = BankRecord.objects.get()
    assert (rec.md5, rec.category, rec.series) == (MD5, "B", "S-9")
    assert sorted(rec.sources.values_list("bank_list__name", "source")) == [
        ("national", "hotline"),
        ("partner:example", "platform"),
    ]
    add_records([RecordInput(md5=MD5, category="A", source="third")], national)
    rec.refresh_from_db()
    assert rec.status == Status.DISPUTED  # B against A: a grader must decide
    assert rec.category == "B"


def test_export_csv_and_pdq(tmp_path: Path, db: None, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_csv(tmp_path / "b.csv", [f"{MD5},,{SHA256},,A,S-1,iwf", f",,{'c' * 64},{'d' * 64},C,S-3,x"])
    call_command("bank", "import", str(path), "--format", "csv", stdout=io.StringIO())
    capsys.readouterr()
    call_command("bank", "export", "--format", "csv", "--category", "A")
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines == ["md5,sha1,sha256,pdq,category,series,source", f"{MD5},,{SHA256},,A,S-1,iwf"]
    call_command("bank", "export", "--format", "pdq")
    assert capsys.readouterr().out.split() == ["d" * 64]
    call_command("bank", "export", "--format", "csv", "--verified-only")
    assert len(capsys.readouterr().out.strip().splitlines()) == 1  # header only: nothing is verified yet


def test_bad_list_names_are_refused(tmp_path: Path, db: None) -> None:
    path = write_csv(tmp_path / "b.csv", [f"{MD5},,,,A,,"])
    with pytest.raises(CommandError, match="list name 'partner:Bad Name'"):
        call_command("bank", "import", str(path), "--format", "csv", "--list", "partner:Bad Name")


@pytest.mark.parametrize("alteration", sorted(ALTERATIONS))
def test_altered_copies_are_known_with_their_series(
    banked: dict[str, int], tmp_path: Path, alteration: str
) -> None:
    found = 0
    for name in BANKED:
        path = save(ALTERATIONS[alteration](load(name)), tmp_path / f"{alteration}-{name}.png")
        matches = matcher().match(hash_file(path, dihedral=True))
        if matches and matches[0].series == f"series-{name}" and matches[0].record == banked[name]:
            found += 1
    assert found == len(BANKED)


def test_exact_copies_match_by_sha256(banked: dict[str, int]) -> None:
    (match,) = matcher().match(hash_file(SAMPLES / "coffee.png", dihedral=True))
    assert (match.distance, match.variant, match.list) == (0, "sha256", "national")


def test_unrelated_and_blank_images_are_not_known(banked: dict[str, int], tmp_path: Path) -> None:
    for name in UNRELATED:
        h = hash_file(SAMPLES / name, dihedral=True)
        assert matcher().match(h) == [], name
    blank = hash_file(
        save(Image.new("RGB", (256, 256), (128, 128, 128)), tmp_path / "blank.png"), dihedral=True
    )
    matches = matcher().match(blank)
    assert matches == []
    assert status_of(blank, matches) == "low_quality"


def test_disabling_a_record_or_a_list_stops_matches_in_place(banked: dict[str, int], tmp_path: Path) -> None:
    copy = hash_file(save(load("rocket.jpg").resize((300, 200)), tmp_path / "r.png"), dihedral=True)
    assert matcher().match(copy)
    set_status(BankRecord.objects.get(pk=banked["rocket.jpg"]), Status.DISABLED)
    matcher().refresh([banked["rocket.jpg"]])  # on_commit does this outside the test transaction
    assert matcher().match(copy) == []
    set_status(BankRecord.objects.get(pk=banked["rocket.jpg"]), Status.ACTIVE)
    matcher().refresh([banked["rocket.jpg"]])
    assert matcher().match(copy)
    BankList.objects.filter(name="national").update(enabled=False)
    assert matcher().match(copy) == []


def test_per_list_thresholds(banked: dict[str, int], tmp_path: Path) -> None:
    copy = hash_file(save(load("horse.png").resize((200, 164)), tmp_path / "h.png"), dihedral=True)
    (match,) = matcher().match(copy)
    assert match.distance > 0
    BankList.objects.filter(name="national").update(pdq_threshold=match.distance - 1)
    assert matcher().match(copy) == []
