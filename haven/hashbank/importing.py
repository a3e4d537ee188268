"""Adding records to the bank, one at a time or a chunk at a time. ``actions.add_records`` is the action
that calls these, in its transaction, and audits the result.

The rule for each record is the same on both paths: a record is found by its strongest hash (sha256, then
sha1, then md5; a PDQ-only record by its PDQ among other PDQ-only records); a new one is created; an
existing one has what it lacks filled in (``_merge``), and the list and source are added.

The chunk path (``add_chunk``) loads the rows into a temporary table and does in a few statements what the
row path does one row at a time: it finds the existing records by joins, gives the new ones their ids,
and inserts the records, their sources and their history together (COPY on PostgreSQL). It hands back to
the row path, in file order, the rows whose outcome depends on another row or would change an existing
record (a row that shares a hash with another row of the chunk; a row that fills in or regrades a
record), so both paths give the same bank. ``tests/hashbank/test_importing.py`` checks that they do.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils import timezone

from haven.hashbank.changes import JOINED_STAMPED, current_change
from haven.hashbank.hashtypes import LENGTHS, STRENGTH, clean
from haven.hashbank.models import (
    BankList,
    BankRecord,
    Category,
    RecordEvent,
    RecordSource,
    Status,
)
from haven.hashbank.robust import Features

FLAGS = ("victim_identified", "offender_identified", "distributed")
CATEGORIES = frozenset(Category.values)


class BankError(ValueError):
    """Input the bank refuses; the message says why."""


# A video's frames as text, in CSV and VICS files and the partners' hash lists: one frame after another,
# split by ";", each "index,quality,pdq,seconds" as Meta's vpdq tool writes a frame a line.
def frames_text(frames: Sequence[tuple[int, float, str, int]]) -> str:
    return ";".join(f"{index},{quality},{pdq},{seconds:g}" for index, seconds, pdq, quality in frames)


def parse_frames(text: str) -> tuple[tuple[int, float, str, int], ...]:
    """The frames of ``frames_text``; raises BankError naming the bad frame."""
    out = []
    for n, part in enumerate(p for p in text.strip().split(";") if p.strip()):
        fields = part.strip().split(",")
        try:
            index, quality, pdq, seconds = fields
            out.append((int(index), float(seconds), pdq.strip().lower(), int(quality)))
        except ValueError:
            raise BankError(
                f"vpdq frame {n}: expected index,quality,pdq,seconds, got {part.strip()[:80]!r}"
            ) from None
    return tuple(out)


# An image's second-stage features as text: base64 of ``robust.Features.to_bytes``.
def features_text(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def parse_features(text: str) -> bytes:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise BankError("features: not base64") from None


@dataclass(slots=True)
class RecordInput:
    md5: str | None = None
    sha1: str | None = None
    sha256: str | None = None
    pdq: str | None = None
    pdq_quality: int | None = None
    category: str = Category.UNCATEGORISED
    series: str = ""
    source: str = ""
    # Flags only ever turn on: one source knowing a victim is identified is enough.
    victim_identified: bool = False
    offender_identified: bool = False
    distributed: bool = False
    # A video's: its length, and its sampled frames as (index, seconds, pdq, quality). The record is found
    # by the file's sha256, which a video must have; its frames replace any it had.
    duration: float | None = None
    frames: tuple[tuple[int, float, str, int], ...] = ()
    # A still image's second-stage features (``robust.Features.to_bytes``), found by the file's sha256 too.
    features: bytes | None = None

    def __post_init__(self) -> None:
        for name in LENGTHS:
            try:
                setattr(self, name, clean(name, getattr(self, name)))
            except ValueError as exc:
                raise BankError(str(exc)) from None
        if not (self.md5 or self.sha1 or self.sha256 or self.pdq):
            raise BankError("no hash: give at least one of md5, sha1, sha256, pdq")
        if self.category not in CATEGORIES:
            raise BankError(f"category: expected one of {', '.join(Category.values)}, got {self.category!r}")
        if self.pdq_quality is not None and not 0 <= self.pdq_quality <= 100:
            raise BankError(f"pdq_quality: expected 0 to 100, got {self.pdq_quality}")
        self.series = self.series.strip()[:100]
        self.source = self.source.strip()[:200]
        self._check_video_and_features()

    def _check_video_and_features(self) -> None:
        """A video's length and frames, and an image's features: what every reader hands in, checked once."""
        if self.duration is not None and not self.duration >= 0:  # NaN fails too
            raise BankError("duration: must not be negative")
        if self.frames and not self.sha256:
            raise BankError("frames: a video's frames need the file's sha256")
        if self.features is not None:
            if not self.sha256:
                raise BankError("features: an image's features need the file's sha256")
            try:
                Features.from_bytes(self.features)
            except ValueError as exc:
                raise BankError(f"features: {exc}") from None
        for n, (_, seconds, pdq, quality) in enumerate(self.frames):
            try:
                clean("pdq", pdq)
            except ValueError as exc:
                raise BankError(f"frames[{n}]: {exc}") from None
            if not 0 <= quality <= 100 or seconds < 0:
                raise BankError(f"frames[{n}]: quality must be 0 to 100 and seconds not negative")


@dataclass
class ImportSummary:
    created: int = 0
    merged: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)
    # The records created or changed, or added to the list: what the matchers and hash lists must hear of.
    touched: list[int] = field(default_factory=list)
    # Of those, the ones that were there before: only they can be shareable already.
    existing: list[int] = field(default_factory=list)

    def add(self, other: ImportSummary) -> None:
        self.created += other.created
        self.merged += other.merged
        self.unchanged += other.unchanged
        self.errors += other.errors
        self.touched += other.touched
        self.existing += other.existing


def _find(item: RecordInput) -> BankRecord | None:
    for name in STRENGTH:
        value = getattr(item, name)
        if value:
            found = BankRecord.objects.filter(**{name: value}).first()
            if found is not None:
                return found
    if item.pdq and not (item.md5 or item.sha1 or item.sha256):
        return BankRecord.objects.filter(pdq=item.pdq, md5=None, sha1=None, sha256=None).first()
    return None


def _merge(existing: BankRecord, item: RecordInput, actor_name: str) -> bool:
    """Fill in what the record lacks. Returns whether anything changed."""
    changes: dict[str, object] = {}
    for name in (*STRENGTH, "pdq"):
        value = getattr(item, name)
        if value and not getattr(existing, name):
            taken = (
                name != "pdq" and BankRecord.objects.filter(**{name: value}).exclude(pk=existing.pk).exists()
            )
            if not taken:
                changes[name] = value
    if "pdq" in changes and item.pdq_quality is not None:
        changes["pdq_quality"] = item.pdq_quality
    if item.series and not existing.series:
        changes["series"] = item.series
    for flag in FLAGS:
        if getattr(item, flag) and not getattr(existing, flag):
            changes[flag] = True
    if item.category not in {Category.UNCATEGORISED, existing.category}:
        if existing.category == Category.UNCATEGORISED:
            changes["category"] = item.category
        elif existing.status != Status.DISPUTED:
            # Two sources disagree on the grade: a grader must resolve it, and the record stops matching
            # as verified until then.
            changes["status"] = Status.DISPUTED
    if not changes:
        return False
    for name, value in changes.items():
        setattr(existing, name, value)
    existing.save()
    RecordEvent.objects.create(
        record=existing,
        actor=actor_name,
        kind="merged",
        details=dict(changes) | {"source": item.source, "category_given": item.category},
    )
    return True


def add_rows(items: Sequence[RecordInput], bank_list: BankList, actor_name: str) -> ImportSummary:
    """The row path: each item in turn, as the rule above says."""
    summary = ImportSummary()
    now = timezone.now()
    for item in items:
        existing = _find(item)
        created = existing is None
        if existing is None:
            existing = BankRecord.objects.create(
                md5=item.md5,
                sha1=item.sha1,
                sha256=item.sha256,
                pdq=item.pdq,
                pdq_quality=item.pdq_quality,
                category=item.category,
                series=item.series,
                victim_identified=item.victim_identified,
                offender_identified=item.offender_identified,
                distributed=item.distributed,
                first_seen=now,
                last_seen=now,
            )
            # Its history starts with its source row (list, source, time); the import's audit entry says who.
            changed = True
        else:
            changed = _merge(existing, item, actor_name)
        _, new_source = RecordSource.objects.get_or_create(
            record=existing, bank_list=bank_list, source=item.source
        )
        if created:
            summary.created += 1
        elif changed or new_source:
            summary.merged += 1
        else:
            summary.unchanged += 1
        if changed or new_source:
            summary.touched.append(existing.pk)
            if not created:
                summary.existing.append(existing.pk)
    return summary


# The chunk path's temporary table: the rows as given, their position in the chunk, the record each is
# found to be (``rid``; ``new_id`` is its id if it is new), and whether it goes to the row path
# (``careful``).
STAGE = "hashbank_import_stage"
STAGE_COLUMNS = (
    "pos", "md5", "sha1", "sha256", "pdq", "pdq_quality", "category", "series", "source",
    "victim_identified", "offender_identified", "distributed",
)  # fmt: skip
# A row is new when no record was found for it and it is not left to the row path.
NEW = "rid IS NULL AND NOT careful"
_STAGE_TABLE = (
    """CREATE TEMPORARY TABLE """
    + STAGE
    + """ (
    pos integer PRIMARY KEY, md5 varchar(32), sha1 varchar(40), sha256 varchar(64), pdq varchar(64),
    pdq_quality smallint, category varchar(20) NOT NULL, series varchar(100) NOT NULL,
    source varchar(200) NOT NULL, victim_identified boolean NOT NULL, offender_identified boolean NOT NULL,
    distributed boolean NOT NULL, new_id bigint {new_id}, rid bigint,
    careful boolean NOT NULL DEFAULT false)"""
)
_EXACT_ONLY_PDQ = "{t}.md5 IS NULL AND {t}.sha1 IS NULL AND {t}.sha256 IS NULL"
_RECORD_COLUMNS = (
    "id", "md5", "sha1", "sha256", "pdq", "pdq_quality", "category", "series", "victim_identified",
    "offender_identified", "distributed", "status", "graders", "graders_agree", "first_seen", "last_seen",
    "hit_count", "updated_at", "change",
)  # fmt: skip


def _create_stage(cursor: Any) -> None:
    """The stage, with ``new_id`` filled as rows arrive: on PostgreSQL from the records' own sequence (the
    ids of rows that turn out to exist are never used, which costs only a gap); on SQLite, whose writers
    take turns, counting on from the table's largest id."""
    table = BankRecord._meta.db_table
    cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
    if connection.vendor == "postgresql":
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        (sequence,) = cursor.fetchone()
        cursor.execute(_STAGE_TABLE.format(new_id=f"DEFAULT nextval('{sequence}'::regclass)"))
    else:
        cursor.execute(_STAGE_TABLE.format(new_id=""))


Row = tuple[Any, ...]


def _staged_rows(items: Sequence[RecordInput]) -> tuple[list[Row], int]:
    """The rows to stage, each with whether it must go the careful way, and how many rows were dropped
    for repeating an earlier row in every field (they change nothing). A row is careful when it shares a
    hash with another row of the chunk (sha256, sha1 or md5; or PDQ between PDQ-only rows): what it does
    then depends on the order of the two."""
    rows: list[Row] = []
    seen: set[Row] = set()
    holders: dict[tuple[str, str], list[int]] = {}
    for pos, i in enumerate(items):
        fields = (i.md5, i.sha1, i.sha256, i.pdq, i.pdq_quality, i.category, i.series, i.source,
                  i.victim_identified, i.offender_identified, i.distributed)  # fmt: skip
        if fields in seen:
            continue
        seen.add(fields)
        keys = [(name, value) for name in STRENGTH if (value := getattr(i, name))]
        if not keys and i.pdq:
            keys = [("pdq", i.pdq)]
        for key in keys:
            holders.setdefault(key, []).append(len(rows))
        rows.append((pos, *fields, False))
    for shared in holders.values():
        if len(shared) > 1:
            for index in shared:
                rows[index] = (*rows[index][:-1], True)
    return rows, len(items) - len(rows)


def _load(cursor: Any, rows: list[Row]) -> None:
    names = ", ".join((*STAGE_COLUMNS, "careful"))
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {STAGE} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        # The stage has no statistics: the record lookups below are index probes, one a staged row, which
        # is what they should be for a chunk against a table of millions.
        cursor.execute("SET LOCAL enable_hashjoin = off")
        cursor.execute("SET LOCAL enable_mergejoin = off")
    else:
        marks = ", ".join(["%s"] * (len(STAGE_COLUMNS) + 1))
        cursor.executemany(f"INSERT INTO {STAGE} ({names}) VALUES ({marks})", rows)
        table = BankRecord._meta.db_table
        cursor.execute(f"UPDATE {STAGE} SET new_id = pos + 1 + (SELECT coalesce(max(id), 0) FROM {table})")


def _statements(now: Any, change: int | None) -> list[tuple[str, list[Any]]]:
    """The chunk path after the load, in order. Every name in the SQL is ours; every value a parameter."""
    s, r = STAGE, BankRecord._meta.db_table
    pdq_only_s, pdq_only_r = _EXACT_ONLY_PDQ.format(t=s), _EXACT_ONLY_PDQ.format(t="r")
    statements: list[tuple[str, list[Any]]] = []
    # Find the existing records, strongest hash first.
    for name in STRENGTH:
        statements.append((
            f"UPDATE {s} SET rid = r.id FROM {r} r WHERE {s}.rid IS NULL AND NOT {s}.careful "
            f"AND {s}.{name} IS NOT NULL AND r.{name} = {s}.{name}", [],
        ))  # fmt: skip
    statements.append((
        f"UPDATE {s} SET rid = (SELECT min(r.id) FROM {r} r WHERE r.pdq = {s}.pdq AND {pdq_only_r}) "
        f"WHERE rid IS NULL AND NOT careful AND {pdq_only_s}", [],
    ))  # fmt: skip
    # An existing record that a row would fill in or regrade goes to the row path, which writes its
    # history of what changed.
    fills = " OR ".join(f"({s}.{n} IS NOT NULL AND r.{n} IS NULL)" for n in (*STRENGTH, "pdq"))
    flags = " OR ".join(f"({s}.{f} AND NOT r.{f})" for f in FLAGS)
    statements.append((
        f"UPDATE {s} SET careful = true FROM {r} r WHERE r.id = {s}.rid AND NOT {s}.careful AND ("
        f"{fills} OR {flags} OR ({s}.series <> '' AND r.series = '') "
        f"OR ({s}.category NOT IN (%s, r.category) AND (r.category = %s OR r.status <> %s)))",
        [Category.UNCATEGORISED, Category.UNCATEGORISED, Status.DISPUTED],
    ))  # fmt: skip
    columns = ", ".join(_RECORD_COLUMNS)
    change_value = "%s" if change is not None else "0"
    statements.append((
        f"INSERT INTO {r} ({columns}) SELECT new_id, md5, sha1, sha256, pdq, pdq_quality, category, series, "
        f"victim_identified, offender_identified, distributed, %s, 0, false, %s, %s, 0, %s, {change_value} "
        f"FROM {s} WHERE {NEW}",
        [Status.ACTIVE, now, now, now, *([change] if change is not None else [])],
    ))  # fmt: skip
    return statements


def add_chunk(items: Sequence[RecordInput], bank_list: BankList, actor_name: str) -> ImportSummary:
    """The chunk path, inside the caller's transaction: the same bank as ``add_rows`` on the same items."""
    summary = ImportSummary()
    now = timezone.now()
    sources = RecordSource._meta.db_table
    with connection.cursor() as cursor:
        _create_stage(cursor)
        rows, repeats = _staged_rows(items)
        _load(cursor, rows)
        for sql, params in _statements(now, current_change()):
            cursor.execute(sql, params)
        # The list and source of every row taken here: a new record's cannot be there yet; an existing
        # record that already had them changes nothing. The new records carry this transaction's change
        # stamp already, so the trigger that stamps records joining a list is told to leave them be.
        postgresql = connection.vendor == "postgresql"
        if postgresql:
            cursor.execute(f"SET LOCAL {JOINED_STAMPED} = 'on'")
        cursor.execute(
            f"INSERT INTO {sources} (record_id, bank_list_id, source, added_at) "
            f"SELECT new_id, %s, source, %s FROM {STAGE} WHERE {NEW}",
            [bank_list.pk, now],
        )
        if postgresql:
            cursor.execute(f"SET LOCAL {JOINED_STAMPED} = 'off'")
        cursor.execute(
            f"INSERT INTO {sources} (record_id, bank_list_id, source, added_at) "
            f"SELECT DISTINCT rid, %s, source, %s FROM {STAGE} WHERE rid IS NOT NULL AND NOT careful "
            f"ON CONFLICT (record_id, bank_list_id, source) DO NOTHING RETURNING record_id",
            [bank_list.pk, now],
        )
        joined = {int(rid) for (rid,) in cursor.fetchall()}
        cursor.execute(f"SELECT rid, new_id FROM {STAGE} WHERE NOT careful ORDER BY pos")
        for rid, new_id in cursor.fetchall():
            if rid is None:
                summary.created += 1
                summary.touched.append(int(new_id))
            elif rid in joined:
                joined.discard(rid)  # two rows of one record: the first joined the list, as one at a time
                summary.merged += 1
                summary.touched.append(int(rid))
                summary.existing.append(int(rid))
            else:
                summary.unchanged += 1
        summary.unchanged += repeats
        cursor.execute(f"SELECT pos FROM {STAGE} WHERE careful ORDER BY pos")
        careful = [items[pos] for (pos,) in cursor.fetchall()]
        cursor.execute(f"DROP TABLE {STAGE}")
    if careful:
        summary.add(add_rows(careful, bank_list, actor_name))
    return summary
