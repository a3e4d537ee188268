"""The public reporting form in chromium: accessible on every page and in its error states, and complete
without JavaScript."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page
from pytest_django.live_server_helper import LiveServer

from haven.intake.models import Report
from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def no_js_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(java_script_enabled=False)
    context.route(
        lambda url: not url.startswith(("http://localhost", "http://127.0.0.1")), lambda r: r.abort()
    )
    yield context.new_page()
    context.close()


def walk(page: Page, base: str, check: bool) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}

    def note(name: str) -> None:
        if check:
            problems[name] = axe_violations(page)

    def go_on() -> None:
        with page.expect_navigation():
            page.get_by_role("button", name="Continue").click()

    page.goto(f"{base}/report/")
    note("start")
    with page.expect_navigation():
        page.get_by_role("button", name="Start now").click()
    note("who")
    go_on()
    note("who, with an error")
    page.get_by_label("A parent or carer").check()
    go_on()
    page.get_by_label("Someone online is talking to a child").check()
    page.get_by_label("Tell us what happened").fill("An adult keeps messaging my child on a game.")
    note("what")
    go_on()
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("2026")
    go_on()
    note("when, with an error")
    page.get_by_label("Day").fill("3")
    page.get_by_label("Month").fill("11")
    go_on()
    page.get_by_label("Their username").fill("gamer_0001")
    page.get_by_label("The app, game or website").fill("examplegame")
    note("who did it")
    go_on()
    note("messages")
    go_on()
    note("outcome")
    go_on()
    go_on()
    note("contact, with an error")
    page.get_by_label("Email address").fill("parent@example.com")
    go_on()
    note("check your answers")
    with page.expect_navigation():
        page.get_by_role("button", name="Send the report").click()
    assert "Report sent" in page.content()
    note("confirmation")
    return problems


def test_every_page_of_the_form_is_accessible(axe_page: Page, live_server: LiveServer) -> None:
    problems = walk(axe_page, live_server.url, check=True)
    assert len(problems) == 11
    assert problems == {name: [] for name in problems}
    assert Report.objects.get().source == "public"


def test_the_form_works_without_javascript(no_js_page: Page, live_server: LiveServer) -> None:
    walk(no_js_page, live_server.url, check=False)
    report = Report.objects.get()
    assert report.payload["reporter"]["contact_email"] == "parent@example.com"
    assert no_js_page.get_by_text(report.reference).is_visible()
