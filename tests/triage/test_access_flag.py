"""An analyst's flag, access to children or a position of trust, raises a subject's score with the reason
shown; it is audited, it follows the reported people through a merge, and clearing it takes the points
away. Merges and splits score the subjects they touch again."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from haven.accounts.models import User
from haven.audit.models import AuditEntry
from haven.intel.actions import merge_subjects, split_subject
from haven.intel.models import Member, Subject
from haven.triage import scoring
from haven.triage.models import AccessFlag, Priority
from tests.conftest import Orgs
from tests.intel.conftest import subject_of
from tests.triage.conftest import processed, report

pytestmark = pytest.mark.django_db

WEIGHT = scoring.DEFAULT_WEIGHTS["access_to_children"]
TEACHER = "Works as a primary school teacher (the platform's profile, confirmed by the school's website)"


def two_people(orgs: Orgs) -> tuple[Subject, Subject]:
    """Two reports about two different people: nothing links them."""
    processed(
        orgs,
        report("ONE", reported_persons__0__identifiers=[{"kind": "email", "value": "one@example.com"}]),
        report("TWO", reported_persons__0__identifiers=[{"kind": "email", "value": "two@example.com"}]),
    )
    return subject_of("ONE"), subject_of("TWO")


def score_of(subject: Subject) -> Priority:
    return Priority.objects.get(subject=subject)


def test_the_flag_raises_the_score_with_the_reason_and_clearing_it_takes_it_away(
    sign_in: Callable[..., Client], orgs: Orgs, analyst: User
) -> None:
    one, _ = two_people(orgs)
    before = score_of(one).score
    client = sign_in(analyst)
    url = reverse("triage:access", args=[one.uid])
    response = client.post(url, {"flagged": "yes", "reason": TEACHER})
    assert response.status_code == 302 and response["Location"] == reverse("intel:subject", args=[one.uid])
    after = score_of(one)
    assert after.score == before + WEIGHT
    (reason,) = [r for r in after.reasons if r["factor"] == "access_to_children"]
    assert reason["fact"] == "subject.access_flag" and TEACHER in reason["text"]
    entry = AuditEntry.objects.get(action="triage.access_flagged")
    assert entry.actor == analyst.username and entry.details["reason"] == TEACHER
    assert escape(TEACHER) in client.get(reverse("intel:subject", args=[one.uid])).content.decode()

    assert client.post(url, {"flagged": "no"}).status_code == 302
    assert score_of(one).score == before and not AccessFlag.objects.exists()
    assert AuditEntry.objects.get(action="triage.access_cleared").details["reasons"] == [TEACHER]


def test_a_flag_without_a_reason_is_refused_and_changes_nothing(
    sign_in: Callable[..., Client], orgs: Orgs, analyst: User, liaison_a: User
) -> None:
    one, _ = two_people(orgs)
    url = reverse("triage:access", args=[one.uid])
    response = sign_in(analyst).post(url, {"flagged": "yes", "reason": "  "})
    assert response.status_code == 400
    assert "Say what gives this person access to children" in response.content.decode()
    assert sign_in(analyst).post(url, {}).status_code == 400
    assert not AccessFlag.objects.exists()
    assert not AuditEntry.objects.filter(action="triage.access_flagged").exists()
    assert sign_in(liaison_a).post(url, {"flagged": "yes", "reason": TEACHER}).status_code == 403


def test_the_flag_follows_the_people_through_a_merge_and_a_split_scores_again(
    sign_in: Callable[..., Client], orgs: Orgs, analyst: User
) -> None:
    one, two = two_people(orgs)
    sign_in(analyst).post(reverse("triage:access", args=[one.uid]), {"flagged": "yes", "reason": TEACHER})
    unflagged = score_of(two).score
    merge_subjects(one, two, reason="the same face in both profiles", actor=analyst)
    merged = subject_of("TWO")
    assert merged == subject_of("ONE")
    # Scored again at once: both reports, and the flag that came with ONE's person.
    factors = {r["factor"] for r in score_of(merged).reasons}
    assert {"access_to_children", "repeat_reports"} <= factors
    # Split TWO's person out again: it is scored again without the flag, which stayed with ONE's person.
    (two_member,) = Member.objects.filter(report__external_id="TWO").values_list("id", flat=True)
    split_subject(merged, [two_member], reason="different people after all", actor=analyst)
    assert score_of(subject_of("TWO")).score == unflagged
    assert "access_to_children" in {r["factor"] for r in score_of(subject_of("ONE")).reasons}
