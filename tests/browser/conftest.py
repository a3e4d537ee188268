"""Playwright driving Debian's chromium (/usr/bin/chromium); never a downloaded browser."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# Playwright's sync API keeps an event loop in this thread; Django's ORM, used by the test itself, would
# otherwise refuse to run next to it. The live server runs in its own thread and is unaffected.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from django_otp.oath import totp
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from haven.accounts.models import User
from tests.conftest import PASSWORD, verified_device
from tests.grading.conftest import evidence, queue_files, unique_copies  # noqa: F401  (the viewer's fixtures)

CHROMIUM = os.environ.get("HAVEN_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # the tests run as root on CI machines
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-gpu",
    "--disable-quic",
]
AXE = Path(__file__).resolve().parents[2] / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

LISTEN_FOR_CSP = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e =>
  window.__cspViolations.push(e.violatedDirective + ' ' + (e.sourceFile || '') + ' ' + (e.sample || '')));
"""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


# Module scope, not session: while Playwright runs, its event loop makes Django treat this thread as async,
# and later tests would then stream responses from a worker thread with a connection of its own.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (make install does on CI)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    context.add_init_script(LISTEN_FOR_CSP)
    # Nothing leaves the machine: any request to another host is answered locally or refused.
    context.route(
        lambda url: not url.startswith(("http://localhost", "http://127.0.0.1")),
        lambda route: (
            route.fulfill(status=200, content_type="text/html", body="<title>Offsite</title>offsite")
            if route.request.url.startswith("https://www.bbc.co.uk/")
            else route.abort()
        ),
    )
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def axe_page(browser: Browser) -> Iterator[Page]:
    """A page for axe-core, which is injected as a script tag that the strict CSP would block: this context
    alone bypasses CSP. Nothing leaves the machine."""
    context = browser.new_context(bypass_csp=True, viewport={"width": 1200, "height": 900})
    context.route(
        lambda url: not url.startswith(("http://localhost", "http://127.0.0.1")), lambda r: r.abort()
    )
    yield context.new_page()
    context.close()


def sign_in_with_password(page: Page, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/staff/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()


@pytest.fixture
def sign_in_browser() -> Callable[..., None]:
    def sign_in(page: Page, base: str, user: User) -> None:
        page.context.clear_cookies()
        device = verified_device(user)
        sign_in_with_password(page, base, user.username)
        page.wait_for_url(re.compile(r"/staff/two-factor/"))
        page.get_by_label("Security code").fill(f"{totp(device.bin_key):06d}")
        page.get_by_role("button", name="Continue").click()
        page.wait_for_url(re.compile(r"/staff/$"))

    return sign_in


def csp_violations(page: Page) -> list[str]:
    return list(page.evaluate("window.__cspViolations || []"))


def axe_violations(page: Page) -> list[str]:
    """Run axe-core on the current page; returns one line per violated rule and element."""
    page.add_script_tag(path=str(AXE))
    script = "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})"
    result = page.evaluate(script, WCAG_22_AA)
    return [
        f"{v['id']} ({v['impact']}): {node['target']} - {v['help']}"
        for v in result["violations"]
        for node in v["nodes"]
    ]
