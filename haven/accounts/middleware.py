"""The single place where Haven decides whether a request may reach a page."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from haven.accounts.models import User
from haven.accounts.roles import ROLES_REQUIRING_2FA, has_permission
from haven.audit.actions import record
from haven.core.access import Open, Permission, declared_access

log = logging.getLogger(__name__)

API_PREFIX = "/api/"
# When the session's sign-in happened (time.time()), set at sign-in (signals.py).
SIGNED_IN_AT = "haven_signed_in_at"


def session_too_old(request: HttpRequest) -> bool:
    """Whether the session has lasted longer than HAVEN_SESSION_ABSOLUTE_SECONDS since its sign-in, however
    busy it has been. A session from before the limit existed counts as too old."""
    started = request.session.get(SIGNED_IN_AT)
    if not isinstance(started, int | float):
        return True
    return time.time() - started > settings.SESSION_ABSOLUTE_SECONDS


def needs_second_factor(user: User) -> bool:
    if settings.DEMO_SKIP_2FA or user.role not in ROLES_REQUIRING_2FA:
        return False
    # OTPMiddleware adds is_verified() to request.user; a user fresh from login() has not been through it yet.
    is_verified = getattr(user, "is_verified", None)
    return not (callable(is_verified) and is_verified())


class AccessMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> HttpResponse | None:
        if request.path_info.startswith(API_PREFIX):
            return None  # the API authenticates partner keys itself (haven.api)
        access = declared_access(view)
        if access is Open.PUBLIC:
            return None
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        assert isinstance(user, User)
        if session_too_old(request):
            record("auth.session_expired", request=request, actor=user, obj=user)
            logout(request)
            messages.info(request, "You were signed out because your session reached its time limit.")
            return redirect_to_login(request.get_full_path())
        if needs_second_factor(user):
            if access is Open.SECOND_FACTOR:
                return None
            return redirect("accounts:two_factor")
        if access in (Open.SECOND_FACTOR, Open.SIGNED_IN):
            return None
        if user.password_is_one_time:
            return redirect("accounts:password")
        if not isinstance(access, Permission):
            log.error("view %s declares no access rule; refused", getattr(view, "__qualname__", view))
            return self._forbidden(request, "no-rule")
        if has_permission(user, access):
            return None
        return self._forbidden(request, access)

    @staticmethod
    def _forbidden(request: HttpRequest, needed: str) -> HttpResponse:
        record("access.denied", request=request, details={"path": request.path[:200], "needed": needed})
        return render(request, "403.html", status=403)
