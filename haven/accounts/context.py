"""Navigation for staff pages, built from the signed-in user's permissions."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from haven.accounts.models import OrganisationKind, User
from haven.accounts.roles import permissions_of
from haven.core.access import Permission

POLICE_SIDE = frozenset({OrganisationKind.CENTRE, OrganisationKind.POLICE_FORCE})
CHILD_SIDE = frozenset({OrganisationKind.CENTRE, OrganisationKind.CHILDREN_SERVICES})

# Label, page, permission, and the kinds of organisation that see it (None: all that have the permission).
NAVIGATION: list[tuple[str, str, Permission, frozenset[str] | None]] = [
    ("Home", "home", Permission.STAFF_HOME, None),
    ("Queue", "triage:queue", Permission.REPORTS_VIEW, None),
    ("Reports", "intake:inbox", Permission.REPORTS_VIEW, None),
    ("Subjects", "intel:subjects", Permission.SUBJECTS_VIEW, None),
    ("Hash bank", "hashbank:search", Permission.HASHBANK_VIEW, None),
    ("Grading", "grading:queue", Permission.HASHBANK_GRADE, None),
    ("Refer a case", "intake:police", Permission.REPORTS_SUBMIT, None),
    ("Referrals", "referrals:list", Permission.REFERRALS_VIEW, POLICE_SIDE),
    ("Safeguarding", "referrals:safeguarding_list", Permission.REFERRALS_VIEW, CHILD_SIDE),
    ("Insights", "insights:home", Permission.INSIGHTS_VIEW, None),
    ("Audit", "audit:list", Permission.AUDIT_VIEW, None),
    ("Exclusions", "intel:exclusions", Permission.EXCLUSIONS_MANAGE, None),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        return {}
    granted = permissions_of(user)
    kind = user.organisation.kind
    items = []
    for label, url_name, permission, kinds in NAVIGATION:
        if permission in granted and (kinds is None or kind in kinds):
            url = reverse(url_name)
            within = request.path == url or (url != "/staff/" and request.path.startswith(url))
            items.append({"label": label, "url": url, "current": within})
    # The deepest page the path is within is the current one (/referrals/safeguarding/ over /referrals/).
    current = max((i for i in items if i["current"]), key=lambda i: len(str(i["url"])), default=None)
    for item in items:
        item["current"] = item is current
    return {"staff_navigation": items}
