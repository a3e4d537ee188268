"""A referral not acknowledged in time: one reminder to its own force's liaison officers, audited, and
marked on the supervisors' home page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from haven.accounts.models import User
from haven.audit.models import AuditEntry
from haven.core.chores import chores
from haven.intel.actions import grade_report
from haven.intel.models import Member
from haven.referrals.actions import acknowledge_referral, remind_unacknowledged, send_referral
from haven.referrals.models import Referral
from haven.triage.models import Priority
from tests.conftest import Orgs
from tests.triage.conftest import processed, report

pytestmark = pytest.mark.django_db


def referred(orgs: Orgs, analyst: User, *, imminent: bool) -> Referral:
    payload = report("REM-1")
    payload["incident"]["imminent_danger"] = imminent
    (one,) = processed(orgs, payload)
    grade_report(one, source="B", assessment="3", handling="P", conditions="", actor=analyst)
    subject = Member.objects.get(report=one).subject
    assert subject is not None
    return send_referral(subject, orgs.force_a, summary="The adult met the child.", actor=analyst)


@pytest.mark.parametrize(
    ("imminent", "band", "window"), [(True, "P1", timedelta(hours=1)), (False, "P3", timedelta(days=7))]
)
def test_the_time_to_acknowledge_follows_the_most_urgent_report(
    orgs: Orgs, analyst: User, imminent: bool, band: str, window: timedelta
) -> None:
    referral = referred(orgs, analyst, imminent=imminent)
    assert Priority.objects.get(report=referral.reports.get()).effective_band == band
    assert referral.acknowledge_by is not None
    assert abs(referral.acknowledge_by - (referral.sent_at + window)) < timedelta(seconds=5)


def test_one_reminder_goes_to_the_forces_officers_once_the_time_has_passed(
    orgs: Orgs, analyst: User, liaison_a: User, liaison_b: User, django_capture_on_commit_callbacks: Any
) -> None:
    referral = referred(orgs, analyst, imminent=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert remind_unacknowledged() == 0  # not due yet
    Referral.objects.filter(pk=referral.pk).update(acknowledge_by=timezone.now() - timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        assert remind_unacknowledged() == 1
    (message,) = mail.outbox
    assert message.to == [liaison_a.email] and liaison_b.email not in message.to
    assert referral.reference in message.subject and "Please sign in" in message.body
    assert "met the child" not in message.body  # nothing of the case leaves by email
    assert AuditEntry.objects.get(action="referrals.reminded").details["recipients"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert remind_unacknowledged() == 0  # once only
    assert len(mail.outbox) == 1


def test_an_acknowledged_referral_gets_no_reminder_and_supervisors_see_the_late_ones(
    orgs: Orgs, analyst: User, supervisor: User, liaison_a: User, sign_in: Callable[..., Client]
) -> None:
    referral = referred(orgs, analyst, imminent=True)
    Referral.objects.filter(pk=referral.pk).update(acknowledge_by=timezone.now() - timedelta(minutes=5))
    assert "Acknowledgement overdue" in sign_in(supervisor).get("/staff/").content.decode()
    acknowledge_referral(Referral.objects.get(pk=referral.pk), actor=liaison_a)
    assert remind_unacknowledged() == 0
    assert not mail.outbox


def test_the_worker_runs_the_reminders() -> None:
    assert "remind_unacknowledged_referrals" in {chore.name for chore in chores()}
