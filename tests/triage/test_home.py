"""The staff home page is each person's work, and shows nobody more than their role may see."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from haven.accounts.models import User
from haven.audit.models import AuditEntry
from haven.intake.models import Report
from haven.intel.actions import grade_report
from haven.intel.models import Member
from haven.referrals.actions import send_referral
from haven.triage.actions import override_band
from haven.triage.models import Priority
from tests.conftest import Orgs
from tests.triage.conftest import processed, report

pytestmark = pytest.mark.django_db


def link(priority: Priority) -> str:
    return f"/staff/queue/{priority.pk}/"


def three(orgs: Orgs) -> list[Priority]:
    reports = processed(orgs, report("H-1"), report("H-2"), report("H-3"))
    priorities = [Priority.objects.get(report=r) for r in reports]
    for priority, band in zip(priorities, ["P1", "P3", "P4"], strict=True):
        Priority.objects.filter(pk=priority.pk).update(band=band, effective_band=band)
    return priorities


def test_an_analyst_sees_urgent_work_and_their_own(
    orgs: Orgs, analyst: User, sign_in: Callable[..., Client]
) -> None:
    urgent, mine, other = three(orgs)
    Report.objects.filter(pk=int(mine.report_id or 0)).update(assignee=analyst)
    html = sign_in(analyst).get("/staff/").content.decode()
    assert link(urgent) in html and link(mine) in html and link(other) not in html
    assert "Overdue" not in html and "Recent overrides" not in html
    entry = AuditEntry.objects.get(action="staff.home")
    assert entry.details["shown"] == ["assigned", "urgent"]


def test_a_supervisor_sees_overdue_work_overrides_and_unacknowledged_referrals(
    orgs: Orgs, analyst: User, supervisor: User, sign_in: Callable[..., Client]
) -> None:
    urgent, late, other = three(orgs)
    Priority.objects.filter(pk=late.pk).update(deadline=timezone.now() - timedelta(hours=3))
    override_band(other, "P2", "the platform rang back", actor=supervisor)
    client = sign_in(supervisor)
    html = client.get("/staff/").content.decode()
    overdue = html[html.index("Overdue</h2>") : html.index("Recent overrides")]
    assert "Overdue by 3 h 0 min" in overdue and link(late) in overdue and link(urgent) not in overdue
    assert "P2 in place of P4" in html and "the platform rang back" in html
    for each in Report.objects.all():  # one person in all three: one subject, every report graded
        grade_report(each, source="B", assessment="3", handling="P", conditions="", actor=analyst)
    subject = Member.objects.get(report_id=int(urgent.report_id or 0)).subject
    assert subject is not None
    referral = send_referral(subject, orgs.force_a, summary="The adult met the child.", actor=analyst)
    html = client.get("/staff/").content.decode()
    assert referral.reference in html
    assert "Nothing is overdue" in html  # referred: off the queue


def test_a_liaison_officer_sees_only_their_forces_referrals_waiting(
    orgs: Orgs, analyst: User, liaison_a: User, liaison_b: User, sign_in: Callable[..., Client]
) -> None:
    (priority,) = [Priority.objects.get(report=r) for r in processed(orgs, report("L-1"))]
    report_ = Report.objects.get(pk=int(priority.report_id or 0))
    grade_report(report_, source="B", assessment="3", handling="P", conditions="", actor=analyst)
    subject = Member.objects.get(report=report_).subject
    assert subject is not None
    referral = send_referral(subject, orgs.force_a, summary="The adult met the child.", actor=analyst)
    page_a = sign_in(liaison_a).get("/staff/").content.decode()
    page_b = sign_in(liaison_b).get("/staff/").content.decode()
    assert referral.reference in page_a
    assert referral.reference not in page_b and "Every referral has been acknowledged" in page_b
    assert link(priority) not in page_a  # no queue for a force


def test_a_grader_sees_no_case_work(orgs: Orgs, grader: User, sign_in: Callable[..., Client]) -> None:
    three(orgs)
    html = sign_in(grader).get("/staff/").content.decode()
    assert "/staff/queue/" not in html and "Referrals not yet acknowledged" not in html
    assert "Nothing is waiting for you to grade" in html  # their own work is grading
    assert AuditEntry.objects.get(action="staff.home").details == {"shown": ["grading"]}
