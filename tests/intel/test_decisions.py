"""Analysts' merges and splits, admins' exclusions: audited, reversible, and kept across a rebuild."""

from __future__ import annotations

import pytest

from haven.accounts.models import User
from haven.audit.models import AuditEntry
from haven.intel import warninglists
from haven.intel.actions import (
    IntelError,
    add_exclusion,
    merge_subjects,
    remove_exclusion,
    revoke_decision,
    split_subject,
)
from haven.intel.linking import decisions as linking_decisions
from haven.intel.linking import rebuild
from haven.intel.models import Member, Value
from tests.conftest import Orgs
from tests.intel.conftest import groups, ident, person, report_of, subject_of, submit, together

pytestmark = pytest.mark.django_db


def members_of(*external_ids: str) -> list[int]:
    return list(Member.objects.filter(report__external_id__in=external_ids).values_list("id", flat=True))


def test_merge_then_undo_then_rebuild(orgs: Orgs, analyst: User) -> None:
    submit(
        orgs,
        report_of("M1", person(ident("email", "a@example.com"))),
        report_of("M2", person(ident("email", "a@example.com"))),
        report_of("M3", person(ident("phone", "07700 900301"))),
    )
    with pytest.raises(IntelError, match="reason"):
        merge_subjects(subject_of("M1"), subject_of("M3"), reason="  ", actor=analyst)
    kept = subject_of("M1")
    decision, _ = merge_subjects(kept, subject_of("M3"), reason="same face in both", actor=analyst)
    assert groups() == {together("M1", "M2", "M3")}
    assert subject_of("M3") == kept  # the larger subject keeps its id
    rebuild()
    assert groups() == {together("M1", "M2", "M3")}  # the decision outlives a rebuild
    revoke_decision(decision, reason="the faces differ on a closer look", actor=analyst)
    assert groups() == {together("M1", "M2"), together("M3")}
    assert subject_of("M1") == kept
    rebuild()
    assert groups() == {together("M1", "M2"), together("M3")}
    actions = list(AuditEntry.objects.filter(action__startswith="intel.").values_list("action", flat=True))
    assert actions == ["intel.subjects_merged", "intel.decision_revoked"]
    with pytest.raises(IntelError, match="already"):
        revoke_decision(decision, reason="again", actor=analyst)


def test_a_split_holds_against_the_identifiers_until_a_later_merge(orgs: Orgs, analyst: User) -> None:
    submit(
        orgs,
        report_of("S1", person(ident("email", "shared.family@example.com"), ident("phone", "07700 900311"))),
        report_of("S2", person(ident("email", "shared.family@example.com"))),
        report_of("S3", person(ident("email", "shared.family@example.com"), ident("phone", "07700 900312"))),
    )
    whole = subject_of("S1")
    with pytest.raises(IntelError, match="not all"):
        split_subject(whole, members_of("S1", "S2", "S3"), reason="x", actor=analyst)
    split, _ = split_subject(
        whole, members_of("S3"), reason="a family address; S3 is the brother", actor=analyst
    )
    assert groups() == {together("S1", "S2"), together("S3")}
    # A new report holding the same address joins one side, never both.
    submit(orgs, report_of("S4", person(ident("email", "Shared.Family@example.com"))))
    assert together("S3") in groups() or together("S3", "S4") in groups()
    assert len(groups()) == 2
    rebuild()
    assert len(groups()) == 2 and any({"S3/0"} <= g and "S1/0" not in g for g in groups())
    # Merging the two sides again undoes the split, and says so.
    merge_subjects(subject_of("S1"), subject_of("S3"), reason="one person after all", actor=analyst)
    split.refresh_from_db()
    assert not split.active and "later merge" in split.revoke_reason
    assert groups() == {together("S1", "S2", "S3", "S4")}


def test_an_exclusion_unlinks_at_once_and_removing_it_links_again(orgs: Orgs, admin_user: User) -> None:
    admin = admin_user
    submit(
        orgs,
        report_of("X1", person(ident("email", "team@support.example.org"))),
        report_of("X2", person(ident("email", "TEAM@support.example.org"))),
        report_of("X3", person(ident("email", "team@example.org"))),
    )
    assert together("X1", "X2") in groups()
    exclusion, _ = add_exclusion(
        "email", "*@support.example.org", reason="a vendor's shared mailbox", actor=admin
    )
    assert groups() == {together("X1"), together("X2"), together("X3")}
    assert (
        Value.objects.get(canonical="team@support.example.org").excluded
        == "excluded: a vendor's shared mailbox"
    )
    assert Value.objects.get(canonical="team@example.org").excluded == ""
    submit(orgs, report_of("X4", person(ident("email", "team@support.example.org"))))
    assert together("X4") in groups()
    rebuild()
    assert len(groups()) == 4
    remove_exclusion(exclusion, actor=admin)
    assert together("X1", "X2", "X4") in groups()


def test_reports_linked_after_a_decision_or_an_exclusion_respect_it(
    orgs: Orgs, analyst: User, admin_user: User
) -> None:
    """A worker keeps the exclusions and decisions it read for as long as they are unchanged. One made
    since, in another process, must still hold for its next report."""
    submit(
        orgs,
        report_of("D1", person(ident("email", "twin@example.org"))),
        report_of("D2", person(ident("email", "twin@example.org"))),
    )
    # What a worker holds now; the actions below refresh this process's copies, so it is put back after,
    # as a worker in another process would still have it.
    decisions, exclusions = dict(linking_decisions.decisions_at), dict(warninglists._by_version)
    both = Member.objects.get(report__external_id="D1").subject
    assert both is not None
    split_subject(both, [Member.objects.get(report__external_id="D2").pk], reason="two people", actor=analyst)
    add_exclusion("email", "*@desk.example.org", reason="a shared desk", actor=admin_user)
    linking_decisions.decisions_at.clear()
    linking_decisions.decisions_at.update(decisions)
    warninglists._by_version.clear()
    warninglists._by_version.update(exclusions)
    submit(
        orgs,
        report_of("D3", person(ident("email", "twin@example.org"))),
        report_of("E1", person(ident("email", "help@desk.example.org"))),
        report_of("E2", person(ident("email", "help@desk.example.org"))),
    )
    # D3 joins one side of the split, not both; E1 and E2 share only an excluded address.
    assert together("D1", "D2") not in groups() and together("D1", "D2", "D3") not in groups()
    assert together("E1") in groups() and together("E2") in groups()
    assert Value.objects.get(canonical="help@desk.example.org").excluded
