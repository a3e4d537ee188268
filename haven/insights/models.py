"""Insights' summaries: one row per day and combination of the dimensions a dashboard filters or breaks
down by, with the counts every chart sums. The pipeline marks a report's day stale (``Stale``); a worker
chore summarises stale days again from the case tables, so a dashboard reads thousands of rows, never the
million reports behind them.
"""

from __future__ import annotations

from django.db import models


class AgeBand(models.TextChoices):
    UNDER_13 = "under_13", "Under 13"
    TEEN = "13_17", "13 to 17"
    UNKNOWN = "unknown", "Age not given"


class ReportDay(models.Model):
    """Reports received on one day (the centre's time zone) that share every dimension below."""

    day = models.DateField()
    source = models.CharField(max_length=10)
    incident_type = models.CharField(max_length=30)
    platform = models.CharField(max_length=100)  # the reporting platform, or where it happened; "" if unknown
    force = models.CharField(max_length=100)  # the force the report routes to; "" if none yet
    reports = models.PositiveIntegerField(default=0)
    # By the priority band in force (a report not yet banded is in none), and by the youngest victim's age:
    # counts rather than dimensions, so that a day has a few hundred rows, not one per report.
    p1 = models.PositiveIntegerField(default=0)
    p2 = models.PositiveIntegerField(default=0)
    p3 = models.PositiveIntegerField(default=0)
    p4 = models.PositiveIntegerField(default=0)
    under_13 = models.PositiveIntegerField(default=0)
    teen = models.PositiveIntegerField(default=0)  # 13 to 17; the rest gave no age
    imminent = models.PositiveIntegerField(default=0)
    sextortion = models.PositiveIntegerField(default=0)  # annotated so, or of that incident type
    self_generated = models.PositiveIntegerField(default=0)
    generative_ai = models.PositiveIntegerField(default=0)
    media_known = models.PositiveIntegerField(default=0)
    media_novel = models.PositiveIntegerField(default=0)
    triaged = models.PositiveIntegerField(default=0)  # given a band
    triage_seconds = models.BigIntegerField(default=0)  # summed from receipt to band
    triage_met = models.PositiveIntegerField(default=0)  # banded within the triage target
    referral_due = models.PositiveIntegerField(default=0)  # banded P1 to P3: a deadline to refer by
    referred = models.PositiveIntegerField(default=0)
    referral_seconds = models.BigIntegerField(default=0)  # summed from receipt to first referral
    referral_met = models.PositiveIntegerField(default=0)  # referred by the band's deadline
    lagged = models.PositiveIntegerField(default=0)  # reports that say when the incident happened
    lag_seconds = models.BigIntegerField(default=0)  # summed from the incident to the report's receipt
    conversations = models.PositiveIntegerField(default=0)
    grooming = models.PositiveIntegerField(default=0)  # conversations read as grooming
    urgent = models.PositiveIntegerField(default=0)  # conversations with an urgent flag

    class Meta:
        indexes = [models.Index(fields=["day"], name="insights_reportday_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.incident_type} {self.platform}: {self.reports}"


class Stale(models.Model):
    """A day whose summary must be made again."""

    day = models.DateField(unique=True)
    marked_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"stale {self.day}"
