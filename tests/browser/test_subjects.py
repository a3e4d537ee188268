"""The subject pages in chromium: axe on every state, and the network graph drawn by cytoscape.js under the
strict content security policy."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from haven.accounts.models import User
from haven.intel.models import Member
from tests.browser.conftest import axe_violations, csp_violations
from tests.browser.test_pages import check_page
from tests.conftest import Orgs
from tests.intel.conftest import ident, person, report_of, submit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def subject_url(orgs: Orgs) -> str:
    submit(
        orgs,
        report_of("B1", person(ident("email", "browser.case@gmail.com"), ident("ip", "192.0.2.81"))),
        report_of("B2", person(ident("email", "BrowserCase@gmail.com"), ident("phone", "07700 900811"))),
        report_of("B3", person(ident("phone", "07700 900812"), ident("ip", "192.0.2.81"))),
    )
    subject = Member.objects.get(report__external_id="B1").subject
    assert subject is not None
    return f"/staff/subjects/{subject.uid}/"


def test_subject_pages_are_accessible(
    axe_page: Page,
    live_server: LiveServer,
    supervisor: User,
    admin_user: User,
    subject_url: str,
    sign_in_browser: Callable[..., None],
) -> None:
    base = live_server.url
    sign_in_browser(axe_page, base, supervisor)
    problems = {url: check_page(axe_page, base + url) for url in ["/staff/subjects/", subject_url]}
    problems["search with an error"] = check_page(
        axe_page, f"{base}/staff/subjects/?kind=phone&value=call+me"
    )
    axe_page.goto(base + subject_url)
    with axe_page.expect_navigation():
        axe_page.get_by_role("button", name="Merge").click()  # nothing filled in: errors
    assert "Enter the other subject" in axe_page.content()
    problems["merge with errors"] = axe_violations(axe_page)
    axe_page.goto(base + subject_url)
    axe_page.get_by_role("link", name="Grade").first.click()
    axe_page.wait_for_load_state("networkidle")
    problems["grading"] = axe_violations(axe_page)
    axe_page.get_by_label("B: untested").check()
    axe_page.get_by_label("3: not known personally to the source, but corroborated").check()
    axe_page.get_by_label("C: lawful sharing permitted with conditions").check()
    with axe_page.expect_navigation():
        axe_page.get_by_role("button", name="Save the grading").click()  # C without conditions: an error
    assert "handling code C needs its conditions" in axe_page.content()
    problems["grading with an error"] = axe_violations(axe_page)
    problems["graph"] = check_page(axe_page, f"{base}{subject_url}graph/")
    sign_in_browser(axe_page, base, admin_user)
    problems["exclusions"] = check_page(axe_page, f"{base}/staff/subjects/exclusions/")
    assert problems == {name: [] for name in problems}


def test_the_graph_draws_and_expands_within_the_csp(
    page: Page,
    live_server: LiveServer,
    analyst: User,
    subject_url: str,
    sign_in_browser: Callable[..., None],
) -> None:
    sign_in_browser(page, live_server.url, analyst)
    page.goto(f"{live_server.url}{subject_url}graph/")
    status = page.locator("#haven-graph-status")
    status.filter(has_text="nodes shown").wait_for()
    shown = int(status.inner_text().split()[0])
    assert shown >= 5  # the subject, two reports, and their identifiers
    assert page.locator("#haven-graph canvas").count() > 0
    assert csp_violations(page) == []
