"""Analysts' pages for subjects: a list with search by identifier, the subject page with its merge, split and
undo forms, the network graph, and the admins' exclusion list. Every view is in the audit trail."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from haven.accounts.models import User
from haven.accounts.roles import has_permission
from haven.audit.actions import record
from haven.core.access import Permission, requires
from haven.core.listing import paginate
from haven.intake.models import IdentifierKind, Report
from haven.intel import graph
from haven.intel.actions import (
    KINDS_WITH_EXCLUSIONS,
    IntelError,
    add_exclusion,
    grade_report,
    merge_subjects,
    remove_exclusion,
    revoke_decision,
    split_subject,
)
from haven.intel.dossier import PAGE_PARAMS, dossier
from haven.intel.holds import held_by_subject
from haven.intel.models import (
    Assessment,
    Decision,
    Exclusion,
    Grading,
    HandlingCode,
    Member,
    SourceEvaluation,
    Subject,
    Value,
)
from haven.intel.normalise import normalise

PAGE_SIZE = 50
ROUTES_SHOWN = 20
REASON = forms.CharField(
    label="Reason",
    max_length=2000,
    widget=forms.Textarea(attrs={"rows": 3}),
    error_messages={"required": "Give a reason"},
)


class SearchForm(forms.Form):
    kind = forms.ChoiceField(label="Kind", choices=IdentifierKind.choices, initial="email")
    value = forms.CharField(label="Identifier", max_length=500, required=False)
    platform = forms.CharField(label="Platform (usernames and account ids)", max_length=100, required=False)


class MergeForm(forms.Form):
    other = forms.UUIDField(
        label="The other subject's Haven id",
        error_messages={
            "required": "Enter the other subject's Haven id",
            "invalid": "Enter a Haven id, as shown on a subject's page",
        },
    )
    reason = REASON


class SplitForm(forms.Form):
    members = forms.MultipleChoiceField(
        label="Reports to split off",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose the reports that are another person"},
    )
    reason = REASON

    def __init__(self, *args: Any, subject_members: list[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["members"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(str(m.pk), f"{m.report.reference}, person {m.person + 1}") for m in subject_members]


class RevokeForm(forms.Form):
    reason = REASON


class ExclusionForm(forms.Form):
    kind = forms.ChoiceField(label="Kind", choices=[(k, k) for k in KINDS_WITH_EXCLUSIONS])
    pattern = forms.CharField(
        label="Pattern",
        max_length=500,
        help_text="* matches any run of characters, ? one; an IP range may be CIDR",
        error_messages={"required": "Enter a pattern"},
    )
    reason = forms.CharField(label="Reason", max_length=200, error_messages={"required": "Give a reason"})


@requires(Permission.SUBJECTS_VIEW)
def subject_list(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    value: Value | None = None
    subjects = Subject.objects.order_by("-id")
    searched = form.is_bound and form.is_valid() and bool(form.cleaned_data["value"])
    if searched:
        data = form.cleaned_data
        read = normalise(data["kind"], data["value"], platform=data["platform"])
        if not read.valid:
            form.add_error("value", f"This cannot be read as {data['kind']}: {read.reason}")
        else:
            value = Value.objects.filter(
                kind=read.kind, platform=read.platform, canonical=read.canonical
            ).first()
            subjects = (
                subjects.filter(members__sightings__value=value).distinct() if value else subjects.none()
            )
    record("intel.subjects", request=request, details={"search": form.cleaned_data if searched else None})
    page, query = paginate(request, subjects, PAGE_SIZE)
    counts = dict(
        Member.objects.filter(subject__in=[s.pk for s in page.object_list])
        .values("subject_id")
        .annotate(n=Count("report_id", distinct=True))
        .values_list("subject_id", "n")
    )
    rows = [(s, counts.get(s.pk, 0)) for s in page.object_list]
    return render(
        request,
        "intel/subjects.html",
        {
            "title": "Subjects",
            "form": form if form.errors else None,
            "search": form,
            "page": page,
            "rows": rows,
            "query": query,
            "value": value,
            "searched": searched,
        },
        status=400 if form.errors else 200,
    )


def _subject(uid: uuid.UUID) -> Subject:
    return get_object_or_404(Subject, uid=uid)


def _render_subject(
    request: HttpRequest, subject: Subject, *, status: int = 200, **forms_: forms.Form
) -> HttpResponse:
    """The subject page, audited as a view whichever request shows it (a form sent back with errors too)."""
    facts = dossier(subject, {param: request.GET.get(param) for param in PAGE_PARAMS})
    invalid = next((f for f in forms_.values() if f.errors), None)
    record(
        "intel.subject_view",
        request=request,
        obj=subject,
        details={"invalid_form": True} if invalid else None,
    )
    user = request.user
    others = {param: request.GET.copy() for param in PAGE_PARAMS}
    for param, query in others.items():
        query.pop(param, None)
    return render(
        request,
        "intel/subject.html",
        {
            "title": subject.reference,
            "subject": subject,
            "facts": facts,
            "form": invalid,
            "may_decide": isinstance(user, User) and has_permission(user, Permission.SUBJECTS_DECIDE),
            "may_refer": isinstance(user, User) and has_permission(user, Permission.REFERRALS_SEND),
            "held": held_by_subject(subject),
            # Triage's flag on the subject's people (``triage.models.AccessFlag``), read through its relation.
            "access_flag": Member.objects.filter(subject=subject, access_flag__isnull=False)
            .values("access_flag__reason", "access_flag__set_by__username", "access_flag__set_at")
            .order_by("access_flag__set_at")
            .first(),
            # Each report's route (``referrals.models.ProposedRoute``), read through its relation.
            "routes": Report.objects.filter(members__subject=subject)
            .distinct()
            .select_related("route")
            .order_by("received_at", "id")[:ROUTES_SHOWN],
            "merge_form": forms_.get("merge") or MergeForm(prefix="merge"),
            "split_form": forms_.get("split")
            or SplitForm(subject_members=facts.page_members, prefix="split"),
            "queries": {param: query.urlencode() for param, query in others.items()},
        },
        status=status,
    )


@requires(Permission.SUBJECTS_VIEW)
def subject_detail(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    return _render_subject(request, _subject(uid))


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@requires(Permission.SUBJECTS_DECIDE)
@require_POST
def subject_merge(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    subject = _subject(uid)
    anchor = Member.objects.filter(subject=subject).first()
    form = MergeForm(request.POST, prefix="merge")
    if form.is_valid():
        other = Subject.objects.filter(uid=form.cleaned_data["other"]).first()
        if other is None:
            form.add_error("other", "There is no subject with that Haven id")
        else:
            try:
                merge_subjects(
                    subject, other, reason=form.cleaned_data["reason"], actor=_actor(request), request=request
                )
            except IntelError as exc:
                form.add_error("other", str(exc))
    if form.errors:
        return _render_subject(request, subject, status=400, merge=form)
    messages.success(request, "The subjects are merged. Undo it from the decisions below if it was wrong.")
    return _to_subject_of(anchor, uid)


@requires(Permission.SUBJECTS_DECIDE)
@require_POST
def subject_split(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    subject = _subject(uid)
    members = list(Member.objects.filter(subject=subject).select_related("report"))
    form = SplitForm(request.POST, subject_members=members, prefix="split")
    if form.is_valid():
        try:
            split_subject(
                subject,
                [int(m) for m in form.cleaned_data["members"]],
                reason=form.cleaned_data["reason"],
                actor=_actor(request),
                request=request,
            )
        except IntelError as exc:
            form.add_error("members", str(exc))
    if form.errors:
        return _render_subject(request, subject, status=400, split=form)
    messages.success(request, "The subject is split. Undo it from the decisions below if it was wrong.")
    return _to_subject_of(members[0] if members else None, uid)


def _to_subject_of(member: Member | None, fallback: uuid.UUID) -> HttpResponse:
    if member is not None:
        member.refresh_from_db()
        if member.subject is not None:
            return redirect("intel:subject", uid=member.subject.uid)
    return redirect("intel:subject", uid=fallback)


@requires(Permission.SUBJECTS_DECIDE)
@require_POST
def decision_revoke(request: HttpRequest, uid: uuid.UUID, decision_id: int) -> HttpResponse:
    subject = _subject(uid)
    decision = get_object_or_404(Decision, pk=decision_id)
    form = RevokeForm(request.POST, prefix=f"revoke-{decision.pk}")
    if form.is_valid():
        try:
            revoke_decision(
                decision, reason=form.cleaned_data["reason"], actor=_actor(request), request=request
            )
        except IntelError as exc:
            form.add_error("reason", str(exc))
    if form.errors:
        return _render_subject(request, subject, status=400, revoke=form)
    messages.success(request, "The decision is undone.")
    member = Member.objects.filter(id__in=[*decision.side_a, *decision.side_b]).first()
    return _to_subject_of(member, uid)


@requires(Permission.SUBJECTS_VIEW)
def subject_graph(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    subject = _subject(uid)
    record("intel.graph_view", request=request, obj=subject)
    return render(
        request, "intel/graph.html", {"title": f"Network of {subject.reference}", "subject": subject}
    )


@requires(Permission.SUBJECTS_VIEW)
def subject_graph_data(request: HttpRequest, uid: uuid.UUID) -> JsonResponse:
    """The subject's neighbourhood as cytoscape.js elements; ``?expand=<node id>`` gives one node's."""
    subject = _subject(uid)
    node = request.GET.get("expand", "")
    if not node:
        record("intel.graph_data", request=request, obj=subject)
        return JsonResponse({"elements": graph.around(subject)})
    try:
        expansion = graph.expand(node)
    except graph.UnknownNodeError:
        raise Http404("no such node") from None
    # The entry names what the answer shows, which may be another subject, a report or an identifier.
    record("intel.graph_data", request=request, obj=expansion.shown,
           details={"expand": node, "from_subject": str(subject.uid)})  # fmt: skip
    return JsonResponse({"elements": expansion.elements})


@requires(Permission.EXCLUSIONS_MANAGE)
def exclusions(request: HttpRequest) -> HttpResponse:
    form = ExclusionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _, outcome = add_exclusion(
                data["kind"], data["pattern"], reason=data["reason"], actor=_actor(request), request=request
            )
        except IntelError as exc:
            form.add_error("pattern", str(exc))
        else:
            messages.success(request, f"Excluded. {outcome.moved} reported people moved between subjects.")
            return redirect("intel:exclusions")
    record("intel.exclusions", request=request)
    return render(
        request,
        "intel/exclusions.html",
        {
            "title": "Exclusions",
            "form": form if form.errors else None,
            "add_form": form,
            "exclusions": Exclusion.objects.select_related("created_by").order_by("kind", "pattern"),
        },
        status=400 if form.errors else 200,
    )


@requires(Permission.EXCLUSIONS_MANAGE)
@require_POST
def exclusion_remove(request: HttpRequest, exclusion_id: int) -> HttpResponse:
    exclusion = get_object_or_404(Exclusion, pk=exclusion_id)
    outcome = remove_exclusion(exclusion, actor=_actor(request), request=request)
    messages.success(request, f"Removed. {outcome.moved} reported people moved between subjects.")
    return redirect("intel:exclusions")


class GradingForm(forms.Form):
    source = forms.ChoiceField(
        label="Source evaluation",
        choices=SourceEvaluation.choices,
        error_messages={"required": "Choose a source evaluation"},
    )
    assessment = forms.ChoiceField(
        label="Intelligence assessment",
        choices=Assessment.choices,
        error_messages={"required": "Choose an assessment"},
    )
    handling = forms.ChoiceField(
        label="Handling code",
        choices=HandlingCode.choices,
        error_messages={"required": "Choose a handling code"},
    )
    conditions = forms.CharField(
        label="Conditions (handling code C)",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@requires(Permission.SUBJECTS_DECIDE)
def report_grading(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    """Grade a report with 3x5x2; the subject page links here, and comes back after."""
    report = get_object_or_404(Report, uid=uid)
    current = Grading.objects.filter(report=report).first()
    initial = (
        {
            "source": current.source,
            "assessment": current.assessment,
            "handling": current.handling,
            "conditions": current.conditions,
        }
        if current
        else {}
    )
    form = GradingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            grade_report(report, **form.cleaned_data, actor=_actor(request), request=request)
        except IntelError as exc:
            form.add_error("conditions" if "conditions" in str(exc) else "source", str(exc))
        else:
            messages.success(
                request, f"{report.reference} is graded {Grading.objects.get(report=report).code}."
            )
            member = Member.objects.filter(report=report).first()
            return (
                _to_subject_of(member, uid)
                if member and member.subject
                else redirect("intake:report", uid=uid)
            )
    record("intel.grading_form", request=request, obj=report)
    return render(
        request,
        "intel/grading.html",
        {
            "title": f"Grade {report.reference}",
            "report": report,
            "grading": current,
            "form": form if form.errors else None,
            "grading_form": form,
        },
        status=400 if form.errors else 200,
    )
