from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from haven.core.access import public

AUDIENCES = {
    "young-people": {
        "title": "If you are under 18",
        "lead": "Something online has made you feel worried, scared or uncomfortable. It is not your fault.",
    },
    "parents-and-carers": {
        "title": "If you are a parent or carer",
        "lead": "How to help a child who has been contacted, pressured or threatened online.",
    },
    "professionals": {
        "title": "If you work with children",
        "lead": "What to do when a child tells you something has happened online.",
    },
}


@public
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "advice/index.html", {"audiences": AUDIENCES})


@public
def audience(request: HttpRequest, slug: str) -> HttpResponse:
    page = AUDIENCES.get(slug)
    if page is None:
        raise Http404
    return render(request, "advice/audience.html", {"page": page, "slug": slug})
