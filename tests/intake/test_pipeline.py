"""The processing pipeline, run by a real worker: media matched against the bank, later steps registered."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from PIL import ImageOps

from haven.evidence import store
from haven.hashbank.actions import add_records, get_or_create_list
from haven.hashbank.hashing import hash_file
from haven.hashbank.importing import RecordInput
from haven.hashbank.models import BankRecord
from haven.intake.actions import Submitted, attach_file, finish_report, submit_reports
from haven.intake.models import Report, ReportMedia
from haven.intake.pipeline import register_step, unregister_step
from haven.intake.schemas import ReportIn
from tests.conftest import Orgs
from tests.hashbank.conftest import SAMPLES, load
from tests.intake.conftest import a_report

KNOWN = "cd" * 32


@pytest.mark.django_db(transaction=True)  # the worker runs after real commits, on its own connection
def test_known_and_novel_media_and_registered_steps(orgs: Orgs) -> None:
    add_records([RecordInput(sha256=KNOWN, category="B", series="S-1")], get_or_create_list("national"))
    seen: list[str] = []
    register_step("test.seen", lambda report: seen.append(report.external_id or ""))
    try:
        media = [{"sha256": KNOWN.upper(), "file_name": "a.jpg"}, {"md5": "0" * 32}, {"file_name": "b.jpg"}]
        items = [ReportIn.model_validate(a_report("PIPE-1", media=media))]
        submit_reports(items, organisation=orgs.platform, source="industry", finished=True)
        call_command("worker", "--burst")
        call_command("worker", "--burst")  # nothing left to do: each report is processed once
    finally:
        unregister_step("test.seen")
    report = Report.objects.get(external_id="PIPE-1")
    assert report.status == "processed"
    statuses = list(ReportMedia.objects.filter(report=report).values_list("match_status", flat=True))
    assert statuses == ["known", "novel", "no_hash"]
    known = ReportMedia.objects.get(report=report, position=0)
    assert known.matches[0]["category"] == "B"
    assert known.matches[0]["variant"] == "sha256"
    assert BankRecord.objects.get(sha256=KNOWN).hit_count == 1
    assert seen == ["PIPE-1"]


@pytest.mark.django_db(transaction=True)
def test_the_same_file_in_many_reports_makes_one_bundle(orgs: Orgs, settings: object) -> None:
    settings.VIRAL_MIN_REPORTS = 3  # type: ignore[attr-defined]
    viral = {"sha256": "ef" * 32, "file_name": "meme.jpg"}
    other = {"sha256": "12" * 32, "file_name": "other.jpg"}
    items = [a_report(f"V-{i}", media=[viral]) for i in range(2)] + [a_report("O-1", media=[other])]
    submit_reports([ReportIn.model_validate(r) for r in items], organisation=orgs.platform, source="industry",
                   finished=True)  # fmt: skip
    call_command("worker", "--burst")
    assert Report.objects.exclude(bundle=None).count() == 0  # two reports are not yet viral
    third = [ReportIn.model_validate(a_report("V-2", media=[viral]))]
    submit_reports(third, organisation=orgs.other_platform, source="industry", finished=True)
    call_command("worker", "--burst")
    bundled = Report.objects.exclude(bundle=None)
    assert sorted(str(e) for e in bundled.values_list("external_id", flat=True)) == ["V-0", "V-1", "V-2"]
    assert len({r.bundle_id for r in bundled}) == 1
    assert bundled.first().bundle.report_count == 3  # type: ignore[union-attr]
    assert Report.objects.get(external_id="O-1").bundle is None


@pytest.mark.django_db(transaction=True)
def test_an_uploaded_mirrored_copy_is_known_by_pdq(orgs: Orgs, settings: Any, tmp_path: Path) -> None:
    settings.EVIDENCE_DIR = tmp_path / "evidence"
    original = hash_file(SAMPLES / "coffee.png")
    add_records(
        [RecordInput(sha256=original.sha256, pdq=original.pdq, pdq_quality=original.quality, category="C")],
        get_or_create_list("national"),
    )
    mirrored = io.BytesIO()
    ImageOps.mirror(load("coffee.png")).save(mirrored, format="JPEG", quality=85)
    (result,) = submit_reports(
        [ReportIn.model_validate(a_report("UP-1", media=[]))], organisation=orgs.platform, source="industry"
    )
    assert isinstance(result, Submitted)
    attach_file(result.report, store.put(mirrored.getvalue()).blob, file_name="copy.jpg")
    finish_report(result.report)
    call_command("worker", "--burst")
    item = ReportMedia.objects.get(report__external_id="UP-1")
    assert item.match_status == "known"
    assert item.matches[0]["variant"] not in {"original", "sha256"}
    assert item.pdq


@pytest.mark.django_db(transaction=True)
def test_an_uploaded_watermarked_copy_of_a_banked_video_is_known_by_its_frames(
    orgs: Orgs, settings: Any, tmp_path: Path
) -> None:
    from haven.grading.models import Item  # noqa: PLC0415
    from haven.hashbank.footage import Film, altered, write  # noqa: PLC0415
    from haven.hashbank.video import hash_video  # noqa: PLC0415

    settings.EVIDENCE_DIR = tmp_path / "evidence"
    film = Film(seed=31, seconds=12, fps=10)
    banked = hash_video(write(film, tmp_path / "banked.mp4"))
    frames = tuple(f.row for f in banked.frames)
    add_records([RecordInput(sha256=banked.sha256, duration=banked.duration, frames=frames, category="B",
                             series="reel-31")], get_or_create_list("national"))  # fmt: skip
    marked, suffix = altered(film, "watermarked")
    copy = write(marked, tmp_path / f"copy{suffix}").read_bytes()
    other = write(Film(seed=32, seconds=12, fps=10), tmp_path / "other.webm").read_bytes()
    (result,) = submit_reports(
        [ReportIn.model_validate(a_report("VID-1", media=[]))], organisation=orgs.platform, source="industry"
    )
    assert isinstance(result, Submitted)
    attach_file(result.report, store.put(copy).blob, file_name="clip.mov")
    attach_file(result.report, store.put(other).blob, file_name="upload.bin")  # a video by its bytes alone
    attach_file(result.report, store.put(b"\x1a\x45\xdf\xa3" + bytes(5000)).blob, file_name="broken.mkv")
    finish_report(result.report)
    call_command("worker", "--burst")
    known, novel, broken = ReportMedia.objects.filter(report__external_id="VID-1").order_by("position")
    assert (known.match_status, novel.match_status, broken.match_status) == ("known", "novel", "no_hash")
    hit = known.matches[0]
    assert (hit["series"], hit["how"]) == ("reel-31", "vpdq") and hit["query_share"] >= 0.5
    assert Item.objects.filter(sha256=novel.sha256).exists()  # graded from its keyframes
    assert not Item.objects.filter(sha256=broken.sha256).exists()  # nothing to show


@pytest.mark.django_db(transaction=True)  # the worker runs after real commits, on its own connection
def test_an_uploaded_crop_of_a_banked_picture_is_known_by_the_robust_stage(
    orgs: Orgs, settings: Any, tmp_path: Path, sign_in: Any, analyst: Any
) -> None:
    from haven.hashbank import stills  # noqa: PLC0415
    from haven.hashbank.hashing import hash_bytes  # noqa: PLC0415

    settings.EVIDENCE_DIR = tmp_path / "evidence"
    original = io.BytesIO()
    stills.scene(41).save(original, format="PNG")
    banked = hash_bytes(original.getvalue(), "banked.png", robust=True)
    item = RecordInput(sha256=banked.sha256, pdq=banked.pdq, pdq_quality=banked.quality, category="C",
                       series="still-41", features=banked.features)  # fmt: skip
    add_records([item], get_or_create_list("national"))
    cropped = io.BytesIO()
    stills.reencode(stills.altered(stills.scene(41), "crop", 41)).save(cropped, format="JPEG")
    (result,) = submit_reports(
        [ReportIn.model_validate(a_report("ROB-1", media=[]))], organisation=orgs.platform, source="industry"
    )
    assert isinstance(result, Submitted)
    attach_file(result.report, store.put(cropped.getvalue()).blob, file_name="cropped.jpg")
    finish_report(result.report)
    call_command("worker", "--burst")
    (media,) = ReportMedia.objects.filter(report__external_id="ROB-1")
    assert media.match_status == "known"
    (hit,) = media.matches
    assert (hit["series"], hit["variant"]) == ("still-41", "robust") and hit["evidence"]["inliers"] >= 20
    page = sign_in(analyst).get(f"/staff/reports/{result.report.uid}/").content.decode()
    assert f"robust match: {hit['evidence']['inliers']} points agree" in page
