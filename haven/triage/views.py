"""The analysts' work queue (open reports by band, then deadline, each with its clock) and a priority's page
(its reasons, the computed band, and a supervisor's override). Every view is audited."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Exists, F, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from haven.accounts.models import Organisation, OrganisationKind, User
from haven.accounts.roles import has_permission
from haven.audit.actions import record
from haven.audit.pages import form_page
from haven.chats.models import Analysis
from haven.core.access import Permission, requires
from haven.core.listing import filters_used, paginate
from haven.intel.models import Subject
from haven.triage.actions import (
    TriageError,
    access_flag_of,
    clear_access_flag,
    flag_access,
    override_band,
)
from haven.triage.models import Band, Priority

PAGE_SIZE = 50


class QueueForm(forms.Form):
    band = forms.ChoiceField(label="Band", required=False, choices=[("", "Any"), *Band.choices])
    assignee = forms.ChoiceField(
        label="Assigned to",
        required=False,
        choices=[("", "Anyone or no one"), ("me", "Me"), ("none", "No one")],
    )
    overdue = forms.BooleanField(label="Overdue only", required=False)
    chats = forms.BooleanField(label="Urgent conversation flags only", required=False)
    force = forms.ChoiceField(label="Proposed force", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        forces = Organisation.objects.filter(kind=OrganisationKind.POLICE_FORCE).order_by("name")
        field = self.fields["force"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Any"), *forces.values_list("slug", "name")]


def open_reports() -> QuerySet[Priority]:
    """Scored reports still waiting for the centre (not referred, or sent back). Most urgent first."""
    return (
        Priority.objects.filter(queued=True, report__isnull=False)
        # The report's route (``referrals.models.ProposedRoute``): the queue shows a case sent back.
        .select_related("report", "report__organisation", "report__assignee", "report__route")
        .order_by("effective_band", F("deadline").asc(nulls_last=True), "id")
    )


def queue_rows(form: QueueForm, user: User) -> QuerySet[Priority]:
    if not form.is_valid():
        return open_reports().none()
    return filtered_queue(user, **form.cleaned_data)


def filtered_queue(
    user: User, *, band: str | None = None, assignee: str | None = None, overdue: bool = False,
    chats: bool = False, force: str | None = None,
) -> QuerySet[Priority]:  # fmt: skip
    """The open reports, most urgent first, narrowed by the queue's filters: the page's and the staff
    API's."""
    rows = open_reports()
    if band:
        rows = rows.filter(effective_band=band)
    if assignee == "me":
        rows = rows.filter(report__assignee=user)
    elif assignee == "none":
        rows = rows.filter(report__assignee__isnull=True)
    if overdue:
        rows = rows.filter(deadline__lt=timezone.now())
    if chats:
        rows = rows.filter(urgent_chats())
    if force:
        # The route referrals proposed (``referrals.models.ProposedRoute``), read through its relation.
        rows = rows.filter(report__route__force=force)
    return rows


def urgent_chats() -> Exists:
    """Reports carrying a conversation with an urgent flag (a meeting, a sextortion demand, a child's words
    of self-harm, a request for images)."""
    return Exists(Analysis.objects.filter(conversation__report=OuterRef("report_id"), urgent_any=True))


def clock(deadline: datetime | None, now: datetime) -> tuple[str, bool]:
    """The time left to a deadline in words, and whether it has passed."""
    if deadline is None:
        return "no deadline", False
    left = deadline - now
    words = _duration(abs(left))
    return (f"overdue by {words}", True) if left < timedelta(0) else (f"{words} left", False)


def with_clocks(priorities: Iterable[Priority], now: datetime) -> list[dict[str, Any]]:
    """Rows for a table of reports' priorities: each priority, its report, its clock, and whether it is
    overdue (the queue, and the home page)."""
    rows = []
    for priority in priorities:
        text, overdue = clock(priority.deadline, now)
        rows.append({"priority": priority, "report": priority.report, "clock": text, "overdue": overdue})
    return rows


def _duration(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


@requires(Permission.REPORTS_VIEW)
def queue(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    form = QueueForm(request.GET)
    filters = filters_used(form)
    record("triage.queue", request=request, details={"filters": filters})
    # Late row lookup: the count and the page's ids come from the queue's index alone, and only those 50
    # are joined to their reports and routes (in the same statement), however deep the page.
    page, query = paginate(request, queue_rows(form, request.user).values_list("id", flat=True), PAGE_SIZE)
    rows = with_clocks(open_reports().filter(id__in=page.object_list), timezone.now())
    return render(
        request,
        "triage/queue.html",
        {
            "title": "Queue",
            "form": form,
            "page": page,
            "rows": rows,
            "query": query,
            "filtered": bool(filters),
        },
        status=200 if form.is_valid() else 400,
    )


class OverrideForm(forms.Form):
    band = forms.ChoiceField(
        label="Band", choices=[("", "No override: the computed band"), *Band.choices], required=False
    )
    reason = forms.CharField(label="Reason", widget=forms.Textarea, max_length=2000, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("band") and not (data.get("reason") or "").strip():
            self.add_error("reason", "Say why the band is overridden")
        return data


def _render_priority(
    request: HttpRequest, priority: Priority, form: OverrideForm | None = None
) -> HttpResponse:
    """A priority's page, audited as a view of its report or subject whichever request shows it."""
    invalid = form is not None and bool(form.errors)
    obj = priority.report or priority.subject
    record(
        "triage.priority_view", request=request, obj=obj, details={"invalid_form": True} if invalid else None
    )
    can_override = isinstance(request.user, User) and has_permission(
        request.user, Permission.PRIORITY_OVERRIDE
    )
    text, overdue = clock(priority.deadline, timezone.now())
    return render(
        request,
        "triage/priority.html",
        {
            "title": f"Priority {priority.effective_band}",
            "priority": priority,
            "clock": text,
            "overdue": overdue,
            "can_override": can_override,
            "override_form": form
            or OverrideForm(initial={"band": priority.override_band, "reason": priority.override_reason}),
            "form": form if invalid else None,
        },
        status=400 if invalid else 200,
    )


def _priority(pk: int) -> Priority:
    return get_object_or_404(Priority.objects.select_related("report", "subject", "override_by"), pk=pk)


@requires(Permission.REPORTS_VIEW)
def priority_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_priority(request, _priority(pk))


@require_POST
@requires(Permission.PRIORITY_OVERRIDE)
def priority_override(request: HttpRequest, pk: int) -> HttpResponse:
    assert isinstance(request.user, User)
    priority = _priority(pk)
    form = OverrideForm(request.POST)
    if not form.is_valid():
        return _render_priority(request, priority, form)
    try:
        override_band(priority, form.cleaned_data["band"], form.cleaned_data["reason"], actor=request.user,
                      request=request)  # fmt: skip
    except TriageError as exc:
        form.add_error(None, str(exc))
        return _render_priority(request, priority, form)
    messages.success(request, "Band overridden" if form.cleaned_data["band"] else "Override removed")
    return redirect("triage:priority", pk=priority.pk)


class AccessForm(forms.Form):
    flagged = forms.ChoiceField(
        label="Does this person have access to children, or a position of trust?",
        choices=[("yes", "Yes"), ("no", "No, or not known")],
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether this person has access to children"},
    )
    reason = forms.CharField(
        label="What gives them access (their job, a role, a household), and how you know",
        widget=forms.Textarea, max_length=2000, required=False,
    )  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("flagged") == "yes" and not (data.get("reason") or "").strip():
            self.add_error("reason", "Say what gives this person access to children")
        return data


@requires(Permission.SUBJECTS_DECIDE)
def access_flag(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    """An analyst's flag on a subject: access to children or a position of trust. It raises the subject's
    score by the policy's ``access_to_children`` weight, with the reason shown among its reasons."""
    assert isinstance(request.user, User)
    subject = get_object_or_404(Subject, uid=uid)
    current = access_flag_of(subject)
    initial = {"flagged": "yes", "reason": current.reason} if current else {"flagged": "no"}
    form = AccessForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["flagged"] == "yes":
                flag_access(subject, form.cleaned_data["reason"], actor=request.user, request=request)
            elif current is not None:
                clear_access_flag(subject, actor=request.user, request=request)
        except TriageError as exc:
            form.add_error(None, str(exc).capitalize())
        else:
            flagged = form.cleaned_data["flagged"] == "yes"
            messages.success(request, "Flagged: the subject is scored again" if flagged else "Not flagged")
            return redirect("intel:subject", uid=subject.uid)
    context = {"title": f"Access to children: {subject.reference}", "subject": subject, "access_form": form}
    return form_page(request, "triage/access.html", context, form=form, action="triage.access_form",
                     obj=subject)  # fmt: skip
