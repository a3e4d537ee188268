"""Triage: every report and subject gets a score, a band, a deadline and the reasons, through the real
pipeline; overrides and new weights are audited; nothing of it reaches a partner."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from haven.accounts.models import User
from haven.audit.models import AuditEntry
from haven.hashbank.actions import add_records, get_or_create_list
from haven.hashbank.importing import RecordInput
from haven.intake.actions import submit_reports
from haven.intake.models import Report
from haven.intake.pipeline import steps
from haven.intake.schemas import ReportIn
from haven.intel.models import Member
from haven.triage import scoring
from haven.triage.actions import change_weights, override_band, score_report
from haven.triage.models import Policy, Priority
from tests.conftest import Orgs
from tests.intake.conftest import a_report
from tests.triage.conftest import processed, report

pytestmark = pytest.mark.django_db

NOTHING_TO_ACT_ON: dict[str, Any] = {"reported_persons": [], "victims": [{"age_estimate": 9}]}


def priority_of(report: Report) -> Priority:
    return Priority.objects.get(report=report)


def exported(capsys: pytest.CaptureFixture[str]) -> dict[str, dict[str, Any]]:
    capsys.readouterr()
    call_command("reports", "export")  # writes to standard output itself
    return {row["external_id"]: row for row in map(json.loads, capsys.readouterr().out.splitlines())}


@pytest.mark.django_db(transaction=True)
def test_imminent_danger_is_p1_and_nothing_to_act_on_is_p4(
    orgs: Orgs, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    danger = a_report("DANGER", media=[])
    danger["incident"]["imminent_danger"] = True
    danger["incident"]["type"] = "other"
    danger["incident"]["annotations"] = []
    quiet = a_report("QUIET", media=[], **NOTHING_TO_ACT_ON)
    quiet["incident"]["occurred_at"] = None
    path = tmp_path / "reports.jsonl"
    path.write_text(json.dumps(danger) + "\n" + json.dumps(quiet) + "\n")
    call_command("reports", "import", str(path), "--organisation", orgs.platform.slug, stdout=io.StringIO())
    call_command("worker", "--burst")
    rows = exported(capsys)
    p1, p4 = rows["DANGER"]["priority"], rows["QUIET"]["priority"]
    assert p1["band"] == "P1"
    assert p1["reasons"][0]["factor"] == "imminent_danger"
    received = Report.objects.get(external_id="DANGER").received_at
    assert p1["deadline"] == (received + timedelta(hours=1)).isoformat()
    # Enticement of a nine-year-old scores high, but with no one and nowhere to act on it is informational.
    assert p4["band"] == "P4"
    assert p4["reasons"][0]["factor"] == "informational"
    assert "no identifier of a reported person and no location" in p4["reasons"][0]["text"]
    assert p4["score"] >= 45 and p4["deadline"] is None
    assert {r["factor"] for r in p4["reasons"]} >= {"child_enticement", "under_13"}


def test_each_factor_raises_the_score_and_names_its_fact(orgs: Orgs) -> None:
    plain = report("PLAIN")
    plain["incident"].update(type="csam_possession", annotations=[], occurred_at="2020-01-01T00:00:00Z")
    older = report("OLDER", victims=[{"age_estimate": 15}])
    younger = report("YOUNGER", victims=[{"age_estimate": 11}])
    contact = report("CONTACT")
    contact["incident"].update(type="csam_possession", annotations=["contact_abuse", "position_of_trust"])
    got = {r.external_id: priority_of(r) for r in processed(orgs, plain, older, younger, contact)}
    assert got["PLAIN"].score == 0 and got["PLAIN"].band == "P4" and got["PLAIN"].reasons == []
    assert got["YOUNGER"].score == got["OLDER"].score + scoring.DEFAULT_WEIGHTS["under_13"]
    under_13 = [r for r in got["YOUNGER"].reasons if r["factor"] == "under_13"]
    assert under_13 == [{"factor": "under_13", "points": 20, "fact": "victims.age_estimate",
                         "text": "the youngest victim is 11, under 13"}]  # fmt: skip
    assert {r["factor"] for r in got["CONTACT"].reasons} == {"contact_abuse", "access_to_children", "recent"}
    assert got["CONTACT"].score == 80  # 40 + 30 + 10: P1's threshold, which is in P1
    assert got["CONTACT"].band == "P1"


def test_novel_and_category_a_media_raise_the_score(orgs: Orgs) -> None:
    add_records([RecordInput(sha256="a1" * 32, category="A")], get_or_create_list("national"))
    known = report("KNOWN", media=[{"sha256": "a1" * 32}])
    novel = report("NOVEL", media=[{"sha256": "b2" * 32}])
    none = report("NONE")
    got = {r.external_id: priority_of(r) for r in processed(orgs, known, novel, none)}
    base = got["NONE"].score
    assert got["NOVEL"].score == base + scoring.DEFAULT_WEIGHTS["novel_media"]
    assert got["KNOWN"].score == base + scoring.DEFAULT_WEIGHTS["category_a"] + 1
    assert {r["factor"] for r in got["KNOWN"].reasons} - {r["factor"] for r in got["NONE"].reasons} == {
        "category_a", "known_media"}  # fmt: skip


def test_a_subject_is_scored_again_when_a_new_report_links_to_it(orgs: Orgs) -> None:
    first = report("FIRST")
    first["incident"].update(type="csam_possession", annotations=[])
    (one,) = processed(orgs, first)
    subject = Member.objects.get(report=one).subject
    assert subject is not None
    before = Priority.objects.get(subject=subject)
    assert before.score == priority_of(one).score
    same_email = {"kind": "email", "value": "someone@example.com"}
    elsewhere = {"kind": "username", "platform": "examplegram", "value": "other_name"}
    second = report("SECOND", reported_persons=[{"identifiers": [same_email, elsewhere]}])
    second["incident"].update(type="sextortion", annotations=[])
    (two,) = processed(orgs, second)
    assert Member.objects.get(report=two).subject == subject
    after = Priority.objects.get(subject=subject)
    # Its highest report is now the second, plus one more report, plus two platforms.
    assert after.score == priority_of(two).score + 5 + 10
    assert {r["factor"] for r in after.reasons} == {"highest_report", "repeat_reports", "platforms"}
    assert after.band <= priority_of(two).band  # never below its most urgent report
    # The first report keeps what its own facts give.
    assert Priority.objects.get(report=one).score == before.score


def test_an_override_is_audited_and_shown_beside_the_computed_band(
    orgs: Orgs, supervisor: User, capsys: pytest.CaptureFixture[str]
) -> None:
    (one,) = processed(orgs, report("ONE"))
    priority = priority_of(one)
    computed = priority.band
    override_band(priority, "P1", "the platform rang: the child is with the adult now", actor=supervisor)
    row = exported(capsys)["ONE"]["priority"]
    assert (row["band"], row["computed_band"]) == ("P1", computed)
    assert row["override"]["reason"] == "the platform rang: the child is with the adult now"
    entry = AuditEntry.objects.get(action="triage.band_overridden")
    assert entry.details["computed"] == computed and entry.details["band"] == "P1"
    # Scoring again keeps the override.
    score_report(Report.objects.get(pk=one.pk))
    assert Priority.objects.get(pk=priority.pk).effective_band == "P1"
    with pytest.raises(ValueError, match="reason"):
        override_band(priority, "P2", "  ", actor=supervisor)


@pytest.mark.django_db(transaction=True)
def test_new_weights_are_a_new_version_and_score_everything_again(orgs: Orgs, supervisor: User) -> None:
    results = submit_reports([ReportIn.model_validate(report("ONE"))], organisation=orgs.platform,
                             source="industry", finished=True)  # fmt: skip
    call_command("worker", "--burst")
    one = Report.objects.get(pk=results[0].report.pk)  # type: ignore[union-attr]
    old = priority_of(one)
    weights = dict(scoring.DEFAULT_WEIGHTS, recent=60)
    policy = change_weights(weights, "recent reports matter more this quarter", actor=supervisor)
    call_command("worker", "--burst")
    new = Priority.objects.get(report=one)
    assert new.policy_id == policy.pk > old.policy_id
    assert new.score == old.score + 50
    entry = AuditEntry.objects.get(action="triage.weights_changed")
    assert entry.details["changed"] == {"recent": [10, 60]}
    assert Policy.objects.count() == 2  # the built-in weights, then these


@pytest.mark.parametrize(
    ("weights", "message"),
    [({"recent": -1}, "recent: expected a whole number"), ({"recent": True}, "recent: expected"),
     ({"rcent": 5}, "rcent: not a weight"), ({"band_p2": 90}, "band_p1: the band thresholds")],
)  # fmt: skip
def test_bad_weights_are_refused_by_name(weights: dict[str, Any], message: str, supervisor: User) -> None:
    with pytest.raises(scoring.WeightsError, match=message):
        change_weights(weights, "a test", actor=supervisor)
    assert not Policy.objects.exists()


def test_the_pipeline_scores_after_linking(orgs: Orgs) -> None:
    names = [name for name, _ in steps()]
    assert names.index("score_priority") > names.index("link_identifiers")
    (one,) = processed(orgs, report("ONE"))
    assert priority_of(one).computed_at <= timezone.now()


def test_rescore_scores_reports_processed_before_scoring_existed(orgs: Orgs) -> None:
    (one,) = processed(orgs, report("OLD"))
    Priority.objects.all().delete()  # as a bank upgraded from before triage
    out = io.StringIO()
    call_command("triage", "rescore", stdout=out)
    assert Priority.objects.filter(report=one).exists()
    assert Priority.objects.filter(subject__isnull=False).exists()
    assert "scored 2 reports and subjects" in out.getvalue()
    assert AuditEntry.objects.get(action="triage.rescored").details["scored"] == 2
