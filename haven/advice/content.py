"""The advice pages: Markdown files in ``content/<audience>/<topic>.md``, each with front matter that says
who it is for, what it is about, and when it must next be reviewed. They are read once, rendered with
GOV.UK Frontend's classes, and searched in memory (there are tens of them, not thousands).

Front matter (every key required)::

    ---
    title: Someone is threatening to share a photo of me
    audience: 11-to-13
    topic: sextortion
    summary: What to do tonight if someone wants money or more photos.
    reviewed: 2026-11-30
    review_by: 2027-11-30
    ---

A page whose front matter is missing a key, names an audience or topic that does not exist, or sits in a
folder other than its audience's stops Haven starting, with the file named: advice that is wrong or out of
place must not be published quietly.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import frontmatter
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from markdown_it import MarkdownIt
from markdown_it.token import Token

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

CONTENT = Path(__file__).with_name("content")


@dataclass(frozen=True)
class Audience:
    slug: str
    title: StrOrPromise
    lead: StrOrPromise
    ages: str = ""  # for a child's age band: "8 to 10"


# The order they are offered in. "young-people" chooses between the four age bands.
_UNDER_8 = Audience("under-8", _("If you are 7 or younger"), _("Help from a grown-up you trust."), "4 to 7")
_8_TO_10 = Audience(
    "8-to-10", _("If you are 8, 9 or 10"), _("What to do if something online feels wrong."), "8 to 10"
)
_11_TO_13 = Audience(
    "11-to-13",
    _("If you are 11, 12 or 13"),
    _("Staying in control when someone online pushes you."),
    "11 to 13",
)
_14_AND_OVER = Audience(
    "14-and-over", _("If you are 14 or older"),
    _("Threats, nudes, pressure: what you can do, and getting images taken down."), "14 to 17",
)  # fmt: skip
_PARENTS = Audience(
    "parents-and-carers", _("If you are a parent or carer"),
    _("How to help a child who has been contacted, pressured or threatened online."),
)  # fmt: skip
_PROFESSIONALS = Audience(
    "professionals", _("If you work with children"),
    _("Teachers, social workers and youth workers: what to do when a child tells you something."),
)  # fmt: skip
AUDIENCES: dict[str, Audience] = {
    a.slug: a for a in [_UNDER_8, _8_TO_10, _11_TO_13, _14_AND_OVER, _PARENTS, _PROFESSIONALS]
}
CHILD_AUDIENCES = ("under-8", "8-to-10", "11-to-13", "14-and-over")

TOPICS: dict[str, str] = {
    "grooming-signs": "The signs of grooming",
    "sextortion": "Threats to share images (sextortion)",
    "livestreaming": "Livestreaming and video chat",
    "gaming-and-chat": "Gaming and chat apps",
    "sharing-nudes": "Sharing nudes",
    "getting-images-removed": "Getting images taken down",
    "what-happens-when-you-report": "What happens when you report",
    "clearing-your-history": "Clearing your browsing history",
    "when-a-child-tells-you": "When a child tells you something",
    "staying-safe": "Staying safe online",
}
REQUIRED = ("title", "audience", "topic", "summary", "reviewed", "review_by")


@dataclass(frozen=True)
class Page:
    audience: str
    topic: str
    title: str
    summary: str
    reviewed: dt.date
    review_by: dt.date
    html: str
    text: str  # the words, for search
    source: Path

    @property
    def url(self) -> str:
        return f"/advice/{self.audience}/{self.topic}/"


_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_CLASSES = {
    "paragraph_open": "govuk-body",
    "bullet_list_open": "govuk-list govuk-list--bullet",
    "ordered_list_open": "govuk-list govuk-list--number",
    "link_open": "govuk-link",
    "blockquote_open": "govuk-inset-text",
}
_HEADINGS = {"h1": "govuk-heading-l", "h2": "govuk-heading-m", "h3": "govuk-heading-s"}
_WORDS = re.compile(r"[a-z0-9']+")


def render(markdown: str) -> tuple[str, str]:
    """The HTML of a page's body with GOV.UK Frontend's classes, and its plain words for search. Raw HTML in
    the Markdown is escaped, not passed through."""
    tokens = _MARKDOWN.parse(markdown)
    for token in tokens:
        _style(token)
        for child in token.children or ():  # links sit inside a paragraph's inline token
            _style(child)
    words = " ".join(t.content for t in tokens if t.type == "inline")
    return _MARKDOWN.renderer.render(tokens, _MARKDOWN.options, {}), words


def _style(token: Token) -> None:
    if token.type == "heading_open":
        token.attrSet("class", _HEADINGS.get(token.tag, "govuk-heading-s"))
    elif token.type in _CLASSES:
        token.attrSet("class", _CLASSES[token.type])


def load(root: Path = CONTENT) -> list[Page]:
    """Every page under ``root``, checked; ``ImproperlyConfigured`` names the first bad file."""
    pages = [_page(path, root) for path in sorted(root.glob("*/*.md"))]
    seen: set[tuple[str, str]] = set()
    for page in pages:
        key = (page.audience, page.topic)
        if key in seen:
            raise ImproperlyConfigured(f"{page.source}: a second page for {page.audience}/{page.topic}")
        seen.add(key)
    return pages


def _page(path: Path, root: Path) -> Page:
    where = path.relative_to(root.parent)
    try:
        post = frontmatter.load(path)
    except Exception as exc:  # YAML's own errors, whatever the parser raises
        raise ImproperlyConfigured(f"{where}: the front matter cannot be read: {exc}") from exc
    missing = [key for key in REQUIRED if key not in post.metadata]
    if missing:
        raise ImproperlyConfigured(f"{where}: the front matter lacks {', '.join(missing)}")
    meta = post.metadata
    audience, topic = str(meta["audience"]), str(meta["topic"])
    if audience not in AUDIENCES:
        raise ImproperlyConfigured(f"{where}: no such audience {audience!r}")
    if path.parent.name != audience:
        raise ImproperlyConfigured(f"{where}: audience {audience!r} but kept in {path.parent.name}/")
    if topic not in TOPICS or path.stem != topic:
        raise ImproperlyConfigured(f"{where}: topic {topic!r} must be one of TOPICS and the file's name")
    dates = {}
    for key in ("reviewed", "review_by"):
        value = meta[key]
        if not isinstance(value, dt.date):
            raise ImproperlyConfigured(f"{where}: {key} must be a date written YYYY-MM-DD, not {value!r}")
        dates[key] = value
    html, words = render(post.content)
    text = " ".join([str(meta["title"]), str(meta["summary"]), words])
    return Page(audience, topic, str(meta["title"]), str(meta["summary"]), dates["reviewed"],
                dates["review_by"], html, text.lower(), path)  # fmt: skip


@cache
def pages() -> tuple[Page, ...]:
    return tuple(load())


def for_audience(audience: str) -> list[Page]:
    order = list(TOPICS)
    return sorted((p for p in pages() if p.audience == audience), key=lambda p: order.index(p.topic))


def find(audience: str, topic: str) -> Page | None:
    return next((p for p in pages() if p.audience == audience and p.topic == topic), None)


def same_topic(page: Page) -> list[Page]:
    """The page's topic written for the other audiences."""
    return [p for p in pages() if p.topic == page.topic and p.audience != page.audience]


MAX_QUERY = 200


def search(query: str, limit: int = 20) -> list[Page]:
    """Pages that hold words of the query, those holding the most of them first, then by where they stand:
    a word in the title counts most, then in the summary, then in the text. A plural is read as its
    singular, and a word of four letters or more also finds the longer words it starts ("threat" finds
    "threatening")."""
    terms = list(dict.fromkeys(_stems(query[:MAX_QUERY])))
    if not terms:
        return []
    scored: list[tuple[int, int, Page]] = []
    for page in pages():
        words, title, summary = _page_stems(page)
        found = score = 0
        for term in terms:
            in_text = sum(1 for w in words if _matches(term, w))
            if not in_text:
                continue
            found += 1
            in_title = any(_matches(term, w) for w in title)
            in_summary = any(_matches(term, w) for w in summary)
            score += 5 * in_title + 3 * in_summary + min(in_text, 5)
        if found:
            scored.append((found, score, page))
    order = list(AUDIENCES)
    scored.sort(key=lambda fsp: (-fsp[0], -fsp[1], order.index(fsp[2].audience), fsp[2].topic))
    return [page for _, _, page in scored[:limit]]


@cache
def _page_stems(page: Page) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """A page's words as search reads them (text, title, summary), worked out once a process."""
    return _stems(page.text), _stems(page.title), _stems(page.summary)


def _stems(text: str) -> tuple[str, ...]:
    return tuple(_stem(w) for w in _WORDS.findall(text.lower()))


def _matches(term: str, word: str) -> bool:
    return word == term or (len(term) >= 4 and word.startswith(term))


def _stem(word: str) -> str:
    word = word.strip("'")
    if word.endswith("'s"):
        word = word[:-2]
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word
