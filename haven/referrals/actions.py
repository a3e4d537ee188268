"""Sending a subject to a force, and the force's answers: acknowledged, actioned, outcome. Each action is one
transaction with its audit entry, and moves the referral only forwards."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from functools import partial

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from haven.accounts.models import Organisation, OrganisationKind, Role, User
from haven.accounts.roles import has_permission
from haven.audit.actions import AuditActor, record
from haven.core.access import Permission
from haven.intake.models import Report
from haven.intel.actions import close_hold, open_hold, set_contact
from haven.intel.models import Grading, Member, Subject
from haven.referrals import forces
from haven.referrals.agencies import label
from haven.referrals.forces import Force
from haven.referrals.models import Message, Outcome, ProposedRoute, Referral, SafeguardingReferral, State
from haven.referrals.routing import route_child, route_report
from haven.triage.actions import leave_queue, rejoin_queue
from haven.triage.models import WINDOWS, Priority

LIAISONS_NAMED = 3
WEEK = timedelta(days=7)  # the time to acknowledge a referral of P3, P4 or unscored reports


class ReferralError(Exception):
    """A referral that cannot be made, or a step the referral's state does not allow."""


def contact_of(user: User) -> str:
    return f"{user.get_full_name() or user.username}, {user.email}" if user.email else user.username


# The role that answers referrals at each kind of organisation a referral goes to, and whom to call there
# when nobody in that role has an account.
LIAISON_ROLES = {
    OrganisationKind.POLICE_FORCE: (Role.FORCE_LIAISON, "the force's liaison desk"),
    OrganisationKind.CHILDREN_SERVICES: (Role.SAFEGUARDING_LIAISON, "the agency's front door (MASH)"),
}


def liaisons(organisation: Organisation) -> QuerySet[User]:
    """A force's liaison officers, or an agency's safeguarding liaisons: the active ones, in the order they
    were added."""
    role, _ = LIAISON_ROLES[OrganisationKind(organisation.kind)]
    return User.objects.filter(organisation=organisation, role=role, is_active=True).order_by("id")


def liaisons_contact(organisation: Organisation) -> str:
    """Whom to call at a force or an agency before one of its people has taken the case: its liaisons."""
    named = [contact_of(u) for u in liaisons(organisation)[:LIAISONS_NAMED]]
    return "; ".join(named) or LIAISON_ROLES[OrganisationKind(organisation.kind)][1]


def reports_of(members: Iterable[Member]) -> list[Report]:
    """The reports of these reported people, each once, in the members' order."""
    return list({m.report_id: m.report for m in members}.values())


def ungraded(reports: list[Report]) -> list[Report]:
    graded = set(Grading.objects.filter(report__in=reports).values_list("report_id", flat=True))
    return [r for r in reports if r.pk not in graded]


def send_referral(
    subject: Subject, force: Organisation, *, summary: str, actor: User, request: HttpRequest | None = None
) -> Referral:
    """Refer the subject, as it stands now, to a force. Every report must be graded first, because the
    grading and its handling conditions travel with the case."""
    summary = summary.strip()
    if not summary:
        raise ReferralError("write a summary for the force")
    if force.kind != OrganisationKind.POLICE_FORCE:
        raise ReferralError(f"{force.name} is not a police force")
    with transaction.atomic():
        members = list(Member.objects.filter(subject=subject).select_related("report").order_by("id"))
        if not members:
            raise ReferralError("the subject has no reports")
        reports = reports_of(members)
        missing = ungraded(reports)
        if missing:
            names = ", ".join(r.reference for r in missing)
            raise ReferralError(f"grade every report before referring it; not graded: {names}")
        referral = Referral(force=force, subject_reference=subject.reference, summary=summary, sent_by=actor)
        hold = open_hold(
            force, [m.pk for m in members], reference=referral.reference, contact=liaisons_contact(force)
        )
        referral.hold = hold
        band = most_urgent_band(reports)
        referral.acknowledge_by = timezone.now() + acknowledgement_window(band)
        referral.save()
        referral.reports.set(reports)
        leave_queue(reports)
        officers = liaison_emails(force)
        record(
            "referrals.sent",
            actor=actor,
            request=request,
            obj=referral,
            details={
                "reference": referral.reference,
                "force": force.slug,
                "subject": subject.reference,
                "reports": [r.reference for r in reports],
                "emailed": len(officers),
            },
        )
        if officers:
            link = reverse("referrals:detail", kwargs={"uid": referral.uid})
            link = request.build_absolute_uri(link) if request is not None else link
            transaction.on_commit(partial(_announce, referral, band, link, officers))
    return referral


def liaison_emails(organisation: Organisation) -> list[str]:
    return list(liaisons(organisation).exclude(email="").values_list("email", flat=True))


def _announce(referral: Referral, band: str | None, link: str, officers: list[str]) -> None:
    """Tell the force's liaison officers that a case waits for them. The message names the referral, its
    band and its deadline, and links to it; the case itself, and its package, stay behind sign-in, where
    each copy is audited. Email is not a channel for intelligence."""
    due = f"{referral.acknowledge_by:%Y-%m-%d %H:%M %Z}" if referral.acknowledge_by else "within a week"
    send_mail(
        f"Haven: new referral {referral.reference}" + (f" ({band})" if band else ""),
        f"The centre has referred a case to {referral.force.name}: {referral.reference}"
        + (f", priority {band}" if band else "")
        + f".\nPlease acknowledge it by {due}.\n\n"
        f"Sign in to Haven to read it and download its package: {link}\n",
        None,
        officers,
    )


def _step(referral: Referral, allowed: set[str], actor: User) -> Referral:
    """The referral, locked, if the actor may answer it and its state allows the step."""
    locked = Referral.objects.select_for_update().select_related("hold").get(pk=referral.pk)
    if actor.organisation_id != locked.force_id:
        raise ReferralError("only the force it was sent to can answer a referral")
    if locked.state not in allowed:
        raise ReferralError(f"the referral is already {locked.get_state_display().lower()}")
    return locked


def acknowledge_referral(referral: Referral, *, actor: User, request: HttpRequest | None = None) -> Referral:
    """The force has the case, and this officer is its contact from now on."""
    with transaction.atomic():
        locked = _step(referral, {State.SENT}, actor)
        locked.state, locked.liaison, locked.acknowledged_at = State.ACKNOWLEDGED, actor, timezone.now()
        locked.save(update_fields=["state", "liaison", "acknowledged_at"])
        set_contact(locked.hold, contact_of(actor))
        record("referrals.acknowledged", actor=actor, request=request, obj=locked)
    return locked


def record_action(
    referral: Referral, *, notes: str, actor: User, request: HttpRequest | None = None
) -> Referral:
    notes = notes.strip()
    if not notes:
        raise ReferralError("say what the force has done")
    with transaction.atomic():
        locked = _step(referral, {State.ACKNOWLEDGED}, actor)
        locked.state, locked.actioned_at, locked.action_notes = State.ACTIONED, timezone.now(), notes
        locked.save(update_fields=["state", "actioned_at", "action_notes"])
        record("referrals.actioned", actor=actor, request=request, obj=locked, details={"notes": notes})
    return locked


def record_outcome(
    referral: Referral, *, outcome: str, notes: str, actor: User, request: HttpRequest | None = None
) -> Referral:
    """Close the case. The force stops holding its people and identifiers."""
    if outcome not in Outcome.values:
        raise ReferralError("choose an outcome")
    if outcome == Outcome.NOT_THIS_FORCE and not notes.strip():
        raise ReferralError("say whose area it is, or why it is not yours, so that the centre can route it")
    with transaction.atomic():
        locked = _step(referral, {State.ACKNOWLEDGED, State.ACTIONED}, actor)
        locked.state, locked.outcome, locked.outcome_at = State.OUTCOME, outcome, timezone.now()
        locked.outcome_notes = notes.strip()
        locked.save(update_fields=["state", "outcome", "outcome_at", "outcome_notes"])
        close_hold(locked.hold)
        if outcome == Outcome.NOT_THIS_FORCE:
            reports = list(locked.reports.all())
            rejoin_queue(reports)
            _reopen_routes(reports, locked.force, locked.outcome_notes)
        record(
            "referrals.outcome",
            actor=actor,
            request=request,
            obj=locked,
            details={"outcome": outcome, "notes": locked.outcome_notes},
        )
    return locked


def load_forces(forces: list[Force], *, actor: AuditActor) -> dict[str, int]:
    """Put the register's forces in place as police-force organisations (``load_register``)."""
    entries = [(f.code, f.name) for f in forces]
    return load_register(
        entries, OrganisationKind.POLICE_FORCE, action="referrals.forces_loaded", actor=actor
    )


def load_register(
    entries: list[tuple[str, str]], kind: OrganisationKind, *, action: str, actor: AuditActor
) -> dict[str, int]:
    """Put a register's (code, name) entries in place as organisations of one kind: a new code is added, a
    known one gets the register's name. Nothing is removed (an organisation that leaves the register keeps
    its referrals). Loading the same register again changes nothing. Audited once, with what changed."""
    added: list[str] = []
    renamed: list[str] = []
    with transaction.atomic():
        existing = {o.slug: o for o in Organisation.objects.filter(slug__in=[code for code, _ in entries])}
        for code, name in entries:
            org = existing.get(code)
            if org is None:
                Organisation.objects.create(slug=code, name=name, kind=kind)
                added.append(code)
            elif org.kind != kind:
                raise ReferralError(
                    f"{code}: already an organisation of kind {org.kind}, not {kind.label.lower()}"
                )
            elif org.name != name:
                org.name = name
                org.save(update_fields=["name"])
                renamed.append(code)
        if added or renamed:
            record(action, actor=actor, details={"added": added, "renamed": renamed})
    return {
        "added": len(added),
        "renamed": len(renamed),
        "unchanged": len(entries) - len(added) - len(renamed),
    }


def most_urgent_band(reports: list[Report]) -> str | None:
    return (
        Priority.objects.filter(report__in=reports)
        .order_by("effective_band")
        .values_list("effective_band", flat=True)
        .first()
    )


def acknowledgement_window(band: str | None) -> timedelta:
    """How long a force has to acknowledge a referral whose most urgent report has this band: the band's
    window (P1 an hour, P2 a day), and a week for P3, P4 or unscored reports."""
    return (WINDOWS.get(band) if band else None) or WEEK


def remind_unacknowledged() -> int:
    """Email the liaison officers of each force that has let a referral pass its acknowledgement time,
    once a referral; supervisors see such referrals on their home page. Returns how many were sent."""
    sent = 0
    due = Referral.objects.filter(
        state=State.SENT, acknowledge_by__lt=timezone.now(), reminded_at__isnull=True
    ).select_related("force")
    for referral in due.order_by("acknowledge_by")[:100]:
        with transaction.atomic():
            locked = Referral.objects.select_for_update().get(pk=referral.pk)
            if locked.state != State.SENT or locked.reminded_at is not None:
                continue
            officers = liaison_emails(locked.force)
            locked.reminded_at = timezone.now()
            locked.save(update_fields=["reminded_at"])
            due_by = f"{locked.acknowledge_by:%Y-%m-%d %H:%M %Z}" if locked.acknowledge_by else "now"
            record("referrals.reminded", obj=locked, details={"recipients": len(officers), "due_by": due_by})
            if officers:
                # After the commit: no message for a reminder that was rolled back. It names the referral
                # only: the case is on the liaison pages, behind sign-in.
                transaction.on_commit(partial(_remind, locked.reference, locked.force.name, due_by, officers))
            sent += 1
    return sent


def _remind(reference: str, force: str, due_by: str, officers: list[str]) -> None:
    send_mail(
        f"Haven: referral {reference} waits for acknowledgement",
        f"Referral {reference} from the centre to {force} has not been acknowledged; it was due by {due_by}. "
        "Please sign in to Haven to acknowledge it.",
        None,
        officers,
    )


AnyReferral = Referral | SafeguardingReferral


def recipient_id(referral: AnyReferral) -> int:
    """The organisation a referral was sent to: its force, or its agency."""
    return referral.force_id if isinstance(referral, Referral) else referral.agency_id


def may_write(referral: AnyReferral, user: User) -> bool:
    """The centre's referring staff, and the liaisons of the force or agency it was sent to."""
    if user.organisation.kind == OrganisationKind.CENTRE:
        return has_permission(user, Permission.REFERRALS_SEND)
    return user.organisation_id == recipient_id(referral) and has_permission(
        user, Permission.REFERRALS_RESPOND
    )


def post_message(
    referral: AnyReferral, text: str, *, actor: User, request: HttpRequest | None = None
) -> Message:
    """Add a message to the referral's thread: the force or agency asking for more information, or the
    centre's answer. Audited with its text."""
    text = text.strip()
    if not text:
        raise ReferralError("write the message")
    if not may_write(referral, actor):
        raise ReferralError("only the centre and the organisation it was sent to write on a referral")
    message = Message(author=actor, text=text, from_recipient=actor.organisation_id == recipient_id(referral))
    if isinstance(referral, Referral):
        message.referral = referral
    else:
        message.safeguarding = referral
    with transaction.atomic():
        message.save()
        details = {"message": message.pk, "from_recipient": message.from_recipient, "text": text}
        record("referrals.message", actor=actor, request=request, obj=referral, details=details)
    return message


def propose_route(report: Report) -> ProposedRoute:
    """The pipeline's step after scoring: where the report's location says its case should go, and which
    children's services its child's location routes to. It runs in
    ``process_report``'s transaction and is not audited report by report (the system's own work). An
    analyst's confirmed force stays in force."""
    route, reason = route_report(report.payload)
    names = forces.names()
    proposed = [{"code": c, "name": names.get(c, c)} for c in route.codes] if route else []
    found = ProposedRoute.objects.filter(report=report).first() or ProposedRoute(report=report)
    found.forces, found.reason = proposed, reason[:300]
    child, child_reason = route_child(report.payload)
    found.agencies = [{"code": c, "name": label(c)} for c in child.codes] if child else []
    found.agency_reason = child_reason[:300]
    settled = proposed[0]["code"] if len(proposed) == 1 else ""
    found.force = found.confirmed_force or ("" if settled == found.sent_back_by else settled)
    found.save()
    return found


def _reopen_routes(reports: list[Report], force: Organisation, reason: str) -> None:
    """A force sent the case back as not its area: each report's route is open again, with the reason, for
    the analyst to choose; the force is not proposed alone again."""
    for report in reports:
        route = ProposedRoute.objects.filter(report=report).first() or ProposedRoute(
            report=report, reason="sent back: choose the force"
        )
        route.sent_back_by, route.sent_back_reason = force.slug, reason
        route.confirmed_force, route.confirmed_by, route.confirmed_at = "", None, None
        route.force = ""
        route.save()


def confirm_route(
    report: Report, force: Organisation, *, actor: User, request: HttpRequest | None = None
) -> ProposedRoute:
    """The analyst's choice of force for a report: the proposal confirmed, a candidate chosen on a
    boundary, or a force chosen where the report gave no location. Audited with the proposal."""
    if force.kind != OrganisationKind.POLICE_FORCE:
        raise ReferralError(f"{force.name} is not a police force")
    with transaction.atomic():
        route = ProposedRoute.objects.select_for_update().filter(report=report).first()
        if route is None:
            route = ProposedRoute(report=report, reason="the report was not routed: chosen by an analyst")
        proposed = [f["code"] for f in route.forces]
        route.confirmed_force = route.force = force.slug
        route.confirmed_by, route.confirmed_at = actor, timezone.now()
        route.save()
        record("referrals.route_confirmed", actor=actor, request=request, obj=report,
               details={"force": force.slug, "proposed": proposed, "reason": route.reason,
                        "as_proposed": proposed == [force.slug]})  # fmt: skip
    return route


def proposed_force(reports: list[Report]) -> Organisation | None:
    """The force most of these reports' routes name (confirmed by an analyst, or settled by a postcode),
    if it is in the register of organisations: what the referral form starts with, for the analyst to
    confirm or change."""
    votes = (
        ProposedRoute.objects.filter(report__in=reports)
        .exclude(force="")
        .values("force")
        .annotate(n=Count("id"))
        .order_by("-n", "force")
    )
    settled = {vote["force"]: index for index, vote in enumerate(votes)}
    candidates = Organisation.objects.filter(slug__in=settled, kind=OrganisationKind.POLICE_FORCE)
    return min(candidates, key=lambda org: settled[org.slug], default=None)
