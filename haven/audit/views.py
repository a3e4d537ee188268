"""The supervisors' audit viewer: filter by user, object and date, and export what is shown as CSV."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone

from haven.audit.actions import record
from haven.audit.chain import canonical_time
from haven.audit.models import AuditEntry
from haven.core.access import Permission, requires
from haven.core.listing import filters_used, paginate

PAGE_SIZE = 50
CSV_COLUMNS = [
    "seq", "at", "actor", "organisation", "action", "object_type", "object_id", "ip", "user_agent", "hash",
]  # fmt: skip


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label="User", required=False, max_length=150)
    object_type = forms.CharField(label="Object type", required=False, max_length=100)
    object_id = forms.CharField(label="Object ID", required=False, max_length=100)
    date_from = forms.DateField(
        label="From",
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": "Enter the from date as YYYY-MM-DD"},
    )
    date_to = forms.DateField(
        label="To",
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": "Enter the to date as YYYY-MM-DD"},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The to date must be the same as or after the from date")
        return data


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def filtered_entries(form: AuditFilterForm) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.all()
    if not form.is_valid():
        return entries.none()
    data = form.cleaned_data
    if data["actor"]:
        entries = entries.filter(actor=data["actor"])
    if data["object_type"]:
        entries = entries.filter(object_type=data["object_type"])
    if data["object_id"]:
        entries = entries.filter(object_id=data["object_id"])
    if data["date_from"]:
        entries = entries.filter(at__gte=_day_start(data["date_from"]))
    if data["date_to"]:
        entries = entries.filter(at__lt=_day_start(data["date_to"] + dt.timedelta(days=1)))
    return entries.order_by("-seq")


@requires(Permission.AUDIT_VIEW)
def entry_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET)
    filters = filters_used(form)
    # Record the viewing first, so that the page shows its own entry and the count agrees with the rows.
    record("audit.view", request=request, details={"filters": filters, "page": request.GET.get("page", "1")})
    page, query = paginate(request, filtered_entries(form), PAGE_SIZE)
    return render(
        request,
        "audit/list.html",
        {"form": form, "page": page, "query": query, "filters_applied": bool(filters)},
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_rows(entries: QuerySet[AuditEntry]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for entry in entries.iterator(chunk_size=2000):
        row = [getattr(entry, name) for name in CSV_COLUMNS]
        row[1] = canonical_time(entry.at)
        # A leading =, +, - or @ would run as a formula in a spreadsheet (CSV injection).
        yield writer.writerow(["'" + v if isinstance(v, str) and v[:1] in "=+-@" else v for v in row])


@requires(Permission.AUDIT_VIEW)
def export_csv(request: HttpRequest) -> HttpResponseBase:
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "audit/list.html", {"form": form, "page": None, "query": ""}, status=400)
    record("audit.export", request=request, details={"filters": filters_used(form)})
    response = StreamingHttpResponse(
        _csv_rows(filtered_entries(form)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="haven-audit.csv"'
    return response
