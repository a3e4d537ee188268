"""The public pages' words go through Django's translation, so that a language can follow English.

Two checks: every word a public template shows is marked for translation (a word left out would stay in
English on a translated page), and a catalogue put in place is used, chosen by the browser's
Accept-Language, for the pages, their <html lang> and the self-referral script's words.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from django.test import Client

ROOT = Path(__file__).resolve().parents[1] / "haven"
PUBLIC_TEMPLATES = [
    *ROOT.glob("templates/public/*.html"),
    *(ROOT / "templates" / name for name in ("base.html", "400.html", "404.html", "500.html")),
    *(ROOT / "templates" / "includes" / f"{name}.html" for name in ("error_summary", "field", "radios")),
    *ROOT.glob("advice/templates/advice/*.html"),
    *ROOT.glob("intake/templates/intake/public/*.html"),
    *ROOT.glob("intake/templates/intake/selfreferral/*.html"),
]
NAMES = {"Haven"}  # shown as they are in every language


def unmarked_words(source: str) -> list[str]:
    """The text a template shows that is not inside a translation tag: the words between tags, and the
    attributes a person reads or hears (alt, title, aria-label, placeholder)."""
    text = re.sub(r"{%\s*blocktranslate\b.*?%}.*?{%\s*endblocktranslate\s*%}", " ", source, flags=re.S)
    text = re.sub(r"{#.*?#}|{%.*?%}|{{.*?}}", " ", text, flags=re.S)
    shown = re.findall(r'\b(?:alt|title|aria-label|placeholder)="([^"]*)"', text)
    text = re.sub(r"<(script|svg|style)\b.*?</\1>", " ", text, flags=re.S)
    shown += re.split(r"\s*\n\s*|\s{2,}", re.sub(r"<[^>]*>", "  ", text))
    return [s.strip() for s in shown if re.search(r"[A-Za-z]", s) and s.strip(" \u2013-:") not in NAMES]


def test_every_word_on_the_public_pages_is_marked_for_translation() -> None:
    assert len(PUBLIC_TEMPLATES) >= 25 and all(t.exists() for t in PUBLIC_TEMPLATES)
    unmarked = {str(t.relative_to(ROOT)): unmarked_words(t.read_text()) for t in PUBLIC_TEMPLATES}
    assert {name: words for name, words in unmarked.items() if words} == {}


def test_the_check_finds_words_left_unmarked() -> None:
    # A control: each way of showing words outside a translation tag is caught.
    source = """{% load i18n %}<h1>{% translate "Marked" %}</h1>
<p>Left out</p><a href="/" aria-label="Also left out">{% translate "Marked" %}</a>
<p>{% blocktranslate trimmed %}Marked, with <strong>markup</strong>{% endblocktranslate %}</p>
<button>{% if x %}Shown sometimes{% endif %}</button><svg><title>Drawing</title></svg> \u2013 Haven"""
    assert unmarked_words(source) == ["Also left out", "Left out", "Shown sometimes"]


WELSH = {
    "Exit this page": "Gadael y dudalen hon",
    "Get help now": "Cael help nawr",
    "Get nude images of you removed": "Cael gwared ar ddelweddau noeth ohonoch chi",
    "Made from the file only": "Wedi'i wneud o'r ffeil yn unig",
}


@pytest.fixture
def welsh(tmp_path: Path, settings: Any) -> None:
    """A small Welsh catalogue in place, as a translator's would be."""
    catalog = Catalog(locale="cy", domain="django")
    for english, welsh_text in WELSH.items():
        catalog.add(english, welsh_text)
    folder = tmp_path / "cy" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "django.mo").open("wb") as out:
        write_mo(out, catalog)
    settings.LANGUAGES = [("en-gb", "English"), ("cy", "Cymraeg")]
    settings.LOCALE_PATHS = [tmp_path]


@pytest.mark.django_db
@pytest.mark.usefixtures("welsh")
def test_a_catalogue_in_place_is_used_for_a_browser_that_asks_for_it() -> None:
    client = Client()
    welsh_page = client.get("/remove/", HTTP_ACCEPT_LANGUAGE="cy,en;q=0.5").content.decode()
    assert '<html lang="cy"' in welsh_page
    for english, welsh_text in WELSH.items():
        if english != "Made from the file only":
            assert welsh_text.replace("'", "&#x27;") in welsh_page and english not in welsh_page, english
    script = client.get("/remove/send/", HTTP_ACCEPT_LANGUAGE="cy").content.decode()
    words = re.search(r'<script id="self-referral-text" type="application/json">(.*?)</script>', script, re.S)
    assert (
        words is not None and json.loads(words.group(1))["made_file_only"] == WELSH["Made from the file only"]
    )

    english_page = client.get("/remove/", HTTP_ACCEPT_LANGUAGE="en-GB").content.decode()
    assert '<html lang="en-gb"' in english_page and "Exit this page" in english_page
    assert client.cookies == {}  # choosing a language keeps nothing on the device
