"""Referrals: a subject's case sent to the police force that should act on it, and what the force did.

A referral carries the subject's reported people and reports as they were when it was sent, each report
with its 3x5x2 grading. While it is open its force holds those people and their identifiers
(``haven.intel.models.Hold``), which is how another force referred the same person learns whom to call.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from haven.accounts.models import Organisation
from haven.intake.models import Report
from haven.intel.models import Hold


class State(models.TextChoices):
    SENT = "sent", "Sent"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    ACTIONED = "actioned", "Actioned"
    OUTCOME = "outcome", "Outcome recorded"


class Outcome(models.TextChoices):
    CHARGED = "charged", "Arrest or charge"
    SAFEGUARDED = "safeguarded", "Children safeguarded, no charge"
    NO_FURTHER_ACTION = "no_further_action", "No further action"
    NOT_THIS_FORCE = "not_this_force", "Not this force's area: back to the centre"


class Referral(models.Model):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    force = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="referrals")
    hold = models.OneToOneField(Hold, on_delete=models.PROTECT, related_name="referral")
    subject_reference = models.CharField(max_length=20, help_text="the subject when it was sent")
    reports = models.ManyToManyField(Report, related_name="referrals")
    summary = models.TextField(max_length=4000)
    state = models.CharField(max_length=12, choices=State.choices, default=State.SENT)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)
    liaison = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    # When the force should have acknowledged it: from sending, within its most urgent report's band
    # (P1 an hour, P2 a day, otherwise a week). A reminder goes once, when that passes.
    acknowledge_by = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    actioned_at = models.DateTimeField(null=True, blank=True)
    action_notes = models.TextField(max_length=4000, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)
    outcome_notes = models.TextField(max_length=4000, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["force", "state"], name="referrals_force_state")]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return "REF-" + self.uid.hex[:10].upper()

    @property
    def open(self) -> bool:
        return self.state != State.OUTCOME


class Message(models.Model):
    """One message on a referral's thread: the force (or, on a safeguarding referral, the agency) asks the
    centre for more, the centre answers. A message is on exactly one referral of either kind."""

    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="messages", null=True, blank=True
    )
    safeguarding = models.ForeignKey(
        "SafeguardingReferral", on_delete=models.CASCADE, related_name="messages", null=True, blank=True
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # From the organisation the referral was sent to (the force or the agency); otherwise from the centre.
    from_recipient = models.BooleanField()
    text = models.TextField(max_length=4000)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(referral__isnull=False, safeguarding__isnull=True)
                | models.Q(referral__isnull=True, safeguarding__isnull=False),
                name="message_on_one_referral",
            )
        ]

    def __str__(self) -> str:
        return f"message {self.pk} on {self.referral or self.safeguarding}"


class ProposedRoute(models.Model):
    """Where a report's location says its case should go (``routing.route_report``), for the analyst to
    confirm: one force, the candidates on a boundary, or none with the reason (no location, or a
    postcode that is not one)."""

    report = models.OneToOneField(Report, on_delete=models.CASCADE, related_name="route")
    forces = models.JSONField(default=list)  # [{"code", "name"}]
    # The one force when the route is settled (the queue filters by it), or "".
    force = models.CharField(max_length=100, blank=True, db_index=True)
    reason = models.CharField(max_length=300)
    computed_at = models.DateTimeField(auto_now=True)
    # The analyst's confirmation: the force they chose, from the proposal or not. Once confirmed, ``force``
    # is this one, and processing the report again does not change it.
    confirmed_force = models.CharField(max_length=100, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The force that sent the case back as not its area, and why: the route is open again for the analyst,
    # and that force is not settled on again by the postcode alone.
    sent_back_by = models.CharField(max_length=100, blank=True)
    sent_back_reason = models.TextField(max_length=4000, blank=True)
    # The child's side (``routing.route_child``): the children's services the victims' locations route
    # to, [{"code", "name"}], one or a boundary's candidates, and why; the analyst confirms it on the
    # safeguarding referral form.
    agencies = models.JSONField(default=list)
    agency_reason = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"route of report {self.report_id}: {self.reason}"


class Decision(models.TextChoices):
    """What children's services decide to do, as Working Together to Safeguard Children names the
    responses."""

    STRATEGY_DISCUSSION = "strategy_discussion", "Strategy discussion with the police"
    SECTION_47 = "section_47", "Section 47 enquiry"
    ASSESSMENT = "assessment", "Child and family assessment"
    SIGNPOSTING = "signposting", "Signposting to other services"
    NO_FURTHER_ACTION = "no_further_action", "No further action"


class SafeguardingState(models.TextChoices):
    SENT = "sent", "Sent"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    DECIDED = "decided", "Decided"
    OUTCOME = "outcome", "Outcome recorded"


class SafeguardingOutcome(models.TextChoices):
    PROTECTION_PLAN = "protection_plan", "Child protection plan"
    CHILD_IN_NEED = "child_in_need", "Child in need plan"
    EARLY_HELP = "early_help", "Early help"
    NO_FURTHER_ACTION = "no_further_action", "No further action"
    NOT_THIS_AGENCY = "not_this_agency", "Not this agency's area: back to the centre"


class SafeguardingReferral(models.Model):
    """A child at risk, referred to the children's services responsible for them: a local authority, or in
    Northern Ireland a Health and Social Care Trust. It is about the child, whatever the police do about
    the offender; it carries the child's details as the report gave them, the centre's account of the harm
    and how it knows, and the report's priority and handling conditions."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="safeguarding_referrals")
    reports = models.ManyToManyField(Report, related_name="safeguarding_referrals")
    subject_reference = models.CharField(max_length=20, blank=True, help_text="the subject when it was sent")
    # The children as the reports gave them when it was sent: [{"report", "age_estimate", "postcode",
    # "country"}]. A victim's identifiers are not copied: the agency works from the child's location.
    children = models.JSONField(default=list)
    summary = models.TextField(max_length=4000)
    state = models.CharField(max_length=12, choices=SafeguardingState.choices, default=SafeguardingState.SENT)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)  # the deadlines count from it
    liaison = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Acknowledge by the band's window or one working day, whichever is sooner; decide within one working
    # day of sending. A reminder goes once for each, when it passes.
    acknowledge_by = models.DateTimeField()
    decide_by = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    decision_reminded_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(max_length=20, choices=Decision.choices, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_notes = models.TextField(max_length=4000, blank=True)
    outcome = models.CharField(max_length=20, choices=SafeguardingOutcome.choices, blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)
    outcome_notes = models.TextField(max_length=4000, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["agency", "state"], name="safeguarding_agency_state")]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return "SGR-" + self.uid.hex[:10].upper()

    @property
    def open(self) -> bool:
        return self.state != SafeguardingState.OUTCOME
