"""Banking videos from files and matching against them: `haven bank add` keeps each video's file hashes and
frame hashes (nothing of the media), and the matcher finds a copy by its file or by its frames, saying both
shares and where they matched; a partner sees only what it may."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from haven.accounts.actions import create_api_key
from haven.hashbank.footage import Film, altered, write
from haven.hashbank.matcher import matcher
from haven.hashbank.models import BankRecord, VideoFrame
from haven.hashbank.video import hash_video
from tests.conftest import Orgs

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def reels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("reels")
    base = Film(seed=21, seconds=16, fps=10)
    out = {"original": write(base, folder / "original.mp4")}
    for how in ("trimmed", "watermarked"):
        film, suffix = altered(base, how)
        out[how] = write(film, folder / f"{how}{suffix}")
    out["other"] = write(Film(seed=22, seconds=16, fps=10), folder / "other.mp4")
    return out


def test_a_banked_video_is_found_by_its_file_and_by_its_frames(reels: dict[str, Path], orgs: Orgs) -> None:
    call_command("bank", "add", str(reels["original"]), "--category", "B", "--series", "test-reel")
    record = BankRecord.objects.get()
    assert record.sha256 == hash_video(reels["original"]).sha256 and record.pdq is None
    assert record.duration == pytest.approx(16, abs=0.2)
    assert VideoFrame.objects.filter(record=record).count() == 16
    same = matcher().match_video(hash_video(reels["original"]))
    assert [(h.record, h.series, h.as_json()["how"]) for h in same] == [(record.pk, "test-reel", "file")]
    for how in ("trimmed", "watermarked"):
        [hit] = matcher().match_video(hash_video(reels[how]))
        assert (hit.record, hit.category, hit.series, hit.list) == (record.pk, "B", "test-reel", "national")
        assert hit.as_json()["how"] == "vpdq" and hit.found.query_ranges
        if how == "trimmed":
            assert hit.found.query_share > hit.found.banked_share
    assert matcher().match_video(hash_video(reels["other"])) == []


def test_a_partner_sees_a_banked_video_only_once_it_is_shareable(reels: dict[str, Path], orgs: Orgs) -> None:
    call_command("bank", "add", str(reels["original"]), "--category", "A")
    query = hash_video(reels["watermarked"])
    assert matcher().match_video(query, partner=orgs.platform.slug) == []  # not verified yet
    BankRecord.objects.update(graders=2, graders_agree=True)
    matcher().reset()
    assert [h.list for h in matcher().match_video(query, partner=orgs.platform.slug)] == ["national"]


@pytest.mark.django_db(transaction=True)  # on PostgreSQL the stamp is the writing transaction's id
def test_banking_a_video_again_replaces_its_frames(reels: dict[str, Path], orgs: Orgs) -> None:
    call_command("bank", "add", str(reels["original"]), "--category", "C")
    record = BankRecord.objects.get()
    change = record.change
    VideoFrame.objects.filter(record=record, index__gte=4).delete()  # a record with fewer frames than it had
    call_command("bank", "add", str(reels["original"]), "--category", "C")
    record.refresh_from_db()
    assert VideoFrame.objects.filter(record=record).count() == 16
    assert record.change != change  # stamped, so that other processes' matchers reload its frames


def test_bad_files_are_listed_and_the_rest_are_banked(
    reels: dict[str, Path], tmp_path: Path, orgs: Orgs
) -> None:
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(4000))
    with pytest.raises(CommandError) as refused:
        call_command("bank", "add", str(reels["original"]), str(broken), str(tmp_path / "gone.png"),
                     "--category", "B")  # fmt: skip
    message = str(refused.value)
    assert (
        "2 file(s) not banked" in message and "broken.mp4: " in message and "gone.png: cannot read" in message
    )
    assert BankRecord.objects.count() == 1


def test_a_scan_calls_a_copy_of_a_banked_video_known(
    reels: dict[str, Path], tmp_path: Path, orgs: Orgs
) -> None:
    import json  # noqa: PLC0415
    import shutil  # noqa: PLC0415

    call_command("bank", "add", str(reels["original"]), "--category", "B", "--series", "test-reel")
    folder = tmp_path / "seized"
    folder.mkdir()
    for name in ("trimmed", "watermarked", "other"):
        shutil.copy(reels[name], folder / reels[name].name)
    (folder / "broken.avi").write_bytes(b"RIFF\x00\x00\x00\x00AVI LIST" + bytes(3000))
    output = tmp_path / "rows.jsonl"
    with pytest.raises(CommandError, match="1 file\\(s\\) could not be read"):
        call_command("scan", str(folder), "--output", str(output), "--workers", "1")
    rows = {Path(r["path"]).name: r for r in map(json.loads, output.read_text().splitlines())}
    assert {n: r["status"] for n, r in rows.items()} == {
        "trimmed.mp4": "known", "watermarked.mov": "known", "other.mp4": "unknown", "broken.avi": "error",
    }  # fmt: skip
    hit = rows["trimmed.mp4"]["matches"][0]
    assert (hit["series"], hit["how"]) == ("test-reel", "vpdq") and hit["query_share"] > hit["banked_share"]
    assert rows["other.mp4"]["kind"] == "video" and rows["other.mp4"]["frames"] == 16  # a frame a second


def test_a_partner_matches_an_uploaded_video_through_the_api(
    reels: dict[str, Path], orgs: Orgs, client: Client
) -> None:
    call_command("bank", "add", str(reels["original"]), "--category", "A", "--series", "test-reel")
    BankRecord.objects.update(graders=2, graders_agree=True)  # verified, so shareable
    key = create_api_key(orgs.platform, ["hashes:match"]).secret

    def send(path: Path, name: str) -> dict[str, Any]:
        upload = SimpleUploadedFile(name, path.read_bytes(), content_type="application/octet-stream")
        response = client.post("/api/v1/match/file", {"file": upload}, HTTP_AUTHORIZATION=f"Bearer {key}")
        assert response.status_code == 200, response.content
        body: dict[str, Any] = response.json()
        return body

    known = send(reels["trimmed"], "clip.mp4")
    assert (known["kind"], known["status"], known["matches"]) == ("video", "known", [])
    [hit] = known["video_matches"]
    assert (hit["series"], hit["how"], hit["list"]) == ("test-reel", "vpdq", "national")
    assert hit["query_share"] > hit["banked_share"] > 0 and hit["banked_ranges"]
    unknown = send(reels["other"], "upload.bin")  # a video by its bytes alone
    assert (unknown["kind"], unknown["status"], unknown["video_matches"]) == ("video", "unknown", [])
    assert unknown["frames"] == 16 and unknown["duration"] == pytest.approx(16, abs=0.2)


def test_a_banked_still_image_is_found_where_a_video_shows_it(
    reels: dict[str, Path], tmp_path: Path, orgs: Orgs
) -> None:
    from PIL import Image  # noqa: PLC0415

    from haven.hashbank.footage import frame_at  # noqa: PLC0415

    still = tmp_path / "still.png"
    Image.fromarray(frame_at(Film(seed=21, seconds=16, fps=10), 9.0)).save(still)  # a frame of the film
    call_command("bank", "add", str(still), "--category", "C", "--series", "a-still")
    [hit] = matcher().match_video(hash_video(reels["original"]))
    assert (hit.series, hit.how) == ("a-still", "image")
    start, end = hit.found.query_ranges[0]
    assert start <= 9.0 < end  # where the video shows it
    assert matcher().match_video(hash_video(reels["other"])) == []
