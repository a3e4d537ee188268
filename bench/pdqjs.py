"""The self-referral page's on-device hashing: how long chromium takes to fingerprint one photo with Haven's
JavaScript (``frontend/src/js/selfreferral.mjs``: read, SHA-256, decode, PDQ), against Haven's own server-side
hashing of the same file in the same run (``hashbank.hashing.hash_bytes``: decode and numba-compiled PDQ)
and the ``pdqhash`` reference on the same pixels.

    .venv/bin/python -m bench.pdqjs --repeat 5

The files are PDQ test images (tests/data/pdq-reference): a 1600x1004 JPEG and a 4032x3024 phone photo.
Chromium runs with no network; the page and its scripts are answered from disk by Playwright's routing.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import statistics
import time
from pathlib import Path

import numpy as np
import pdqhash
from PIL import Image
from playwright.sync_api import Route, sync_playwright

from haven.hashbank.hashing import bits_to_hex, hash_bytes

ROOT = Path(__file__).resolve().parents[1]
JS = ROOT / "frontend" / "src" / "js"
IMAGES = [
    ROOT / "tests/data/pdq-reference/bridge-mods/aaa-orig.jpg",
    ROOT / "tests/data/pdq-reference/reg-test-input/exif-rotn/exif-rotn-1.jpg",
]
ORIGIN = "http://localhost"  # a secure context, as Web Crypto needs; never reached: routed
TIME_ONE = """async ([data, name]) => {
    const { fingerprint } = await import('/selfreferral.mjs');
    const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
    const file = new File([bytes], name, {type: 'image/jpeg'});
    const started = performance.now();
    const made = await fingerprint(file);
    return [performance.now() - started, made.pdq];
}"""


def serve(route: Route, page: str) -> None:
    path = route.request.url.removeprefix(ORIGIN)
    if path == "/":
        route.fulfill(status=200, content_type="text/html", body=page)
    elif (JS / path.lstrip("/")).is_file():
        route.fulfill(status=200, content_type="text/javascript", body=(JS / path.lstrip("/")).read_text())
    else:
        route.abort()


def median_ms(run: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()  # type: ignore[operator]
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haven.settings")
    import django

    django.setup()
    from haven.intake.selfreferral import script_text

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
        )
        page = browser.new_page()
        # The page's words, as the self-referral page gives them to its script.
        words = json.dumps(script_text())
        html = (f'<!doctype html><title>bench</title><script type="application/json" id="self-referral-text">'
                f'{words}</script><script type="module" src="/selfreferral.mjs"></script>')  # fmt: skip
        page.route("**/*", lambda route: serve(route, html))
        page.goto(f"{ORIGIN}/")
        print(
            f"{'image':<22} {'pixels':>10} {'chromium JS':>12} {'server':>9} {'pdqhash':>9}"
            "  bits from: pdqhash  server"
        )
        for path in IMAGES:
            data = path.read_bytes()
            encoded = base64.b64encode(data).decode()
            page.evaluate(TIME_ONE, [encoded, path.name])  # warm the JIT
            runs = [page.evaluate(TIME_ONE, [encoded, path.name]) for _ in range(args.repeat)]
            js_ms = statistics.median(ms for ms, _ in runs)
            name = path.name
            server_ms = median_ms(lambda data=data, name=name: hash_bytes(data, name), args.repeat)
            pixels = np.asarray(Image.open(path).convert("RGB"))
            reference_ms = median_ms(lambda pixels=pixels: pdqhash.compute(pixels), args.repeat)
            server_pdq = hash_bytes(data, path.name, dihedral=False).pdq or ""
            reference_hex = bits_to_hex(pdqhash.compute(pixels)[0])
            apart = (int(runs[0][1], 16) ^ int(server_pdq, 16)).bit_count()
            from_reference = (int(runs[0][1], 16) ^ int(reference_hex, 16)).bit_count()
            size = f"{pixels.shape[1]}x{pixels.shape[0]}"
            print(
                f"{path.name:<22} {size:>10} {js_ms:>9.0f} ms {server_ms:>6.0f} ms {reference_ms:>6.0f} ms"
                f"  {from_reference:>9} {apart:>7}"
            )
        browser.close()


if __name__ == "__main__":
    main()
