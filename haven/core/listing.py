"""Filtered, paginated staff tables: the pieces every list page shares."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.paginator import Page, Paginator
from django.http import HttpRequest


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
