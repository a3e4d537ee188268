"""Safeguarding referrals: a child at risk sent to the children's services responsible for them, and the
agency's answers: acknowledged, decided (within one working day of sending), outcome. Each action is one
transaction with its audit entry, and moves the referral only forwards.

Joint working: a police referral and a safeguarding referral that share a report, or a subject, are told
of each other, as "held by <organisation>, reference, contact" and nothing more, the way deconfliction tells
forces of each other. Neither side is shown the other's case notes, decision or outcome.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from haven.accounts.models import Organisation, OrganisationKind, User
from haven.accounts.roles import has_permission
from haven.audit.actions import AuditActor, record
from haven.core.access import Permission
from haven.intake.models import Report
from haven.intel.models import Member
from haven.referrals import agencies
from haven.referrals.actions import (
    ReferralError,
    acknowledgement_window,
    contact_of,
    liaison_emails,
    liaisons_contact,
    load_register,
    most_urgent_band,
    ungraded,
)
from haven.referrals.agencies import Agency
from haven.referrals.models import (
    Decision,
    Referral,
    SafeguardingOutcome,
    SafeguardingReferral,
    SafeguardingState,
)
from haven.referrals.routing import route_child
from haven.referrals.workdays import ENGLAND_AND_WALES, NATION_DIVISIONS, working_days_after

State = SafeguardingState


def load_agencies(register: list[Agency], *, actor: AuditActor) -> dict[str, int]:
    """Put the register's agencies in place as children's services organisations (``load_register``)."""
    entries = [(a.code, a.name) for a in register]
    kind = OrganisationKind.CHILDREN_SERVICES
    return load_register(entries, kind, action="referrals.agencies_loaded", actor=actor)


def children_of(report: Report) -> list[dict[str, Any]]:
    """The children a report names, as the agency needs them: an age and where they are. Not the victim's
    identifiers (accounts, addresses): the agency finds the child from the location and the centre's
    summary, and asks the centre for more."""
    found = []
    for victim in report.payload.get("victims") or []:
        location = victim.get("location") or {}
        found.append(
            {
                "report": report.reference,
                "age_estimate": victim.get("age_estimate"),
                "postcode": (location.get("postcode") or "").strip().upper(),
                "country": (location.get("country") or "").strip().upper(),
            }
        )
    return found


def proposed_agency(report: Report) -> tuple[Organisation | None, list[Organisation], str]:
    """Where the report's child should be referred: the agency the child's postcode routes to (None on a
    boundary or with no location), the candidates, and the reason, for the analyst to confirm."""
    route, reason = route_child(report.payload)
    codes = list(route.codes) if route else []
    found = {
        o.slug: o
        for o in Organisation.objects.filter(slug__in=codes, kind=OrganisationKind.CHILDREN_SERVICES)
    }
    candidates = [found[c] for c in codes if c in found]
    return (candidates[0] if len(candidates) == 1 else None), candidates, reason


def calendar_of(agency: Organisation) -> str:
    """The bank holidays an agency keeps: its nation's, from the register (England and Wales for an
    organisation the shipped register does not know)."""
    found = agencies.by_code().get(agency.slug)
    return NATION_DIVISIONS[found.nation] if found else ENGLAND_AND_WALES


def _deadlines(sent_at: datetime, band: str | None, division: str) -> tuple[datetime, datetime]:
    decide_by = working_days_after(sent_at, 1, division)
    return min(sent_at + acknowledgement_window(band), decide_by), decide_by


def send_safeguarding_referral(
    report: Report,
    agency: Organisation,
    *,
    summary: str,
    actor: User,
    request: HttpRequest | None = None,
) -> SafeguardingReferral:
    """Refer the child of a report to children's services. The report must be graded first: its handling
    conditions travel with the referral. The referral names the report's subject, if it has one, so that a
    police referral of that subject and this one are told of each other."""
    summary = summary.strip()
    if not summary:
        raise ReferralError("say what is known of the harm to the child, and how the centre knows")
    if agency.kind != OrganisationKind.CHILDREN_SERVICES:
        raise ReferralError(f"{agency.name} is not a children's services agency")
    if ungraded([report]):
        raise ReferralError(f"grade {report.reference} before referring it")
    children = children_of(report)
    if not children:
        raise ReferralError(f"{report.reference} names no child: there is no one to refer")
    with transaction.atomic():
        subject = (
            Member.objects.filter(report=report, subject__isnull=False)
            .select_related("subject")
            .order_by("id")
            .first()
        )
        band = most_urgent_band([report])
        now = timezone.now()
        acknowledge_by, decide_by = _deadlines(now, band, calendar_of(agency))
        referral = SafeguardingReferral.objects.create(
            agency=agency,
            subject_reference=subject.subject.reference if subject and subject.subject else "",
            children=children,
            summary=summary,
            sent_by=actor,
            sent_at=now,
            acknowledge_by=acknowledge_by,
            decide_by=decide_by,
        )
        referral.reports.set([report])
        staff = liaison_emails(agency)
        record(
            "referrals.safeguarding_sent",
            actor=actor,
            request=request,
            obj=referral,
            details={
                "reference": referral.reference,
                "agency": agency.slug,
                "report": report.reference,
                "subject": referral.subject_reference or None,
                "emailed": len(staff),
            },
        )
        if staff:
            link = reverse("referrals:safeguarding_detail", kwargs={"uid": referral.uid})
            link = request.build_absolute_uri(link) if request is not None else link
            transaction.on_commit(partial(_announce, referral, band, link, staff))
    return referral


def _announce(referral: SafeguardingReferral, band: str | None, link: str, staff: list[str]) -> None:
    """Tell the agency's liaisons that a child has been referred: the reference, the band, the deadlines and
    a link. The referral itself stays behind sign-in, where each copy is audited."""
    send_mail(
        f"Haven: safeguarding referral {referral.reference}" + (f" ({band})" if band else ""),
        f"The centre has referred a child to {referral.agency.name}: {referral.reference}"
        + (f", priority {band}" if band else "")
        + f".\nPlease acknowledge it by {referral.acknowledge_by:%Y-%m-%d %H:%M %Z}, and decide on the "
        f"response by {referral.decide_by:%Y-%m-%d %H:%M %Z} (one working day).\n\n"
        f"Sign in to Haven to read it and download the referral: {link}\n",
        None,
        staff,
    )


def _step(referral: SafeguardingReferral, allowed: Collection[str], actor: User) -> SafeguardingReferral:
    locked = SafeguardingReferral.objects.select_for_update().get(pk=referral.pk)
    if actor.organisation_id != locked.agency_id or not has_permission(actor, Permission.REFERRALS_RESPOND):
        raise ReferralError("only the agency it was sent to can answer a safeguarding referral")
    if locked.state not in allowed:
        raise ReferralError(f"the referral is already {locked.get_state_display().lower()}")
    return locked


def acknowledge(
    referral: SafeguardingReferral, *, actor: User, request: HttpRequest | None = None
) -> SafeguardingReferral:
    """The agency has the referral, and this member of staff is its contact from now on."""
    with transaction.atomic():
        locked = _step(referral, {State.SENT}, actor)
        locked.state, locked.liaison, locked.acknowledged_at = State.ACKNOWLEDGED, actor, timezone.now()
        locked.save(update_fields=["state", "liaison", "acknowledged_at"])
        record("referrals.safeguarding_acknowledged", actor=actor, request=request, obj=locked)
    return locked


def decide(
    referral: SafeguardingReferral,
    *,
    decision: str,
    notes: str,
    actor: User,
    request: HttpRequest | None = None,
) -> SafeguardingReferral:
    """The agency's decision on the response. A strategy discussion or a section 47 enquiry means the
    police are involved: the notes must say with whom, or that a police referral already exists."""
    if decision not in Decision.values:
        raise ReferralError("choose a decision")
    notes = notes.strip()
    if decision in (Decision.STRATEGY_DISCUSSION, Decision.SECTION_47) and not notes:
        raise ReferralError("say which force and officer the strategy discussion is with")
    with transaction.atomic():
        locked = _step(referral, {State.ACKNOWLEDGED}, actor)
        locked.state, locked.decision, locked.decided_at = State.DECIDED, decision, timezone.now()
        locked.decision_notes = notes
        locked.save(update_fields=["state", "decision", "decided_at", "decision_notes"])
        record("referrals.safeguarding_decided", actor=actor, request=request, obj=locked,
               details={"decision": decision, "late": locked.decided_at > locked.decide_by})  # fmt: skip
    return locked


def record_outcome(
    referral: SafeguardingReferral,
    *,
    outcome: str,
    notes: str,
    actor: User,
    request: HttpRequest | None = None,
) -> SafeguardingReferral:
    """Close the referral. "Not this agency's area" may come at once, before any decision."""
    if outcome not in SafeguardingOutcome.values:
        raise ReferralError("choose an outcome")
    notes = notes.strip()
    early = outcome == SafeguardingOutcome.NOT_THIS_AGENCY
    if early and not notes:
        raise ReferralError(
            "say whose area the child is in, or why it is not yours, so that the centre can route it"
        )
    allowed = {State.SENT, State.ACKNOWLEDGED, State.DECIDED} if early else {State.DECIDED}
    with transaction.atomic():
        locked = _step(referral, allowed, actor)
        locked.state, locked.outcome, locked.outcome_at = State.OUTCOME, outcome, timezone.now()
        locked.outcome_notes = notes
        locked.save(update_fields=["state", "outcome", "outcome_at", "outcome_notes"])
        record("referrals.safeguarding_outcome", actor=actor, request=request, obj=locked,
               details={"outcome": outcome})  # fmt: skip
    return locked


def remind_overdue() -> int:
    """Email an agency's liaisons, once each, when a referral passes its acknowledgement time, and when an
    acknowledged one passes its decision time; supervisors see both on their home page."""
    now = timezone.now()
    sent = 0
    steps = (
        (Q(state=State.SENT, acknowledge_by__lt=now, reminded_at__isnull=True),
         "reminded_at", "acknowledged"),
        (Q(state=State.ACKNOWLEDGED, decide_by__lt=now, decision_reminded_at__isnull=True),
         "decision_reminded_at", "decided"),
    )  # fmt: skip
    for due, stamp, step in steps:
        for pk in (
            SafeguardingReferral.objects.filter(due).order_by("sent_at").values_list("pk", flat=True)[:100]
        ):
            with transaction.atomic():
                # Locked only if it is still due: another worker may have reminded, or the agency answered.
                locked = (
                    SafeguardingReferral.objects.select_for_update()
                    .select_related("agency")
                    .filter(due, pk=pk)
                    .first()
                )
                if locked is None:
                    continue
                setattr(locked, stamp, now)
                locked.save(update_fields=[stamp])
                staff = liaison_emails(locked.agency)
                deadline = locked.acknowledge_by if step == "acknowledged" else locked.decide_by
                due_by = f"{timezone.localtime(deadline):%Y-%m-%d %H:%M %Z}"
                record("referrals.safeguarding_reminded", obj=locked,
                       details={"step": step, "recipients": len(staff), "due_by": due_by})  # fmt: skip
                if staff:
                    transaction.on_commit(
                        partial(_remind, locked.reference, locked.agency.name, step, due_by, staff)
                    )
                sent += 1
    return sent


def _remind(reference: str, agency: str, step: str, due_by: str, staff: list[str]) -> None:
    send_mail(
        f"Haven: safeguarding referral {reference} waits to be {step}",
        f"Safeguarding referral {reference} from the centre to {agency} has not been {step}; it was due by "
        f"{due_by}. Please sign in to Haven.",
        None,
        staff,
    )


def visible_to(user: User) -> QuerySet[SafeguardingReferral]:
    """Need to know: the centre sees every safeguarding referral, an agency only its own, and a police
    force none (it is told that one exists, and whom to call, through joint working)."""
    referrals = SafeguardingReferral.objects.select_related("agency", "liaison", "sent_by")
    if user.organisation.kind == OrganisationKind.CENTRE:
        return referrals
    if user.organisation.kind == OrganisationKind.CHILDREN_SERVICES:
        return referrals.filter(agency=user.organisation)
    return referrals.none()


@dataclass(frozen=True)
class OtherSide:
    """The other side of joint working: which organisation holds a referral about the same report or
    subject, its reference and state, and whom to call. Nothing of its content."""

    organisation: str
    kind: str  # "police" or "children's services"
    reference: str
    open: bool
    contact: str


def police_side(referral: SafeguardingReferral) -> list[OtherSide]:
    """The police referrals that share a report or the subject with this safeguarding referral."""
    shared = Q(reports__in=referral.reports.all())
    if referral.subject_reference:
        shared |= Q(subject_reference=referral.subject_reference)
    found = (
        Referral.objects.filter(shared)
        .distinct()
        .select_related("force", "liaison", "hold")
        .order_by("sent_at")
    )
    return [
        OtherSide(r.force.name, "police", r.reference, r.open, r.hold.contact or liaisons_contact(r.force))
        for r in found
    ]


def safeguarding_side(referral: Referral) -> list[OtherSide]:
    """The safeguarding referrals that share a report or the subject with this police referral."""
    shared = Q(reports__in=referral.reports.all()) | Q(subject_reference=referral.subject_reference)
    found = (
        SafeguardingReferral.objects.filter(shared)
        .distinct()
        .select_related("agency", "liaison")
        .order_by("sent_at")
    )
    return [
        OtherSide(
            s.agency.name,
            "children's services",
            s.reference,
            s.open,
            contact_of(s.liaison) if s.liaison else liaisons_contact(s.agency),
        )
        for s in found
    ]


def deadline_passed(referral: SafeguardingReferral, now: datetime | None = None) -> str:
    """Which deadline an open referral has missed, in words, or ""."""
    now = now or timezone.now()
    if referral.state == State.SENT and referral.acknowledge_by < now:
        return "Acknowledgement overdue"
    if referral.state == State.ACKNOWLEDGED and referral.decide_by < now:
        return "Decision overdue"
    return ""
