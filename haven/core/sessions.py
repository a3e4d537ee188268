"""The public side's one session: the report form's answers, kept under one key, and how it ends."""

from __future__ import annotations

from django.http import HttpRequest

PUBLIC_REPORT = "public_report"  # the public report form's answers


def end_public_session(request: HttpRequest) -> None:
    """End a visitor's session and so delete its cookie, leaving nothing on a shared device. A member of
    staff signed in keeps their own session: only the public form's answers go."""
    if request.user.is_authenticated:
        request.session.pop(PUBLIC_REPORT, None)
    else:
        request.session.flush()
