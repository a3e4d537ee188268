"""Sign-ins, sign-outs and failed attempts go into the audit trail."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from haven.accounts.models import User
from haven.audit.actions import record


@receiver(user_logged_in)
def _logged_in(sender: object, request: HttpRequest, user: User, **kwargs: Any) -> None:
    # The session's absolute lifetime counts from here (middleware.session_too_old).
    request.session["haven_signed_in_at"] = time.time()
    record("auth.login", request=request, actor=user, obj=user)


@receiver(user_logged_out)
def _logged_out(sender: object, request: HttpRequest, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        record("auth.logout", request=request, actor=user, obj=user)


@receiver(user_login_failed)
def _login_failed(
    sender: object, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    record(
        "auth.login_failed", request=request, details={"username": str(credentials.get("username", ""))[:150]}
    )
