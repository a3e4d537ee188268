"""Priorities: a score, a band, a deadline and the reasons, for a report or a subject.

The weights that make a score are versioned (``Policy``): a supervisor's change makes a new version, and a
priority names the version it was computed with. A supervisor may override a band with a reason; the
computed band stays beside it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models

from haven.intake.models import Report
from haven.intel.models import Member, Subject


class Band(models.TextChoices):
    P1 = "P1", "P1: within 1 hour"
    P2 = "P2", "P2: within 24 hours"
    P3 = "P3", "P3: within 7 days"
    P4 = "P4", "P4: intelligence only"


# How soon each band must be acted on; P4 has no deadline.
WINDOWS: dict[str, timedelta | None] = {
    Band.P1: timedelta(hours=1),
    Band.P2: timedelta(hours=24),
    Band.P3: timedelta(days=7),
    Band.P4: None,
}


class Policy(models.Model):
    """One version of the scoring weights (``scoring.DEFAULT_WEIGHTS`` says what each one is). The newest
    is in force."""

    weights = models.JSONField()
    reason = models.TextField(max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "policies"

    def __str__(self) -> str:
        return f"scoring weights, version {self.pk}"

    @property
    def version(self) -> int:
        return int(self.pk)


class Priority(models.Model):
    report = models.OneToOneField(
        Report, on_delete=models.CASCADE, null=True, blank=True, related_name="priority"
    )
    subject = models.OneToOneField(
        Subject, on_delete=models.CASCADE, null=True, blank=True, related_name="priority"
    )
    score = models.PositiveIntegerField()
    band = models.CharField(max_length=2, choices=Band.choices)
    deadline = models.DateTimeField(null=True, blank=True)
    reasons = models.JSONField(default=list)
    imminent = models.BooleanField(default=False)  # a child in imminent danger: P1 whatever else
    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="+")
    computed_at = models.DateTimeField()
    override_band = models.CharField(max_length=2, choices=Band.choices, blank=True)
    override_reason = models.TextField(max_length=2000, blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    override_at = models.DateTimeField(null=True, blank=True)
    # The band in force (the override if there is one), kept as a column so that queues sort by it.
    effective_band = models.CharField(max_length=2, choices=Band.choices)
    # A report waiting for the centre: false once it is referred, true again when a force sends it back
    # (``actions.leave_queue``, ``actions.rejoin_queue``, called by referrals). Always true for a subject.
    queued = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(report__isnull=True, subject__isnull=False)
                | models.Q(report__isnull=False, subject__isnull=True),
                name="triage_priority_of_one_thing",
            )
        ]
        # The queue in its order: band, then deadline (nulls last, as PostgreSQL's ascending order puts
        # them), of queued reports only, so that a page and the count read this index alone.
        indexes = [
            models.Index(
                fields=["effective_band", "deadline", "id"],
                condition=models.Q(queued=True, report__isnull=False),
                name="triage_queue",
            )
        ]
        verbose_name_plural = "priorities"

    def __str__(self) -> str:
        return f"{self.effective_band} ({self.score})"

    def as_json(self) -> dict[str, Any]:
        """What staff exports and the staff API carry. Partners never see it."""
        return {
            "band": self.effective_band,
            "score": self.score,
            "deadline": _iso(self.deadline),
            "reasons": self.reasons,
            "computed_band": self.band,
            "override": {"band": self.override_band, "reason": self.override_reason,
                         "at": _iso(self.override_at)} if self.override_band else None,
            "policy_version": self.policy_id,
        }  # fmt: skip


class AccessFlag(models.Model):
    """An analyst's judgement that a reported person has access to children or a position of trust
    (KIRAT's "access to children"): a teacher, a coach, a carer. Set on a subject, it is kept on each of
    the subject's reported people, so that it follows them through merges, splits and relinking; a subject
    with any flagged person scores it."""

    member = models.OneToOneField(Member, on_delete=models.CASCADE, related_name="access_flag")
    reason = models.TextField(max_length=2000)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"access to children: member {self.member_id}"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
