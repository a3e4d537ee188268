"""The referral package: one document with the case's deadline, risk reasons, grading and media hashes,
never an image; shown and downloaded only by the centre and the force it was sent to, each copy audited;
and the force's liaison officers told by email, without the case in the message."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import dateformat, timezone
from PIL import ImageFile

from haven.accounts.models import User
from haven.audit.models import AuditEntry
from haven.hashbank.actions import add_records, get_or_create_list
from haven.hashbank.importing import RecordInput
from haven.referrals.actions import send_referral
from haven.referrals.models import Referral
from haven.triage.models import Priority
from tests.conftest import Orgs
from tests.intel.conftest import subject_of
from tests.referrals.test_referrals import grade_all
from tests.triage.conftest import processed, report

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (make install)"),
]

KNOWN_SHA = "a1" * 32
NOVEL_SHA = "b2" * 32
SUMMARY = "Summary for the force: the adult asked a child to move to another app."
CONDITIONS = "Not to be shared outside policing without the centre's consent."


def media(sha256: str) -> dict[str, Any]:
    return {"sha256": sha256, "md5": None, "pdq": None, "file_name": "x.jpg", "viewed_by_reporter": True,
            "publicly_available": False, "annotations": []}  # fmt: skip


@pytest.fixture
def referral(orgs: Orgs, analyst: User) -> Referral:
    """Two reports of one person: one says a child is in imminent danger and has a file the bank knows as
    category A; the other has a novel file. Both graded (one with conditions), sent to force A."""
    add_records([RecordInput(sha256=KNOWN_SHA, category="A")], get_or_create_list("national"))
    urgent, other = processed(
        orgs,
        report("PKG-1", incident__imminent_danger=True, media=[media(KNOWN_SHA)]),
        report("PKG-2", media=[media(NOVEL_SHA)]),
    )
    grade_all(analyst, urgent, handling="C", conditions=CONDITIONS)
    grade_all(analyst, other)
    return send_referral(subject_of("PKG-1"), orgs.force_a, summary=SUMMARY, actor=analyst)


def pdf_text(pdf: bytes, tmp_path: Path) -> tuple[str, str]:
    """The PDF's text (whitespace made single spaces), and pdfimages' list of the images it embeds."""
    path = tmp_path / "package.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    images = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True)
    return " ".join(text.split()), images.stdout


def stamp(value: Any) -> str:
    return dateformat.format(timezone.localtime(value), "Y-m-d H:i T")


def test_the_pdf_names_its_deadline_reasons_grading_and_hashes_and_embeds_no_media(
    sign_in: Callable[..., Client], liaison_a: User, referral: Referral, tmp_path: Path
) -> None:
    response = sign_in(liaison_a).get(reverse("referrals:package_pdf", args=[referral.uid]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{referral.reference}.pdf"'
    assert response["Cache-Control"] == "no-store"
    text, images = pdf_text(response.content, tmp_path)

    urgent = Priority.objects.get(report__external_id="PKG-1")
    assert urgent.effective_band == "P1" and urgent.deadline is not None
    assert referral.reference in text and SUMMARY in text
    assert f"Act by {stamp(urgent.deadline)}" in text
    assert f"acknowledge by {stamp(referral.acknowledge_by)}" in text
    # The reasons, each with the fact that raised it.
    assert "The reporter says a child is in imminent danger: always P1 (incident.imminent_danger)" in text
    assert "1 file(s) match category A records (media.matches" in text
    assert "1 file(s) unknown to the bank" in text
    # The grading and its conditions, the identifiers, the hashes; the media as counts.
    assert "B3C: B: untested" in text and CONDITIONS in text
    assert "someone@example.com" in text
    assert f"SHA-256 {KNOWN_SHA}" in text and f"SHA-256 {NOVEL_SHA}" in text
    assert "2 files: 1 known to the national hash database, 1 novel" in text
    assert "Known to the hash bank: category A (the same file (SHA-256))" in text
    # pdfimages prints its two header lines and then a line an image: none.
    assert len(images.strip().splitlines()) == 2, images

    entry = AuditEntry.objects.get(action="referrals.package")
    assert entry.actor == liaison_a.username and entry.details["format"] == "pdf"
    # Making the PDF leaves Pillow refusing truncated images, as the hash bank needs.
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    assert entry.details["bytes"] == len(response.content)


def test_the_html_package_is_audited_and_not_cached(
    sign_in: Callable[..., Client], analyst: User, referral: Referral
) -> None:
    response = sign_in(analyst).get(reverse("referrals:package", args=[referral.uid]))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert "the reporter says a child is in imminent danger".capitalize() in page
    assert "<img" not in page
    assert AuditEntry.objects.filter(action="referrals.package", details__format="html").count() == 1


def test_another_force_and_a_partner_cannot_have_the_package(
    sign_in: Callable[..., Client], liaison_b: User, partner: User, referral: Referral
) -> None:
    for name in ("referrals:package", "referrals:package_pdf"):
        url = reverse(name, args=[referral.uid])
        assert sign_in(liaison_b).get(url).status_code == 404
        assert sign_in(partner).get(url).status_code == 403
    assert not AuditEntry.objects.filter(action="referrals.package").exists()


def test_sending_emails_the_forces_liaisons_a_link_without_the_case(
    orgs: Orgs,
    analyst: User,
    liaison_a: User,
    liaison_b: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    (only,) = processed(orgs, report("PKG-3", incident__imminent_danger=True))
    grade_all(analyst, only)
    with django_capture_on_commit_callbacks(execute=True):
        sent = send_referral(subject_of("PKG-3"), orgs.force_a, summary=SUMMARY, actor=analyst)
    (message,) = mail.outbox
    assert message.to == [liaison_a.email]  # force A's liaison officers, not force B's
    assert sent.reference in message.subject and "(P1)" in message.subject
    assert f"acknowledge it by {sent.acknowledge_by:%Y-%m-%d %H:%M}" in message.body
    assert reverse("referrals:detail", args=[sent.uid]) in message.body
    assert SUMMARY not in message.body and "someone@example.com" not in message.body
    assert AuditEntry.objects.get(action="referrals.sent").details["emailed"] == 1


def test_the_command_writes_the_pdf_and_refuses_a_bad_reference(referral: Referral, tmp_path: Path) -> None:
    out = tmp_path / "out.pdf"
    stdout = io.StringIO()
    call_command("referrals", "package", referral.reference.lower(), "--output", str(out), stdout=stdout)
    text, _ = pdf_text(out.read_bytes(), tmp_path)
    assert referral.reference in text and out.stat().st_mode & 0o077 == 0
    assert AuditEntry.objects.get(action="referrals.package").details["file"] == str(out)
    with pytest.raises(CommandError, match="REF-XYZ: not a referral reference"):
        call_command("referrals", "package", "REF-XYZ", "--output", str(out))
    with pytest.raises(CommandError, match="REF-0000000000: no such referral"):
        call_command("referrals", "package", "REF-0000000000", "--output", str(out))
