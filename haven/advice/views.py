"""The public advice site: the audiences, their pages, and a search that needs no JavaScript. These pages
set no cookie at all (the search is a POST without a CSRF token: it changes nothing, and a POST keeps the
words searched for out of the browser's history and the address bar)."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from haven.advice import content
from haven.core.access import public
from haven.core.sessions import end_public_session


@public
def index(request: HttpRequest) -> HttpResponse:
    return render(
        request, "advice/index.html", {"audiences": content.AUDIENCES, "children": content.CHILD_AUDIENCES}
    )


@public
def audience(request: HttpRequest, slug: str) -> HttpResponse:
    if slug == "young-people":
        bands = [content.AUDIENCES[a] for a in content.CHILD_AUDIENCES]
        return render(
            request, "advice/young_people.html", {"bands": bands, "page_title": _("If you are under 18")}
        )
    group = content.AUDIENCES.get(slug)
    if group is None:
        raise Http404
    pages = content.for_audience(slug)
    return render(
        request, "advice/audience.html", {"group": group, "pages": pages, "page_title": group.title}
    )


@public
def topic(request: HttpRequest, slug: str, topic: str) -> HttpResponse:
    page = content.find(slug, topic)
    if page is None:
        raise Http404
    context = {
        "page": page,
        "group": content.AUDIENCES[slug],
        "others": [(content.AUDIENCES[p.audience], p) for p in content.same_topic(page)],
        "page_title": page.title,
    }
    return render(request, "advice/topic.html", context)


@public
@csrf_exempt
@require_http_methods(["GET", "POST"])
def search(request: HttpRequest) -> HttpResponse:
    query = request.POST.get("q", "").strip()[: content.MAX_QUERY] if request.method == "POST" else ""
    results = [(content.AUDIENCES[p.audience], p) for p in content.search(query)] if query else []
    context = {
        "query": query,
        "results": results,
        "searched": request.method == "POST",
        "page_title": _("Search advice"),
    }
    return render(request, "advice/search.html", context)


@public
@never_cache
def leave(request: HttpRequest) -> HttpResponse:
    """Exit this page: the visitor's session ends here (a report half written is dropped and its cookie
    deleted), then the browser goes to the harmless site the button names."""
    end_public_session(request)
    return HttpResponseRedirect(settings.EXIT_PAGE_URL)
