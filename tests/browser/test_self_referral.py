"""Getting your own images removed, in chromium: the page hashes photos on the device and sends only hashes.

The JavaScript PDQ (frontend/src/js/pdq.mjs) is checked two ways: bit for bit against Haven's Python PDQ
on the same pixels, and within 10 bits of the reference hashes of the PDQ test images when chromium itself
decodes the files, as it will for a young person.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import FilePayload, Page, Request, expect
from pytest_django.live_server_helper import LiveServer

from haven.hashbank.demo import picture
from haven.hashbank.hashing import hash_bytes
from haven.hashbank.models import SELF_REFERRAL_LIST, BankRecord
from haven.hashbank.pdqfast import pdq
from haven.intake.models import SelfReferral
from tests.browser.conftest import axe_violations, csp_violations

pytestmark = pytest.mark.django_db(transaction=True)

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "pdq-reference"
REFERENCE_PATTERN = re.compile(r"^SR-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$")
CONFORMANCE_BITS = 10  # what the reference asks of another implementation, at quality 80 or more


def distance(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def open_picker(page: Page, base: str) -> None:
    page.goto(f"{base}/remove/send/")
    expect(page.get_by_label("Choose photos or videos")).to_be_visible()


def payload(name: str, mime_type: str, data: bytes) -> FilePayload:
    return {"name": name, "mimeType": mime_type, "buffer": data}


def fingerprints(page: Page, files: list[Path] | list[FilePayload]) -> list[dict[str, Any]]:
    """Choose the files on the page, wait for every fingerprint, and read the table's rows."""
    page.get_by_label("Choose photos or videos").set_input_files(files)
    expect(page.locator("[data-progress]")).to_contain_text("ready to send", timeout=60_000)
    rows = page.locator("[data-chosen] tbody tr")
    return [
        {
            "name": rows.nth(k).locator("td").first.inner_text(),
            "sha256": rows.nth(k).get_attribute("data-sha256"),
            "pdq": rows.nth(k).get_attribute("data-pdq"),
            "quality": rows.nth(k).get_attribute("data-quality"),
        }
        for k in range(rows.count())
    ]


def test_javascript_pdq_equals_haven_pdq_on_the_same_pixels(page: Page, live_server: LiveServer) -> None:
    # Odd sizes exercise the box filter's window at its edges (a window of 1, a width below 64, a width
    # that does not divide by 64); noise makes every coefficient count; a real photo makes the median real.
    rng = np.random.default_rng(7)
    photo = np.asarray(Image.open(REFERENCE / "bridge-mods" / "aaa-orig.jpg").convert("RGB"))
    images = [
        rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
        for height, width in [(1, 1), (3, 500), (64, 64), (65, 63), (127, 129), (301, 200)]
    ] + [photo, photo[::3, ::2].copy(), np.ascontiguousarray(photo[100:700, 50:1000])]
    inputs = []
    for pixels in images:
        rgba = np.dstack([pixels, np.full(pixels.shape[:2], 255, np.uint8)])
        inputs.append([base64.b64encode(rgba.tobytes()).decode(), pixels.shape[1], pixels.shape[0]])
    open_picker(page, live_server.url)
    got = page.evaluate(
        """async (inputs) => {
            const { pdqOfPixels } = await import('/static/haven/js/pdq.mjs');
            return inputs.map(([data, w, h]) => {
                const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
                const r = pdqOfPixels(bytes, w, h);
                return [r.hash, r.quality];
            });
        }""",
        inputs,
    )
    expected = [list(pdq(pixels, dihedral=False)[:2]) for pixels in images]
    assert got == expected


def test_javascript_pdq_of_the_reference_images_decoded_by_chromium(
    page: Page, live_server: LiveServer
) -> None:
    with (REFERENCE / "expected.tsv").open() as f:
        expected = list(csv.DictReader(f, delimiter="\t"))
    open_picker(page, live_server.url)
    rows = fingerprints(page, [REFERENCE / e["file"] for e in expected])
    assert len(rows) == len(expected)
    far = {}
    for want, row in zip(expected, rows, strict=True):
        assert row["name"] == Path(want["file"]).name
        assert row["sha256"] == hashlib.sha256((REFERENCE / want["file"]).read_bytes()).hexdigest()
        assert row["pdq"] is not None, want["file"]
        if int(want["quality"]) >= 80:
            far[want["file"]] = distance(row["pdq"], want["pdq"])
    # Every good image, including the four phone photos whose EXIF orientation chromium applies and the
    # page undoes, lands within the reference's tolerance of the hash of the pixels as stored.
    assert len(far) >= 45
    assert {f: d for f, d in far.items() if d > CONFORMANCE_BITS} == {}


def test_self_referring_two_images_sends_only_hashes(page: Page, live_server: LiveServer) -> None:
    images = [picture(101), picture(202, (480, 640))]
    bodies: list[bytes] = []

    def watch(request: Request) -> None:
        bodies.append(request.post_data_buffer or b"")

    page.on("request", watch)
    open_picker(page, live_server.url)
    chosen = fingerprints(
        page,
        [payload(f"photo-{k}.png", "image/png", data) for k, data in enumerate(images)],
    )
    assert [row["sha256"] for row in chosen] == [hashlib.sha256(data).hexdigest() for data in images]
    page.get_by_label("I was under 18 in these photos or videos").check()
    page.get_by_role("button", name="Send the fingerprints").click()
    reference = page.get_by_test_id("reference").inner_text()
    assert reference.startswith("SR-")
    assert csp_violations(page) == []

    # Only hashes left the browser: no body carries a piece of either image, and none is larger than the
    # hashes would need. A file name never leaves either.
    assert bodies and max(len(b) for b in bodies) < 2000
    for data in images:
        assert not any(data[1000:1064] in body or data[:64] in body for body in bodies)
    assert not any(b"photo-" in body for body in bodies)

    referral = SelfReferral.objects.get()
    records = list(referral.records.order_by("id"))
    server = [hash_bytes(data, "x.png", dihedral=False) for data in images]
    assert {r.sha256 for r in records} == {h.sha256 for h in server}
    by_sha = {r.sha256: r for r in records}
    for hashes in server:
        record = by_sha[hashes.sha256]
        assert record.pdq is not None and hashes.pdq is not None
        assert distance(record.pdq, hashes.pdq) <= CONFORMANCE_BITS
        assert record.lists.filter(name=SELF_REFERRAL_LIST).exists()
        assert not record.shareable

    # The status page, with the reference typed loosely, shows both waiting.
    page.goto(f"{live_server.url}/remove/status/")
    page.get_by_label("Your reference number").fill(reference.lower().replace("-", " "))
    page.get_by_role("button", name="Check").click()
    expect(page.get_by_test_id("waiting")).to_have_text("2")
    assert page.context.cookies() == []


def test_without_javascript_the_page_says_why_and_gives_other_routes(
    browser: Any, live_server: LiveServer
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/remove/send/")
    expect(page.get_by_text("This page needs JavaScript to be turned on")).to_be_visible()
    expect(page.get_by_role("link", name="report it to us")).to_be_visible()
    expect(page.get_by_label("Choose photos or videos")).to_be_hidden()
    context.close()


def test_a_page_sent_twice_makes_one_self_referral(page: Page, live_server: LiveServer) -> None:
    open_picker(page, live_server.url)
    fingerprints(page, [payload("a.png", "image/png", _png(3))])
    page.get_by_label("I was under 18 in these photos or videos").check()
    form = json.dumps(
        {
            "files": page.locator("[data-files]").input_value(),
            "token": page.locator("[data-token]").input_value(),
            "under_18": "yes",
        }
    )
    first = page.evaluate(_POST_TWICE, form)
    assert first[0] == first[1]
    assert SelfReferral.objects.count() == 1
    assert BankRecord.objects.count() == 1


_POST_TWICE = """async (form) => {
    const fields = JSON.parse(form);
    const send = () => fetch('/remove/send/', {method: 'POST', body: new URLSearchParams(fields)})
        .then(r => r.text()).then(t => t.match(/SR-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}/)[0]);
    return [await send(), await send()];
}"""


def _png(seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    out = io.BytesIO()
    Image.fromarray(rng.integers(0, 256, (120, 160, 3), dtype=np.uint8)).save(out, format="PNG")
    return out.getvalue()


FOCUSED = """() => {
    const e = document.activeElement;
    return {text: (e.innerText || '').trim(), id: e.id || '', tag: e.tagName};
}"""


def tab_to(page: Page, *, text: str = "", element_id: str = "", limit: int = 120) -> None:
    """Press Tab until the focus is on the element with this text (or id), as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if (text and focused["text"].startswith(text)) or (element_id and focused["id"] == element_id):
            return
    raise AssertionError(f"Tab never reached {text or element_id!r} on {page.url}")


def follow(page: Page, text: str) -> None:
    tab_to(page, text=text)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_a_keyboard_alone_goes_from_the_home_page_to_a_topic_the_report_form_and_self_referral(
    page: Page, live_server: LiveServer
) -> None:
    page.goto(f"{live_server.url}/")
    follow(page, "If you are under 18")
    follow(page, "If you are 14 or older")
    follow(page, "Getting images of you taken down")
    assert page.get_by_role("heading", level=1).inner_text() == "Getting images of you taken down"
    follow(page, "Report something that happened online")
    assert page.url.endswith("/report/")
    follow(page, "get it removed without sending it to anyone")
    follow(page, "Start now")
    tab_to(page, element_id="choose")
    # The system's file dialog is outside the page; choosing in it is what set_input_files stands for.
    page.locator("#choose").set_input_files([payload("a.png", "image/png", _png(5))])
    expect(page.locator("[data-progress]")).to_contain_text("1 fingerprint ready to send")
    tab_to(page, element_id="under-18")
    page.keyboard.press("Space")
    follow(page, "Send the fingerprints")
    expect(page.get_by_test_id("reference")).to_have_text(REFERENCE_PATTERN)


def test_the_self_referral_pages_are_accessible_in_every_state(
    axe_page: Page, live_server: LiveServer
) -> None:
    page, base = axe_page, live_server.url
    problems = {}
    page.goto(f"{base}/remove/send/")
    page.get_by_label("Choose photos or videos").set_input_files(
        [payload("a.png", "image/png", _png(6)),
         payload("notes.txt", "text/plain", b"not a picture")]
    )  # fmt: skip
    expect(page.locator("[data-progress]")).to_contain_text("ready to send")
    problems["chosen"] = axe_violations(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Send the fingerprints").click()  # the age box is not ticked
    assert page.title().startswith("Error:")
    problems["with errors"] = axe_violations(page)
    page.get_by_label("I was under 18 in these photos or videos").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Send the fingerprints").click()
    reference = page.get_by_test_id("reference").inner_text()
    problems["sent"] = axe_violations(page)
    page.goto(f"{base}/remove/status/")
    with page.expect_navigation():
        page.get_by_role("button", name="Check").click()
    problems["status with errors"] = axe_violations(page)
    page.get_by_label("Your reference number").fill(reference)
    with page.expect_navigation():
        page.get_by_role("button", name="Check").click()
    expect(page.get_by_test_id("waiting")).to_have_text("2")
    problems["status"] = axe_violations(page)
    assert problems == {name: [] for name in problems}
