"""The work queue and a priority's page: order, clocks, filters, need to know, overrides, audit."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from haven.accounts.models import User
from haven.audit.models import AuditEntry
from haven.intake.models import Report
from haven.intel.actions import grade_report
from haven.intel.models import Member
from haven.referrals.actions import (
    ReferralError,
    acknowledge_referral,
    confirm_route,
    propose_route,
    record_outcome,
    send_referral,
)
from haven.referrals.models import Outcome, ProposedRoute
from haven.triage.models import Priority
from haven.triage.views import clock
from tests.conftest import Orgs
from tests.triage.conftest import processed, report

pytestmark = pytest.mark.django_db


def scored(orgs: Orgs, n: int) -> list[Priority]:
    reports = processed(orgs, *(report(f"Q-{i}") for i in range(n)))
    return [Priority.objects.get(report=r) for r in reports]


def test_the_queue_puts_the_most_urgent_band_first_then_the_nearest_deadline(
    orgs: Orgs, analyst: User, sign_in: Callable[..., Client], django_assert_max_num_queries: Any
) -> None:
    priorities = scored(orgs, 6)
    now = timezone.now()
    # Bands and deadlines set by hand, in an order that neither received time nor id would give.
    plan = [("P3", 5), ("P1", 30), ("P2", -60), ("P1", -10), ("P4", None), ("P2", 120)]
    for priority, (band, minutes) in zip(priorities, plan, strict=True):
        deadline = now + timedelta(minutes=minutes) if minutes is not None else None
        Priority.objects.filter(pk=priority.pk).update(effective_band=band, band=band, deadline=deadline)
    client = sign_in(analyst)
    # Two for the page (count and rows, whatever their number), the rest the session, the person, their
    # authenticator and organisation, the audit entry, and the savepoints of the test's transaction; the
    # benchmark counts the same page outside a test (bench/queue.py).
    with django_assert_max_num_queries(12):
        page = client.get("/staff/queue/")
    assert page.status_code == 200
    html = page.content.decode()
    order = [html.index(f"/staff/reports/{p.report.uid}/") for p in priorities]  # type: ignore[union-attr]
    expected = [3, 1, 2, 5, 0, 4]  # P1 overdue, P1, P2 overdue, P2, P3, P4
    assert sorted(range(6), key=lambda i: order[i]) == expected
    assert html.count('govuk-tag govuk-tag--red">Overdue by') == 2
    assert "No deadline" in html


def test_filters_by_band_assignee_and_overdue(
    orgs: Orgs, analyst: User, sign_in: Callable[..., Client]
) -> None:
    mine, theirs, late = scored(orgs, 3)
    Report.objects.filter(pk=int(mine.report_id or 0)).update(assignee=analyst)
    Priority.objects.filter(pk=late.pk).update(deadline=timezone.now() - timedelta(hours=2))
    client = sign_in(analyst)

    def shown(query: str) -> set[int]:
        html = client.get(f"/staff/queue/?{query}").content.decode()
        return {p.pk for p in (mine, theirs, late) if f"/staff/queue/{p.pk}/" in html}

    assert shown("assignee=me") == {mine.pk}
    assert shown("assignee=none") == {theirs.pk, late.pk}
    assert shown("overdue=on") == {late.pk}
    assert shown(f"band={mine.effective_band}") == {mine.pk, theirs.pk, late.pk}
    assert shown("band=P1" if mine.effective_band != "P1" else "band=P4") == set()
    assert client.get("/staff/queue/?band=P9").status_code == 400
    assert AuditEntry.objects.filter(action="triage.queue").count() == 6


def test_a_supervisor_overrides_a_band_and_an_analyst_cannot(
    orgs: Orgs, analyst: User, supervisor: User, sign_in: Callable[..., Client]
) -> None:
    (priority,) = scored(orgs, 1)
    url = f"/staff/queue/{priority.pk}/"
    analyst_page = sign_in(analyst).get(url)
    assert analyst_page.status_code == 200 and "Override the band" not in analyst_page.content.decode()
    assert sign_in(analyst).post(url + "override/", {"band": "P1", "reason": "x"}).status_code == 403
    boss = sign_in(supervisor)
    missing = boss.post(url + "override/", {"band": "P1", "reason": " "})
    assert missing.status_code == 400 and "Say why the band is overridden" in missing.content.decode()
    done = boss.post(url + "override/", {"band": "P1", "reason": "the child is with the adult now"})
    assert done.status_code == 302
    after = Priority.objects.get(pk=priority.pk)
    assert (after.effective_band, after.band, after.override_by) == ("P1", priority.band, supervisor)
    html = boss.get(url).content.decode()
    assert f'Computed band</dt><dd class="govuk-summary-list__value">{after.get_band_display()}' in html
    views = AuditEntry.objects.filter(action="triage.priority_view", object_id=str(priority.report_id))
    assert views.count() == 3  # the analyst's view, the supervisor's form sent back, and the page after


def test_a_liaison_officer_has_no_queue(orgs: Orgs, liaison_a: User, sign_in: Callable[..., Client]) -> None:
    (priority,) = scored(orgs, 1)
    client = sign_in(liaison_a)
    assert client.get("/staff/queue/").status_code == 403
    assert client.get(f"/staff/queue/{priority.pk}/").status_code == 403


def test_the_clock_says_how_long_is_left_or_how_late() -> None:
    now = timezone.now()
    assert clock(now + timedelta(minutes=42), now) == ("42 min left", False)
    assert clock(now + timedelta(hours=3, minutes=5), now) == ("3 h 5 min left", False)
    assert clock(now - timedelta(days=2, hours=1), now) == ("overdue by 2 d 1 h", True)
    assert clock(None, now) == ("no deadline", False)


def test_a_referred_report_leaves_the_queue_and_comes_back_if_sent_back(
    orgs: Orgs, analyst: User, liaison_a: User, sign_in: Callable[..., Client]
) -> None:
    (priority,) = scored(orgs, 1)
    report_ = Report.objects.get(pk=int(priority.report_id or 0))
    grade_report(report_, source="B", assessment="3", handling="P", conditions="", actor=analyst)
    subject = Member.objects.get(report=report_).subject
    assert subject is not None
    client = sign_in(analyst)
    assert f"/staff/queue/{priority.pk}/" in client.get("/staff/queue/").content.decode()
    referral = send_referral(subject, orgs.force_a, summary="The adult met the child.", actor=analyst)
    assert f"/staff/queue/{priority.pk}/" not in client.get("/staff/queue/").content.decode()
    acknowledge_referral(referral, actor=liaison_a)
    with pytest.raises(ReferralError, match="say whose area it is"):
        record_outcome(referral, outcome=Outcome.NOT_THIS_FORCE, notes=" ", actor=liaison_a)
    confirm_route(report_, orgs.force_a, actor=analyst)
    reason = "Lives in Westmoor since May, by the council tax record"
    record_outcome(referral, outcome=Outcome.NOT_THIS_FORCE, notes=reason, actor=liaison_a)
    queue = client.get("/staff/queue/").content.decode()
    assert f"/staff/queue/{priority.pk}/" in queue
    # Back with its reason, and its route open again for the analyst, even though it had been confirmed.
    assert "Sent back" in queue and f"by {orgs.force_a.slug}: {reason}" in queue
    route = ProposedRoute.objects.get(report=report_)
    assert (route.force, route.confirmed_force, route.sent_back_by) == ("", "", orgs.force_a.slug)
    # Processed again, the postcode settles on its force (Greater Manchester), but never on the force that
    # sent it back.
    propose_route(report_)
    route.refresh_from_db()
    assert route.force == "greater-manchester" and route.sent_back_reason == reason
    ProposedRoute.objects.filter(pk=route.pk).update(sent_back_by="greater-manchester")
    propose_route(report_)
    route.refresh_from_db()
    assert route.force == "" and [f["code"] for f in route.forces] == ["greater-manchester"]


def test_the_report_and_subject_pages_show_their_priority(
    orgs: Orgs, analyst: User, sign_in: Callable[..., Client]
) -> None:
    (priority,) = scored(orgs, 1)
    report_ = Report.objects.get(pk=int(priority.report_id or 0))
    subject = Member.objects.get(report=report_).subject
    assert subject is not None
    of_subject = Priority.objects.get(subject=subject)
    client = sign_in(analyst)
    report_page = client.get(f"/staff/reports/{report_.uid}/").content.decode()
    assert f'href="/staff/queue/{priority.pk}/">{priority.get_effective_band_display()}</a>' in report_page
    subject_page = client.get(f"/staff/subjects/{subject.uid}/").content.decode()
    shown = of_subject.get_effective_band_display()
    assert f'href="/staff/queue/{of_subject.pk}/">{shown}</a>' in subject_page
    assert "Not scored yet" not in subject_page


def test_the_queue_filters_by_the_proposed_force(
    orgs: Orgs, analyst: User, sign_in: Callable[..., Client]
) -> None:
    call_command("forces", "load", stdout=io.StringIO())
    warwick = report("F-WARWICK", reported_persons=[{"location": {"country": "GB", "postcode": "CV32 4AA"}}])
    manchester, warwickshire = (
        Priority.objects.get(report=r) for r in processed(orgs, report("F-MANCHESTER"), warwick)
    )
    client = sign_in(analyst)
    html = client.get("/staff/queue/?force=warwickshire").content.decode()
    assert f"/staff/queue/{warwickshire.pk}/" in html and f"/staff/queue/{manchester.pk}/" not in html
    assert client.get("/staff/queue/?force=atlantis").status_code == 400
