"""The staff API: the queue and priorities as JSON for the centre's signed-in staff, audited; refused to
partners (by key or by session), to forces, and to a session short of its second factor."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from haven.accounts.actions import create_api_key
from haven.accounts.models import User
from haven.audit.models import AuditEntry
from haven.intake.models import Report
from haven.intel.models import Member
from haven.triage.actions import override_band
from haven.triage.models import Priority
from tests.conftest import Orgs
from tests.triage.conftest import processed, report

pytestmark = pytest.mark.django_db

QUEUE = "/api/v1/staff/queue"


@pytest.fixture
def three(orgs: Orgs) -> dict[str, Report]:
    """P1 (imminent), P2 (enticement of a child under 13, in Manchester) and P4 (nothing to act on)."""
    made = processed(
        orgs,
        report("IMM", incident__imminent_danger=True),
        report(
            "P2", victims__0__age_estimate=11, victims__0__location={"country": "GB", "postcode": "N1 2UD"}
        ),
        report("INFO", reported_persons=[], victims=[]),
    )
    return {r.external_id or "": r for r in made}


def body(response: Any) -> Any:
    assert response["Content-Type"].startswith("application/json"), response.content
    return response.json()


def test_the_queue_is_most_urgent_first_with_reasons_clocks_and_routes(
    sign_in: Callable[..., Client], analyst: User, three: dict[str, Report]
) -> None:
    got = body(sign_in(analyst).get(QUEUE))
    assert got["count"] == 3
    assert [i["reference"] for i in got["items"]] == [three[k].reference for k in ("IMM", "P2", "INFO")]
    first, second, last = got["items"]
    assert first["priority"]["band"] == "P1" and first["priority"]["deadline"]
    assert first["priority"]["reasons"][0]["fact"] == "incident.imminent_danger"
    assert first["priority"]["clock"].endswith("left") and not first["priority"]["overdue"]
    facts = {(r["factor"], r["fact"]) for r in second["priority"]["reasons"]}
    assert ("under_13", "victims.age_estimate") in facts
    assert second["route"]["forces"] == [{"code": "greater-manchester", "name": "Greater Manchester Police"}]
    # The child is in Islington, on a council boundary: both candidates, for the analyst.
    assert [a["code"] for a in second["route"]["agencies"]] == ["cs-islington", "cs-hackney"]
    assert second["route"]["agency_reason"].startswith("the child's postcode district N1 crosses a council")
    assert last["priority"]["band"] == "P4" and last["priority"]["deadline"] is None
    assert last["priority"]["reasons"][0]["factor"] == "informational"
    entry = AuditEntry.objects.get(action="triage.queue")
    assert entry.actor == analyst.username and entry.details["api"] is True


def test_filters_and_bad_filters(
    sign_in: Callable[..., Client], analyst: User, supervisor: User, three: dict[str, Report]
) -> None:
    client = sign_in(analyst)
    assert [i["reference"] for i in body(client.get(QUEUE, {"band": "P4"}))["items"]] == [
        three["INFO"].reference
    ]
    routed = body(client.get(QUEUE, {"force": "greater-manchester"}))["items"]
    assert {i["reference"] for i in routed} == {three["IMM"].reference, three["P2"].reference}
    paged = body(client.get(QUEUE, {"limit": 1, "offset": 1}))
    assert paged["count"] == 3 and [i["reference"] for i in paged["items"]] == [three["P2"].reference]
    # A supervisor's override moves a report in the queue and shows beside the computed band.
    priority = Priority.objects.get(report=three["INFO"])
    override_band(priority, "P1", "a second report names the child's school", actor=supervisor)
    top = body(client.get(QUEUE))["items"]
    # P1 now, after the other P1: a band without a deadline sorts last within its band.
    assert [i["reference"] for i in top] == [three[k].reference for k in ("IMM", "INFO", "P2")]
    overridden = top[1]["priority"]
    assert overridden["band"] == "P1" and overridden["computed_band"] == "P4"
    assert overridden["override"]["reason"] == "a second report names the child's school"
    bad = client.get(QUEUE, {"band": "P9", "limit": "0"})
    assert bad.status_code == 422 and bad["Content-Type"] == "application/problem+json"
    assert {e["path"] for e in bad.json()["errors"]} == {"band", "limit"}


def test_a_report_and_a_subject_carry_their_priority(
    sign_in: Callable[..., Client], analyst: User, three: dict[str, Report]
) -> None:
    client = sign_in(analyst)
    urgent = three["IMM"]
    got = body(client.get(f"/api/v1/staff/reports/{urgent.uid}"))
    assert got["reference"] == urgent.reference and got["priority"]["band"] == "P1"
    subject = Member.objects.filter(report=urgent).exclude(subject=None).first()
    assert subject is not None and subject.subject is not None
    about = body(client.get(f"/api/v1/staff/subjects/{subject.subject.uid}"))
    assert about["reference"] == subject.subject.reference
    assert about["priority"]["band"] == "P1" and urgent.reference in about["reports"]
    assert client.get("/api/v1/staff/reports/00000000-0000-4000-8000-000000000000").status_code == 404
    assert AuditEntry.objects.filter(action="report.view", details__api=True).count() == 1
    assert AuditEntry.objects.filter(action="intel.subject_view", details__api=True).count() == 1


def test_partners_forces_and_half_signed_in_sessions_are_refused(
    sign_in: Callable[..., Client],
    analyst: User,
    partner: User,
    liaison_a: User,
    orgs: Orgs,
    three: dict[str, Report],
) -> None:
    key = create_api_key(orgs.platform, ["reports:read", "reports:write"]).secret
    by_key = Client().get(QUEUE, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert by_key.status_code == 401 and "session" in by_key.json()["detail"]
    assert Client().get(QUEUE).status_code == 401
    assert sign_in(analyst, verified=False).get(QUEUE).status_code == 401
    for outsider in (partner, liaison_a):
        refused = sign_in(outsider).get(QUEUE)
        assert refused.status_code == 403, outsider
        assert "reports.view" in refused.json()["detail"]
    assert AuditEntry.objects.filter(action="access.denied").count() == 2
    # The partner's own view of its report carries no priority.
    status = Client().get(f"/api/v1/reports/{three['IMM'].uid}", HTTP_AUTHORIZATION=f"Bearer {key}").json()
    assert "priority" not in status and "P1" not in str(status)
