"""Analysts' pages: the report inbox, and a report with every section, its media as metadata and matches,
its assignment and its notes. Every view of a report is in the audit trail."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from haven.accounts.models import User
from haven.accounts.roles import ROLE_PERMISSIONS
from haven.audit.actions import record
from haven.core.access import Permission, requires
from haven.core.listing import DateRangeForm, filters_used, in_date_range, paginate
from haven.intake.actions import IntakeError, add_note, assign_report
from haven.intake.models import IncidentType, Report, ReportStatus, Source

PAGE_SIZE = 50


class InboxForm(DateRangeForm):
    source = forms.ChoiceField(label="Source", required=False, choices=[("", "Any"), *Source.choices])
    type = forms.ChoiceField(label="Type", required=False, choices=[("", "Any"), *IncidentType.choices])
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any"), *ReportStatus.choices])
    field_order = ["source", "type", "status", "date_from", "date_to"]


def _inbox(form: InboxForm) -> QuerySet[Report]:
    reports = Report.objects.select_related("organisation", "assignee").annotate(
        media_count=Count("media", distinct=True)
    )
    if not form.is_valid():
        return reports.none()
    data = form.cleaned_data
    if data["source"]:
        reports = reports.filter(source=data["source"])
    if data["type"]:
        reports = reports.filter(incident_type=data["type"])
    if data["status"]:
        reports = reports.filter(status=data["status"])
    return in_date_range(reports, "received_at", data).order_by("-imminent_danger", "-received_at", "-id")


@requires(Permission.REPORTS_VIEW)
def inbox(request: HttpRequest) -> HttpResponse:
    form = InboxForm(request.GET)
    filters = filters_used(form)
    record("intake.inbox", request=request, details={"filters": filters})
    page, query = paginate(request, _inbox(form), PAGE_SIZE)
    return render(
        request,
        "intake/inbox.html",
        {"title": "Reports", "form": form, "page": page, "query": query, "filtered": bool(filters)},
        status=200 if form.is_valid() else 400,
    )


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label="Assign to",
        required=False,
        queryset=User.objects.none(),
        empty_label="Nobody",
        error_messages={"invalid_choice": "Choose someone from the list"},
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        roles = [role for role, perms in ROLE_PERMISSIONS.items() if Permission.REPORTS_VIEW in perms]
        field = self.fields["assignee"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = User.objects.filter(is_active=True, role__in=roles).order_by("username")


class NoteForm(forms.Form):
    text = forms.CharField(
        label="Add a note",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Enter the note",
            "max_length": "The note must be 5,000 characters or fewer",
        },
    )


def _render_report(
    request: HttpRequest, report: Report, *, assign_form: AssignForm | None = None,
    note_form: NoteForm | None = None,
) -> HttpResponse:  # fmt: skip
    invalid = next((f for f in (assign_form, note_form) if f is not None and f.errors), None)
    return render(
        request,
        "intake/report.html",
        {
            "title": f"Report {report.uid}",
            "report": report,
            "payload": report.payload,
            "media": report.media.all(),
            "notes": report.notes.select_related("author"),
            "assign_form": assign_form or AssignForm(initial={"assignee": report.assignee_id}),
            "note_form": note_form or NoteForm(),
            "form": invalid,
        },
        status=400 if invalid else 200,
    )


def _report(uid: str) -> Report:
    return get_object_or_404(Report.objects.select_related("organisation", "assignee", "bundle"), uid=uid)


@requires(Permission.REPORTS_VIEW)
def report_detail(request: HttpRequest, uid: str) -> HttpResponse:
    report = _report(uid)
    record("report.view", request=request, obj=report)
    return _render_report(request, report)


@require_POST
@requires(Permission.REPORTS_VIEW)
def report_assign(request: HttpRequest, uid: str) -> HttpResponse:
    report = _report(uid)
    form = AssignForm(request.POST)
    if not form.is_valid():
        return _render_report(request, report, assign_form=form)
    actor = request.user
    assert isinstance(actor, User)
    assignee = form.cleaned_data["assignee"]
    assign_report(report, assignee, actor=actor, request=request)
    messages.success(request, f"Assigned to {assignee.username}" if assignee else "Unassigned")
    return redirect("intake:report", uid=report.uid)


@require_POST
@requires(Permission.REPORTS_VIEW)
def report_note(request: HttpRequest, uid: str) -> HttpResponse:
    report = _report(uid)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _render_report(request, report, note_form=form)
    author = request.user
    assert isinstance(author, User)
    try:
        add_note(report, form.cleaned_data["text"], author=author, request=request)
    except IntakeError as exc:
        form.add_error("text", str(exc))
        return _render_report(request, report, note_form=form)
    messages.success(request, "Note added")
    return redirect("intake:report", uid=report.uid)
