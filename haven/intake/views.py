"""Analysts' pages: the report inbox, and a report with every section, its media as metadata and matches,
its assignment and its notes. Every view of a report is in the audit trail."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from pydantic import ValidationError

from haven.accounts.models import User
from haven.accounts.roles import ROLE_PERMISSIONS, has_permission
from haven.audit.actions import record
from haven.core.access import Permission, requires
from haven.core.listing import DateRangeForm, filters_used, in_date_range, paginate
from haven.intake.actions import (
    ConflictError,
    IntakeError,
    add_note,
    assign_report,
    retry_report,
    submit_reports,
)
from haven.intake.models import IncidentType, Report, ReportStatus, Source
from haven.intake.schemas import IdentifierIn, ReportIn

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
    """The report page, audited as a view whichever request shows it (a form sent back with errors too)."""
    invalid = next((f for f in (assign_form, note_form) if f is not None and f.errors), None)
    record("report.view", request=request, obj=report, details={"invalid_form": True} if invalid else None)
    return render(
        request,
        "intake/report.html",
        {
            "title": f"Report {report.uid}",
            "report": report,
            "payload": report.payload,
            "media": report.media.all(),
            # What haven.chats read in each (``chats.models.Analysis``), through its relation.
            "conversations": report.conversations.select_related("analysis"),
            "notes": report.notes.select_related("author"),
            "assign_form": assign_form or AssignForm(initial={"assignee": report.assignee_id}),
            "note_form": note_form or NoteForm(),
            "can_retry": isinstance(request.user, User)
            and has_permission(request.user, Permission.REPORTS_RETRY),
            "may_route": isinstance(request.user, User)
            and has_permission(request.user, Permission.REFERRALS_SEND),
            "form": invalid,
        },
        status=400 if invalid else 200,
    )


def _report(uid: str) -> Report:
    return get_object_or_404(Report.objects.select_related("organisation", "assignee", "bundle"), uid=uid)


@requires(Permission.REPORTS_VIEW)
def report_detail(request: HttpRequest, uid: str) -> HttpResponse:
    return _render_report(request, _report(uid))


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


@require_POST
@requires(Permission.REPORTS_RETRY)
def report_retry(request: HttpRequest, uid: str) -> HttpResponse:
    report = _report(uid)
    actor = request.user
    assert isinstance(actor, User)
    try:
        retry_report(report, actor=actor, request=request)
    except IntakeError as exc:
        messages.error(request, str(exc).capitalize())
    else:
        messages.success(request, "The report is queued for processing again")
    return redirect("intake:report", uid=report.uid)


IDENTIFIER_HELP = (
    "One a line: the kind, then the value. A username or account id gives its platform first. For example: "
    "email someone@example.com, phone 07700 900123, username examplechat name_on_platform, ip 192.0.2.10"
)


class PoliceReportForm(forms.Form):
    type = forms.ChoiceField(label="Type", choices=IncidentType.choices)
    summary = forms.CharField(
        label="What happened",
        max_length=20_000,
        widget=forms.Textarea,
        error_messages={"required": "Enter what happened"},
    )
    occurred_on = forms.DateField(
        label="When it happened",
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": "Enter the date as YYYY-MM-DD"},
    )
    imminent_danger = forms.BooleanField(label="A child is in imminent danger", required=False)
    identifiers = forms.CharField(label="Identifiers of the person", required=False, widget=forms.Textarea)
    external_id = forms.CharField(label="Your force's reference", required=False, max_length=200)

    def clean_identifiers(self) -> list[dict[str, str]]:
        parsed, problems = [], []
        for number, line in enumerate(str(self.cleaned_data["identifiers"]).splitlines(), start=1):
            words = line.split()
            if not words:
                continue
            kind, rest = words[0].lower(), words[1:]
            item: dict[str, str] = {"kind": kind}
            if kind in {"username", "account_id"}:
                if len(rest) < 2:
                    problems.append(f"Line {number}: give the platform, then the {kind}")
                    continue
                item["platform"], rest = rest[0], rest[1:]
            item["value"] = " ".join(rest)
            try:
                IdentifierIn.model_validate(item)
            except ValidationError as exc:
                reason = exc.errors()[0]["msg"].removeprefix("Value error, ")
                problems.append(f"Line {number}: {reason}")
                continue
            parsed.append(item)
        if problems:
            raise forms.ValidationError(problems)
        return parsed


@requires(Permission.REPORTS_SUBMIT)
def police_report(request: HttpRequest) -> HttpResponse:
    """A force liaison officer refers a case to the centre."""
    user = request.user
    assert isinstance(user, User)
    form = PoliceReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        when = data["occurred_on"]
        item = ReportIn.model_validate({
            "external_id": data["external_id"] or None,
            "incident": {"type": data["type"], "summary": data["summary"],
                         "imminent_danger": data["imminent_danger"],
                         "occurred_at": f"{when.isoformat()}T12:00:00Z" if when else None},
            "reported_persons": [{"identifiers": data["identifiers"]}] if data["identifiers"] else [],
            "reporter": {"organisation": user.organisation.name,
                         "contact_name": user.get_full_name() or user.username,
                         "contact_email": user.email or None},
        })  # fmt: skip
        (result,) = submit_reports(
            [item], organisation=user.organisation, source=Source.POLICE, finished=True, actor=user,
            request=request, origin="police form",
        )  # fmt: skip
        if isinstance(result, ConflictError):
            form.add_error(
                "external_id", "Your force has already sent a different report with this reference"
            )
        else:
            messages.success(request, f"Report sent. The centre's reference is {result.report.reference}")
            return redirect("intake:police")
    return render(
        request,
        "intake/police.html",
        {"title": "Refer a case to the centre", "form": form, "identifier_help": IDENTIFIER_HELP},
        status=400 if form.errors else 200,
    )
