"""Analysts' decisions on subjects, and admins' exclusions. Each is one transaction with its audit entry.

A merge or split is kept as a ``Decision`` on members, so a rebuild applies it again; revoking it puts the
members back where the identifiers alone would have them. A later decision that contradicts an earlier one
revokes it, with a reason saying so, so the two are never both in force.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from haven.accounts.models import Organisation, User
from haven.audit.actions import record
from haven.intake.models import Report
from haven.intel.holds import linking_values
from haven.intel.linking import Outcome, link_members
from haven.intel.models import (
    Assessment,
    Decision,
    DecisionKind,
    Exclusion,
    Grading,
    HandlingCode,
    Hold,
    Member,
    Sighting,
    SourceEvaluation,
    Subject,
    Value,
)
from haven.intel.signals import subjects_relinked
from haven.intel.warninglists import Warninglist, current

KINDS_WITH_EXCLUSIONS = ("email", "phone", "username", "account_id", "ip", "device_id", "url", "payment_id")


class IntelError(Exception):
    pass


def _reason(text: str) -> str:
    text = text.strip()
    if not text:
        raise IntelError("give a reason")
    return text[:2000]


def _members_of(subject: Subject) -> list[int]:
    return sorted(Member.objects.filter(subject=subject).values_list("id", flat=True))


def _crosses(decision: Decision, a: set[int], b: set[int]) -> bool:
    one, two = set(decision.side_a), set(decision.side_b)
    return bool((one & a and two & b) or (one & b and two & a))


def _revoke(decision: Decision, reason: str, actor: User, request: HttpRequest | None) -> None:
    decision.revoked_at, decision.revoked_by, decision.revoke_reason = timezone.now(), actor, reason
    decision.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    record(
        "intel.decision_revoked",
        actor=actor,
        request=request,
        obj=decision,
        details={"kind": decision.kind, "reason": reason},
    )


def _relink(members: Iterable[int]) -> Outcome:
    """Link these reported people again after a decision, and tell the layers above (triage scores their
    subjects again)."""
    members = list(members)
    outcome = link_members(members)
    subjects_relinked.send(sender=Subject, members=members)
    return outcome


def merge_subjects(
    first: Subject, second: Subject, *, reason: str, actor: User, request: HttpRequest | None = None
) -> tuple[Decision, Outcome]:
    """Record that two subjects are one person, and join them."""
    reason = _reason(reason)
    if first.pk == second.pk:
        raise IntelError("choose two different subjects")
    with transaction.atomic():
        side_a, side_b = _members_of(first), _members_of(second)
        for split in Decision.objects.filter(kind=DecisionKind.SPLIT, revoked_at__isnull=True):
            if _crosses(split, set(side_a), set(side_b)):
                _revoke(split, f"undone by a later merge: {reason}", actor, request)
        decision = Decision.objects.create(
            kind=DecisionKind.MERGE, side_a=side_a, side_b=side_b, reason=reason, made_by=actor
        )
        record(
            "intel.subjects_merged",
            actor=actor,
            request=request,
            obj=decision,
            details={
                "subjects": [first.reference, second.reference],
                "members": side_a + side_b,
                "reason": reason,
            },
        )
        outcome = _relink(side_a + side_b)
    return decision, outcome


def split_subject(
    subject: Subject, members: Iterable[int], *, reason: str, actor: User, request: HttpRequest | None = None
) -> tuple[Decision, Outcome]:
    """Record that some of a subject's members are another person, and keep them apart from the rest."""
    reason = _reason(reason)
    with transaction.atomic():
        everyone = set(_members_of(subject))
        out = set(members)
        if not out or not out < everyone:
            raise IntelError("choose some of the subject's reports, but not all of them")
        rest = everyone - out
        for merge in Decision.objects.filter(kind=DecisionKind.MERGE, revoked_at__isnull=True):
            joined = {*merge.side_a, *merge.side_b}
            if joined & out and joined & rest:
                _revoke(merge, f"undone by a later split: {reason}", actor, request)
        decision = Decision.objects.create(
            kind=DecisionKind.SPLIT, side_a=sorted(out), side_b=sorted(rest), reason=reason, made_by=actor
        )
        record(
            "intel.subject_split",
            actor=actor,
            request=request,
            obj=decision,
            details={
                "subject": subject.reference,
                "out": sorted(out),
                "rest": sorted(rest),
                "reason": reason,
            },
        )
        outcome = _relink(everyone)
    return decision, outcome


def revoke_decision(
    decision: Decision, *, reason: str, actor: User, request: HttpRequest | None = None
) -> Outcome:
    """Undo a merge or split: its members go back to where their identifiers put them."""
    reason = _reason(reason)
    with transaction.atomic():
        decision = Decision.objects.select_for_update().get(pk=decision.pk)
        if not decision.active:
            raise IntelError("that decision was already undone")
        _revoke(decision, reason, actor, request)
        return _relink([*decision.side_a, *decision.side_b])


def _relist(values: list[int], listed: Warninglist) -> Outcome:
    changed = []
    for value in Value.objects.filter(id__in=values):
        reason = listed.match(value.kind, value.canonical)
        if reason != value.excluded:
            value.excluded = reason
            changed.append(value)
    Value.objects.bulk_update(changed, ["excluded"])
    holders = Sighting.objects.filter(value__in=changed).values_list("member_id", flat=True).distinct()
    return _relink(list(holders))


def add_exclusion(
    kind: str, pattern: str, *, reason: str, actor: User, request: HttpRequest | None = None
) -> tuple[Exclusion, Outcome]:
    """Stop values matching ``pattern`` from linking, and undo the links they made."""
    reason, pattern = _reason(reason), pattern.strip()
    if kind not in KINDS_WITH_EXCLUSIONS:
        raise IntelError(f"unknown kind {kind!r}")
    if not pattern:
        raise IntelError("give a pattern")
    with transaction.atomic():
        exclusion, created = Exclusion.objects.get_or_create(
            kind=kind, pattern=pattern, defaults={"reason": reason[:200], "created_by": actor}
        )
        if not created:
            raise IntelError(f"{kind} {pattern} is already excluded")
        record(
            "intel.exclusion_added",
            actor=actor,
            request=request,
            obj=exclusion,
            details={"kind": kind, "pattern": pattern, "reason": reason},
        )
        listed = Warninglist()
        listed.add(kind, pattern, reason)
        candidates = [
            pk
            for pk, canonical in Value.objects.filter(kind=kind, excluded="").values_list("id", "canonical")
            if listed.match(kind, canonical)
        ]
        outcome = _relist(candidates, current())
    return exclusion, outcome


def remove_exclusion(exclusion: Exclusion, *, actor: User, request: HttpRequest | None = None) -> Outcome:
    with transaction.atomic():
        label = f"excluded: {exclusion.reason}"[:200]
        values = list(Value.objects.filter(kind=exclusion.kind, excluded=label).values_list("id", flat=True))
        record(
            "intel.exclusion_removed",
            actor=actor,
            request=request,
            obj=exclusion,
            details={"kind": exclusion.kind, "pattern": exclusion.pattern},
        )
        exclusion.delete()
        return _relist(values, current())


def grade_report(
    report: Report,
    *,
    source: str,
    assessment: str,
    handling: str,
    conditions: str = "",
    actor: User,
    request: HttpRequest | None = None,
) -> Grading:
    """Grade a report with 3x5x2, or grade it again; the audit trail keeps every grading."""
    conditions = conditions.strip()
    if (
        source not in SourceEvaluation.values
        or assessment not in Assessment.values
        or handling not in HandlingCode.values
    ):
        raise IntelError("choose a source evaluation, an assessment and a handling code")
    if handling == HandlingCode.C and not conditions:
        raise IntelError("handling code C needs its conditions")
    if handling == HandlingCode.P:
        conditions = ""
    with transaction.atomic():
        grading, _ = Grading.objects.update_or_create(
            report=report,
            defaults={
                "source": source,
                "assessment": assessment,
                "handling": handling,
                "conditions": conditions,
                "graded_by": actor,
                "graded_at": timezone.now(),
            },
        )
        record("intel.report_graded", actor=actor, request=request, obj=report, details=grading.as_json())
    return grading


def open_hold(organisation: Organisation, member_ids: Iterable[int], *, reference: str, contact: str) -> Hold:
    """A force's hold on what it was sent. Called inside a referral action's transaction, whose audit entry
    (the referral sent) records it."""
    members = sorted(set(member_ids))
    hold = Hold.objects.create(organisation=organisation, reference=reference, contact=contact)
    hold.members.set(members)
    hold.values.set(linking_values(members))
    return hold


def set_contact(hold: Hold, contact: str) -> None:
    """Who at the holding force to call. Called inside the referral action that acknowledges, and audited
    there."""
    Hold.objects.filter(pk=hold.pk).update(contact=contact)
    hold.contact = contact


def close_hold(hold: Hold) -> None:
    """The case is closed: the hold stops telling anyone. Called inside the referral action that records
    the outcome, and audited there."""
    Hold.objects.filter(pk=hold.pk, closed_at__isnull=True).update(closed_at=timezone.now())
