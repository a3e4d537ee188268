"""End to end in chromium: sign-in with two factors, Exit this page, no CSP breakage, WCAG 2.2 AA with axe."""

from __future__ import annotations

import re
from base64 import b32decode
from collections.abc import Callable

import pytest
from django.conf import settings
from django_otp.oath import totp
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from haven.accounts.models import User
from haven.advice import content
from haven.audit.models import AuditEntry
from haven.hashbank.actions import add_records, get_or_create_list
from haven.hashbank.importing import RecordInput
from haven.hashbank.models import BankRecord
from haven.intake.actions import Processed, Submitted, process_report, submit_reports
from haven.intake.schemas import ReportIn
from haven.triage.models import Priority
from tests.browser.conftest import axe_violations, csp_violations, sign_in_with_password
from tests.conftest import verified_device
from tests.intake.conftest import a_report

pytestmark = pytest.mark.django_db(transaction=True)


def test_first_sign_in_sets_up_totp_then_signs_in(page: Page, live_server: LiveServer, analyst: User) -> None:
    User.objects.filter(pk=analyst.pk).update(password_is_one_time=True)  # as `haven createuser` leaves it
    sign_in_with_password(page, live_server.url, "alice")
    page.wait_for_url(re.compile(r"/staff/two-factor/"))
    assert page.get_by_role("heading", level=1).inner_text() == "Set up your authenticator app"
    secret = page.get_by_test_id("totp-secret").inner_text()
    page.get_by_label("Security code").fill(f"{totp(b32decode(secret)):06d}")
    page.get_by_role("button", name="Confirm and continue").click()
    page.wait_for_url(re.compile(r"/staff/password/"))
    assert page.get_by_role("heading", level=1).inner_text() == "Choose your password"
    page.get_by_label("New password", exact=True).fill("a-long-password-of-her-own-2026")
    page.get_by_label("New password confirmation").fill("a-long-password-of-her-own-2026")
    page.get_by_role("button", name="Save my password").click()
    page.wait_for_url(re.compile(r"/staff/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Haven"
    expect(
        page.get_by_role("navigation", name="Primary navigation").get_by_role("link", name="Reports")
    ).to_be_visible()
    assert csp_violations(page) == []
    assert AuditEntry.objects.filter(actor="alice", action="auth.2fa_verified").exists()


def test_returning_sign_in_asks_for_the_code(page: Page, live_server: LiveServer, supervisor: User) -> None:
    device = verified_device(supervisor)
    sign_in_with_password(page, live_server.url, "sam")
    page.wait_for_url(re.compile(r"/staff/two-factor/"))
    page.get_by_label("Security code").fill("000000" if totp(device.bin_key) != 0 else "111111")
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("The security code is not correct").first).to_be_visible()
    page.wait_for_timeout(1100)  # django-otp throttles the next try for 1 s after a failure
    page.get_by_label("Security code").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/staff/$"))
    page.get_by_role("navigation", name="Primary navigation").get_by_role("link", name="Audit").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Audit trail"


# Exit this page goes to /exit/, which ends the session and redirects offsite. Playwright does not route a
# request made by following a redirect, so these tests watch the redirect itself rather than the offsite page.
def test_exit_this_page_button(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/")
    assert_exits(page, lambda: page.get_by_role("button", name="Emergency Exit this page").click())


def test_exit_this_page_with_shift_three_times(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/advice/young-people/")
    page.wait_for_selector("body.govuk-frontend-supported")
    page.get_by_role("heading", level=1).click()  # the page focused, on no link

    def shift_three_times() -> None:
        for _ in range(3):
            page.keyboard.press("Shift")

    assert_exits(page, shift_three_times)


def assert_exits(page: Page, act: Callable[[], None]) -> None:
    with page.expect_response(re.compile(r"/exit/$")) as left:
        act()
    assert left.value.status == 302
    assert left.value.headers["location"] == settings.EXIT_PAGE_URL


def test_two_shift_presses_do_not_exit(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/")
    page.wait_for_selector("body.govuk-frontend-supported")
    page.locator("body").click()
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    page.wait_for_timeout(1500)
    assert page.url == f"{live_server.url}/"


# Every public page a person can reach by a link: each audience, each advice page, the report form's start,
# the self-referral pages and the error page. The report form's steps and the pages reached by sending a
# form are checked in test_report_form.py and test_self_referral.py.
PUBLIC_PAGES = [
    "/", "/advice/young-people/", "/advice/search/", "/report/", "/remove/", "/remove/send/",
    "/remove/status/", "/no-such-page/",
    *[f"/advice/{slug}/" for slug in content.AUDIENCES],
    *[page.url for page in content.pages()],
]  # fmt: skip
STAFF_PAGES = [
    "/staff/",
    "/staff/reports/",
    "/staff/queue/",
    "/staff/hashbank/",
    "/staff/audit/",
    "/staff/audit/?date_from=bad",
]


def check_page(page: Page, url: str) -> list[str]:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return axe_violations(page)


def test_public_pages_are_accessible(axe_page: Page, live_server: LiveServer, db: None) -> None:
    problems = {url: check_page(axe_page, live_server.url + url) for url in PUBLIC_PAGES}
    assert problems == {url: [] for url in PUBLIC_PAGES}


def test_sign_in_pages_are_accessible(
    axe_page: Page, live_server: LiveServer, analyst: User, grader: User
) -> None:
    base = live_server.url
    problems = {"login": check_page(axe_page, f"{base}/staff/login/")}
    sign_in_with_password(axe_page, base, "alice", "wrong")
    problems["login with errors"] = axe_violations(axe_page)
    User.objects.filter(pk=analyst.pk).update(password_is_one_time=True)
    sign_in_with_password(axe_page, base, "alice")
    axe_page.wait_for_url(re.compile(r"/staff/two-factor/"))
    problems["two-factor setup"] = axe_violations(axe_page)
    with axe_page.expect_navigation():
        axe_page.get_by_role("button", name="Confirm and continue").click()
    problems["two-factor with errors"] = axe_violations(axe_page)
    secret = axe_page.get_by_test_id("totp-secret").inner_text()
    axe_page.get_by_label("Security code").fill(f"{totp(b32decode(secret)):06d}")
    with axe_page.expect_navigation():
        axe_page.get_by_role("button", name="Confirm and continue").click()
    problems["choose a password"] = axe_violations(axe_page)
    with axe_page.expect_navigation():
        axe_page.get_by_role("button", name="Save my password").click()
    problems["choose a password with errors"] = axe_violations(axe_page)
    axe_page.context.clear_cookies()
    sign_in_with_password(axe_page, base, "gita")
    axe_page.wait_for_url(re.compile(r"/staff/two-factor/"))
    problems["no authenticator"] = axe_violations(axe_page)
    axe_page.context.clear_cookies()
    for _ in range(5):
        sign_in_with_password(axe_page, base, "gita", "wrong")
    assert "Too many sign-in attempts" in axe_page.content()
    problems["locked out"] = axe_violations(axe_page)
    assert problems == {name: [] for name in problems}


def test_staff_pages_are_accessible(
    axe_page: Page,
    live_server: LiveServer,
    supervisor: User,
    grader: User,
    liaison_a: User,
    sign_in_browser: Callable[..., None],
) -> None:
    national = get_or_create_list("national")  # a live-server test's flush removes migration-made rows
    add_records([RecordInput(sha256="ab" * 32, pdq="cd" * 32, category="B", series="S-1")], national)
    record_url = f"/staff/hashbank/records/{BankRecord.objects.get().pk}/"
    sign_in_browser(axe_page, live_server.url, supervisor)
    (submitted,) = submit_reports(
        [ReportIn.model_validate(a_report("AXE-1"))], organisation=None, source="public", finished=True
    )
    assert isinstance(submitted, Submitted)
    report_url = f"/staff/reports/{submitted.report.uid}/"
    assert process_report(submitted.report.pk, Processed())
    priority_url = f"/staff/queue/{Priority.objects.get(report=submitted.report).pk}/"
    pages = [*STAFF_PAGES, "/staff/hashbank/lists/", record_url, report_url, priority_url]
    problems = {url: check_page(axe_page, live_server.url + url) for url in pages}
    axe_page.goto(live_server.url + record_url)
    with axe_page.expect_navigation():
        axe_page.get_by_role("button", name="Save my verdict").click()  # nothing chosen: an error
    assert "Select a category" in axe_page.content()
    problems["record with an error"] = axe_violations(axe_page)
    axe_page.get_by_label("Category A").check()
    with axe_page.expect_navigation():
        axe_page.get_by_role("button", name="Save my verdict").click()
    assert "Saved your verdict" in axe_page.content()
    problems["record after a verdict"] = axe_violations(axe_page)
    axe_page.goto(live_server.url + report_url)
    with axe_page.expect_navigation():
        axe_page.get_by_role("button", name="Add the note").click()  # empty: an error
    assert "Enter the note" in axe_page.content()
    problems["report with an error"] = axe_violations(axe_page)
    axe_page.goto(live_server.url + priority_url)
    axe_page.get_by_label("Band").select_option("P1")
    with axe_page.expect_navigation():
        axe_page.get_by_role("button", name="Save the band").click()  # no reason: an error
    assert "Say why the band is overridden" in axe_page.content()
    problems["priority with an error"] = axe_violations(axe_page)
    sign_in_browser(axe_page, live_server.url, liaison_a)
    problems["refer a case"] = check_page(axe_page, f"{live_server.url}/staff/reports/refer/")
    with axe_page.expect_navigation():
        axe_page.get_by_role("button", name="Send to the centre").click()  # empty: errors
    assert "Enter what happened" in axe_page.content()
    problems["refer a case with errors"] = axe_violations(axe_page)
    sign_in_browser(axe_page, live_server.url, grader)
    problems["403 for a grader"] = check_page(axe_page, f"{live_server.url}/staff/audit/")
    assert "You do not have access" in axe_page.content()
    assert problems == {name: [] for name in problems}


def test_no_page_breaks_the_content_security_policy(
    page: Page, live_server: LiveServer, supervisor: User, sign_in_browser: Callable[..., None]
) -> None:
    violations = {}
    for url in PUBLIC_PAGES:
        page.goto(live_server.url + url)
        page.wait_for_load_state("networkidle")
        violations[url] = csp_violations(page)
    sign_in_browser(page, live_server.url, supervisor)
    for url in [*STAFF_PAGES, "/api/v1/docs"]:
        page.goto(live_server.url + url)
        page.wait_for_load_state("networkidle")
        violations[url] = csp_violations(page)
    assert violations == {url: [] for url in violations}


def test_the_axe_harness_does_find_violations(axe_page: Page) -> None:
    """A control: a page with known faults must fail, or a silent harness would pass everything."""
    axe_page.set_content(
        '<html><head><title>x</title></head><body><img src="x.png"><a href="/"></a></body></html>'
    )
    found = axe_violations(axe_page)
    assert any(line.startswith("image-alt") for line in found)
    assert any(line.startswith("link-name") for line in found)
