"""The grading queue: novel media waiting for the centre's graders, in clusters of near-duplicates, and what
looking at it costs the people who do.

An ``Item`` is one distinct file (by SHA-256) that the bank did not know. It is looked at only through the
welfare viewer, which makes its thumbnails in memory from the encrypted evidence store. Items are graded a
``Cluster`` at a time: one decision covers every member. A cluster's ``stage`` says whose look it waits for:
a first grader, a second (never the first), a supervisor (the two disagreed), or nobody (done).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from haven.evidence.models import Blob
from haven.hashbank.models import BankRecord
from haven.intake.models import Report


class Origin(models.TextChoices):
    REPORT = "report", "A report"
    SCAN = "scan", "A scan of seized media"
    SELF_REFERRAL = "self_referral", "A self-referral"


class Stage(models.TextChoices):
    FIRST = "first", "Waiting for a first grader"
    SECOND = "second", "Waiting for a second grader"
    DISPUTED = "disputed", "Graders disagree: for a supervisor"
    DONE = "done", "Graded"


# Bands sort as text: P1 first. An item with no report (a scan) waits as P4.
NO_BAND = "P4"


class Cluster(models.Model):
    stage = models.CharField(max_length=8, choices=Stage.choices, default=Stage.FIRST)
    band = models.CharField(max_length=2, default=NO_BAND)  # the most urgent of its members' bands
    queued_at = models.DateTimeField(default=timezone.now)  # its oldest member's
    size = models.PositiveIntegerField(default=1)
    first_grader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["band", "queued_at", "id"]
        indexes = [models.Index(fields=["stage", "band", "queued_at", "id"], name="grading_cluster_queue")]

    def __str__(self) -> str:
        return f"cluster {self.pk} ({self.size}, {self.stage})"


class Item(models.Model):
    sha256 = models.CharField(max_length=64, unique=True)
    md5 = models.CharField(max_length=32, blank=True)
    sha1 = models.CharField(max_length=40, blank=True)
    pdq = models.CharField(max_length=64, blank=True)
    pdq_quality = models.PositiveSmallIntegerField(null=True, blank=True)
    origin = models.CharField(max_length=14, choices=Origin.choices)
    band = models.CharField(max_length=2, default=NO_BAND)
    queued_at = models.DateTimeField(default=timezone.now)
    # The file, encrypted. None for hashes alone (a self-referral), which wait for a copy.
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="items")
    # A grader took it out of a cluster it did not belong in; reclustering leaves it alone.
    pulled_out = models.BooleanField(default=False)
    clustered = models.BooleanField(default=False)  # reclustering has seen it
    # The bank reads this relation (``grading_items``) to send a grader to the queue, without importing it.
    record = models.ForeignKey(
        BankRecord, on_delete=models.PROTECT, null=True, blank=True, related_name="grading_items"
    )
    reports = models.ManyToManyField(Report, related_name="+")

    class Meta:
        ordering = ["queued_at", "id"]
        indexes = [
            models.Index(fields=["clustered"], condition=models.Q(clustered=False), name="grading_item_new")
        ]

    def __str__(self) -> str:
        return f"item {self.pk}"


class Decision(models.Model):
    """One grader's decision on one cluster: it covers ``members`` items, so it saved ``members - 1``
    looks."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="decisions")
    grader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(max_length=8, choices=Stage.choices)
    category = models.CharField(max_length=20)
    members = models.PositiveIntegerField()
    outcome = models.CharField(max_length=8, choices=Stage.choices)  # the stage the decision left it at
    at = models.DateTimeField(default=timezone.now, db_index=True)
    waited_seconds = models.PositiveIntegerField()  # from the cluster's oldest member being queued

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.category} for cluster {self.cluster_id} ({self.stage})"


class Look(models.Model):
    """A grader's time with a cluster open in the viewer: from opening it to deciding (or to their next
    look, or ``LOOK_IDLE`` later, whichever comes first)."""

    grader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Kept when reclustering merges the cluster away: the time spent still counts.
    cluster = models.ForeignKey(Cluster, on_delete=models.SET_NULL, null=True, related_name="looks")
    opened_at = models.DateTimeField(default=timezone.now, db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["opened_at", "id"]

    def __str__(self) -> str:
        return f"look at cluster {self.cluster_id}"


class Reveal(models.Model):
    """One item shown unblurred to one grader, by their deliberate choice. It lasts until they hide it or
    decide, and never longer than ``HAVEN_GRADING_REVEAL_SECONDS``."""

    grader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="reveals")
    started_at = models.DateTimeField(default=timezone.now, db_index=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at", "id"]

    def __str__(self) -> str:
        return f"reveal of item {self.item_id}"


class ViewerSettings(models.Model):
    """A grader's own viewer: how strongly thumbnails are blurred, whether in greyscale, and after how many
    minutes of reviewing without a break the viewer reminds them to take one (0: never)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    blur = models.PositiveSmallIntegerField(default=12)
    greyscale = models.BooleanField(default=True)
    break_minutes = models.PositiveSmallIntegerField(default=30)

    def __str__(self) -> str:
        return f"viewer settings of {self.user_id}"
