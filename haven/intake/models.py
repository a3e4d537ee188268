"""Reports: one referral into the centre, shaped like a CyberTipline report.

The report as submitted is kept whole in ``payload`` (the API schema), so an export gives back exactly what
came in. Its identifiers and media are also stored as rows, for the inbox, matching and linking.
"""

from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from haven.accounts.models import Organisation, OrganisationKind
from haven.evidence.models import Blob
from haven.hashbank.models import Status as RecordStatus


class Source(models.TextChoices):
    INDUSTRY = "industry", "Industry"
    PUBLIC = "public", "Public"
    POLICE = "police", "Police"
    HOTLINE = "hotline", "Hotline"


# Where a report comes from, by the kind of organisation that sent it. The centre's own staff have no entry.
SOURCE_OF_ORGANISATION_KIND: dict[str, str] = {
    OrganisationKind.INDUSTRY: Source.INDUSTRY,
    OrganisationKind.HOTLINE: Source.HOTLINE,
    OrganisationKind.POLICE_FORCE: Source.POLICE,
}


class ReportStatus(models.TextChoices):
    OPEN = "open", "Open: waiting for files or finish"
    RECEIVED = "received", "Received: waiting for processing"
    PROCESSED = "processed", "Processed"
    FAILED = "failed", "Failed: processing stopped, with the reason"
    RETRACTED = "retracted", "Retracted"


class IncidentType(models.TextChoices):
    CSAM_DISTRIBUTION = "csam_distribution", "Distribution of indecent images"
    CSAM_POSSESSION = "csam_possession", "Possession of indecent images"
    CSAM_PRODUCTION = "csam_production", "Production of indecent images"
    ONLINE_ENTICEMENT = "online_enticement", "Online enticement"
    SEXTORTION = "sextortion", "Sextortion"
    LIVE_STREAMING = "live_streaming", "Live-streamed abuse"
    TRAFFICKING = "trafficking", "Trafficking"
    OBSCENE_MATERIAL_TO_CHILD = "obscene_material_to_child", "Obscene material sent to a child"
    OTHER = "other", "Other"


class IdentifierKind(models.TextChoices):
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"
    USERNAME = "username", "Username"
    ACCOUNT_ID = "account_id", "Account id"
    IP = "ip", "IP address"
    DEVICE_ID = "device_id", "Device id"
    URL = "url", "URL"
    PAYMENT_ID = "payment_id", "Payment id"


def reference_of(uid: uuid.UUID) -> str:
    """The short reference a person is given when they report, and that staff can search for."""
    return "HVN-" + uid.hex[:10].upper()


class Bundle(models.Model):
    """Reports that carry the same media within a window: a viral image reported by many people, handled
    once rather than as many separate cases (as NCMEC bundles CyberTipline reports)."""

    media_sha256 = models.CharField(max_length=64, unique=True)
    report_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"bundle of {self.report_count} reports"


class Report(models.Model):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="reports"
    )
    source = models.CharField(max_length=10, choices=Source.choices, db_index=True)
    external_id = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001
    idempotency_key = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001
    # sha256 of the canonical JSON body: the same body again is a retry, another body a conflict.
    body_sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=ReportStatus.choices, db_index=True)
    incident_type = models.CharField(max_length=30, choices=IncidentType.choices, db_index=True)
    occurred_at = models.DateTimeField(null=True, blank=True)
    imminent_danger = models.BooleanField(default=False)
    payload = models.JSONField()
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    # When a processing job was last made for the report; the worker's sweep makes another for a report
    # still received long after (a job lost to a killed worker).
    queued_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Why processing stopped (``failed``), and how many times it has.
    failure = models.TextField(blank=True)
    failures = models.PositiveSmallIntegerField(default=0)
    bundle = models.ForeignKey(
        Bundle, on_delete=models.SET_NULL, null=True, blank=True, related_name="reports"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_reports",
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "external_id"],
                condition=models.Q(external_id__isnull=False),
                name="intake_external_id_once_per_organisation",
            ),
            models.UniqueConstraint(
                fields=["organisation", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="intake_idempotency_key_once_per_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"report {self.uid}"

    @property
    def reference(self) -> str:
        return reference_of(self.uid)

    @property
    def youngest_victim_age(self) -> int | None:
        """The youngest age the report gives for a victim, if it gives one (triage and the chat analysis
        both read it)."""
        victims = self.payload.get("victims") or []
        return min((v["age_estimate"] for v in victims if v.get("age_estimate") is not None), default=None)


class ReportNote(models.Model):
    """An analyst's note on a report. Notes are only ever added, never edited."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="report_notes"
    )
    text = models.TextField(max_length=5000)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"note on {self.report_id}"


class Identifier(models.Model):
    """One identifier as reported, on a reported person or a victim (``person`` is its index)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="identifiers")
    on_victim = models.BooleanField(default=False)
    person = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=12, choices=IdentifierKind.choices, db_index=True)
    value = models.CharField(max_length=500)
    platform = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=2, blank=True)
    port = models.PositiveIntegerField(null=True, blank=True)
    seen_at = models.DateTimeField(null=True, blank=True)
    event = models.CharField(max_length=50, blank=True)

    def __str__(self) -> str:
        return f"{self.kind} on {self.report_id}"


class MatchStatus(models.TextChoices):
    PENDING = "pending", "Not matched yet"
    KNOWN = "known", "Known to the hash bank"
    NOVEL = "novel", "Novel"
    NO_HASH = "no_hash", "No hash to match"


class ReportMedia(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="media")
    position = models.PositiveSmallIntegerField()
    md5 = models.CharField(max_length=32, blank=True, db_index=True)
    sha1 = models.CharField(max_length=40, blank=True)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    pdq = models.CharField(max_length=64, blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    viewed_by_reporter = models.BooleanField(null=True, blank=True)
    publicly_available = models.BooleanField(null=True, blank=True)
    match_status = models.CharField(max_length=10, choices=MatchStatus.choices, default=MatchStatus.PENDING)
    matches = models.JSONField(default=list, blank=True)
    # The file itself, when the reporter uploaded it: encrypted in the evidence store, never served raw.
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, null=True, blank=True, related_name="media")

    class Meta:
        ordering = ["report", "position"]

    def __str__(self) -> str:
        return f"media {self.position} of {self.report_id}"


class Conversation(models.Model):
    """A chat a report carries. Its participants and messages are in the evidence store, encrypted, as
    JSON in the report schema's shape; the row says only how big it is."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="conversations")
    position = models.PositiveSmallIntegerField()
    external_id = models.CharField(max_length=200, blank=True)
    platform = models.CharField(max_length=100, blank=True)
    participants = models.PositiveIntegerField()
    messages = models.PositiveIntegerField()
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="conversations")

    class Meta:
        ordering = ["report", "position"]
        constraints = [
            models.UniqueConstraint(fields=["report", "position"], name="intake_conversation_position")
        ]

    def __str__(self) -> str:
        return f"conversation {self.position} of {self.report_id}"


class PublicLimitKey(models.Model):
    """A random key for one day's rate-limit digests. Deleted once its day is over, so a digest kept from
    that day can no longer be tied to an address by anyone, even with the server's secrets."""

    day = models.DateField(unique=True)
    key = models.BinaryField(max_length=32)

    def __str__(self) -> str:
        return f"public limit key for {self.day}"


class PublicSubmission(models.Model):
    """One report from the public form, counted against its sender without keeping the sender's address:
    ``digest`` is HMAC-SHA256 of the address under the day's key."""

    digest = models.CharField(max_length=64)
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["digest", "at"], name="intake_public_digest_at")]

    def __str__(self) -> str:
        return f"public report at {self.at:%Y-%m-%d %H:%M}"


# A self-referral's reference: SR- and three groups of four characters from Crockford's base 32 (no I, L,
# O or U, so that it reads aloud and copies by hand without mistakes), 60 random bits.
SELF_REFERRAL_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _written(chars: str) -> str:
    """Twelve characters of a reference in its one written form: SR-XXXX-XXXX-XXXX."""
    return "SR-" + "-".join(chars[k : k + 4] for k in range(0, 12, 4))


def self_referral_reference(secret: bytes) -> str:
    """The reference number that stands for ``secret`` (an HMAC the caller made)."""
    value = int.from_bytes(secret[:8], "big") >> 4
    return _written("".join(SELF_REFERRAL_ALPHABET[(value >> (5 * k)) & 31] for k in reversed(range(12))))


def clean_self_referral_reference(typed: str) -> str | None:
    """A reference as a person typed it (any case, with or without spaces, dashes and the SR, O for 0 and I
    or L for 1) in its one written form; None when it cannot be one."""
    cleaned = "".join(typed.upper().split()).replace("-", "")
    if len(cleaned) == 14 and cleaned.startswith("SR"):
        cleaned = cleaned[2:]
    cleaned = cleaned.translate(str.maketrans("OIL", "011"))
    if len(cleaned) != 12 or any(c not in SELF_REFERRAL_ALPHABET for c in cleaned):
        return None
    return _written(cleaned)


def self_referral_digest(reference: str) -> str:
    return hashlib.sha256(reference.encode()).hexdigest()


class SelfReferral(models.Model):
    """A young person's request that images of them be found and removed (as NCMEC's Take It Down and the
    IWF's Report Remove): the hashes their own browser made of their photos and videos, never the files.

    They are given a reference number to check its status with, and no account. The number is not kept:
    only its SHA-256 (``digest``), so it can be checked but not read back from the database. The hashes
    are bank records in the ``self-referral`` list (``records``), waiting for graders."""

    digest = models.CharField(max_length=64, unique=True)
    received_at = models.DateTimeField(default=timezone.now)
    records = models.ManyToManyField("hashbank.BankRecord", related_name="self_referrals")

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"self-referral {self.pk}"

    def progress(self) -> dict[str, int]:
        """How far its files have got, as counts: ``listed`` (verified as indecent: on the hash lists that
        platforms take), ``not_listed`` (checked, and not for the lists), ``checking`` (one grader so far,
        or graders who disagree) and ``waiting`` (for a copy to reach the centre's graders)."""
        counts = {"listed": 0, "not_listed": 0, "checking": 0, "waiting": 0}
        for rec in self.records.all():
            if rec.shareable:
                counts["listed"] += 1
            elif rec.verified or rec.status == RecordStatus.DISABLED:
                counts["not_listed"] += 1
            elif rec.graders or rec.status == RecordStatus.DISPUTED:
                counts["checking"] += 1
            else:
                counts["waiting"] += 1
        return counts
