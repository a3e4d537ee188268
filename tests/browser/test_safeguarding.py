"""The safeguarding referral pages in chromium, with axe: the analyst's form, with errors and sent; the
agency's list, its referral beside the police referral of the same report (joint working), the document,
and the decision form with errors."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from haven.accounts.actions import create_organisation, create_user
from haven.accounts.models import OrganisationKind, Role, User
from haven.intel.actions import grade_report
from haven.referrals.actions import send_referral
from tests.browser.conftest import axe_violations
from tests.browser.test_pages import check_page
from tests.conftest import PASSWORD, Orgs
from tests.intake.conftest import a_report
from tests.intel.conftest import ident, subject_of, submit

pytestmark = pytest.mark.django_db(transaction=True)


def test_safeguarding_pages_are_accessible(
    axe_page: Page,
    live_server: LiveServer,
    analyst: User,
    orgs: Orgs,
    sign_in_browser: Callable[..., None],
) -> None:
    agency = create_organisation("cs-manchester", "Manchester", OrganisationKind.CHILDREN_SERVICES)
    sue = create_user("sue", role=Role.SAFEGUARDING_LIAISON, organisation=agency, password=PASSWORD,
                      email="sue@example.org")  # fmt: skip
    payload = a_report(
        "B-SG",
        reported_persons=[{"identifiers": [ident("email", "browser.case@example.com")]}],
        victims=[{"age_estimate": 12, "location": {"country": "GB", "postcode": "M2 5DB"}}],
        media=[],
    )
    (report,) = submit(orgs, payload)
    grade_report(report, source="A", assessment="2", handling="P", conditions="", actor=analyst)
    send_referral(subject_of("B-SG"), orgs.force_a, summary="Police case summary.", actor=analyst)
    base = live_server.url
    sign_in_browser(axe_page, base, analyst)
    problems = {"form": check_page(axe_page, f"{base}/staff/referrals/safeguarding/new/{report.uid}/")}
    assert "Proposed from the child's location" in axe_page.content()
    with axe_page.expect_navigation():
        axe_page.get_by_role("button", name="Send the safeguarding referral").click()  # no summary: an error
    assert "Say what is known of the harm" in axe_page.content()
    problems["form with errors"] = axe_violations(axe_page)
    axe_page.get_by_label("What is known of the harm").fill("A platform saw an adult ask the child to meet.")
    with axe_page.expect_navigation():
        axe_page.get_by_role("button", name="Send the safeguarding referral").click()
    problems["sent, as the centre sees it"] = axe_violations(axe_page)
    sign_in_browser(axe_page, base, sue)
    problems["list"] = check_page(axe_page, base + "/staff/referrals/safeguarding/")
    with axe_page.expect_navigation():
        axe_page.get_by_role("link", name="SGR-").click()
    content = axe_page.content()
    assert "Joint working" in content and "Northshire Police</strong> holds REF-" in content
    assert "Police case summary." not in content
    problems["referral to acknowledge"] = axe_violations(axe_page)
    referral_url = axe_page.url
    with axe_page.expect_navigation():
        axe_page.get_by_role("link", name="The referral as a document").click()
    problems["document"] = axe_violations(axe_page)
    axe_page.goto(referral_url)
    with axe_page.expect_navigation():
        axe_page.get_by_role("button", name="Acknowledge").click()
    with axe_page.expect_navigation():
        axe_page.get_by_role("button", name="Record the decision").click()  # none chosen: an error
    assert "Choose a decision" in axe_page.content()
    problems["decision with errors"] = axe_violations(axe_page)
    assert problems == {name: [] for name in problems}
