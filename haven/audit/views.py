"""The supervisors' audit viewer: filter by user, object and date, and export what is shown as CSV."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from haven.audit.actions import record
from haven.audit.chain import canonical_time
from haven.audit.models import AuditEntry
from haven.core.access import Permission, requires
from haven.core.listing import DateRangeForm, filters_used, in_date_range, paginate

PAGE_SIZE = 50
CSV_COLUMNS = [
    "seq", "at", "actor", "organisation", "action", "object_type", "object_id", "ip", "user_agent", "hash",
]  # fmt: skip


class AuditFilterForm(DateRangeForm):
    actor = forms.CharField(label="User", required=False, max_length=150)
    object_type = forms.CharField(label="Object type", required=False, max_length=100)
    object_id = forms.CharField(label="Object ID", required=False, max_length=100)
    field_order = ["actor", "object_type", "object_id", "date_from", "date_to"]


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
    return in_date_range(entries, "at", data).order_by("-seq")


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
        status=200 if form.is_valid() else 400,
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
