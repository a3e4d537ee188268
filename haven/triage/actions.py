"""The only functions that change priorities and scoring weights.

``score_report`` is the pipeline's step after linking: it runs inside ``intake.actions.process_report``'s
transaction and is not audited report by report (it is the system's own work). Overrides and new weights
are people's decisions: each is audited.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from haven.accounts.models import User
from haven.audit.actions import record
from haven.chats.models import Analysis
from haven.intake.models import Identifier, MatchStatus, Report, ReportStatus, reference_of
from haven.intel.models import Member, Subject
from haven.triage import scoring
from haven.triage.models import WINDOWS, AccessFlag, Band, Policy, Priority


class TriageError(ValueError):
    """A change that cannot be made; the message says why."""


def current_policy() -> Policy:
    """The weights in force: the newest version, or the built-in weights as version 1."""
    policy = Policy.objects.order_by("-id").first()
    if policy is None:
        policy = Policy.objects.create(weights=dict(scoring.DEFAULT_WEIGHTS), reason="built-in weights")
    return policy


def report_facts(report: Report) -> scoring.ReportFacts:
    payload: dict[str, Any] = report.payload
    incident = payload.get("incident") or {}
    people = [*(payload.get("reported_persons") or []), *(payload.get("victims") or [])]
    places = [p.get("location") or {} for p in people]
    located = any(place.get("country") or place.get("postcode") for place in places)
    identifiers = sum(len(p.get("identifiers") or []) for p in payload.get("reported_persons") or [])
    novel = known = category_a = 0
    for status, matches in report.media.values_list("match_status", "matches"):
        if status == MatchStatus.NOVEL:
            novel += 1
        elif status == MatchStatus.KNOWN:
            known += 1
            category_a += any(m.get("category") == "A" for m in matches or [])
    when = parse_datetime(incident["occurred_at"]) if incident.get("occurred_at") else None
    grooming, urgent = chat_facts(report)
    return scoring.ReportFacts(
        incident_type=report.incident_type,
        imminent_danger=report.imminent_danger,
        annotations=frozenset(incident.get("annotations") or []),
        youngest_victim=report.youngest_victim_age,
        novel_media=novel,
        known_media=known,
        category_a=category_a,
        identifiers=identifiers,
        located=bool(located),
        when=when or report.received_at,
        chat_grooming=grooming,
        chat_urgent=urgent,
    )


def chat_facts(report: Report) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str, str], ...]]:
    """What ``haven.chats`` read in the report's conversations: each one read as grooming, and each urgent
    flag with the lines that raised it (``conversations[0].messages[12,14]``)."""
    grooming: list[tuple[str, str]] = []
    urgent: list[tuple[str, str, str]] = []
    analyses = Analysis.objects.filter(conversation__report=report, grooming=True)
    for analysis in analyses.select_related("conversation").order_by("conversation__position"):
        where = f"conversations[{analysis.conversation.position}]"
        stages = ", ".join(str(s).replace("_", " ") for s in analysis.stages)
        grooming.append((where, f"a conversation reads as grooming by {analysis.groomer}: {stages}"))
        details: dict[str, Any] = analysis.reading.get("urgent_details") or {}
        for flag in analysis.urgent:
            found = details.get(flag) or {}
            lines = ",".join(str(i) for i in found.get("lines") or [])
            said = [f"{k} {found[k]}" for k in ("when", "where") if found.get(k)]
            urgent.append((flag, f"{where}.messages[{lines}]", f" ({'; '.join(said)})" if said else ""))
    return tuple(grooming), tuple(urgent)


def _save(priority: Priority, scored: scoring.Scored, policy: Policy, deadline: datetime | None) -> Priority:
    priority.score, priority.band, priority.imminent = scored.score, scored.band, scored.imminent
    priority.reasons = [r.as_json() for r in scored.reasons]
    priority.policy, priority.computed_at, priority.deadline = policy, timezone.now(), deadline
    priority.effective_band = priority.override_band or scored.band
    priority.save()
    return priority


def _deadline(start: datetime, band: str) -> datetime | None:
    window = WINDOWS[band]
    return start + window if window else None


def score_report(report: Report, *, policy: Policy | None = None, cascade: bool = True) -> Priority:
    """Score a report from its own facts; then, with ``cascade``, score again every subject it is part of.
    Its deadline runs from when the centre received it."""
    policy = policy or current_policy()
    weights = scoring.check_weights(policy.weights)
    scored = scoring.score_report(report_facts(report), weights, timezone.now())
    priority = Priority.objects.filter(report=report).first() or Priority(report=report)
    _save(priority, scored, policy, _deadline(report.received_at, scored.band))
    if cascade:
        subjects = Member.objects.filter(report=report, subject__isnull=False).values_list("subject_id")
        for subject in Subject.objects.filter(id__in=subjects).order_by("id"):
            score_subject(subject, policy=policy)
    return priority


def access_flag_of(subject: Subject) -> AccessFlag | None:
    """The subject's access-to-children flag: the first set on any of its reported people."""
    return AccessFlag.objects.filter(member__subject=subject).order_by("set_at", "id").first()


def subject_facts(subject: Subject) -> scoring.SubjectFacts:
    reports = Priority.objects.filter(report__members__subject=subject).distinct()
    top = reports.order_by("-score", "effective_band", "report_id").select_related("report").first()
    if top is None or top.report is None:
        return scoring.SubjectFacts(0, "", 0, "P4", "P4", None, frozenset())
    urgent = reports.order_by("band").values_list("band", flat=True).first() or Band.P4
    imminent = reports.filter(imminent=True).order_by("report_id").values_list("report__uid", flat=True)
    platforms = (
        Identifier.objects.filter(
            on_victim=False, report__members__subject=subject, person=F("report__members__person")
        )
        .exclude(platform="")
        .values_list("platform", flat=True)
        .distinct()
    )
    first_imminent = imminent.first()
    flag = access_flag_of(subject)
    return scoring.SubjectFacts(
        reports=reports.count(),
        top_reference=reference_of(top.report.uid),
        top_score=top.score,
        top_band=top.band,
        urgent_band=urgent,
        imminent_reference=reference_of(first_imminent) if first_imminent else None,
        platforms=frozenset(p.lower() for p in platforms),
        access_flag=flag.reason if flag else None,
    )


def score_subject(subject: Subject, *, policy: Policy | None = None) -> Priority:
    """Score a subject again from its reports' scores. Its deadline is its most urgent report's of the same
    band if one has it, or else runs from when the subject first reached that band."""
    policy = policy or current_policy()
    scored = scoring.score_subject(subject_facts(subject), scoring.check_weights(policy.weights))
    priority = Priority.objects.filter(subject=subject).first() or Priority(subject=subject)
    same_band = (
        Priority.objects.filter(report__members__subject=subject, band=scored.band)
        .exclude(deadline=None)
        .order_by("deadline")
        .values_list("deadline", flat=True)
        .first()
    )
    deadline: datetime | None
    if same_band is not None:
        deadline = same_band
    elif priority.pk and priority.band == scored.band:
        deadline = priority.deadline
    else:
        deadline = _deadline(timezone.now(), scored.band)
    return _save(priority, scored, policy, deadline)


def score_subjects_of(members: list[int]) -> int:
    """Score again the subjects these reported people are in now (after an analyst's merge, split or
    exclusion moved them); a subject that is gone took its priority with it. Returns how many."""
    subjects = Subject.objects.filter(members__id__in=members).distinct().order_by("id")
    policy, done = current_policy(), 0
    for subject in subjects:
        score_subject(subject, policy=policy)
        done += 1
    return done


def override_band(
    priority: Priority, band: str, reason: str, *, actor: User, request: HttpRequest | None = None
) -> Priority:
    """A supervisor's band in place of the computed one, with the reason; the computed band stays beside
    it. An empty ``band`` removes the override."""
    if band and band not in Band.values:
        raise TriageError(f"band: expected one of {', '.join(Band.values)}, got {band!r}")
    if band and not reason.strip():
        raise TriageError("reason: say why the band is overridden")
    with transaction.atomic():
        priority = Priority.objects.select_for_update().get(pk=priority.pk)
        before = priority.override_band
        priority.override_band, priority.override_reason = band, reason.strip() if band else ""
        priority.override_by, priority.override_at = (actor, timezone.now()) if band else (None, None)
        priority.effective_band = band or priority.band
        priority.save()
        obj = priority.report or priority.subject
        record("triage.band_overridden", actor=actor, request=request, obj=obj,
               details={"band": band or None, "before": before or None, "computed": priority.band,
                        "reason": priority.override_reason})  # fmt: skip
    return priority


def flag_access(
    subject: Subject, reason: str, *, actor: User, request: HttpRequest | None = None
) -> Priority:
    """Flag the subject's reported people as having access to children or a position of trust, with the
    reason; the subject is scored again. Setting it again replaces the reason."""
    reason = reason.strip()
    if not reason:
        raise TriageError("reason: say what gives this person access to children")
    with transaction.atomic():
        members = list(Member.objects.select_for_update().filter(subject=subject).order_by("id"))
        if not members:
            raise TriageError("the subject has no reported people")
        now = timezone.now()
        for member in members:
            AccessFlag.objects.update_or_create(
                member=member, defaults={"reason": reason, "set_by": actor, "set_at": now}
            )
        record("triage.access_flagged", actor=actor, request=request, obj=subject,
               details={"reason": reason, "members": len(members)})  # fmt: skip
        return score_subject(subject)


def clear_access_flag(subject: Subject, *, actor: User, request: HttpRequest | None = None) -> Priority:
    """Remove the flag from every reported person of the subject; the subject is scored again."""
    with transaction.atomic():
        flags = AccessFlag.objects.filter(member__subject=subject)
        reasons = sorted(set(flags.values_list("reason", flat=True)))
        if not reasons:
            raise TriageError("the subject is not flagged")
        flags.delete()
        record("triage.access_cleared", actor=actor, request=request, obj=subject,
               details={"reasons": reasons})  # fmt: skip
        return score_subject(subject)


def change_weights(
    weights: dict[str, Any], reason: str, *, actor: User | None, request: HttpRequest | None = None
) -> Policy:
    """A new version of the weights, in force from now; the priorities are scored again with it by the
    ``rescore`` job, enqueued in the same transaction (the queue is a table of the same database)."""
    from haven.triage.tasks import rescore  # noqa: PLC0415  (tasks imports this module)

    checked = scoring.check_weights(weights)
    if not reason.strip():
        raise TriageError("reason: say why the weights change")
    with transaction.atomic():
        before = current_policy()
        policy = Policy.objects.create(weights=checked, reason=reason.strip(), created_by=actor)
        changed = {k: [before.weights.get(k), v] for k, v in checked.items() if before.weights.get(k) != v}
        record("triage.weights_changed", actor=actor, request=request, obj=policy,
               details={"version": policy.pk, "from_version": before.pk, "changed": changed,
                        "reason": policy.reason})  # fmt: skip
        rescore.enqueue()
    return policy


def rescore_all(*, batch: int = 500) -> int:
    """Score every processed report and every subject again with the weights in force. Returns how many
    priorities were written."""
    policy = current_policy()
    done = 0
    # Every processed report: those scored before, and those processed before scoring existed.
    ids = list(
        Report.objects.filter(status=ReportStatus.PROCESSED).order_by("id").values_list("id", flat=True)
    )
    for start in range(0, len(ids), batch):
        with transaction.atomic():
            for report in Report.objects.filter(id__in=ids[start : start + batch]):
                score_report(report, policy=policy, cascade=False)
                done += 1
    subjects = list(Subject.objects.order_by("id").values_list("id", flat=True))
    for start in range(0, len(subjects), batch):
        with transaction.atomic():
            for subject in Subject.objects.filter(id__in=subjects[start : start + batch]):
                score_subject(subject, policy=policy)
                done += 1
    return done


def leave_queue(reports: list[Report]) -> None:
    """Reports referred to a force leave the centre's queue (their priorities stay). Part of the caller's
    action (``referrals.actions.send_referral``), which audits it."""
    Priority.objects.filter(report__in=reports).update(queued=False)


def rejoin_queue(reports: list[Report]) -> None:
    """Reports a force sent back ("not this force's area") wait for the centre again, to be routed again.
    Part of the caller's action (``referrals.actions.record_outcome``), which audits it."""
    Priority.objects.filter(report__in=reports).update(queued=True)
