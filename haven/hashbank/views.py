"""Staff pages for the bank. They show hashes and metadata only: the bank holds no images."""

from __future__ import annotations

import re

from django import forms
from django.contrib import messages
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from haven.accounts.models import User
from haven.accounts.roles import has_permission, permissions_of
from haven.audit.actions import record
from haven.core.access import Permission, requires
from haven.core.listing import filters_used, paginate
from haven.hashbank.actions import GRADES, give_verdict, set_status, update_list
from haven.hashbank.hashtypes import kind_of
from haven.hashbank.index import DEFAULT_MAX_RADIUS
from haven.hashbank.models import BankList, BankRecord, Category, GradingVerdict, RecordSource, Status

PAGE_SIZE = 50


class SearchForm(forms.Form):
    hash = forms.CharField(
        label="Hash", required=False, max_length=64, help_text="md5, sha1, sha256 or PDQ, in hex"
    )
    series = forms.CharField(label="Series", required=False, max_length=100)
    category = forms.ChoiceField(label="Category", required=False, choices=[("", "Any"), *Category.choices])
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any"), *Status.choices])

    def clean_hash(self) -> str:
        value = str(self.cleaned_data["hash"]).strip().lower()
        if value and not (re.fullmatch(r"[0-9a-f]+", value) and kind_of(value)):
            raise forms.ValidationError("Enter a hash of 32, 40 or 64 hexadecimal characters")
        return value


def _records(form: SearchForm) -> QuerySet[BankRecord]:
    records = BankRecord.objects.order_by("-change", "-id").prefetch_related(
        Prefetch("sources", queryset=RecordSource.objects.select_related("bank_list"))
    )
    if not form.is_valid():
        return records.none()
    data = form.cleaned_data
    if data["hash"]:
        value = data["hash"]
        by_length = {32: Q(md5=value), 40: Q(sha1=value), 64: Q(sha256=value) | Q(pdq=value)}
        records = records.filter(by_length[len(value)])
    if data["series"]:
        records = records.filter(series=data["series"].strip())
    if data["category"]:
        records = records.filter(category=data["category"])
    if data["status"]:
        records = records.filter(status=data["status"])
    return records


@requires(Permission.HASHBANK_VIEW)
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    filters = filters_used(form)
    record("hashbank.search", request=request, details={"filters": filters})
    records = _records(form)
    user = request.user
    assert isinstance(user, User)
    if (
        form.is_valid()
        and form.cleaned_data["category"]
        and not has_permission(user, Permission.HASHBANK_MANAGE)
    ):
        # A grade not yet seen by a second grader is not searchable by it either.
        records = records.exclude(Q(graders=1) & ~Q(verdicts__grader=user))
    page, query = paginate(request, records, PAGE_SIZE)
    return render(
        request,
        "hashbank/search.html",
        {
            "title": "Hash bank",
            "form": form,
            "page": page,
            "query": query,
            "filtered": bool(filters),
            "sealed": _sealed(request, list(page)),
        },
    )


def _in_grading_queue(rec: BankRecord) -> int | None:
    """The grading cluster this record's file waits in, if it is still being graded there: its grades are
    given in the queue, so that the two graders' stages are kept (``haven.grading``)."""
    stages = ["first", "second", "disputed"]
    waiting = (
        BankRecord.objects.filter(pk=rec.pk, grading_items__cluster__stage__in=stages)
        .values_list("grading_items__cluster_id", flat=True)
        .first()
    )
    return int(waiting) if waiting is not None else None


def _grades_blind(user: User) -> bool:
    """A grader who is not a supervisor: they may be a record's independent second grader."""
    granted = permissions_of(user)
    return Permission.HASHBANK_GRADE in granted and Permission.HASHBANK_MANAGE not in granted


def _sealed(request: HttpRequest, records: list[BankRecord]) -> set[int]:
    """The records whose grade this grader may not see yet: one grader has graded them, and a second, who
    must grade without knowing the first grade, has not. The first grader, supervisors and people who
    never grade see it."""
    user = request.user
    assert isinstance(user, User)
    if has_permission(user, Permission.HASHBANK_MANAGE) or not has_permission(
        user, Permission.HASHBANK_GRADE
    ):
        return set()  # a supervisor, or someone who never grades
    once = [r.pk for r in records if r.graders == 1 and not r.verified]
    mine = set(
        GradingVerdict.objects.filter(record_id__in=once, grader=user).values_list("record_id", flat=True)
    )
    return set(once) - mine


class VerdictForm(forms.Form):
    category = forms.ChoiceField(
        label="Your category",
        choices=[(c.value, c.label) for c in GRADES],
        widget=forms.RadioSelect,
        error_messages={"required": "Select a category", "invalid_choice": "Select a category"},
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        choices=Status.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a status", "invalid_choice": "Select a status"},
    )


def _render_record(
    request: HttpRequest, rec: BankRecord, *, verdict_form: VerdictForm | None = None,
    status_form: StatusForm | None = None,
) -> HttpResponse:  # fmt: skip
    """The record page, audited as a view whichever request shows it (a form sent back with errors too)."""
    user = request.user
    assert isinstance(user, User)
    mine = rec.verdicts.filter(grader=user).first()
    invalid = next((f for f in (verdict_form, status_form) if f is not None and f.errors), None)
    record(
        "hashbank.record_view", request=request, obj=rec, details={"invalid_form": True} if invalid else None
    )
    sealed = bool(_sealed(request, [rec]))
    queued = _in_grading_queue(rec)
    context = {
        "title": f"Record {rec.pk}",
        "rec": rec,
        "sealed": sealed,
        "queued": queued,
        "sources": rec.sources.select_related("bank_list").order_by("added_at"),
        "events": [] if sealed else rec.events.all(),
        "verdicts": [] if sealed else rec.verdicts.select_related("grader"),
        "can_grade": has_permission(user, Permission.HASHBANK_GRADE) and queued is None,
        "can_manage": has_permission(user, Permission.HASHBANK_MANAGE),
        "verdict_form": verdict_form or VerdictForm(initial={"category": mine.category if mine else None}),
        "status_form": status_form or StatusForm(initial={"status": rec.status}),
        "form": invalid,  # the one the error summary lists
    }
    return render(request, "hashbank/record.html", context, status=400 if invalid else 200)


@requires(Permission.HASHBANK_VIEW)
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_record(request, get_object_or_404(BankRecord, pk=pk))


@require_POST
@requires(Permission.HASHBANK_GRADE)
def record_verdict(request: HttpRequest, pk: int) -> HttpResponse:
    rec = get_object_or_404(BankRecord, pk=pk)
    form = VerdictForm(request.POST)
    if _in_grading_queue(rec) is not None:
        form.add_error(None, "This file is in the grading queue: grade it there, with its cluster")
    if not form.is_valid():
        return _render_record(request, rec, verdict_form=form)
    user = request.user
    assert isinstance(user, User)
    rec = give_verdict(rec, grader=user, category=form.cleaned_data["category"], request=request)
    messages.success(request, f"Saved your verdict: {rec.get_category_display()}" if rec.graders_agree
                     else "Saved your verdict. The graders disagree, so the record is disputed")  # fmt: skip
    return redirect("hashbank:record", pk=rec.pk)


@require_POST
@requires(Permission.HASHBANK_MANAGE)
def record_status(request: HttpRequest, pk: int) -> HttpResponse:
    rec = get_object_or_404(BankRecord, pk=pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _render_record(request, rec, status_form=form)
    set_status(rec, form.cleaned_data["status"], request=request)
    messages.success(request, f"Record {rec.pk} is now {rec.get_status_display().lower()}")
    return redirect("hashbank:record", pk=rec.pk)


class ListForm(forms.Form):
    pdq_threshold = forms.IntegerField(
        label="PDQ threshold",
        min_value=0,
        max_value=DEFAULT_MAX_RADIUS,
        error_messages={
            "min_value": "The threshold must be 0 or more",
            "max_value": f"The threshold must be {DEFAULT_MAX_RADIUS} or less",
            "invalid": "Enter the threshold as a whole number",
            "required": "Enter a threshold",
        },
    )
    enabled = forms.BooleanField(label="Enabled for matching", required=False)


def _render_lists(request: HttpRequest, invalid: tuple[int, ListForm] | None = None) -> HttpResponse:
    record("hashbank.lists_view", request=request, details={"invalid_form": True} if invalid else None)
    rows = []
    for bank_list in BankList.objects.order_by("name").annotate(
        record_count=Count("sources__record", distinct=True)
    ):
        form = ListForm(initial={"pdq_threshold": bank_list.pdq_threshold, "enabled": bank_list.enabled})
        if invalid is not None and invalid[0] == bank_list.pk:
            form = invalid[1]
        rows.append((bank_list, form))
    return render(
        request,
        "hashbank/lists.html",
        {"title": "Hash lists", "rows": rows, "form": invalid[1] if invalid else None},
        status=400 if invalid else 200,
    )


@requires(Permission.HASHBANK_VIEW)
def lists(request: HttpRequest) -> HttpResponse:
    return _render_lists(request)


@require_POST
@requires(Permission.HASHBANK_MANAGE)
def list_update(request: HttpRequest, pk: int) -> HttpResponse:
    bank_list = get_object_or_404(BankList, pk=pk)
    form = ListForm(request.POST)
    if not form.is_valid():
        return _render_lists(request, (bank_list.pk, form))
    update_list(
        bank_list,
        pdq_threshold=form.cleaned_data["pdq_threshold"],
        enabled=form.cleaned_data["enabled"],
        request=request,
    )
    messages.success(request, f"Saved the settings of {bank_list.name}")
    return redirect("hashbank:lists")
