"""Navigation for staff pages, built from the signed-in user's permissions."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from haven.accounts.models import User
from haven.accounts.roles import permissions_of
from haven.core.access import Permission

NAVIGATION = [
    ("Home", "home", Permission.STAFF_HOME),
    ("Queue", "triage:queue", Permission.REPORTS_VIEW),
    ("Reports", "intake:inbox", Permission.REPORTS_VIEW),
    ("Subjects", "intel:subjects", Permission.SUBJECTS_VIEW),
    ("Hash bank", "hashbank:search", Permission.HASHBANK_VIEW),
    ("Grading", "grading:queue", Permission.HASHBANK_GRADE),
    ("Refer a case", "intake:police", Permission.REPORTS_SUBMIT),
    ("Referrals", "referrals:list", Permission.REFERRALS_VIEW),
    ("Insights", "insights:home", Permission.INSIGHTS_VIEW),
    ("Audit", "audit:list", Permission.AUDIT_VIEW),
    ("Exclusions", "intel:exclusions", Permission.EXCLUSIONS_MANAGE),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        return {}
    granted = permissions_of(user)
    items = []
    for label, url_name, permission in NAVIGATION:
        if permission in granted:
            url = reverse(url_name)
            current = request.path == url or (url != "/staff/" and request.path.startswith(url))
            items.append({"label": label, "url": url, "current": current})
    return {"staff_navigation": items}
