"""Project-level pages: the staff home, health checks and error pages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haven.accounts.models import OrganisationKind, User
from haven.accounts.roles import has_permission
from haven.api import problem
from haven.audit.actions import record
from haven.core.access import Permission, public, requires
from haven.grading.views import waiting_for
from haven.referrals.models import SafeguardingState, State
from haven.referrals.safeguarding import deadline_passed
from haven.referrals.safeguarding import visible_to as safeguarding_visible_to
from haven.referrals.views import visible_to
from haven.triage.models import Priority
from haven.triage.views import open_reports, with_clocks

HOME_ROWS = 10


@requires(Permission.STAFF_HOME)
def home(request: HttpRequest) -> HttpResponse:
    """Each person's work: an analyst's P1 and P2 items and what is assigned to them; a supervisor's overdue
    items, overrides and referrals not yet acknowledged; a liaison officer's referrals waiting for an
    answer; a grader's clusters waiting to be graded. Showing any of it is an audited view."""
    user = request.user
    assert isinstance(user, User)
    now = timezone.now()
    work: dict[str, Any] = {}
    if has_permission(user, Permission.REPORTS_VIEW):
        queue = open_reports()
        work["urgent"] = with_clocks(queue.filter(effective_band__in=["P1", "P2"])[:HOME_ROWS], now)
        work["assigned"] = with_clocks(queue.filter(report__assignee=user)[:HOME_ROWS], now)
    if has_permission(user, Permission.PRIORITY_OVERRIDE):
        work["overdue"] = with_clocks(open_reports().filter(deadline__lt=now)[:HOME_ROWS], now)
        work["overrides"] = list(
            Priority.objects.exclude(override_band="")
            .select_related("report", "subject", "override_by")
            .order_by("-override_at")[:HOME_ROWS]
        )
    # Supervisors see every force's and agency's; a liaison their own organisation's (``visible_to``).
    overseeing = has_permission(user, Permission.PRIORITY_OVERRIDE)
    answering = has_permission(user, Permission.REFERRALS_RESPOND)
    kind = user.organisation.kind
    if overseeing or (answering and kind == OrganisationKind.POLICE_FORCE):
        work["unacknowledged"] = list(
            visible_to(user).filter(state=State.SENT).order_by("sent_at")[:HOME_ROWS]
        )
    if overseeing or (answering and kind == OrganisationKind.CHILDREN_SERVICES):
        deciding = safeguarding_visible_to(user).filter(
            state__in=[SafeguardingState.SENT, SafeguardingState.ACKNOWLEDGED]
        )
        work["safeguarding"] = [
            (r, deadline_passed(r, now)) for r in deciding.order_by("decide_by")[:HOME_ROWS]
        ]
    if has_permission(user, Permission.HASHBANK_GRADE):
        waiting = waiting_for(user)
        work["grading"] = {"clusters": waiting.count(), "files": waiting.aggregate(n=Sum("size"))["n"] or 0}
    if work:
        record("staff.home", request=request, details={"shown": sorted(k for k, v in work.items() if v)})
    return render(request, "staff/home.html", {"work": work, "now": now})


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
    # Rendered without the request's context, whose processors read the session and the user from the
    # database, which may be what failed; for the same reason Exit this page goes straight to the harmless
    # site rather than through /exit/.
    return HttpResponse(render_to_string("500.html", {"exit_url": settings.EXIT_PAGE_URL}), status=500)


def _staff(request: HttpRequest) -> bool:
    return request.path.startswith("/staff/")


@public
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html" if _staff(request) else "public/403.html", status=403)


@public
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without its session's token: on the public side, almost always a report form left for
    longer than the session lasts, whose answers were deleted with the session."""
    if _staff(request):
        return render(request, "staff/expired.html", status=403)
    return render(request, "public/expired.html", {"page_title": _("This page has expired")}, status=403)


@public
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.html", status=400)
