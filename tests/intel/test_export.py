"""Exports: 3x5x2 grading travels with each report, handling code C keeps a report out unless asked, and
the STIX bundle parses back with its markings."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
import stix2
from django.core.management import call_command
from stix2validator import ValidationOptions, validate_string  # type: ignore[import-untyped]  # no py.typed

from haven.accounts.models import User
from haven.intake.models import Report
from haven.intel.actions import IntelError, grade_report
from haven.intel.stix import EXTENSION_ID
from tests.conftest import Orgs
from tests.intel.conftest import ident, person, report_of, submit

pytestmark = pytest.mark.django_db


def export(*args: str) -> str:
    out = io.StringIO()
    call_command("subjects", "export", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def graded(orgs: Orgs, analyst: User) -> None:
    submit(
        orgs,
        report_of("E1", person(ident("email", "open.case@example.com"), ident("phone", "07700 900777"))),
        report_of("E2", person(ident("email", "open.case@example.com"), ident("device_id", "dev-secret-1"))),
    )
    grade_report(
        Report.objects.get(external_id="E1"), source="A", assessment="2", handling="P", actor=analyst
    )
    grade_report(
        Report.objects.get(external_id="E2"),
        source="B",
        assessment="3",
        handling="C",
        conditions="Do not disclose to the suspect.",
        actor=analyst,
    )


def test_grading_rules(orgs: Orgs, analyst: User) -> None:
    [report] = submit(orgs, report_of("G1", person(ident("email", "x@example.com"))))
    with pytest.raises(IntelError, match="conditions"):
        grade_report(report, source="A", assessment="1", handling="C", actor=analyst)
    with pytest.raises(IntelError, match="choose"):
        grade_report(report, source="D", assessment="1", handling="P", actor=analyst)
    grading = grade_report(
        report, source="C", assessment="5", handling="P", conditions="ignored", actor=analyst
    )
    assert (grading.code, grading.conditions) == ("C5P", "")


def test_handling_code_c_stays_out_unless_asked(graded: None) -> None:
    [row] = [json.loads(line) for line in export().splitlines()]
    assert [r["external_id"] for r in row["reports"]] == ["E1"]
    assert row["reports"][0]["grading"]["code"] == "A2P"
    values = {i["value"] for i in row["identifiers"]}
    assert "dev-secret-1" not in values  # what only the withheld report says is withheld too
    assert {"open.case@example.com", "+447700900777"} <= values
    [full] = [json.loads(line) for line in export("--with-conditions").splitlines()]
    withheld = next(r for r in full["reports"] if r["external_id"] == "E2")
    assert withheld["grading"] == {
        "source": "B",
        "assessment": "3",
        "handling": "C",
        "conditions": "Do not disclose to the suspect.",
        "code": "B3C",
    }
    assert "dev-secret-1" in {i["value"] for i in full["identifiers"]}


def haven(obj: Any) -> Any:
    return obj.extensions[EXTENSION_ID]


def test_stix_bundle_parses_and_carries_markings(graded: None) -> None:
    text = export("--format", "stix", "--with-conditions")
    bundle = stix2.parse(text, allow_custom=True)
    by_type: dict[str, list[Any]] = {}
    for obj in bundle.objects:
        by_type.setdefault(obj.type, []).append(obj)
    assert len(by_type["threat-actor"]) == 1
    assert {o.value for o in by_type["email-addr"]} == {"open.case@example.com"}
    assert len(by_type["report"]) == 2
    statements = [m for m in by_type["marking-definition"] if m.definition_type == "statement"]
    assert "Do not disclose to the suspect." in statements[0].definition.statement
    conditional = next(r for r in by_type["report"] if haven(r)["grading"]["handling"] == "C")
    assert statements[0].id in conditional.object_marking_refs
    assert stix2.TLP_AMBER.id in conditional.object_marking_refs
    # Exporting again gives the same ids, so a partner's platform updates rather than duplicates.
    again = stix2.parse(export("--format", "stix", "--with-conditions"), allow_custom=True)
    assert {o.id for o in again.objects} == {o.id for o in bundle.objects}
    plain = stix2.parse(export("--format", "stix"), allow_custom=True)
    assert sum(o.type == "report" for o in plain.objects) == 1


def test_the_stix_bundle_passes_the_oasis_validator_without_a_warning(orgs: Orgs, analyst: User) -> None:
    submit(
        orgs,
        report_of("S1", person(ident("email", "grey.owl@example.com"),
                               ident("username", "grey_owl", "examplechat"),
                               ident("phone", "07700 900123"), ident("ip", "192.0.2.7"))),
        report_of("S2", person(ident("email", "grey.owl@example.com"),
                               ident("username", "grey_owl", "Twitter"),
                               ident("account_id", "8812", "otherplatform"))),
    )  # fmt: skip
    for report in Report.objects.all():
        grade_report(report, source="B", assessment="2", handling="C", conditions="Ask first.", actor=analyst)
    text = export("--format", "stix", "--with-conditions")
    results = validate_string(text, ValidationOptions(version="2.1", strict=True))
    assert results.is_valid
    assert [*results.warnings, *results.errors] == []
    objects = json.loads(text)["objects"]
    accounts = [o for o in objects if o["type"] == "user-account"]
    # A platform STIX knows is its account type; any other travels in Haven's extension, and the same name
    # on two platforms stays two accounts.
    assert {o.get("account_type") for o in accounts} == {"twitter", None}
    assert len({o["id"] for o in accounts}) == 3
    assert {o["extensions"][EXTENSION_ID]["platform"] for o in accounts if "extensions" in o} == {
        "examplechat",
        "otherplatform",
    }
