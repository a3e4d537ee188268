"""The referral pages in chromium, with axe: the analyst's form with a hold and with errors, and a force's
view of its referral, with the other force's hold and the answer forms, also with errors."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from haven.accounts.models import User
from haven.intel.actions import grade_report
from haven.intel.models import Member
from haven.referrals.actions import acknowledge_referral, send_referral
from tests.browser.conftest import axe_violations
from tests.browser.test_pages import check_page
from tests.conftest import Orgs
from tests.intel.conftest import ident, person, report_of, submit

pytestmark = pytest.mark.django_db(transaction=True)


def test_referral_pages_are_accessible(
    axe_page: Page,
    live_server: LiveServer,
    analyst: User,
    liaison_a: User,
    liaison_b: User,
    orgs: Orgs,
    sign_in_browser: Callable[..., None],
) -> None:
    reports = submit(
        orgs,
        report_of("F1", person(ident("email", "force.case@gmail.com"), ident("ip", "192.0.2.91"))),
        report_of("F2", person(ident("email", "ForceCase@gmail.com"))),
    )
    for report, handling in zip(reports, "PC", strict=True):
        grade_report(
            report, source="A", assessment="2", handling=handling, conditions="Police only.", actor=analyst
        )
    subject = Member.objects.get(report__external_id="F1").subject
    assert subject is not None
    held = send_referral(subject, orgs.force_b, summary="Sent to Westmoor first.", actor=analyst)
    acknowledge_referral(held, actor=liaison_b)
    base = live_server.url
    sign_in_browser(axe_page, base, analyst)
    new_url = f"/staff/referrals/new/{subject.uid}/"
    problems = {"form with a hold": check_page(axe_page, base + new_url)}
    assert "Held by Westmoor Constabulary" in axe_page.content()
    with axe_page.expect_navigation():
        axe_page.get_by_role("button", name="Send the referral").click()  # no summary: an error
    assert "Write a summary for the force" in axe_page.content()
    problems["form with errors"] = axe_violations(axe_page)
    axe_page.get_by_label("Summary for the force").fill("Two reports of one adult; see the gradings.")
    with axe_page.expect_navigation():
        axe_page.get_by_role("button", name="Send the referral").click()
    problems["list"] = check_page(axe_page, base + "/staff/referrals/")
    problems["route"] = check_page(axe_page, f"{base}/staff/referrals/route/{reports[0].uid}/")
    with axe_page.expect_navigation():
        axe_page.get_by_role("button", name="Confirm the force").click()  # none chosen: an error
    assert "Choose the force" in axe_page.content()
    problems["route with errors"] = axe_violations(axe_page)
    problems["access"] = check_page(axe_page, f"{base}/staff/queue/subjects/{subject.uid}/access/")
    axe_page.get_by_label("Yes").check()
    with axe_page.expect_navigation():
        axe_page.get_by_role("button", name="Save").click()  # no reason: an error
    assert "Say what gives this person access to children" in axe_page.content()
    problems["access with errors"] = axe_violations(axe_page)
    sign_in_browser(axe_page, base, liaison_a)
    axe_page.goto(base + "/staff/referrals/")
    with axe_page.expect_navigation():
        axe_page.get_by_role("link", name="REF-").click()
    assert "Held by Westmoor Constabulary, contact lou" in axe_page.content()
    assert "Sent to Westmoor first." not in axe_page.content()
    problems["referral to acknowledge"] = axe_violations(axe_page)
    referral_url = axe_page.url
    with axe_page.expect_navigation():
        axe_page.get_by_role("link", name="The referral package").click()
    assert "Why it matters: the risk reasons" in axe_page.content()
    problems["package"] = axe_violations(axe_page)
    axe_page.goto(referral_url)
    with axe_page.expect_navigation():
        axe_page.get_by_role("button", name="Acknowledge").click()
    with axe_page.expect_navigation():
        axe_page.get_by_role("button", name="Record the outcome and close").click()  # none chosen
    assert "Choose an outcome" in axe_page.content()
    problems["outcome with errors"] = axe_violations(axe_page)
    assert problems == {name: [] for name in problems}
