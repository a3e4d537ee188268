"""Staff pages with a form: each showing is an audited view, noting a form sent back with errors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from haven.audit.actions import record


def form_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    form: forms.Form,
    action: str,
    obj: models.Model,
) -> HttpResponse:
    """Render a page holding ``form``: 200, or 400 with the error summary when the form has errors. The
    showing is audited as ``action`` on ``obj`` either way."""
    invalid = bool(form.errors)
    record(action, request=request, obj=obj, details={"invalid_form": True} if invalid else None)
    return render(
        request, template, {**context, "form": form if invalid else None}, status=400 if invalid else 200
    )
