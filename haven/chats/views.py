"""The conversation pages for analysts: what the analysis read (the stage timeline, the flagged lines with
why each was flagged, who is grooming whom, the urgent flags), and the whole log a click away. The text is
decrypted in memory for the page and never stored in the clear. Every view is audited."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from haven.audit.actions import record
from haven.chats.analysis import URGENT
from haven.chats.models import Analysis
from haven.chats.pipeline import load
from haven.core.access import Permission, requires
from haven.intake.models import Conversation

LOG_PAGE = 200
URGENT_NAMES = {
    "meeting": "A plan to meet a child",
    "sextortion": "A sextortion demand",
    "self_harm": "A child speaks of self-harm or suicide",
    "image_request": "A request for images of a child",
}
assert set(URGENT_NAMES) == set(URGENT)


def _conversation(pk: int) -> Conversation:
    return get_object_or_404(Conversation.objects.select_related("report", "blob"), pk=pk)


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


@requires(Permission.REPORTS_VIEW)
def conversation(request: HttpRequest, pk: int) -> HttpResponse:
    found = _conversation(pk)
    chat = load(found)
    analysis = Analysis.objects.filter(conversation=found).first()
    reading: dict[str, Any] = analysis.reading if analysis else {}
    messages = chat.messages
    lines = [{**line, "text": messages[line["index"]].text} for line in reading.get("lines", [])
             if line["index"] < len(messages)]  # fmt: skip
    first_shown: dict[str, int] = {}
    for line in sorted(reading.get("lines", []), key=lambda x: x["index"]):
        for why in line["why"]:
            first_shown.setdefault(why.split(":", 1)[0], line["index"])
    timeline = [
        {"stage": s.replace("_", " "), "index": first_shown.get(s)} for s in reading.get("stages", [])
    ]
    urgent = [{"name": URGENT_NAMES[n], **(reading.get("urgent_details", {}).get(n) or {})}
              for n in reading.get("urgent", [])]  # fmt: skip
    record("chats.conversation_view", request=request, obj=found.report,
           details={"conversation": found.pk})  # fmt: skip
    return _no_store(render(request, "chats/conversation.html", {
        "title": f"Conversation {found.position + 1} of {found.report.reference}",
        "conversation": found, "analysis": analysis, "reading": reading, "lines": lines,
        "timeline": timeline, "urgent": urgent, "roles": reading.get("roles", []),
    }))  # fmt: skip


@requires(Permission.REPORTS_VIEW)
def conversation_log(request: HttpRequest, pk: int) -> HttpResponse:
    found = _conversation(pk)
    chat = load(found)
    analysis = Analysis.objects.filter(conversation=found).first()
    flagged = {line["index"]: line["why"] for line in (analysis.reading.get("lines", []) if analysis else [])}
    page = Paginator(list(enumerate(chat.messages)), LOG_PAGE).get_page(request.GET.get("page"))
    record("chats.log_view", request=request, obj=found.report,
           details={"conversation": found.pk, "page": page.number})  # fmt: skip
    rows = [{"index": i, "message": m, "why": flagged.get(i)} for i, m in page]
    return _no_store(render(request, "chats/log.html", {
        "title": f"The whole conversation {found.position + 1} of {found.report.reference}",
        "conversation": found, "page": page, "rows": rows, "query": "",
    }))  # fmt: skip
