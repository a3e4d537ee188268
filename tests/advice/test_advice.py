"""The public advice site: enough pages reached from the home page, each safe to read on a shared device
(Exit this page, help now, a way to report, no cookie, no-store, nothing from another site), content
checked when it loads, a review date that has not passed, and a search that needs no JavaScript."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import textstat
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory

from haven.advice import content
from haven.core.sessions import PUBLIC_REPORT
from haven.intake import public as public_form
from haven.views import server_error

pytestmark = pytest.mark.django_db


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.sources: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and name == "href":
                self.hrefs.append(value)
            if (value and name in ("src", "action", "srcset", "data", "poster")) or (
                tag == "link" and name == "href"
            ):
                self.sources.append(value or "")


def parse(html: str) -> Links:
    links = Links()
    links.feed(html)
    return links


def crawl(client: Client) -> dict[str, str]:
    """Every page under /, /advice/ and /remove/ reached by following links from the home page."""
    seen: dict[str, str] = {}
    queue = ["/"]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        response = client.get(url)
        assert response.status_code == 200, url
        seen[url] = response.content.decode()
        for link in parse(seen[url]).hrefs:
            href = link.split("#")[0]
            if href.startswith(("/advice/", "/remove/")) and href not in seen:
                queue.append(href)
    return seen


def test_at_least_twenty_advice_pages_are_reached_from_the_home_page() -> None:
    pages = crawl(Client())
    topics = [u for u in pages if re.fullmatch(r"/advice/[a-z0-9-]+/[a-z0-9-]+/", u)]
    assert len(topics) >= 20
    assert {p.url for p in content.pages()} <= set(pages)  # no page is an orphan


def test_every_advice_page_is_safe_to_read_on_a_shared_device() -> None:
    client = Client()
    pages = crawl(client)
    for url, html in pages.items():
        response = client.get(url)
        assert response.cookies == {}, url  # no cookie at all
        assert "no-store" in response["Cache-Control"], url
        assert 'data-module="govuk-exit-this-page"' in html and 'href="/exit/"' in html, url
        assert "999" in html and "0800 1111" in html and 'href="/report/"' in html, url
        assert not [s for s in parse(html).sources if s.startswith(("http:", "https:", "//"))], url
    assert client.cookies == {}


def test_every_page_is_for_a_known_audience_and_topic_and_not_past_its_review() -> None:
    # Fails on the day a page's review date passes: someone must read it again and move the date on.
    today = dt.datetime.now(tz=dt.UTC).date()
    late = [
        f"{p.source.name} in {p.audience}: review by {p.review_by}"
        for p in content.pages()
        if p.review_by < today
    ]
    assert late == []
    for page in content.pages():
        assert page.audience in content.AUDIENCES and page.topic in content.TOPICS
        assert page.reviewed <= today <= page.review_by
    audiences = {p.audience for p in content.pages()}
    assert audiences == set(content.AUDIENCES)  # every audience has pages
    needed = {"grooming-signs", "sextortion", "livestreaming", "gaming-and-chat", "sharing-nudes",
              "what-happens-when-you-report", "clearing-your-history", "when-a-child-tells-you"}  # fmt: skip
    assert needed <= {p.topic for p in content.pages()}


def write(root: Path, name: str, text: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


GOOD = """---
title: "A page"
audience: 8-to-10
topic: staying-safe
summary: "A summary."
reviewed: 2026-11-01
review_by: 2027-05-01
---

Some advice.
"""


@pytest.mark.parametrize(
    ("name", "text", "problem"),
    [
        ("8-to-10/staying-safe.md", GOOD.replace('summary: "A summary."\n', ""), "lacks summary"),
        (
            "8-to-10/staying-safe.md",
            GOOD.replace("audience: 8-to-10", "audience: adults"),
            "no such audience",
        ),
        ("11-to-13/staying-safe.md", GOOD, "kept in 11-to-13/"),
        ("8-to-10/cooking.md", GOOD.replace("staying-safe", "cooking"), "topic 'cooking'"),
        ("8-to-10/staying-safe.md", GOOD.replace("2027-05-01", "next spring"), "review_by must be a date"),
        ("8-to-10/staying-safe.md", GOOD.replace('title: "A page"', "title: a: b"), "cannot be read"),
    ],
)
def test_a_bad_page_stops_loading_and_names_its_file(
    tmp_path: Path, name: str, text: str, problem: str
) -> None:
    write(tmp_path / "content", name, text)
    with pytest.raises(ImproperlyConfigured, match=re.escape(problem)) as raised:
        content.load(tmp_path / "content")
    assert name in str(raised.value)


def test_raw_html_in_a_page_is_shown_as_text() -> None:
    html, _ = content.render("Hello <script>alert(1)</script> [a](/x/)\n\n## Next")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert '<a href="/x/" class="govuk-link">a</a>' in html
    assert '<h2 class="govuk-heading-m">Next</h2>' in html


def test_search_works_without_javascript_and_keeps_the_words_out_of_the_address() -> None:
    client = Client()
    assert client.get("/advice/search/").status_code == 200
    response = client.post("/advice/search/", {"q": "threatened photo"})
    assert response.status_code == 200 and response.cookies == {}
    html = response.content.decode()
    found = re.findall(r'href="(/advice/[^"]+/[^"]+/)"', html.split('id="results"')[1])
    assert found and found[0].endswith("/sextortion/")  # "threatened" finds "threatening", "photo" the rest
    assert "No pages found" in client.post("/advice/search/", {"q": "xyzzy"}).content.decode()
    assert "No pages found" not in client.post("/advice/search/", {"q": "Gaming"}).content.decode()


def test_search_ranks_pages_with_more_of_the_words_first() -> None:
    results = content.search("clear history")
    assert results and all(p.topic == "clearing-your-history" for p in results[:2])


def test_unknown_audiences_and_topics_are_not_found() -> None:
    client = Client()
    assert client.get("/advice/adults/").status_code == 404
    assert client.get("/advice/8-to-10/no-such-topic/").status_code == 404
    assert client.get("/advice/8-to-10/when-a-child-tells-you/").status_code == 404  # not written for them


def test_exit_this_page_ends_a_half_written_report_and_deletes_its_cookie() -> None:
    assert public_form.SESSION == PUBLIC_REPORT  # the key the exit clears
    client = Client()
    started = client.post("/report/")
    assert started.status_code == 302 and client.session.get(public_form.SESSION)
    left = client.get("/exit/")
    assert left.status_code == 302 and left["Location"].startswith("https://")
    cookie = left.cookies.get("sessionid")
    assert cookie is not None and cookie.value == "" and cookie["max-age"] == 0  # deleted in the browser
    assert client.get("/report/").status_code == 200 and not client.session.get(public_form.SESSION)


def test_every_public_error_page_has_exit_and_help() -> None:
    client = Client()
    pages: dict[str, Any] = {
        "not found": client.get("/no-such-page/"),
        # A form sent with no session, so with no token: as when the session ended while it was open.
        "form expired": Client(enforce_csrf_checks=True).post("/report/"),
        "server error": server_error(RequestFactory().get("/report/")),
    }
    assert pages["not found"].status_code == 404 and pages["form expired"].status_code == 403
    for name, response in pages.items():
        html = response.content.decode()
        assert 'href="/exit/"' in html or f'href="{settings.EXIT_PAGE_URL}"' in html, name
        assert "999" in html and "0800 1111" in html, name
        assert 'href="/report/"' in html, name
    assert "This page has expired" in pages["form expired"].content.decode()


# The hardest a page may read for its audience, as a Flesch-Kincaid grade (a US school grade: roughly the
# reader's age less five). Young children's pages are read with an adult; parents' follow GOV.UK's advice to
# write for a reading age of nine; professionals may meet the terms of their work.
HARDEST_GRADE = {
    "under-8": 2.5, "8-to-10": 3.5, "11-to-13": 5.0, "14-and-over": 7.0,
    "parents-and-carers": 6.0, "professionals": 8.0,
}  # fmt: skip


def plain_text(markdown: str) -> str:
    """A page's words as sentences: links as their text, and each heading or list item a sentence of its own
    (a list item rarely ends with a full stop, and would otherwise run on into the next one)."""
    sentences = []
    for raw in re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", markdown).splitlines():
        line = re.sub(r"^\s*(#+|[-*]|\d+\.)\s*", "", raw).replace("**", "").strip()
        if line:
            sentences.append(line if line[-1] in ".?!:" else line + ".")
    return " ".join(sentences)


def test_every_page_reads_at_a_level_that_suits_its_audience() -> None:
    grades = {
        f"{p.audience}/{p.topic}": textstat.flesch_kincaid_grade(
            plain_text(p.source.read_text().split("---", 2)[2])
        )
        for p in content.pages()
    }
    too_hard = {page: g for page, g in grades.items() if g > HARDEST_GRADE[page.split("/")[0]]}
    assert too_hard == {}
    # The measure itself tells hard from easy: a professional's sentence reads harder than a child's.
    child = "If someone online makes you feel bad, tell a grown-up. It is not your fault."
    adult = "Practitioners document disclosures contemporaneously, recording the child's exact terminology."
    assert (
        textstat.flesch_kincaid_grade(child) < HARDEST_GRADE["under-8"] < textstat.flesch_kincaid_grade(adult)
    )
