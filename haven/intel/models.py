"""Subjects: the people behind reports, held together by the identifiers their reports share.

A reported person in a report is a ``Member``. Each of its identifiers is a ``Sighting`` of one canonical
``Value``. Members whose strong or medium values are shared fall into one ``Subject``; every ``Link`` says
which value joined them. Analysts' merges and splits are ``Decision`` rows on members, not on subjects, so
they survive a rebuild, and revoking one undoes it.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from haven.intake.models import Identifier, Report


class Tier(models.IntegerChoices):
    STRONG = 1, "Strong"
    MEDIUM = 2, "Medium"
    WEAK = 3, "Weak"


# Strong identifiers link on their own, a username links with its platform, and addresses and URLs never
# link: many people share an IP address or visit a URL. They are associations only.
TIER_OF_KIND: dict[str, Tier] = {
    "email": Tier.STRONG,
    "phone": Tier.STRONG,
    "account_id": Tier.STRONG,
    "device_id": Tier.STRONG,
    "payment_id": Tier.STRONG,
    "username": Tier.MEDIUM,
    "ip": Tier.WEAK,
    "url": Tier.WEAK,
}


class Value(models.Model):
    """One canonical identifier, whoever reported it."""

    kind = models.CharField(max_length=12)
    platform = models.CharField(max_length=100, blank=True)
    canonical = models.CharField(max_length=500)
    tier = models.PositiveSmallIntegerField(choices=Tier.choices)
    excluded = models.CharField(max_length=200, blank=True, help_text="the warninglist entry that matched")
    noisy = models.BooleanField(default=False, help_text="held by more subjects than the correlation cap")
    holders = models.PositiveIntegerField(default=0, help_text="reported persons holding it")
    subjects = models.PositiveIntegerField(
        default=0,
        help_text="over the cap: subjects holding it, counted without it (at most; 0 if not counted)",
    )
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["canonical", "kind", "platform"], name="intel_value_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.platform + '/' if self.platform else ''}{self.canonical}"

    @property
    def links(self) -> bool:
        return self.tier != Tier.WEAK and not self.excluded and not self.noisy


class Subject(models.Model):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return "SUB-" + self.uid.hex[:10].upper()


class Member(models.Model):
    """One reported person in one report. Victims are never members: subjects are of offenders."""

    # Not indexed on its own: the unique constraint below leads with the report.
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="members", db_index=False)
    person = models.PositiveSmallIntegerField()
    subject = models.ForeignKey(Subject, on_delete=models.SET_NULL, null=True, related_name="members")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "person"], name="intel_member_unique")]

    def __str__(self) -> str:
        return f"person {self.person + 1} of report {self.report_id}"


class Sighting(models.Model):
    """One reported identifier, with the canonical value it reads as (none when it is invalid)."""

    identifier = models.OneToOneField(Identifier, on_delete=models.CASCADE, primary_key=True)
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="sightings")
    # Not indexed on its own: the index below leads with the value.
    value = models.ForeignKey(
        Value, on_delete=models.PROTECT, null=True, related_name="sightings", db_index=False
    )
    invalid = models.CharField(max_length=200, blank=True, help_text="why the value could not be read")

    class Meta:
        indexes = [models.Index(fields=["value", "member"], name="intel_sighting_value")]

    def __str__(self) -> str:
        return f"sighting of value {self.value_id} by member {self.member_id}"


class Link(models.Model):
    """Why members share a subject: this value is held by ``members`` of them."""

    # Not indexed on its own: the unique constraint below leads with the subject.
    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="links", db_index=False)
    value = models.ForeignKey(Value, on_delete=models.CASCADE, related_name="links")
    members = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["subject", "value"], name="intel_link_unique")]

    def __str__(self) -> str:
        return f"subject {self.subject_id} linked by value {self.value_id}"


class DecisionKind(models.TextChoices):
    MERGE = "merge", "Merge"
    SPLIT = "split", "Split"


class Decision(models.Model):
    """An analyst's merge (side A and side B are one person) or split (they are not)."""

    kind = models.CharField(max_length=5, choices=DecisionKind.choices)
    side_a = models.JSONField(help_text="member ids")
    side_b = models.JSONField(help_text="member ids")
    reason = models.TextField(max_length=2000)
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField(auto_now_add=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.TextField(max_length=2000, blank=True)

    class Meta:
        ordering = ["made_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk}"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class Exclusion(models.Model):
    """An admin's warninglist entry: values matching it never link. ``*`` and ``?`` are wildcards on the
    canonical value; an ip entry may be a CIDR range."""

    kind = models.CharField(max_length=12)
    pattern = models.CharField(max_length=500)
    reason = models.CharField(max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "pattern"], name="intel_exclusion_unique")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.pattern}"


class SourceEvaluation(models.TextChoices):
    """The 3x5x2 grading (College of Policing, 2016): how far the source is to be relied on."""

    A = "A", "A: reliable"
    B = "B", "B: untested"
    C = "C", "C: not reliable"


class Assessment(models.TextChoices):
    ONE = "1", "1: known to be true without reservation"
    TWO = "2", "2: known personally to the source but not to the person reporting"
    THREE = "3", "3: not known personally to the source, but corroborated"
    FOUR = "4", "4: cannot be judged"
    FIVE = "5", "5: suspected to be false or malicious"


class HandlingCode(models.TextChoices):
    P = "P", "P: lawful sharing permitted"
    C = "C", "C: lawful sharing permitted with conditions"


class Grading(models.Model):
    """The 3x5x2 grading of a report as an intelligence item. Handling code C carries its conditions, which
    every export and referral repeats; exports leave such reports out unless asked."""

    report = models.OneToOneField(Report, on_delete=models.CASCADE, related_name="grading")
    source = models.CharField(max_length=1, choices=SourceEvaluation.choices)
    assessment = models.CharField(max_length=1, choices=Assessment.choices)
    handling = models.CharField(max_length=1, choices=HandlingCode.choices)
    conditions = models.TextField(max_length=2000, blank=True)
    graded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    graded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.code} for report {self.report_id}"

    @property
    def code(self) -> str:
        return f"{self.source}{self.assessment}{self.handling}"

    def as_json(self) -> dict[str, str]:
        return {
            "source": self.source,
            "assessment": self.assessment,
            "handling": self.handling,
            "conditions": self.conditions,
            "code": self.code,
        }


class Hold(models.Model):
    """A force's open interest in some reported people and their identifiers, for deconfliction.

    The referrals app opens a hold when it sends a case to a force and closes it with the outcome. A hold is
    on members and values rather than on a subject, so it survives merges, splits and rebuilds, and a new
    report carrying a held identifier is held too. ``reference`` and ``contact`` are all another force is
    ever shown of it.
    """

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="intel_holds"
    )
    reference = models.CharField(max_length=40, help_text="the case that holds, e.g. a referral's reference")
    contact = models.CharField(max_length=300, help_text="whom another force should call")
    members = models.ManyToManyField(Member, related_name="holds")
    values = models.ManyToManyField(Value, related_name="holds")
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.reference} held by {self.organisation_id}"
