"""The second, robust stage of still-image matching: crops, overlays and small turns of a banked picture that
PDQ no longer knows are found, verified by the geometry of their agreeing points and shown with that
evidence; unrelated pictures that share the palettes, backgrounds and words are not."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from PIL import ImageDraw

from haven.accounts.actions import create_api_key
from haven.hashbank import robust, stills
from haven.hashbank.actions import set_status
from haven.hashbank.hashing import hamming, hash_file
from haven.hashbank.importing import BankError, RecordInput, features_text, parse_frames
from haven.hashbank.matcher import matcher
from haven.hashbank.models import BankList, BankRecord, ImageFeatures, Status
from tests.conftest import Orgs

pytestmark = pytest.mark.django_db

ORIGINALS = (11, 12, 13, 14, 15)
DISTRACTORS = range(900, 930)
ALTERED = ("crop", "overlay", "rotation", "crop+reencode", "rotation+reencode+resize")


@pytest.fixture(scope="module")
def pictures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("stills")
    out = {}
    for seed in ORIGINALS:
        original = stills.scene(seed)
        out[f"original-{seed}"] = _save(original, folder / f"original-{seed}.png")
        for how in ALTERED:
            out[f"{how}-{seed}"] = _save(
                stills.altered(original, how, seed), folder / "copies" / f"{how}-{seed}.jpg"
            )
    for seed in DISTRACTORS:
        out[f"other-{seed}"] = _save(stills.scene(seed), folder / "others" / f"other-{seed}.jpg")
    return out


def _save(image: object, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, quality=90) if path.suffix == ".jpg" else image.save(path)  # type: ignore[attr-defined]
    return path


def _bank(pictures: dict[str, Path]) -> dict[int, int]:
    matcher().reset()
    for seed in ORIGINALS:
        call_command(
            "bank", "add", str(pictures[f"original-{seed}"]), "--category", "B", "--series", f"s{seed}"
        )
    return {seed: BankRecord.objects.get(series=f"s{seed}").pk for seed in ORIGINALS}


def test_altered_copies_pdq_misses_are_known_with_their_evidence(
    pictures: dict[str, Path], orgs: Orgs
) -> None:
    banked = _bank(pictures)
    assert ImageFeatures.objects.count() == len(ORIGINALS)
    assert set(BankRecord.objects.values_list("robust", flat=True)) == {robust.VERSION}
    missed_by_pdq = 0
    for seed in ORIGINALS:
        original = hash_file(pictures[f"original-{seed}"])
        for how in ALTERED:
            query = hash_file(pictures[f"{how}-{seed}"], dihedral=True, robust=True)
            missed_by_pdq += hamming(original.pdq or "", query.pdq or "") > 31
            [match] = matcher().match(query)
            assert (match.record, match.series) == (banked[seed], f"s{seed}"), how
            if match.variant == "robust":
                evidence = match.evidence or {}
                assert evidence["inliers"] >= robust.MIN_INLIERS and evidence["cells"] >= robust.MIN_CELLS
                assert match.distance is None
                left, top, right, bottom = evidence["banked_box"]
                assert 0 <= left < right <= 1 and 0 <= top < bottom <= 1
                if how == "rotation":
                    assert 1 <= abs(evidence["degrees"]) <= 5.5
    assert missed_by_pdq >= len(ORIGINALS) * 3  # the stage is tested on copies PDQ does not know


def test_unrelated_pictures_sharing_palettes_and_words_are_not_known(
    pictures: dict[str, Path], orgs: Orgs
) -> None:
    _bank(pictures)
    for seed in DISTRACTORS:
        query = hash_file(pictures[f"other-{seed}"], dihedral=True, robust=True)
        assert query.features is not None
        assert matcher().match(query) == [], seed


def test_a_shared_patch_alone_is_not_a_match(orgs: Orgs) -> None:
    """Two unrelated pictures carrying the same logo in the same place agree on the logo's points, and only
    there: the spread rule refuses them, though enough points agree."""
    logo = stills.scene(5).crop((150, 100, 380, 280))  # 13% of the picture
    first, second = stills.scene(950), stills.scene(951)
    first.paste(logo, (40, 40))
    second.paste(logo, (40, 40))
    one, two = (robust.features(stills.as_array(p)) for p in (first, second))
    assert one is not None and two is not None
    assert robust.verify(one, two) is None
    assert robust.verify(one, one) is not None
    kept = robust.MIN_CELLS, robust.MIN_SPAN
    robust.MIN_CELLS, robust.MIN_SPAN = 1, 0.0
    try:
        assert robust.verify(one, two) is not None  # the points agree: the spread alone refused them
    finally:
        robust.MIN_CELLS, robust.MIN_SPAN = kept


def test_the_same_line_of_text_alone_is_not_a_match(orgs: Orgs) -> None:
    """Two unrelated pictures with one caption in the same font agree along it: many points over many cells,
    but in a strip. The span rule refuses them."""
    first, second = stills.scene(960), stills.scene(961)
    for picture, where in ((first, (20, 60)), (second, (40, 330))):
        ImageDraw.Draw(picture).text(where, "harbour meadow lantern", fill=(0, 0, 0), font=stills._font(40))
    one, two = (robust.features(stills.as_array(p)) for p in (first, second))
    assert one is not None and two is not None
    assert robust.verify(one, two) is None
    robust.MIN_SPAN, kept = 0.0, robust.MIN_SPAN
    try:
        found = robust.verify(one, two)
        assert found is not None and found.cells >= robust.MIN_CELLS  # the other rules let it through
    finally:
        robust.MIN_SPAN = kept


def test_features_are_checked_when_banked(orgs: Orgs) -> None:
    good = robust.features(stills.as_array(stills.scene(3)))
    assert good is not None
    data = good.to_bytes()
    again = robust.Features.from_bytes(data)
    assert np.array_equal(again.descriptors, good.descriptors)
    assert np.allclose(again.points, good.points, atol=0.07)
    flat_header = data[:1] + bytes(4) + data[5:]  # a picture of 0 x 0 pixels
    bad_ones = ((data[:-1], "wrong length"), (b"\x09" + data[1:], "version 9"), (b"", "too short"),
                (flat_header, "out of range"))  # fmt: skip
    for bad, reason in bad_ones:
        with pytest.raises(BankError, match=reason):
            RecordInput(sha256="a" * 64, features=bad)
    with pytest.raises(BankError, match="need the file's sha256"):
        RecordInput(md5="b" * 32, features=data)
    flat = np.full((300, 300, 3), 128, dtype=np.uint8)
    assert robust.features(flat) is None  # nothing to match on


def test_the_feature_index_adds_removes_and_merges() -> None:
    found = {s: robust.features(stills.as_array(stills.scene(s))) for s in (1, 2, 3)}
    index = robust.FeatureIndex()
    index.build([(1, found[1].descriptors)])  # type: ignore[union-attr]
    index.add(2, found[2].descriptors)  # type: ignore[union-attr]
    index.add(3, found[3].descriptors)  # type: ignore[union-attr]
    assert index.candidates(found[2].descriptors)[0][0] == 2  # type: ignore[union-attr]
    assert index.candidates(found[1].descriptors)[0][0] == 1  # type: ignore[union-attr]
    index.remove([2])
    assert 2 not in [r for r, _ in index.candidates(found[2].descriptors)]  # type: ignore[union-attr]
    index.add(1, found[3].descriptors)  # type: ignore[union-attr]  # record 1 banked again, other features
    assert len(index) == 2
    assert index.candidates(found[3].descriptors)[0][0] in {1, 3}  # type: ignore[union-attr]
    first = dict(index.candidates(found[3].descriptors))  # type: ignore[union-attr]
    assert first[1] == first[3]  # the old features of 1 are gone, the new ones filed like 3's


@pytest.mark.django_db(transaction=True)
def test_disabling_and_rebanking_reach_the_robust_index(pictures: dict[str, Path], orgs: Orgs) -> None:
    banked = _bank(pictures)
    query = hash_file(pictures["crop-12"], dihedral=True, robust=True)
    assert [m.record for m in matcher().match(query)] == [banked[12]]
    record = BankRecord.objects.get(pk=banked[12])
    set_status(record, Status.DISABLED)
    assert matcher().match(query) == []
    set_status(record, Status.ACTIVE)
    assert [m.record for m in matcher().match(query)] == [banked[12]]
    # Another process's matcher learns of features stored later through the record's change stamp.
    ImageFeatures.objects.filter(record_id=banked[13]).delete()
    BankRecord.objects.filter(pk=banked[13]).update(robust=None)
    matcher().reset()
    other = hash_file(pictures["overlay-13"], dihedral=True, robust=True)
    assert matcher().match(other) == []
    change = BankRecord.objects.get(pk=banked[13]).change
    call_command("bank", "add", str(pictures["original-13"]), "--category", "B", "--series", "s13")
    assert BankRecord.objects.get(pk=banked[13]).change != change
    matcher()._last_sync = 0.0  # as if a second had passed
    assert [m.record for m in matcher().match(other)] == [banked[13]]


def test_the_api_and_a_scan_say_how_a_robust_match_was_made(
    pictures: dict[str, Path], orgs: Orgs, tmp_path: Path
) -> None:
    banked = _bank(pictures)
    BankRecord.objects.update(graders=2, graders_agree=True)  # shareable, so that the partner sees them
    matcher().reset()
    key = create_api_key(orgs.platform, ["hashes:match"]).secret
    upload = SimpleUploadedFile("copy.jpg", pictures["rotation-14"].read_bytes(), "image/jpeg")
    answer = Client().post("/api/v1/match/file", {"file": upload}, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert answer.status_code == 200, answer.content
    [match] = answer.json()["matches"]
    assert match["record"] == banked[14] and match["variant"] == "robust" and match["distance"] is None
    assert match["evidence"]["inliers"] >= robust.MIN_INLIERS
    output = tmp_path / "scan.jsonl"
    call_command("scan", str(pictures["crop-11"].parent), "--output", str(output), "--format", "jsonl",
                 "--workers", "1")  # fmt: skip
    rows = [json.loads(line) for line in output.read_text().splitlines()]
    assert len(rows) == len(ORIGINALS) * len(ALTERED)
    assert all(r["status"] == "known" for r in rows)
    assert {m["variant"] for r in rows for m in r["matches"]} >= {"robust"}
    call_command("scan", str(pictures["crop-11"].parent), "--output", str(output), "--format", "jsonl",
                 "--workers", "1", "--no-robust")  # fmt: skip
    rows = [json.loads(line) for line in output.read_text().splitlines()]
    assert "robust" not in {m["variant"] for r in rows for m in r["matches"]}
    assert sum(r["status"] == "unknown" for r in rows) >= len(ORIGINALS) * 2  # what PDQ alone misses
    assert BankList.objects.get(name="national")


@pytest.mark.parametrize("fmt", ["csv", "vics"])
def test_exports_carry_frames_and_features_to_another_centre(
    pictures: dict[str, Path], orgs: Orgs, tmp_path: Path, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A centre's export, imported elsewhere (no media travels), matches crops and video copies there."""
    from haven.hashbank.footage import Film, altered, write  # noqa: PLC0415
    from haven.hashbank.video import hash_video  # noqa: PLC0415

    film = Film(seed=61, seconds=10, fps=10)
    reel = write(film, tmp_path / "reel.mp4")
    marked, suffix = altered(film, "watermarked")
    copy = hash_video(write(marked, tmp_path / f"copy{suffix}"))
    call_command("bank", "add", str(pictures["original-11"]), "--category", "B", "--series", "s11")
    call_command("bank", "add", str(reel), "--category", "A", "--series", "reel-61")
    capsys.readouterr()
    call_command("bank", "export", "--format", fmt)
    exported = tmp_path / f"export.{fmt}"
    exported.write_text(capsys.readouterr().out)
    BankRecord.objects.all().delete()  # another centre's empty bank
    matcher().reset()
    call_command("bank", "import", str(exported), "--format", fmt)
    assert (
        ImageFeatures.objects.count() == 1 and BankRecord.objects.get(series="reel-61").frames.count() == 10
    )
    [match] = matcher().match(hash_file(pictures["overlay-11"], dihedral=True, robust=True))
    assert (match.series, match.variant) == ("s11", "robust")
    [hit] = matcher().match_video(copy)
    assert (hit.series, hit.how) == ("reel-61", "vpdq")


@pytest.mark.django_db(transaction=True)  # on PostgreSQL a hash list pages by committed transactions' stamps
def test_a_partners_hash_list_carries_a_videos_frames(tmp_path: Path, orgs: Orgs) -> None:
    from haven.hashbank.footage import Film, write  # noqa: PLC0415

    reel = write(Film(seed=62, seconds=6, fps=10), tmp_path / "reel.mp4")
    call_command("bank", "add", str(reel), "--category", "A", "--series", "reel-62")
    BankRecord.objects.update(graders=2, graders_agree=True)
    key = create_api_key(orgs.platform, ["hashes:read"]).secret
    answer = Client().get("/api/v1/hashlists/national", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert answer.status_code == 200, answer.content
    [entry] = answer.json()["items"]
    assert entry["duration"] == pytest.approx(6, abs=0.2)
    frames = parse_frames(entry["vpdq"])
    assert [f[0] for f in frames] == list(range(6)) and all(len(f[2]) == 64 for f in frames)
    assert frames == BankRecord.objects.get().frame_rows()


def test_bad_frames_and_features_in_a_csv_are_listed_and_the_rest_imported(
    tmp_path: Path, orgs: Orgs
) -> None:
    good = robust.features(stills.as_array(stills.scene(4)))
    assert good is not None
    rows = [
        "sha256,category,duration,vpdq,features",
        f"{'1' * 64},B,,,{features_text(good.to_bytes())}",
        f'{"2" * 64},B,3,"0,100,{"ab" * 32},0;1,oops,{"ab" * 32},1",',
        f"{'3' * 64},B,,,not base64!",
        f"{'4' * 64},B,-2,,",
    ]
    path = tmp_path / "list.csv"
    path.write_text("\n".join(rows) + "\n")
    with pytest.raises(CommandError) as refused:
        call_command("bank", "import", str(path), "--format", "csv")
    message = str(refused.value)
    assert "line 3: vpdq frame 1" in message and "line 4: features: not base64" in message
    assert "line 5: duration: must not be negative" in message
    assert list(BankRecord.objects.values_list("sha256", flat=True)) == ["1" * 64]
    assert ImageFeatures.objects.count() == 1
