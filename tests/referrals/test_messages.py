"""A referral's thread: the force asks for more, the centre answers; nobody else reads or writes."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from haven.accounts.models import User
from haven.audit.models import AuditEntry
from haven.intel.actions import grade_report
from haven.intel.models import Member
from haven.referrals.actions import send_referral
from haven.referrals.models import Message, Referral
from tests.conftest import Orgs
from tests.triage.conftest import processed, report

pytestmark = pytest.mark.django_db
QUESTION = "Can the centre send the date the account was made?"
ANSWER = "The account was made on 2026-11-02; the platform has been asked to preserve it."


@pytest.fixture
def referral(orgs: Orgs, analyst: User) -> Referral:
    (one,) = processed(orgs, report("MSG-1"))
    grade_report(one, source="B", assessment="3", handling="P", conditions="", actor=analyst)
    subject = Member.objects.get(report=one).subject
    assert subject is not None
    return send_referral(subject, orgs.force_a, summary="The adult met the child.", actor=analyst)


def test_the_force_asks_and_the_centre_answers(
    referral: Referral, analyst: User, liaison_a: User, sign_in: Callable[..., Client]
) -> None:
    url = reverse("referrals:message", args=[referral.uid])
    page = reverse("referrals:detail", args=[referral.uid])
    force = sign_in(liaison_a)
    assert force.post(url, {"message-text": QUESTION}).status_code == 302
    centre = sign_in(analyst)
    assert QUESTION in centre.get(page).content.decode()
    assert centre.post(url, {"message-text": ANSWER}).status_code == 302
    html = force.get(page).content.decode()
    assert html.index(QUESTION) < html.index(ANSWER)
    assert [(m.from_recipient, m.author) for m in Message.objects.order_by("at")] == [
        (True, liaison_a), (False, analyst)]  # fmt: skip
    entries = AuditEntry.objects.filter(action="referrals.message").order_by("seq")
    assert [e.details["text"] for e in entries] == [QUESTION, ANSWER]


def test_an_empty_message_is_sent_back_and_the_view_audited(
    referral: Referral, liaison_a: User, sign_in: Callable[..., Client]
) -> None:
    response = sign_in(liaison_a).post(
        reverse("referrals:message", args=[referral.uid]), {"message-text": "   "}
    )
    assert response.status_code == 400 and "Write the message" in response.content.decode()
    assert not Message.objects.exists()
    assert AuditEntry.objects.filter(action="referrals.view", details__invalid_form=True).count() == 1


def test_another_force_and_a_grader_can_neither_read_nor_write(
    referral: Referral, liaison_b: User, grader: User, sign_in: Callable[..., Client]
) -> None:
    url = reverse("referrals:message", args=[referral.uid])
    other = sign_in(liaison_b)
    assert other.get(reverse("referrals:detail", args=[referral.uid])).status_code == 404
    assert other.post(url, {"message-text": QUESTION}).status_code == 404
    assert sign_in(grader).post(url, {"message-text": QUESTION}).status_code == 403
    assert not Message.objects.exists()
