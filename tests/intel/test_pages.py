"""The subject pages: search, the subject with its identifiers and associations, merge, split and undo
through the forms, the graph data, the exclusion list, and who may use each."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from haven.accounts.models import User
from haven.audit.models import AuditEntry
from haven.intel.models import Decision, Exclusion, Member
from tests.conftest import Orgs
from tests.intel.conftest import groups, ident, person, report_of, subject_of, submit, together

pytestmark = pytest.mark.django_db


@pytest.fixture
def linked(orgs: Orgs) -> None:
    submit(
        orgs,
        report_of("P1", person(ident("email", "quiet.fox@gmail.com"), ident("ip", "192.0.2.44"))),
        report_of("P2", person(ident("email", "QuietFox+x@googlemail.com"), ident("phone", "not a number"))),
        report_of("P3", person(ident("phone", "07700 900555"), ident("ip", "192.0.2.44"))),
    )


def test_search_finds_the_subject_by_any_spelling(
    sign_in: Callable[..., Client], analyst: User, linked: None
) -> None:
    client = sign_in(analyst)
    response = client.get(reverse("intel:subjects"), {"kind": "email", "value": "Quiet.Fox@GMAIL.com"})
    assert response.status_code == 200
    assert [s.pk for s, _ in response.context["rows"]] == [subject_of("P1").pk]
    assert response.context["rows"][0][1] == 2
    bad = client.get(reverse("intel:subjects"), {"kind": "phone", "value": "call me"})
    assert bad.status_code == 400
    assert "cannot be read as phone" in bad.content.decode()


def test_the_subject_page_explains_and_is_audited(
    sign_in: Callable[..., Client], analyst: User, linked: None
) -> None:
    subject = subject_of("P1")
    response = sign_in(analyst).get(reverse("intel:subject", args=[subject.uid]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "2 reported people share email <code>quietfox@gmail.com</code>" in page
    assert "not a number" in page  # an unreadable identifier is shown, not lost
    association = response.context["facts"].associations[0]
    assert association.value.canonical == "192.0.2.44"
    assert [o.pk for o in association.others] == [subject_of("P3").pk]
    assert AuditEntry.objects.filter(action="intel.subject_view", object_id=str(subject.pk)).count() == 1


def test_merge_and_undo_through_the_forms(
    sign_in: Callable[..., Client], analyst: User, linked: None
) -> None:
    client = sign_in(analyst)
    first, other = subject_of("P1"), subject_of("P3")
    url = reverse("intel:merge", args=[first.uid])
    missing = client.post(url, {"merge-other": str(other.uid), "merge-reason": ""})
    assert missing.status_code == 400 and "Give a reason" in missing.content.decode()
    wrong = client.post(url, {"merge-other": "not-an-id", "merge-reason": "same device"})
    assert wrong.status_code == 400 and "Enter a Haven id" in wrong.content.decode()
    response = client.post(url, {"merge-other": str(other.uid), "merge-reason": "same device seen in both"})
    assert response.status_code == 302
    assert groups() == {together("P1", "P2", "P3")}
    decision = Decision.objects.get()
    undo = client.post(
        reverse("intel:revoke", args=[first.uid, decision.pk]),
        {f"revoke-{decision.pk}-reason": "the device was shared"},
    )
    assert undo.status_code == 302
    assert groups() == {together("P1", "P2"), together("P3")}


def test_split_through_the_form(sign_in: Callable[..., Client], supervisor: User, linked: None) -> None:
    subject = subject_of("P1")
    p2 = Member.objects.get(report__external_id="P2")
    response = sign_in(supervisor).post(
        reverse("intel:split", args=[subject.uid]),
        {"split-members": [str(p2.pk)], "split-reason": "two people"},
    )
    assert response.status_code == 302
    assert groups() == {together("P1"), together("P2"), together("P3")}


def test_graph_data_and_expansion(sign_in: Callable[..., Client], analyst: User, linked: None) -> None:
    client = sign_in(analyst)
    subject = subject_of("P1")
    url = reverse("intel:graph_data", args=[subject.uid])
    ids = {e["data"]["id"] for e in client.get(url).json()["elements"]}
    assert f"subject:{subject.uid}" in ids
    ip = next(
        i
        for i in ids
        if i.startswith("value:")
        and client.get(url, {"expand": i}).json()["elements"][0]["data"]["label"] == "ip: 192.0.2.44"
    )
    around_ip = {e["data"]["id"] for e in client.get(url, {"expand": ip}).json()["elements"]}
    assert f"subject:{subject_of('P3').uid}" in around_ip
    assert client.get(url, {"expand": "value:999999"}).status_code == 404
    assert client.get(reverse("intel:graph", args=[subject.uid])).status_code == 200


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("analyst", True),
        ("supervisor", True),
        ("grader", False),
        ("liaison_a", False),
        ("partner", False),
        ("admin_user", False),
    ],
)
def test_who_may_see_and_decide(
    sign_in: Callable[..., Client], request: pytest.FixtureRequest, persona: str, allowed: bool, linked: None
) -> None:
    client = sign_in(request.getfixturevalue(persona))
    subject, other = subject_of("P1"), subject_of("P3")
    expected = 200 if allowed else 403
    assert client.get(reverse("intel:subject", args=[subject.uid])).status_code == expected
    assert client.get(reverse("intel:graph_data", args=[subject.uid])).status_code == expected
    merge = client.post(
        reverse("intel:merge", args=[subject.uid]), {"merge-other": str(other.uid), "merge-reason": "x"}
    )
    assert merge.status_code == (302 if allowed else 403)


def test_admins_manage_exclusions(
    sign_in: Callable[..., Client], admin_user: User, analyst: User, linked: None
) -> None:
    client = sign_in(admin_user)
    url = reverse("intel:exclusions")
    bad = client.post(url, {"kind": "email", "pattern": "", "reason": "x"})
    assert bad.status_code == 400 and "Enter a pattern" in bad.content.decode()
    assert client.post(url, {"kind": "email", "pattern": "*@gmail.com", "reason": "test"}).status_code == 302
    assert groups() == {together("P1"), together("P2"), together("P3")}
    assert (
        sign_in(analyst)
        .post(reverse("intel:exclusion_remove", args=[Exclusion.objects.get().pk]))
        .status_code
        == 403
    )
    assert (
        client.post(reverse("intel:exclusion_remove", args=[Exclusion.objects.get().pk])).status_code == 302
    )
    assert together("P1", "P2") in groups()


def test_a_large_subject_is_read_a_page_at_a_time(
    sign_in: Callable[..., Client], analyst: User, orgs: Orgs, settings: object
) -> None:
    """The subject page's queries do not grow with the subject; its tables come a page at a time."""
    settings.INTEL_CORRELATION_CAP = 1000  # type: ignore[attr-defined]
    phone = ident("phone", "07700 900777")

    def reports(start: int, stop: int) -> list[dict[str, object]]:
        return [
            report_of(
                f"L{n}",
                person(phone, ident("email", f"l{n}a@example.org"), ident("email", f"l{n}b@example.org")),
            )
            for n in range(start, stop)
        ]

    client = sign_in(analyst)
    submit(orgs, *reports(0, 3))
    url = reverse("intel:subject", args=[subject_of("L0").uid])
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    submit(orgs, *reports(3, 60))
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert len(large.captured_queries) == len(small.captured_queries)
    facts = response.context["facts"]
    assert (facts.report_count, facts.member_count) == (60, 60)
    assert len(facts.timeline) == 50 and len(facts.identifiers) == 100  # of 121 identifiers
    page = response.content.decode()
    assert 'aria-label="Timeline pages"' in page and "reports=2" in page and "identifiers=2" in page
    second = client.get(url, {"reports": "2", "identifiers": "2"}).context["facts"]
    assert len(second.timeline) == 10 and len(second.identifiers) == 21
    [shared] = [h for h in second.identifiers if h.value.kind == "phone"]  # emails sort first
    assert (shared.report_count, len(shared.reports)) == (60, 5)
    assert [r.external_id for r, _ in second.timeline] == [f"L{n}" for n in range(50, 60)]
