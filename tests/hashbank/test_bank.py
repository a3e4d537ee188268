"""Bank records: CSV import and export, merging, and matching altered copies of banked images."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from PIL import Image

from haven.audit.models import AuditEntry
from haven.hashbank.actions import add_records, get_or_create_list, set_status, update_list
from haven.hashbank.hashing import hash_file
from haven.hashbank.importing import RecordInput
from haven.hashbank.matcher import SYNC_INTERVAL, matcher
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
    assert lines == [
        "md5,sha1,sha256,pdq,category,series,source,duration,vpdq,features",
        f"{MD5},,{SHA256},,A,S-1,iwf,,,",
    ]
    call_command("bank", "export", "--format", "pdq")
    assert capsys.readouterr().out.split() == ["d" * 64]
    call_command("bank", "export", "--format", "csv", "--verified-only")
    assert len(capsys.readouterr().out.strip().splitlines()) == 1  # header only: nothing is verified yet


def test_bad_list_names_are_refused(tmp_path: Path, db: None) -> None:
    path = write_csv(tmp_path / "b.csv", [f"{MD5},,,,A,,"])
    with pytest.raises(CommandError, match="list name 'partner:Bad Name'"):
        call_command("bank", "import", str(path), "--format", "csv", "--list", "partner:Bad Name")


@pytest.mark.parametrize("alteration", sorted(ALTERATIONS))
@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])  # JPEG takes the fast path: the Y plane alone
def test_altered_copies_are_known_with_their_series(
    banked: dict[str, int], tmp_path: Path, alteration: str, fmt: str
) -> None:
    found = 0
    for name in BANKED:
        path = save(ALTERATIONS[alteration](load(name)), tmp_path / f"{alteration}-{name}.{fmt.lower()}", fmt)
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


def test_disabling_a_record_or_a_list_stops_matches_in_place(
    banked: dict[str, int], tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    copy = hash_file(save(load("rocket.jpg").resize((300, 200)), tmp_path / "r.png"), dihedral=True)
    assert matcher().match(copy)
    set_status(BankRecord.objects.get(pk=banked["rocket.jpg"]), Status.DISABLED)
    matcher().refresh([banked["rocket.jpg"]])  # on_commit does this outside the test transaction
    assert matcher().match(copy) == []
    set_status(BankRecord.objects.get(pk=banked["rocket.jpg"]), Status.ACTIVE)
    matcher().refresh([banked["rocket.jpg"]])
    assert matcher().match(copy)
    national = BankList.objects.get(name="national")
    with django_capture_on_commit_callbacks(execute=True):  # as after a real commit: the cache is dropped
        update_list(national, pdq_threshold=national.pdq_threshold, enabled=False)
    assert matcher().match(copy) == []


def test_per_list_thresholds(
    banked: dict[str, int], tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    copy = hash_file(save(load("horse.png").resize((200, 164)), tmp_path / "h.png"), dihedral=True)
    (match,) = matcher().match(copy)
    assert match.distance is not None and match.distance > 0
    with django_capture_on_commit_callbacks(execute=True):
        update_list(BankList.objects.get(name="national"), pdq_threshold=match.distance - 1, enabled=True)
    assert matcher().match(copy) == []


def test_enabled_lists_are_read_once_a_second(banked: dict[str, int], tmp_path: Path) -> None:
    """A list changed by another process (here a plain UPDATE) reaches the matcher at the next sync."""
    copy = hash_file(save(load("horse.png").resize((200, 164)), tmp_path / "h.png"), dihedral=True)
    assert matcher().match(copy)
    BankList.objects.filter(name="national").update(enabled=False)
    assert matcher().match(copy)  # still cached
    matcher()._lists_read -= SYNC_INTERVAL
    assert matcher().match(copy) == []


def vics_document(context_key: str, context: str, value: list[object]) -> str:
    return json.dumps({context_key: context, "value": value}, indent=1)


UK_20 = "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/UK/$metadata#Media"


def test_vics_20_round_trip(tmp_path: Path, db: None, capsys: pytest.CaptureFixture[str]) -> None:
    national = get_or_create_list("national")
    add_records(
        [
            RecordInput(md5=MD5, sha1="e" * 40, sha256=SHA256, pdq="d" * 64, category="A", series="S-1",
                        victim_identified=True, source="iwf"),
            RecordInput(sha256="c" * 64, category="not_indecent", distributed=True, source="iwf"),
            RecordInput(md5="f" * 32, category="uncategorised", source="iwf"),
        ],
        national,
    )  # fmt: skip
    capsys.readouterr()
    call_command("bank", "export", "--format", "vics")
    exported = capsys.readouterr().out
    document = json.loads(exported)
    assert document["@odata.context"] == UK_20
    first = document["value"][0]
    assert (first["MD5"], first["SHA1"], first["Category"], first["Series"]) == (
        MD5.upper(),
        "E" * 40,
        1,
        "S-1",
    )
    assert first["AlternativeHashes"] == [
        {"HashName": "SHA256", "HashValue": SHA256.upper()},
        {"HashName": "PDQ", "HashValue": "d" * 64},
    ]
    assert (first["VictimIdentified"], first["OffenderIdentified"], first["IsDistributed"]) == (
        True,
        False,
        False,
    )
    assert [m["Category"] for m in document["value"]] == [1, 4, 0]

    # Into an empty bank, the export comes back as the same records.
    before = list(BankRecord.objects.values(
        "md5", "sha1", "sha256", "pdq", "category", "series", "victim_identified", "distributed"
    ))  # fmt: skip
    BankRecord.objects.all().delete()
    path = tmp_path / "bank.json"
    path.write_text(exported)
    out = io.StringIO()
    call_command("bank", "import", str(path), "--format", "vics", stdout=out)
    assert "3 created, 0 merged, 0 unchanged, 0 rejected" in out.getvalue()
    after = list(BankRecord.objects.values(
        "md5", "sha1", "sha256", "pdq", "category", "series", "victim_identified", "distributed"
    ))  # fmt: skip
    assert after == before
    out = io.StringIO()
    call_command("bank", "import", str(path), "--format", "vics", stdout=out)
    assert "0 created, 0 merged, 3 unchanged" in out.getvalue()


def test_vics_13_cases_and_12_media_are_read(tmp_path: Path, db: None) -> None:
    """1.x files: Cases holding Media (1.3) and bare Media (1.2); their categories are not UK grades."""
    v13 = tmp_path / "v13.json"
    v13.write_text(vics_document(
        "odata.metadata", "http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml#Cases",
        [{"CaseID": "c-1", "Media": [
            {"MediaID": 1, "Category": 1, "MD5": "AB" * 16, "SHA1": "CD" * 20, "Series": "S-13",
             "VictimIdentified": "true", "IsDistributed": "false"},
        ]}],
    ))  # fmt: skip
    v12 = tmp_path / "v12.json"
    v12.write_text(vics_document(
        "odata.metadata", "http://github.com/ICMEC/ProjectVic/DataModels/1.2.xml#Media",
        [{"MediaID": 7, "Category": 2, "MD5": "EF" * 16}],
    ))  # fmt: skip
    for path in (v13, v12):
        call_command("bank", "import", str(path), "--format", "vics", stdout=io.StringIO())
    first = BankRecord.objects.get(md5="ab" * 16)
    assert (first.sha1, first.series, first.category) == ("cd" * 20, "S-13", "uncategorised")
    assert (first.victim_identified, first.distributed) == (True, False)
    assert BankRecord.objects.get(md5="ef" * 16).category == "uncategorised"


def test_vics_bad_entries_are_listed_by_line(tmp_path: Path, db: None) -> None:
    path = tmp_path / "bad.json"
    path.write_text(vics_document("@odata.context", UK_20, [
        {"MediaID": 1, "Category": 2, "MD5": MD5},
        {"MediaID": 2, "Category": 9, "MD5": "1" * 32},
        {"MediaID": 3, "Category": 1, "MD5": "not-hex"},
        {"MediaID": 4, "Category": 1},
        {"MediaID": 5, "Category": 3, "AlternativeHashes": [{"HashName": "SHA256", "HashValue": SHA256}]},
    ]))  # fmt: skip
    lines = path.read_text().splitlines()
    line_of = {
        n: next(i + 1 for i, text in enumerate(lines) if f'"MediaID": {n},' in text) - 1 for n in (2, 3, 4)
    }
    out = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("bank", "import", str(path), "--format", "vics", stdout=out)
    message = str(raised.value)
    assert f"{path}: line {line_of[2]}: Category: 9 is not a UK data model category" in message
    assert f"{path}: line {line_of[3]}: md5: expected 32 hexadecimal characters" in message
    assert f"{path}: line {line_of[4]}: no hash" in message
    assert "2 created, 0 merged, 0 unchanged, 3 rejected" in out.getvalue()
    assert BankRecord.objects.get(md5=MD5).category == "B"
    assert BankRecord.objects.get(sha256=SHA256).category == "C"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"value": [', "not valid JSON at line 1, column 12"),
        ('{"@odata.context": "x"}', 'expected an object with a "value" list'),
        ('{"@odata.context": "http://github.com/X/DataModels/3.1.xml/UK/$metadata#Media", "value": []}',
         "unsupported VICS data model '3.1'"),
    ],
)  # fmt: skip
def test_a_file_that_is_not_vics_is_refused_whole(tmp_path: Path, db: None, text: str, reason: str) -> None:
    path = tmp_path / "x.json"
    path.write_text(text)
    with pytest.raises(CommandError, match=re.escape(f"{path}: ") + ".*" + re.escape(reason)):
        call_command("bank", "import", str(path), "--format", "vics", stdout=io.StringIO())
    assert BankRecord.objects.count() == 0


def test_a_vics_videos_duration_is_checked_like_a_csv_ones(tmp_path: Path, db: None) -> None:
    """A negative or non-numeric Duration is listed with its Media; the good entry is imported."""
    path = tmp_path / "durations.json"
    path.write_text(vics_document(
        "odata.metadata", "http://github.com/ICMEC/ProjectVic/DataModels/1.2.xml#Media",
        [{"MediaID": 1, "Category": 1, "MD5": "A1" * 16, "Duration": 12.5},
         {"MediaID": 2, "Category": 1, "MD5": "A2" * 16, "Duration": -3},
         {"MediaID": 3, "Category": 1, "MD5": "A3" * 16, "Duration": "long"}],
    ))  # fmt: skip
    with pytest.raises(CommandError) as refused:
        call_command("bank", "import", str(path), "--format", "vics", stdout=io.StringIO())
    message = str(refused.value)
    assert "duration: must not be negative" in message and "Duration: expected seconds" in message
    assert list(BankRecord.objects.values_list("md5", flat=True)) == ["a1" * 16]
