"""How a view declares who may use it.

A view only *declares* what it needs; ``haven.accounts.middleware.AccessMiddleware`` enforces it, for every
view, in one place. A view that declares nothing is refused (fail closed), so a forgotten decorator shows up
as a 403 in the permission-boundary tests rather than as an open page.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any, TypeVar

ViewT = TypeVar("ViewT", bound=Callable[..., Any])

ACCESS_ATTR = "haven_access"


class Permission(StrEnum):
    STAFF_HOME = "staff.home"
    REPORTS_VIEW = "reports.view"
    REPORTS_SUBMIT = "reports.submit"
    REPORTS_RETRY = "reports.retry"
    PRIORITY_OVERRIDE = "priority.override"
    SUBJECTS_VIEW = "subjects.view"
    SUBJECTS_DECIDE = "subjects.decide"
    EXCLUSIONS_MANAGE = "exclusions.manage"
    HASHBANK_VIEW = "hashbank.view"
    HASHBANK_GRADE = "hashbank.grade"
    HASHBANK_MANAGE = "hashbank.manage"
    REFERRALS_VIEW = "referrals.view"
    REFERRALS_SEND = "referrals.send"
    REFERRALS_RESPOND = "referrals.respond"
    INSIGHTS_VIEW = "insights.view"
    AUDIT_VIEW = "audit.view"
    ACCOUNTS_MANAGE = "accounts.manage"


class Open(StrEnum):
    PUBLIC = "public"
    """Anyone, signed in or not: public advice pages, login, health checks."""
    SECOND_FACTOR = "second-factor"
    """Signed in with a password, second factor not yet given: the two-factor pages and logout."""
    SIGNED_IN = "signed-in"
    """Signed in with both factors, whatever the role, and even while the password is still the one-time
    password an administrator issued: changing one's own password."""


Access = Permission | Open


def _tag(access: Access) -> Callable[[ViewT], ViewT]:
    def decorate(view: ViewT) -> ViewT:
        setattr(view, ACCESS_ATTR, access)
        return view

    return decorate


def requires(permission: Permission) -> Callable[[ViewT], ViewT]:
    return _tag(permission)


def public(view: ViewT) -> ViewT:
    return _tag(Open.PUBLIC)(view)


def second_factor_step(view: ViewT) -> ViewT:
    return _tag(Open.SECOND_FACTOR)(view)


def signed_in(view: ViewT) -> ViewT:
    return _tag(Open.SIGNED_IN)(view)


def declared_access(view: Callable[..., Any]) -> Access | None:
    access = getattr(view, ACCESS_ATTR, None)
    if access is None:
        view_class = getattr(view, "view_class", None)
        access = getattr(view_class, ACCESS_ATTR, None)
    return access if isinstance(access, Permission | Open) else None
