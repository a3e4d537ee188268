"""Project-level pages: the staff home and section shells, health checks and error pages."""

from __future__ import annotations

from collections.abc import Callable

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from haven.api import problem
from haven.core.access import Permission, public, requires

SECTIONS = {
    "insights": ("Insights", Permission.INSIGHTS_VIEW, "Analytics that inform strategy."),
}


@requires(Permission.STAFF_HOME)
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "staff/home.html")


def _section_view(slug: str) -> Callable[[HttpRequest], HttpResponse]:
    title, permission, summary = SECTIONS[slug]

    @requires(permission)
    def view(request: HttpRequest) -> HttpResponse:
        return render(request, "staff/section.html", {"title": title, "summary": summary})

    view.__name__ = f"section_{slug}"
    return view


section_views = {slug: _section_view(slug) for slug in SECTIONS}


@public
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@public
def readyz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        checks["migrations"] = "ok" if not pending else f"{len(pending)} unapplied"
    except DatabaseError:
        checks.setdefault("database", "unreachable")
    ready = all(value == "ok" for value in checks.values()) and len(checks) == 2
    return JsonResponse(
        {"status": "ready" if ready else "not ready", "checks": checks}, status=200 if ready else 503
    )


@public
def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return problem(request, 404, "Not found", "No such API endpoint.")
    return render(request, "404.html", status=404)


@public
def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)


@public
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


@public
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.html", status=400)
