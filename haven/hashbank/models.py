"""Bank records: hashes and metadata of known media. Haven never stores the images themselves."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from haven.hashbank.hashtypes import LENGTHS, stored_pattern
from haven.hashbank.index import DEFAULT_MAX_RADIUS

hex_of = {
    n: RegexValidator(stored_pattern(n), f"must be {n} lowercase hexadecimal characters")
    for n in set(LENGTHS.values())
}


class Category(models.TextChoices):
    # UK Sentencing Council categories of indecent images of children.
    A = "A", "Category A"
    B = "B", "Category B"
    C = "C", "Category C"
    NOT_INDECENT = "not_indecent", "Not indecent"
    UNCATEGORISED = "uncategorised", "Uncategorised"


class Status(models.TextChoices):
    ACTIVE = "active", "Active"
    DISABLED = "disabled", "Disabled"
    DISPUTED = "disputed", "Disputed"


# Hashes young people send of their own images (intake's self-referral), waiting for grading. A record
# in it that graders verify as indecent joins the national list too, marked as self-referred.
SELF_REFERRAL_LIST = "self-referral"
LIST_NAME_PATTERN = r"^(national|self-referral|partner:[a-z0-9][a-z0-9-]{0,80})$"


class BankList(models.Model):
    """A named list: ``national``; ``self-referral``; or ``partner:<name>`` for a partner's own list."""

    name = models.CharField(max_length=100, unique=True, validators=[RegexValidator(LIST_NAME_PATTERN)])
    description = models.CharField(max_length=300, blank=True)
    pdq_threshold = models.PositiveSmallIntegerField(
        default=31, validators=[MinValueValidator(0), MaxValueValidator(DEFAULT_MAX_RADIUS)]
    )
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# Only graded indecent images are ever shared with partners.
SHAREABLE_CATEGORIES = (Category.A, Category.B, Category.C)


class BankRecordQuerySet(models.QuerySet["BankRecord"]):
    def verified(self) -> BankRecordQuerySet:
        """Graded by two graders or more, in agreement (``BankRecord.verified``)."""
        return self.filter(graders__gte=2, graders_agree=True)

    def shareable(self) -> BankRecordQuerySet:
        """Records that may be shared outside the centre: active, graded A, B or C, and verified
        (``BankRecord.shareable`` says the same of one record in memory)."""
        return self.verified().filter(status=Status.ACTIVE, category__in=SHAREABLE_CATEGORIES)


class BankRecord(models.Model):
    # Uniqueness and indexes are declared in Meta, not on the fields: on PostgreSQL a field's unique=True
    # or db_index=True also builds a varchar_pattern_ops index for LIKE, which nothing here runs, and every
    # index is paid for by every row an import writes.
    md5 = models.CharField(max_length=32, null=True, blank=True, validators=[hex_of[32]])  # noqa: DJ001
    sha1 = models.CharField(max_length=40, null=True, blank=True, validators=[hex_of[40]])  # noqa: DJ001
    sha256 = models.CharField(max_length=64, null=True, blank=True, validators=[hex_of[64]])  # noqa: DJ001
    pdq = models.CharField(max_length=64, null=True, blank=True, validators=[hex_of[64]])  # noqa: DJ001
    pdq_quality = models.PositiveSmallIntegerField(null=True, blank=True)
    # A video's length in seconds; its frame hashes are ``frames`` (``VideoFrame``). None for an image.
    duration = models.FloatField(null=True, blank=True)
    # The version of its second-stage features (``ImageFeatures``), when it has them. Watched by the change
    # triggers, so that an image banked again with new features reaches every matcher.
    robust = models.PositiveSmallIntegerField(null=True, blank=True)
    category = models.CharField(max_length=20, choices=Category.choices, default=Category.UNCATEGORISED)
    series = models.CharField(max_length=100, blank=True)
    victim_identified = models.BooleanField(default=False)
    offender_identified = models.BooleanField(default=False)
    distributed = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    graders = models.PositiveSmallIntegerField(default=0)
    graders_agree = models.BooleanField(default=False)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    hit_count = models.PositiveIntegerField(default=0)
    lists: models.ManyToManyField[BankList, RecordSource] = models.ManyToManyField(
        BankList, through="RecordSource", related_name="records"
    )
    updated_at = models.DateTimeField(auto_now=True)
    # Set by the database on every change that matters to matching or to hash lists (triggers in
    # migration 0004): the writing transaction's id on PostgreSQL, a counter on SQLite. See changes.py.
    change = models.BigIntegerField(default=0, editable=False)

    objects = BankRecordQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(md5=None, sha1=None, sha256=None, pdq=None),
                name="hashbank_record_has_a_hash",
            ),
            # Partial, like the indexes below: a row without the hash (or series) costs that index nothing.
            # On PostgreSQL these three, and the PDQ index, are hash indexes (the three as exclusion
            # constraints of the same names): migration 0005 says why.
            models.UniqueConstraint(
                fields=["md5"], condition=models.Q(md5__isnull=False), name="hashbank_record_md5_once"
            ),
            models.UniqueConstraint(
                fields=["sha1"], condition=models.Q(sha1__isnull=False), name="hashbank_record_sha1_once"
            ),
            models.UniqueConstraint(
                fields=["sha256"],
                condition=models.Q(sha256__isnull=False),
                name="hashbank_record_sha256_once",
            ),
        ]
        indexes = [
            models.Index(fields=["pdq"], condition=models.Q(pdq__isnull=False), name="hashbank_record_pdq"),
            models.Index(fields=["series"], condition=~models.Q(series=""), name="hashbank_record_series"),
            # Changes since a horizon (matchers, hash lists) and the staff search's newest-first order.
            models.Index(fields=["change"], name="hashbank_record_change"),
        ]

    def __str__(self) -> str:
        return f"record {self.pk} ({self.category})"

    def frame_rows(self) -> tuple[tuple[int, float, str, int], ...]:
        """A video's frames as (index, seconds, pdq, quality); read ``prefetch_related("frames")`` first
        when there are many records."""
        return tuple((f.index, f.seconds, f.pdq, f.quality) for f in self.frames.all())

    def feature_bytes(self) -> bytes | None:
        """A still image's second-stage features, if it has them (``select_related("features")``)."""
        try:
            return bytes(self.features.data)
        except ImageFeatures.DoesNotExist:
            return None

    @property
    def verified(self) -> bool:
        return self.graders >= 2 and self.graders_agree

    @property
    def shareable(self) -> bool:
        return self.status == Status.ACTIVE and self.category in SHAREABLE_CATEGORIES and self.verified


class VideoFrame(models.Model):
    """One sampled frame of a banked video (vPDQ): its place, its time, its PDQ hash and that hash's
    quality. A record's frames are replaced whole when its video is banked again."""

    record = models.ForeignKey(BankRecord, on_delete=models.CASCADE, related_name="frames", db_index=False)
    index = models.PositiveIntegerField()
    seconds = models.FloatField()
    pdq = models.CharField(max_length=64, validators=[hex_of[64]])
    quality = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["record", "index"]
        constraints = [models.UniqueConstraint(fields=["record", "index"], name="hashbank_frame_once")]

    def __str__(self) -> str:
        return f"frame {self.index} of {self.record_id}"


class ImageFeatures(models.Model):
    """A banked still image's features for the second, robust stage of matching (``robust.py``): its ORB
    keypoints and descriptors, never the picture. Replaced whole when the image is banked again."""

    record = models.OneToOneField(
        BankRecord, on_delete=models.CASCADE, primary_key=True, related_name="features"
    )
    version = models.PositiveSmallIntegerField()
    data = models.BinaryField()

    def __str__(self) -> str:
        return f"features of {self.record_id}"


class RecordSource(models.Model):
    """Which list holds a record, and who contributed it."""

    # No index of its own: the unique constraint below leads with it.
    record = models.ForeignKey(BankRecord, on_delete=models.CASCADE, related_name="sources", db_index=False)
    # No index: nothing looks sources up by list alone except counts and exports, which read them all.
    bank_list = models.ForeignKey(BankList, on_delete=models.PROTECT, related_name="sources", db_index=False)
    source = models.CharField(max_length=200, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)
    # When the record was first shareable while in this list: a hash list sends ``remove`` only for the
    # records its subscribers were once sent.
    shared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["record", "bank_list", "source"], name="hashbank_source_once_per_list"
            )
        ]

    def __str__(self) -> str:
        return f"{self.record_id} in {self.bank_list_id} from {self.source or '-'}"


class RecordEvent(models.Model):
    """A record's history: created, merged, regraded, disabled."""

    record = models.ForeignKey(BankRecord, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.CharField(max_length=150, blank=True)
    kind = models.CharField(max_length=40)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.record_id} {self.kind}"


class GradingVerdict(models.Model):
    """One grader's category for one record, with the series they put it in and what they know of the
    victim and the offender. A grader may change their mind; the latest verdict stands. A supervisor's
    verdict on a disputed record ``settles`` it: its category stands whatever the graders said."""

    record = models.ForeignKey(BankRecord, on_delete=models.CASCADE, related_name="verdicts")
    grader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="verdicts")
    category = models.CharField(max_length=20, choices=Category.choices)
    series = models.CharField(max_length=100, blank=True)
    victim_identified = models.BooleanField(default=False)
    offender_identified = models.BooleanField(default=False)
    settles = models.BooleanField(default=False)
    at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["record", "grader"], name="hashbank_one_verdict_per_grader")
        ]

    def __str__(self) -> str:
        return f"{self.grader_id} says {self.category} for {self.record_id}"
