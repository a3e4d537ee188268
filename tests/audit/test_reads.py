"""Every path that shows a record audits the view: forms sent back with errors, graph expansions, the
hash-list settings page and the command-line exports."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.test import Client

from haven.accounts.models import User
from haven.audit.models import AuditEntry
from haven.hashbank.actions import add_records, get_or_create_list
from haven.hashbank.importing import RecordInput
from haven.hashbank.models import BankRecord
from haven.intel.actions import grade_report
from haven.intel.models import Subject
from haven.referrals.actions import send_referral
from tests.conftest import Orgs
from tests.intel.conftest import ident, person, report_of, subject_of, submit

pytestmark = pytest.mark.django_db


def views_of(action: str, object_id: object) -> int:
    return AuditEntry.objects.filter(action=action, object_id=str(object_id)).count()


@pytest.fixture
def two_subjects(orgs: Orgs) -> tuple[Subject, Subject]:
    submit(
        orgs,
        report_of("A1", person(ident("email", "amber.owl@example.com"))),
        report_of("B1", person(ident("email", "grey.heron@example.com"))),
    )
    return subject_of("A1"), subject_of("B1")


def test_a_subject_form_sent_back_with_errors_is_audited(
    sign_in: Callable[..., Client], analyst: User, two_subjects: tuple[Subject, Subject]
) -> None:
    subject, _ = two_subjects
    client = sign_in(analyst)
    for form, data in (("merge", {"merge-other": "not-a-uuid"}), ("split", {"split-reason": ""})):
        before = views_of("intel.subject_view", subject.pk)
        response = client.post(f"/staff/subjects/{subject.uid}/{form}/", data)
        assert response.status_code == 400
        assert subject.reference in response.content.decode()
        assert views_of("intel.subject_view", subject.pk) == before + 1, form


def test_the_graph_audits_the_subject_it_shows(
    sign_in: Callable[..., Client], analyst: User, two_subjects: tuple[Subject, Subject]
) -> None:
    a, b = two_subjects
    client = sign_in(analyst)
    response = client.get(f"/staff/subjects/{a.uid}/graph.json?expand=subject:{b.uid}")
    assert response.status_code == 200
    assert "grey.heron@example.com" in response.content.decode()
    entry = AuditEntry.objects.filter(action="intel.graph_data").latest("seq")
    assert (entry.object_type, entry.object_id) == ("intel.subject", str(b.pk))
    assert entry.details["from_subject"] == str(a.uid)


def test_a_report_note_sent_back_with_errors_is_audited(
    sign_in: Callable[..., Client], analyst: User, orgs: Orgs
) -> None:
    (report,) = submit(orgs, report_of("N1", person(ident("email", "n1@example.com"))), link=False)
    client = sign_in(analyst)
    response = client.post(f"/staff/reports/{report.uid}/notes/", {"text": ""})
    assert response.status_code == 400
    assert views_of("report.view", report.pk) == 1


def test_a_referral_form_sent_back_with_errors_is_audited(
    sign_in: Callable[..., Client], analyst: User, liaison_a: User, orgs: Orgs,
    two_subjects: tuple[Subject, Subject],
) -> None:  # fmt: skip
    for member in two_subjects[0].members.select_related("report"):
        grade_report(member.report, source="B", assessment="3", handling="P", conditions="", actor=analyst)
    referral = send_referral(two_subjects[0], orgs.force_a, summary="Met a child at a park.", actor=analyst)
    client = sign_in(liaison_a)
    for form, data in (("action", {"action-notes": ""}), ("outcome", {"outcome-outcome": "nonsense"})):
        before = views_of("referrals.view", referral.pk)
        response = client.post(f"/staff/referrals/{referral.uid}/{form}/", data)
        assert response.status_code == 400, form
        assert views_of("referrals.view", referral.pk) == before + 1, form


def test_a_record_verdict_sent_back_with_errors_is_audited(
    sign_in: Callable[..., Client], grader: User
) -> None:
    add_records([RecordInput(sha256="c" * 64, category="B")], get_or_create_list("national"))
    record = BankRecord.objects.get()
    response = sign_in(grader).post(f"/staff/hashbank/records/{record.pk}/verdict/", {"category": "Z"})
    assert response.status_code == 400
    assert views_of("hashbank.record_view", record.pk) == 1


def test_the_hash_list_settings_page_is_audited(sign_in: Callable[..., Client], supervisor: User) -> None:
    client = sign_in(supervisor)
    assert client.get("/staff/hashbank/lists/").status_code == 200
    assert AuditEntry.objects.filter(action="hashbank.lists_view").count() == 1


@pytest.mark.parametrize(
    ("command", "action"),
    [
        (["reports", "export"], "intake.reports_export"),
        (["subjects", "export"], "intel.subjects_export"),
        (["subjects", "export", "--format", "stix"], "intel.subjects_export"),
        (["bank", "export", "--format", "csv"], "hashbank.export"),
    ],
)
def test_command_line_exports_are_audited(command: list[str], action: str) -> None:
    call_command(*command, stdout=io.StringIO())
    (entry,) = AuditEntry.objects.filter(action=action)
    assert entry.actor.startswith("command line (")
