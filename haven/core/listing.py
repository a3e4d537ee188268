"""Filtered, paginated staff tables: the pieces every list page shares."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone


def filters_used(form: forms.Form) -> dict[str, str]:
    """The filters a valid form actually sets, as text for the audit trail; none for an invalid form."""
    if not form.is_valid():
        return {}
    return {name: str(value) for name, value in form.cleaned_data.items() if value}


def paginate(request: HttpRequest, rows: Any, per_page: int) -> tuple[Page[Any], str]:
    """The requested page, and the query string without ``page`` for the pagination links."""
    page = Paginator(rows, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


# Dates outside these years are typing errors, and the last day of year 9999 has no day after it.
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2999, 12, 31)


class DateRangeForm(forms.Form):
    """From and to dates (both inclusive, in the centre's time zone) for a filter form."""

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

    def _within(self, name: str) -> dt.date | None:
        value: dt.date | None = self.cleaned_data.get(name)
        if value is not None and not EARLIEST <= value <= LATEST:
            raise forms.ValidationError(f"Enter a date between {EARLIEST:%Y} and {LATEST:%Y}")
        return value

    def clean_date_from(self) -> dt.date | None:
        return self._within("date_from")

    def clean_date_to(self) -> dt.date | None:
        return self._within("date_to")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The to date must be the same as or after the from date")
        return data


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def in_date_range(rows: QuerySet[Any], field: str, data: dict[str, Any]) -> QuerySet[Any]:
    """Rows whose ``field`` falls within a valid DateRangeForm's dates."""
    if data.get("date_from"):
        rows = rows.filter(**{f"{field}__gte": _day_start(data["date_from"])})
    if data.get("date_to"):
        rows = rows.filter(**{f"{field}__lt": _day_start(data["date_to"] + dt.timedelta(days=1))})
    return rows
