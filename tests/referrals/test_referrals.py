"""Referrals and deconfliction: a force holds what it was sent; another force sent the same people, or an
identifier they share, is told who holds it and whom to call, and nothing of the other case."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from haven.accounts.models import User
from haven.audit.models import AuditEntry
from haven.intake.models import Report
from haven.intel.actions import add_exclusion, grade_report, split_subject
from haven.intel.holds import held_by_subject
from haven.intel.models import Member, Subject
from haven.referrals.actions import (
    ReferralError,
    acknowledge_referral,
    record_action,
    record_outcome,
    send_referral,
)
from haven.referrals.models import Outcome, Referral, State
from tests.conftest import Orgs
from tests.intel.conftest import ident, person, report_of, subject_of, submit

pytestmark = pytest.mark.django_db

SUMMARY_A = "Northshire summary: the adult met the child at the leisure centre."
SUMMARY_B = "Westmoor summary: a second platform reported the same accounts."


def grade_all(analyst: User, *reports: Report, handling: str = "P", conditions: str = "") -> None:
    for report in reports:
        grade_report(
            report, source="B", assessment="3", handling=handling, conditions=conditions, actor=analyst
        )


@pytest.fixture
def one_subject(orgs: Orgs, analyst: User) -> Subject:
    """Two reports of one person, linked by a Gmail address written two ways, both graded."""
    reports = submit(
        orgs,
        report_of("R1", person(ident("email", "quiet.fox@gmail.com"), ident("ip", "192.0.2.44"))),
        report_of("R2", person(ident("email", "QuietFox+x@googlemail.com"), ident("phone", "07700 900555"))),
    )
    grade_all(analyst, *reports)
    return subject_of("R1")


@pytest.fixture
def both_forces(orgs: Orgs, analyst: User, one_subject: Subject) -> tuple[Referral, Referral]:
    """The one subject, sent to force A and then to force B."""
    return (
        send_referral(one_subject, orgs.force_a, summary=SUMMARY_A, actor=analyst),
        send_referral(one_subject, orgs.force_b, summary=SUMMARY_B, actor=analyst),
    )


def test_both_forces_see_who_else_holds_the_person_and_nothing_of_their_case(
    sign_in: Callable[..., Client],
    analyst: User,
    liaison_a: User,
    liaison_b: User,
    orgs: Orgs,
    one_subject: Subject,
    both_forces: tuple[Referral, Referral],
) -> None:
    first, second = both_forces
    a_page = sign_in(liaison_a).get(reverse("referrals:detail", args=[first.uid])).content.decode()
    b_page = sign_in(liaison_b).get(reverse("referrals:detail", args=[second.uid])).content.decode()
    # Before anyone acknowledges, the contact is the force's liaison officers.
    assert "Held by Westmoor Constabulary, contact lou, lou@example.org" in a_page
    assert "Held by Northshire Police, contact lee, lee@example.org" in b_page
    assert "same reported people" in a_page and "same reported people" in b_page
    assert SUMMARY_B not in a_page and second.reference not in a_page
    assert SUMMARY_A not in b_page and first.reference not in b_page
    # Each force reads its own case, and not the other's.
    assert SUMMARY_A in a_page and "quietfox@gmail.com" in a_page
    assert sign_in(liaison_a).get(reverse("referrals:detail", args=[second.uid])).status_code == 404
    assert sign_in(liaison_b).get(reverse("referrals:detail", args=[first.uid])).status_code == 404
    assert AuditEntry.objects.filter(action="referrals.view", object_id=str(first.pk)).count() == 1


def test_the_contact_follows_the_officer_and_the_hold_ends_with_the_outcome(
    sign_in: Callable[..., Client],
    analyst: User,
    liaison_a: User,
    liaison_b: User,
    orgs: Orgs,
    one_subject: Subject,
    both_forces: tuple[Referral, Referral],
) -> None:
    first, second = both_forces
    User.objects.filter(pk=liaison_a.pk).update(first_name="Lee", last_name="Park")
    liaison_a.refresh_from_db()
    client_a = sign_in(liaison_a)
    assert client_a.post(reverse("referrals:acknowledge", args=[first.uid])).status_code == 302
    b_url = reverse("referrals:detail", args=[second.uid])
    assert "contact Lee Park, lee@example.org" in sign_in(liaison_b).get(b_url).content.decode()
    action = client_a.post(reverse("referrals:action", args=[first.uid]), {"action-notes": ""})
    assert action.status_code == 400 and "Say what the force has done" in action.content.decode()
    client_a.post(reverse("referrals:action", args=[first.uid]), {"action-notes": "Visited the address."})
    response = client_a.post(
        reverse("referrals:outcome", args=[first.uid]), {"outcome-outcome": Outcome.SAFEGUARDED}
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.state, first.outcome, first.action_notes) == (
        State.OUTCOME,
        Outcome.SAFEGUARDED,
        "Visited the address.",
    )
    assert "Held by Northshire" not in sign_in(liaison_b).get(b_url).content.decode()
    assert [h.organisation for h in held_by_subject(one_subject)] == [orgs.force_b]
    with pytest.raises(ReferralError, match="already outcome recorded"):
        record_outcome(first, outcome=Outcome.CHARGED, notes="", actor=liaison_a)


def test_a_shared_identifier_is_held_even_when_the_people_are_kept_apart(
    analyst: User, admin_user: User, liaison_b: User, orgs: Orgs
) -> None:
    reports = submit(
        orgs,
        report_of("R1", person(ident("email", "quiet.fox@gmail.com"))),
        report_of("R3", person(ident("email", "quietfox@gmail.com"), ident("phone", "07700 900556"))),
    )
    grade_all(analyst, *reports)
    both = subject_of("R1")
    split_subject(
        both,
        [Member.objects.get(report__external_id="R3").pk],
        reason="different people share one account",
        actor=analyst,
    )
    held_subject, other = subject_of("R1"), subject_of("R3")
    assert held_subject != other
    first = send_referral(held_subject, orgs.force_a, summary=SUMMARY_A, actor=analyst)
    [held] = held_by_subject(other)
    assert (held.organisation, held.same_people) == (orgs.force_a, False)
    assert [v.canonical for v in held.through] == ["quietfox@gmail.com"]
    second = send_referral(other, orgs.force_b, summary=SUMMARY_B, actor=analyst)
    assert [h.hold for h in held_by_subject(held_subject)] == [first.hold, second.hold]
    # Once the address is warninglisted it links nothing, and so holds nothing.
    add_exclusion("email", "quietfox@gmail.com", reason="a shared family account", actor=admin_user)
    assert held_by_subject(other) == [h for h in held_by_subject(other) if h.same_people]
    assert held_by_subject(other)[0].hold == second.hold


def test_every_report_must_be_graded_and_conditions_travel(
    sign_in: Callable[..., Client], analyst: User, liaison_a: User, orgs: Orgs
) -> None:
    first, second = submit(
        orgs,
        report_of("R1", person(ident("phone", "07700 900557"))),
        report_of("R2", person(ident("phone", "+44 7700 900557"))),
    )
    subject = subject_of("R1")
    client = sign_in(analyst)
    url = reverse("referrals:new", args=[subject.uid])
    form = client.get(url).content.decode()
    assert first.reference in form and second.reference in form  # the reports still to grade
    grade_all(analyst, first)
    response = client.post(url, {"force": orgs.force_a.pk, "summary": "Refer this."})
    assert response.status_code == 400
    assert f"not graded: {second.reference}" in response.content.decode()
    assert not Referral.objects.exists()
    grade_all(analyst, second, handling="C", conditions="Not to be shared outside policing.")
    no_summary = client.post(url, {"force": orgs.force_a.pk, "summary": " "})
    assert no_summary.status_code == 400 and "Write a summary" in no_summary.content.decode()
    not_a_force = client.post(url, {"force": orgs.platform.pk, "summary": "Refer this."})
    assert (
        not_a_force.status_code == 400 and "Choose one of the forces listed" in not_a_force.content.decode()
    )
    response = client.post(url, {"force": orgs.force_a.pk, "summary": "Refer this."})
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert {r.pk for r in referral.reports.all()} == {first.pk, second.pk}
    page = sign_in(liaison_a).get(reverse("referrals:detail", args=[referral.uid])).content.decode()
    assert "B3C: Not to be shared outside policing." in page and "Handling conditions apply" in page
    assert "B3P" in page


def test_only_the_force_it_was_sent_to_answers_and_only_forwards(
    sign_in: Callable[..., Client],
    analyst: User,
    liaison_a: User,
    liaison_b: User,
    orgs: Orgs,
    one_subject: Subject,
) -> None:
    referral = send_referral(one_subject, orgs.force_a, summary=SUMMARY_A, actor=analyst)
    with pytest.raises(ReferralError, match="only the force"):
        acknowledge_referral(referral, actor=liaison_b)
    assert sign_in(liaison_b).post(reverse("referrals:acknowledge", args=[referral.uid])).status_code == 404
    assert sign_in(analyst).post(reverse("referrals:acknowledge", args=[referral.uid])).status_code == 403
    with pytest.raises(ReferralError, match="already sent"):
        record_action(referral, notes="too early", actor=liaison_a)
    acknowledge_referral(referral, actor=liaison_a)
    with pytest.raises(ReferralError, match="already acknowledged"):
        acknowledge_referral(referral, actor=liaison_a)
    assert sign_in(liaison_a).post(reverse("referrals:new", args=[one_subject.uid])).status_code == 403


def test_lists_show_each_force_its_own_and_the_subject_page_shows_holds(
    sign_in: Callable[..., Client],
    analyst: User,
    liaison_a: User,
    liaison_b: User,
    partner: User,
    orgs: Orgs,
    one_subject: Subject,
    both_forces: tuple[Referral, Referral],
) -> None:
    first, second = both_forces
    listed = sign_in(liaison_a).get(reverse("referrals:list")).content.decode()
    assert first.reference in listed and second.reference not in listed
    everything = sign_in(analyst).get(reverse("referrals:list"))
    assert [r.pk for r in everything.context["page"].object_list] == [second.pk, first.pk]
    assert (
        sign_in(analyst).get(reverse("referrals:list"), {"state": "outcome"}).context["page"].paginator.count
        == 0
    )
    assert sign_in(partner).get(reverse("referrals:list")).status_code == 403
    subject_page = sign_in(analyst).get(reverse("intel:subject", args=[one_subject.uid])).content.decode()
    assert f"Northshire Police ({first.reference})" in subject_page
    assert f"Westmoor Constabulary ({second.reference})" in subject_page
