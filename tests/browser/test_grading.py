"""The welfare viewer in chromium: every thumbnail the browser receives is blurred until the grader reveals
one, the reveal shows that one alone, the pages pass axe, and nothing decrypted is written to disk, by the
server or by the browser's own cache and profile (which live under the temp directory)."""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, Response, expect
from pytest_django.live_server_helper import LiveServer

from haven.accounts.models import User
from haven.grading.thumbs import thumbnail
from tests.browser.conftest import axe_violations, csp_violations
from tests.browser.test_pages import check_page
from tests.grading.conftest import Queue
from tests.grading.test_viewer import _files_changed_since, sharpness

pytestmark = pytest.mark.django_db(transaction=True)


def _thumbnails(page: Page) -> dict[str, bytes]:
    """Each thumbnail response the page received, by URL."""
    got: dict[str, bytes] = {}

    def keep(response: Response) -> None:
        if "/staff/grading/items/" in response.url and response.status == 200:
            got[response.url] = response.body()

    page.on("response", keep)
    return got


def test_the_viewer_shows_nothing_clear_until_one_item_is_revealed(
    settings: Any,
    page: Page,
    axe_page: Page,
    live_server: LiveServer,
    sign_in_browser: Callable[..., None],
    queue_files: Queue,
    unique_copies: list[bytes],
    grader: User,
    supervisor: User,
) -> None:
    start = time.time() - 1
    items = queue_files(*unique_copies)
    cluster = items[0].cluster_id
    # Over 100 such pictures a blurred thumbnail kept at most 0.035 of the clear one's sharpness, and a
    # revealed one at least 0.99: a tenth and a half leave room both ways.
    clear = sharpness(thumbnail(unique_copies[0], blur=0, greyscale=True))
    base = live_server.url
    sign_in_browser(page, base, grader)
    received = _thumbnails(page)
    page.goto(f"{base}/staff/grading/")
    page.get_by_role("button", name="Grade the next cluster").click()
    page.wait_for_url(re.compile(rf"/staff/grading/clusters/{cluster}/$"))
    page.wait_for_load_state("networkidle")
    images = page.locator("img.haven-viewer__image")
    assert images.count() == 3
    assert all(images.nth(k).get_attribute("data-revealed") == "false" for k in range(3))
    assert all(images.nth(k).evaluate("img => img.complete && img.naturalWidth > 0") for k in range(3))
    assert len(received) == 3 and all(sharpness(body) < clear / 10 for body in received.values())

    received.clear()
    page.get_by_role("button", name="Reveal file 2").click()
    page.wait_for_url(re.compile(r"\?reveal=\d+"))
    page.wait_for_load_state("networkidle")
    assert [images.nth(k).get_attribute("data-revealed") for k in range(3)] == ["false", "true", "false"]
    revealed = [body for url, body in received.items() if "reveal=" in url]
    assert len(revealed) == 1 and sharpness(revealed[0]) > clear / 2
    assert all(sharpness(body) < clear / 10 for url, body in received.items() if "reveal=" not in url)
    assert csp_violations(page) == []

    page.get_by_role("button", name="Blur again file 2").click()
    page.wait_for_load_state("networkidle")
    assert images.nth(1).get_attribute("data-revealed") == "false"

    # A reveal left alone runs out, and the page blurs the file again by itself.
    settings.GRADING_REVEAL_SECONDS = 5
    page.get_by_role("button", name="Reveal file 3").click()
    page.wait_for_url(re.compile(r"\?reveal=\d+"))
    assert images.nth(2).get_attribute("data-revealed") == "true"
    expect(images.nth(2)).to_have_attribute("data-revealed", "false", timeout=15_000)
    assert "reveal=" not in (images.nth(2).get_attribute("src") or "")

    page.get_by_label("Category C").check()
    page.get_by_role("button", name="Grade all 3 files").click()
    page.wait_for_url(re.compile(r"/staff/grading/"))
    assert "Graded 3 files with one decision: 2 looks saved" in page.content()

    sign_in_browser(axe_page, base, supervisor)
    problems = {
        url: check_page(axe_page, base + url)
        for url in ("/staff/grading/", f"/staff/grading/clusters/{cluster}/", "/staff/grading/settings/",
                    "/staff/grading/metrics/", "/staff/grading/disputes/")
    }  # fmt: skip
    assert problems == {key: [] for key in problems}

    needles = [data[len(data) // 2 : len(data) // 2 + 64] for data in unique_copies]
    revealed += [body for url, body in received.items() if "reveal=" in url]
    needles += [body[len(body) // 2 : len(body) // 2 + 64] for body in revealed]
    for path in _files_changed_since([Path(settings.VAR_DIR), Path(tempfile.gettempdir())], start):
        try:
            data = path.read_bytes()
        except OSError:
            continue
        assert not any(n in data for n in needles), f"decrypted bytes in {path}"
    assert axe_violations(axe_page) == []
