"""Referral pages. The centre's analysts send a subject to a force and follow every referral; a force's
liaison officers see only their own force's referrals, answer them, and are told who else holds the same
people, never what the other force was sent. Every view is in the audit trail."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from haven.accounts.models import Organisation, OrganisationKind, User
from haven.accounts.roles import has_permission
from haven.audit.actions import record
from haven.audit.pages import form_page
from haven.core.access import Permission, requires
from haven.core.listing import paginate
from haven.intake.models import Report
from haven.intel.holds import held_by, held_by_subject
from haven.intel.models import Grading, Subject
from haven.referrals.actions import (
    ReferralError,
    acknowledge_referral,
    confirm_route,
    may_write,
    post_message,
    proposed_force,
    record_action,
    record_outcome,
    reports_of,
    send_referral,
    ungraded,
)
from haven.referrals.models import Outcome, ProposedRoute, Referral, State
from haven.referrals.package import context, identifiers_of, render_pdf
from haven.referrals.safeguarding import safeguarding_side

PAGE_SIZE = 50


def pdf_download(pdf: bytes, name: str) -> HttpResponse:
    """A referral document as an attachment: a copy of the case, never cached."""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


def answer(form: forms.Form, field: str, step: Callable[[dict[str, Any]], object]) -> bool:
    """Take a referral's step with the form's data if the form is valid; a step refused becomes the form's
    error on ``field``. Whether it went through."""
    if form.is_valid():
        try:
            step(form.cleaned_data)
        except ReferralError as exc:
            form.add_error(field, str(exc).capitalize())
    return not form.errors


class ReferralForm(forms.Form):
    force = forms.ModelChoiceField(
        label="Police force",
        queryset=Organisation.objects.filter(kind=OrganisationKind.POLICE_FORCE).order_by("name"),
        empty_label=None,
        error_messages={"required": "Choose a force", "invalid_choice": "Choose one of the forces listed"},
    )
    summary = forms.CharField(
        label="Summary for the force",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Write a summary for the force"},
    )


class ActionForm(forms.Form):
    notes = forms.CharField(
        label="What the force has done",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what the force has done"},
    )


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose an outcome"},
    )
    notes = forms.CharField(
        label='Notes (for "not this force\'s area", say whose area it is, or why it is not yours)',
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def visible_to(user: User) -> QuerySet[Referral]:
    """Need to know: the centre sees every referral, a force only its own, anyone else none."""
    referrals = Referral.objects.select_related("force", "liaison", "sent_by")
    if user.organisation.kind == OrganisationKind.CENTRE:
        return referrals
    if user.organisation.kind == OrganisationKind.POLICE_FORCE:
        return referrals.filter(force=user.organisation)
    return referrals.none()


class ListForm(forms.Form):
    state = forms.ChoiceField(label="State", choices=[("", "Any"), *State.choices], required=False)


@requires(Permission.REFERRALS_VIEW)
def referral_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if user.organisation.kind == OrganisationKind.CHILDREN_SERVICES:
        return redirect("referrals:safeguarding_list")  # an agency has no police referrals to list
    form = ListForm(request.GET or None)
    referrals = visible_to(user)
    if form.is_valid() and form.cleaned_data["state"]:
        referrals = referrals.filter(state=form.cleaned_data["state"])
    page, query = paginate(request, referrals, PAGE_SIZE)
    record("referrals.list", request=request, details={"state": form.data.get("state") or None})
    return render(
        request,
        "referrals/list.html",
        {
            "title": "Referrals",
            "page": page,
            "query": query,
            "filter": form,
            "centre": user.organisation.kind == OrganisationKind.CENTRE,
        },
    )


@requires(Permission.REFERRALS_SEND)
def referral_new(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    subject = get_object_or_404(Subject, uid=uid)
    reports = reports_of(subject.members.select_related("report"))
    proposed = proposed_force(reports)
    form = ReferralForm(request.POST or None, initial={"force": proposed.pk if proposed else None})
    if request.method == "POST" and form.is_valid():
        try:
            referral = send_referral(
                subject,
                form.cleaned_data["force"],
                summary=form.cleaned_data["summary"],
                actor=_user(request),
                request=request,
            )
        except ReferralError as exc:
            form.add_error("summary" if "summary" in str(exc) else "force", str(exc))
        else:
            messages.success(request, f"{referral.reference} is sent to {referral.force.name}.")
            return redirect("referrals:detail", uid=referral.uid)
    record("referrals.form", request=request, obj=subject)
    return render(
        request,
        "referrals/new.html",
        {
            "title": f"Refer {subject.reference} to a force",
            "subject": subject,
            "held": held_by_subject(subject),
            "ungraded": ungraded(reports),
            "proposed": proposed,
            "form": form if form.errors else None,
            "referral_form": form,
        },
        status=400 if form.errors else 200,
    )


def _render_referral(
    request: HttpRequest, referral: Referral, *, status: int = 200, **forms_: Any
) -> HttpResponse:
    """The referral page, audited as a view whichever request shows it (a form sent back with errors too)."""
    invalid = next((f for f in forms_.values() if f.errors), None)
    record(
        "referrals.view", request=request, obj=referral, details={"invalid_form": True} if invalid else None
    )
    user = _user(request)
    reports = list(referral.reports.select_related("organisation").order_by("received_at", "id"))
    gradings = {g.report_id: g for g in Grading.objects.filter(report__in=reports)}
    identifiers, associations = identifiers_of(referral)
    answering = user.organisation_id == referral.force_id and has_permission(
        user, Permission.REFERRALS_RESPOND
    )
    return render(
        request,
        "referrals/detail.html",
        {
            "title": referral.reference,
            "referral": referral,
            "reports": [(r, gradings.get(r.pk)) for r in reports],
            "conditions": [g for g in gradings.values() if g.conditions],
            "identifiers": identifiers,
            "associations": associations,
            "held": held_by(referral.hold.members.values_list("id", flat=True), besides=referral.hold)
            if referral.open
            else [],
            "answering": answering,
            "children_services": safeguarding_side(referral),
            "form": invalid,
            "action_form": forms_.get("action") or ActionForm(prefix="action"),
            "thread": referral.messages.select_related("author"),
            "may_write": may_write(referral, user),
            "message_form": forms_.get("message") or MessageForm(prefix="message"),
            "outcome_form": forms_.get("outcome") or OutcomeForm(prefix="outcome"),
        },
        status=status,
    )


def _referral(request: HttpRequest, uid: uuid.UUID) -> Referral:
    return get_object_or_404(visible_to(_user(request)).select_related("hold"), uid=uid)


@requires(Permission.REFERRALS_VIEW)
def referral_detail(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    return _render_referral(request, _referral(request, uid))


@requires(Permission.REFERRALS_VIEW)
def referral_package(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    """The package as a page. Like the PDF, it is a copy of the case: audited, and never cached."""
    referral = _referral(request, uid)
    record("referrals.package", request=request, obj=referral, details={"format": "html"})
    response = render(request, "referrals/package.html", {"title": f"Package of {referral.reference}",
                                                          **context(referral)})  # fmt: skip
    response["Cache-Control"] = "no-store"
    return response


@requires(Permission.REFERRALS_VIEW)
def referral_package_pdf(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    referral = _referral(request, uid)
    pdf = render_pdf(referral)
    record("referrals.package", request=request, obj=referral, details={"format": "pdf", "bytes": len(pdf)})
    return pdf_download(pdf, referral.reference)


@requires(Permission.REFERRALS_RESPOND)
@require_POST
def referral_acknowledge(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    referral = _referral(request, uid)
    try:
        acknowledge_referral(referral, actor=_user(request), request=request)
    except ReferralError as exc:
        messages.error(request, str(exc).capitalize() + ".")
    else:
        messages.success(
            request, "Acknowledged. Other forces holding the same people now see you as the contact."
        )
    return redirect("referrals:detail", uid=uid)


@requires(Permission.REFERRALS_RESPOND)
@require_POST
def referral_action(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    referral = _referral(request, uid)
    form = ActionForm(request.POST, prefix="action")

    def step(data: dict[str, Any]) -> object:
        return record_action(referral, notes=data["notes"], actor=_user(request), request=request)

    if not answer(form, "notes", step):
        return _render_referral(request, referral, status=400, action=form)
    messages.success(request, "The action is recorded.")
    return redirect("referrals:detail", uid=uid)


@requires(Permission.REFERRALS_RESPOND)
@require_POST
def referral_outcome(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    referral = _referral(request, uid)
    form = OutcomeForm(request.POST, prefix="outcome")

    def step(data: dict[str, Any]) -> object:
        return record_outcome(
            referral, outcome=data["outcome"], notes=data["notes"], actor=_user(request), request=request
        )

    if not answer(form, "outcome", step):
        return _render_referral(request, referral, status=400, outcome=form)
    messages.success(request, "The outcome is recorded and the referral is closed.")
    return redirect("referrals:detail", uid=uid)


class MessageForm(forms.Form):
    text = forms.CharField(
        label="Message", widget=forms.Textarea, max_length=4000,
        error_messages={"required": "Write the message"},
    )  # fmt: skip


@requires(Permission.REFERRALS_VIEW)
@require_POST
def referral_message(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    referral = _referral(request, uid)
    user = _user(request)
    if not may_write(referral, user):
        raise PermissionDenied
    form = MessageForm(request.POST, prefix="message")
    if not answer(
        form, "text", lambda data: post_message(referral, data["text"], actor=user, request=request)
    ):
        return _render_referral(request, referral, status=400, message=form)
    messages.success(request, "The message is added to the referral.")
    return redirect("referrals:detail", uid=uid)


class RouteForm(forms.Form):
    force = forms.ChoiceField(
        label="Police force", error_messages={"required": "Choose the force",
                                              "invalid_choice": "Choose one of the forces listed"},
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["force"]
        assert isinstance(field, forms.ChoiceField)
        forces = Organisation.objects.filter(kind=OrganisationKind.POLICE_FORCE).order_by("name")
        field.choices = [("", "Choose a force"), *forces.values_list("slug", "name")]


@requires(Permission.REFERRALS_SEND)
def route_confirm(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    """Confirm the force a report's case should go to: the proposal, a candidate on a boundary, or, where
    the report gives no location, the analyst's choice. The referral form starts from it."""
    report = get_object_or_404(Report, uid=uid)
    route = ProposedRoute.objects.filter(report=report).select_related("confirmed_by").first()
    initial = route.force if route else ""
    form = RouteForm(request.POST if request.method == "POST" else None, initial={"force": initial})
    if request.method == "POST" and form.is_valid():
        force = Organisation.objects.get(slug=form.cleaned_data["force"])
        try:
            confirm_route(report, force, actor=_user(request), request=request)
        except ReferralError as exc:
            form.add_error("force", str(exc).capitalize())
        else:
            messages.success(request, f"{report.reference} goes to {force.name}.")
            return redirect("intake:report", uid=report.uid)
    context = {"title": f"Route {report.reference}", "report": report, "route": route, "route_form": form}
    return form_page(request, "referrals/route.html", context, form=form, action="referrals.route_form",
                     obj=report)  # fmt: skip
