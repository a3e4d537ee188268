"""The insights dashboards in chromium: Vega-Lite draws every chart under the strict CSP, each chart keeps
its data table, the pages pass axe, and without JavaScript the server's SVG charts remain."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from haven.accounts.models import User
from haven.insights.queries import DASHBOARDS
from tests.browser.conftest import axe_violations, csp_violations
from tests.insights.conftest import history  # noqa: F401  (the fixture: months of synthetic reports)

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = [f"/staff/insights/{slug}/" for slug in DASHBOARDS] + ["/staff/insights/trends/"]


def test_every_dashboard_draws_its_charts_and_passes_axe(
    page: Page,
    axe_page: Page,
    live_server: LiveServer,
    sign_in_browser: Callable[..., None],
    analyst: User,
    history: date,  # noqa: F811
) -> None:
    base = live_server.url
    sign_in_browser(page, base, analyst)
    axe_page.context.add_cookies(page.context.cookies())  # type: ignore[arg-type]  # one session: a code is good once
    problems: dict[str, list[str]] = {}
    for url in PAGES:
        page.goto(base + url)
        figures = page.locator("[data-chart]")
        count = figures.count()
        assert count > 0 or url.endswith("/referrals/"), url  # the history has no referrals
        expect(page.locator('[data-drawn="vega"]')).to_have_count(count, timeout=20_000)
        assert page.locator("[data-drawn='vega'] svg").count() == count, url
        # Each chart's table has a row for every x its specification draws.
        for i in range(count):
            slug = figures.nth(i).get_attribute("data-chart")
            assert slug is not None
            spec = page.locator(f"#{slug}").text_content() or "{}"
            xs = len({v["x"] for v in json.loads(spec)["data"]["values"]})
            rows = page.locator(f'table[data-table-for="{slug.removeprefix("spec-")}"] tbody tr').count()
            assert rows == max(xs, 1), f"{url} {slug}"
        assert csp_violations(page) == [], url
        axe_page.goto(base + url)
        expect(axe_page.locator('[data-drawn="vega"]')).to_have_count(count, timeout=20_000)
        problems[url] = axe_violations(axe_page)
    assert problems == {url: [] for url in PAGES}


def test_without_javascript_the_server_draws_the_charts(
    browser: Browser,
    live_server: LiveServer,
    sign_in_browser: Callable[..., None],
    analyst: User,
    history: date,  # noqa: F811
) -> None:
    context = browser.new_context(java_script_enabled=False)
    context.route(
        lambda url: not url.startswith(("http://localhost", "http://127.0.0.1")), lambda r: r.abort()
    )
    try:
        page = context.new_page()
        sign_in_browser(page, live_server.url, analyst)
        page.goto(live_server.url + "/staff/insights/reports/")
        figures = page.locator("[data-chart]")
        assert figures.count() > 0
        assert page.locator("[data-chart] svg.haven-chart__svg").count() == figures.count()
        assert page.locator("[data-drawn]").count() == 0
        expect(page.get_by_role("img", name="Reports by source")).to_be_visible()
    finally:
        context.close()
