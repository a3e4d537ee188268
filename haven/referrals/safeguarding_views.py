"""Safeguarding referral pages. The centre's analysts refer a report's child to children's services and
follow every referral; an agency's safeguarding liaisons see only their own agency's referrals and answer
them. A police force never sees a safeguarding referral, nor an agency a police referral (404 for both):
each is told only that the other exists, who holds it and whom to call. Every view is audited."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from haven.accounts.models import Organisation, OrganisationKind, User
from haven.accounts.roles import has_permission
from haven.audit.actions import record
from haven.core.access import Permission, requires
from haven.core.listing import paginate
from haven.intake.models import Report
from haven.referrals.actions import ReferralError, may_write, post_message, ungraded
from haven.referrals.models import Decision, SafeguardingOutcome, SafeguardingReferral, SafeguardingState
from haven.referrals.package import render_safeguarding_pdf, safeguarding_context
from haven.referrals.safeguarding import (
    acknowledge,
    deadline_passed,
    decide,
    police_side,
    proposed_agency,
    record_outcome,
    send_safeguarding_referral,
    visible_to,
)
from haven.referrals.views import MessageForm, answer, pdf_download

PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


class SafeguardingForm(forms.Form):
    agency = forms.ModelChoiceField(
        label="Children's services (the local authority, or in Northern Ireland the trust)",
        queryset=Organisation.objects.filter(kind=OrganisationKind.CHILDREN_SERVICES).order_by("name"),
        empty_label="Choose the agency",
        error_messages={
            "required": "Choose the agency",
            "invalid_choice": "Choose one of the agencies listed",
        },
    )
    summary = forms.CharField(
        label="What is known of the harm to the child, how urgent it is, and how the centre knows",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Say what is known of the harm, and how the centre knows"},
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision", choices=Decision.choices, widget=forms.RadioSelect,
        error_messages={"required": "Choose a decision"},
    )  # fmt: skip
    notes = forms.CharField(
        label="Notes (for a strategy discussion or a section 47 enquiry, say with which force and officer)",
        max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome", choices=SafeguardingOutcome.choices, widget=forms.RadioSelect,
        error_messages={"required": "Choose an outcome"},
    )  # fmt: skip
    notes = forms.CharField(
        label='Notes (for "not this agency\'s area", say whose area it is, or why it is not yours)',
        max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip


class ListForm(forms.Form):
    state = forms.ChoiceField(
        label="State", choices=[("", "Any"), *SafeguardingState.choices], required=False
    )


@requires(Permission.REFERRALS_VIEW)
def safeguarding_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if user.organisation.kind == OrganisationKind.POLICE_FORCE:
        return redirect("referrals:list")  # a force has no safeguarding referrals to list
    form = ListForm(request.GET or None)
    referrals = visible_to(user)
    if form.is_valid() and form.cleaned_data["state"]:
        referrals = referrals.filter(state=form.cleaned_data["state"])
    page, query = paginate(request, referrals, PAGE_SIZE)
    record("referrals.safeguarding_list", request=request, details={"state": form.data.get("state") or None})
    rows = [(r, deadline_passed(r)) for r in page.object_list]
    return render(request, "referrals/safeguarding_list.html", {
        "title": "Safeguarding referrals", "page": page, "rows": rows, "query": query, "filter": form,
        "centre": user.organisation.kind == OrganisationKind.CENTRE,
    })  # fmt: skip


@requires(Permission.REFERRALS_SEND)
def safeguarding_new(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    """Refer a report's child to children's services: the agency the child's location routes to is
    proposed; on a boundary the candidates are named, and the analyst chooses."""
    report = get_object_or_404(Report, uid=uid)
    proposed, candidates, reason = proposed_agency(report)
    form = SafeguardingForm(request.POST or None, initial={"agency": proposed.pk if proposed else None})
    if request.method == "POST" and form.is_valid():
        try:
            referral = send_safeguarding_referral(
                report, form.cleaned_data["agency"], summary=form.cleaned_data["summary"],
                actor=_user(request), request=request,
            )  # fmt: skip
        except ReferralError as exc:
            form.add_error("summary" if "harm" in str(exc) else "agency", str(exc).capitalize())
        else:
            messages.success(request, f"{referral.reference} is sent to {referral.agency.name}.")
            return redirect("referrals:safeguarding_detail", uid=referral.uid)
    record(
        "referrals.safeguarding_form",
        request=request,
        obj=report,
        details={"invalid_form": bool(form.errors)},
    )
    return render(request, "referrals/safeguarding_new.html", {
        "title": f"Refer the child of {report.reference} to children's services",
        "report": report, "proposed": proposed, "candidates": candidates, "reason": reason,
        "ungraded": ungraded([report]), "form": form if form.errors else None, "referral_form": form,
    }, status=400 if form.errors else 200)  # fmt: skip


def _referral(request: HttpRequest, uid: uuid.UUID) -> SafeguardingReferral:
    return get_object_or_404(visible_to(_user(request)), uid=uid)


def _render(request: HttpRequest, referral: SafeguardingReferral, *, status: int = 200,
            **forms_: forms.Form) -> HttpResponse:  # fmt: skip
    invalid = next((f for f in forms_.values() if f.errors), None)
    record("referrals.safeguarding_view", request=request, obj=referral,
           details={"invalid_form": True} if invalid else None)  # fmt: skip
    user = _user(request)
    answering = user.organisation_id == referral.agency_id and has_permission(
        user, Permission.REFERRALS_RESPOND
    )
    context: dict[str, Any] = {
        "title": referral.reference,
        "referral": referral,
        "late": deadline_passed(referral),
        "police": police_side(referral),
        "answering": answering,
        "form": invalid,
        "thread": referral.messages.select_related("author"),
        "may_write": may_write(referral, user),
        "message_form": forms_.get("message") or MessageForm(prefix="message"),
        "decision_form": forms_.get("decision") or DecisionForm(prefix="decision"),
        "outcome_form": forms_.get("outcome") or OutcomeForm(prefix="outcome"),
        **safeguarding_context(referral),
    }
    return render(request, "referrals/safeguarding_detail.html", context, status=status)


@requires(Permission.REFERRALS_VIEW)
def safeguarding_detail(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    return _render(request, _referral(request, uid))


@requires(Permission.REFERRALS_VIEW)
def safeguarding_package(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    """The referral as a document page. Like the PDF, it is a copy: audited, and never cached."""
    referral = _referral(request, uid)
    record("referrals.safeguarding_package", request=request, obj=referral, details={"format": "html"})
    response = render(request, "referrals/safeguarding_package.html", {
        "title": f"Safeguarding referral {referral.reference}", **safeguarding_context(referral),
    })  # fmt: skip
    response["Cache-Control"] = "no-store"
    return response


@requires(Permission.REFERRALS_VIEW)
def safeguarding_package_pdf(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    referral = _referral(request, uid)
    pdf = render_safeguarding_pdf(referral)
    record("referrals.safeguarding_package", request=request, obj=referral,
           details={"format": "pdf", "bytes": len(pdf)})  # fmt: skip
    return pdf_download(pdf, referral.reference)


@requires(Permission.REFERRALS_RESPOND)
@require_POST
def safeguarding_acknowledge(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    referral = _referral(request, uid)
    try:
        acknowledge(referral, actor=_user(request), request=request)
    except ReferralError as exc:
        messages.error(request, str(exc).capitalize() + ".")
    else:
        messages.success(request, "Acknowledged. You are now the contact the police are given.")
    return redirect("referrals:safeguarding_detail", uid=uid)


@requires(Permission.REFERRALS_RESPOND)
@require_POST
def safeguarding_decision(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    referral = _referral(request, uid)
    form = DecisionForm(request.POST, prefix="decision")

    def step(data: dict[str, Any]) -> object:
        return decide(
            referral, decision=data["decision"], notes=data["notes"], actor=_user(request), request=request
        )

    if not answer(form, "decision", step):
        return _render(request, referral, status=400, decision=form)
    messages.success(request, "The decision is recorded.")
    return redirect("referrals:safeguarding_detail", uid=uid)


@requires(Permission.REFERRALS_RESPOND)
@require_POST
def safeguarding_outcome(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    referral = _referral(request, uid)
    form = OutcomeForm(request.POST, prefix="outcome")

    def step(data: dict[str, Any]) -> object:
        return record_outcome(
            referral, outcome=data["outcome"], notes=data["notes"], actor=_user(request), request=request
        )

    if not answer(form, "outcome", step):
        return _render(request, referral, status=400, outcome=form)
    messages.success(request, "The outcome is recorded and the referral is closed.")
    return redirect("referrals:safeguarding_detail", uid=uid)


@requires(Permission.REFERRALS_VIEW)
@require_POST
def safeguarding_message(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    """The agency asks the centre for more, or the centre answers: only those two sides write here."""
    referral = _referral(request, uid)
    user = _user(request)
    if not may_write(referral, user):
        raise PermissionDenied
    form = MessageForm(request.POST, prefix="message")

    def step(data: dict[str, Any]) -> object:
        return post_message(referral, data["text"], actor=user, request=request)

    if not answer(form, "text", step):
        return _render(request, referral, status=400, message=form)
    messages.success(request, "The message is added to the referral.")
    return redirect("referrals:safeguarding_detail", uid=uid)
