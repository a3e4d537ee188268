"""Permission boundaries for every staff page: signed out, no second factor, wrong role or organisation."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from haven.accounts.models import Organisation, User
from haven.audit.models import AuditEntry

# Written out by hand from the role descriptions in issue 2, not derived from haven.accounts.roles, so that
# a wrong entry in the role table fails here.
ALL_STAFF = {"analyst", "grader", "supervisor", "admin", "liaison_a", "liaison_b", "partner", "outsider"}
STAFF_PAGES: dict[str, set[str]] = {
    "home": ALL_STAFF,
    "intake:inbox": {"analyst", "supervisor"},
    "triage:queue": {"analyst", "supervisor"},
    "intake:police": {"liaison_a", "liaison_b"},
    "intel:subjects": {"analyst", "supervisor"},
    "intel:exclusions": {"admin"},
    "hashbank:search": {"analyst", "grader", "supervisor"},
    "hashbank:lists": {"analyst", "grader", "supervisor"},
    "grading:queue": {"grader", "supervisor"},
    "grading:settings": {"grader", "supervisor"},
    "grading:disputes": {"supervisor"},
    "grading:metrics": {"supervisor"},
    "referrals:list": {"analyst", "supervisor", "liaison_a", "liaison_b"},
    "insights:home": {"analyst", "supervisor", "admin"},
    "insights:trends": {"analyst", "supervisor", "admin"},
    "insights:trends_csv": {"analyst", "supervisor", "admin"},
    "insights:monthly": {"analyst", "supervisor", "admin"},
    "audit:list": {"supervisor"},
    "audit:export": {"supervisor"},
}
# Pages anyone may open, and the steps of signing in.
OPEN_PAGES = {
    "advice:index", "advice:audience", "advice:search", "advice:exit", "healthz", "readyz", "accounts:login",
    "report:start", "report:step", "report:check", "report:done", "remove:start", "remove:send",
    "remove:status",
}  # fmt: skip
# The steps of signing in, and changing one's own password (any role, both factors: test_sign_in.py).
SIGN_IN_STEPS = {"accounts:two_factor", "accounts:logout", "accounts:password"}
# Pages that take an argument, accept only POST or only redirect; their boundary tests are in the apps' own
# test modules.
WITH_ARGUMENTS = {
    "advice:topic",
    "intake:report",
    "intake:assign",
    "intake:note",
    "intake:retry",
    "hashbank:record",
    "hashbank:record_verdict",
    "hashbank:record_status",
    "hashbank:list_update",
    "intel:subject",
    "intel:merge",
    "intel:split",
    "intel:revoke",
    "intel:graph",
    "intel:graph_data",
    "intel:exclusion_remove",
    "intel:grade",
    "referrals:new",
    "referrals:detail",
    "referrals:acknowledge",
    "referrals:action",
    "referrals:outcome",
    "referrals:message",
    "referrals:route",
    "referrals:package",
    "referrals:package_pdf",
    # Safeguarding referrals: their boundary tests are in tests/referrals/test_safeguarding.py. The list
    # sends a force's liaison officers to their own list.
    "referrals:safeguarding_list",
    "referrals:safeguarding_new",
    "referrals:safeguarding_detail",
    "referrals:safeguarding_package",
    "referrals:safeguarding_package_pdf",
    "referrals:safeguarding_acknowledge",
    "referrals:safeguarding_decision",
    "referrals:safeguarding_outcome",
    "referrals:safeguarding_message",
    "triage:priority",
    "triage:override",
    "triage:access",
    "chats:conversation",
    "chats:log",
    "grading:next",
    "grading:cluster",
    "grading:grade",
    "grading:image",
    "grading:reveal",
    "grading:pull_out",
    "grading:hide",
    "insights:dashboard",
    "insights:csv",
}


def _all_url_names(resolver: URLResolver | None = None, prefix: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern).startswith("api/"):
                continue  # the API has its own boundary tests (test_api.py)
            ns = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            names |= _all_url_names(pattern, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(prefix + pattern.name)
    return names


def test_every_page_has_a_boundary_test() -> None:
    covered = set(STAFF_PAGES) | OPEN_PAGES | SIGN_IN_STEPS | WITH_ARGUMENTS
    assert _all_url_names() == covered


@pytest.mark.parametrize("name", sorted(STAFF_PAGES))
def test_signed_out_is_sent_to_sign_in(client: Client, name: str, db: None) -> None:
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("name", sorted(STAFF_PAGES))
def test_password_alone_is_not_enough(sign_in: Callable[..., Client], analyst: User, name: str) -> None:
    response = sign_in(analyst, verified=False).get(reverse(name))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:two_factor")


@pytest.mark.parametrize("name", sorted(STAFF_PAGES))
def test_each_role_sees_only_its_pages(
    sign_in: Callable[..., Client], personas: dict[str, User], name: str
) -> None:
    for persona, user in personas.items():
        response = sign_in(user).get(reverse(name))
        if response.streaming:
            b"".join(response.streaming_content)  # type: ignore[attr-defined]  # read to the end, as a browser would
        expected = 200 if persona in STAFF_PAGES[name] else 403
        assert response.status_code == expected, f"{persona} on {name}"


def test_refusals_are_audited(sign_in: Callable[..., Client], grader: User) -> None:
    sign_in(grader).get(reverse("audit:list"))
    denied = AuditEntry.objects.get(action="access.denied")
    assert denied.actor == grader.username
    assert denied.details == {"path": "/staff/audit/", "needed": "audit.view"}


def test_a_supervisor_moved_out_of_the_centre_loses_access(
    sign_in: Callable[..., Client], supervisor: User, orgs: object
) -> None:
    client = sign_in(supervisor)
    assert client.get(reverse("audit:list")).status_code == 200
    User.objects.filter(pk=supervisor.pk).update(organisation=Organisation.objects.get(slug="force-a"))
    assert client.get(reverse("audit:list")).status_code == 403
    assert client.get(reverse("home")).status_code == 403


def test_a_deactivated_account_is_signed_out(sign_in: Callable[..., Client], analyst: User) -> None:
    client = sign_in(analyst)
    User.objects.filter(pk=analyst.pk).update(is_active=False)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("name", ["advice:index", "healthz", "accounts:login"])
def test_open_pages_need_no_sign_in(client: Client, name: str, db: None) -> None:
    assert client.get(reverse(name)).status_code == 200


def test_navigation_lists_only_permitted_sections(sign_in: Callable[..., Client], liaison_a: User) -> None:
    page = sign_in(liaison_a).get(reverse("home")).content.decode()
    assert 'href="/staff/referrals/"' in page
    for hidden in ("/staff/reports/", "/staff/hashbank/", "/staff/audit/"):
        assert f'href="{hidden}"' not in page
