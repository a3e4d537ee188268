"""The chunk path of a bank import gives the same bank as the row path, on input made to trip it up:
rows that repeat, rows that share one hash but not another, PDQ-only rows, conflicting grades, and rows
that fill in or regrade records already there."""

from __future__ import annotations

import io
import random
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.utils import timezone

from haven.hashbank.actions import get_or_create_list
from haven.hashbank.importing import ImportSummary, RecordInput, add_chunk, add_rows
from haven.hashbank.models import BankList, BankRecord, RecordEvent, RecordSource

pytestmark = pytest.mark.django_db

CATEGORIES = ["A", "B", "C", "not_indecent", "uncategorised", "uncategorised"]


def _hex(rng: random.Random, pool: int, length: int) -> str:
    return f"{rng.randrange(pool):0{length}x}"


def random_items(rng: random.Random, n: int, pool: int) -> list[RecordInput]:
    """Hashes drawn from small pools, so that rows collide often, and in every way."""
    items = []
    for _ in range(n):
        kinds = rng.choice([("sha256",), ("md5",), ("sha1", "md5"), ("sha256", "md5"), ("pdq",),
                            ("sha256", "sha1", "md5", "pdq"), ("sha256", "pdq")])  # fmt: skip
        fields: dict[str, Any] = {
            "md5": _hex(rng, pool, 32) if "md5" in kinds else None,
            "sha1": _hex(rng, pool, 40) if "sha1" in kinds else None,
            "sha256": _hex(rng, pool, 64) if "sha256" in kinds else None,
            "pdq": _hex(rng, pool // 2 or 1, 64) if "pdq" in kinds else None,
            "category": rng.choice(CATEGORIES),
            "series": rng.choice(["", "", "S-1", "S-2"]),
            "source": rng.choice(["feed-a", "feed-b"]),
            "victim_identified": rng.random() < 0.1,
            "distributed": rng.random() < 0.2,
        }
        if fields["pdq"]:
            fields["pdq_quality"] = rng.choice([None, 40, 90])
        items.append(RecordInput(**fields))
        if rng.random() < 0.1:
            items.append(RecordInput(**fields))  # the same line twice
    return items


def snapshot() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    def key(r: BankRecord) -> tuple[Any, ...]:
        return (r.sha256 or "", r.sha1 or "", r.md5 or "", r.pdq or "")

    records = {r.pk: r for r in BankRecord.objects.all()}
    state = sorted(
        (*key(r), r.pdq_quality or -1, r.category, r.series, r.status,
         r.victim_identified, r.offender_identified, r.distributed)
        for r in records.values()
    )  # fmt: skip
    sources = sorted(
        (*key(records[s.record_id]), s.bank_list.name, s.source)
        for s in RecordSource.objects.select_related("bank_list")
    )
    events = sorted((*key(records[e.record_id]), e.kind) for e in RecordEvent.objects.all())
    return state, sources, events


def clear() -> None:
    RecordEvent.objects.all().delete()
    RecordSource.objects.all().delete()
    BankRecord.objects.all().delete()


def run(path: Any, batches: list[tuple[list[RecordInput], BankList]]) -> list[ImportSummary]:
    return [path(items, bank_list, "tester") for items, bank_list in batches]


@pytest.mark.parametrize("seed", range(6))
def test_the_chunk_path_gives_the_same_bank_as_the_row_path(seed: int) -> None:
    rng = random.Random(seed)
    national, partner = get_or_create_list("national"), get_or_create_list("partner:platform")
    batches = [
        (random_items(rng, 150, 120), national),
        (random_items(rng, 150, 120), partner),  # overlaps the first: merges, new sources, disputes
        (random_items(rng, 150, 120), national),
        (random_items(rng, 150, 120), national),
    ]
    batches.append(batches[-1])  # the same file again
    by_rows = run(add_rows, batches)
    expected = snapshot()
    clear()
    by_chunks = run(add_chunk, batches)
    assert snapshot() == expected
    # The same records are created. Of two rows that name one record with the same source, which one
    # counts as "merged" (it brought the source) and which "unchanged" may differ with the order the
    # paths take them in; the total may not.
    assert [(s.created, s.merged + s.unchanged) for s in by_chunks] == [
        (s.created, s.merged + s.unchanged) for s in by_rows
    ]


def test_the_same_list_again_changes_nothing() -> None:
    national = get_or_create_list("national")
    items = [
        RecordInput(sha256=f"{i:064x}", pdq=f"{i * 7:064x}", category="C", source="feed") for i in range(500)
    ]
    first = add_chunk(items, national, "tester")
    state = snapshot()
    again = add_chunk(items, national, "tester")
    assert (first.created, again.created, again.merged, again.unchanged) == (500, 0, 0, 500)
    assert snapshot() == state


def test_a_large_clean_chunk_takes_no_row_by_row_path(django_assert_max_num_queries: Any) -> None:
    national = get_or_create_list("national")
    items = [RecordInput(sha256=f"{i:064x}", md5=f"{i:032x}", category="B") for i in range(2000)]
    with django_assert_max_num_queries(40):
        summary = add_chunk(items, national, "tester")
    assert (summary.created, summary.merged, summary.unchanged) == (2000, 0, 0)
    assert BankRecord.objects.count() == 2000
    assert RecordSource.objects.count() == 2000
    # A record found again by its weaker hash only, and one regraded: the rest stay on the chunk path.
    items[0] = RecordInput(md5=f"{0:032x}", category="B", source="other feed")
    items[1] = RecordInput(sha256=f"{1:064x}", category="A")
    with django_assert_max_num_queries(60):
        again = add_chunk(items, national, "tester")
    assert (again.created, again.merged, again.unchanged) == (0, 2, 1998)
    assert BankRecord.objects.get(sha256=f"{1:064x}").status == "disputed"


@pytest.mark.parametrize("name", ["md5", "sha1", "sha256"])
def test_one_hash_belongs_to_one_record(name: str) -> None:
    """The database refuses a second record with a hash another record holds (on PostgreSQL through the
    exclusion constraints on hash indexes that migration 0005 puts in the unique indexes' place)."""
    value = "ab" * ({"md5": 16, "sha1": 20, "sha256": 32}[name])
    now = timezone.now()
    BankRecord.objects.create(**{name: value}, first_seen=now, last_seen=now)
    with pytest.raises(IntegrityError), transaction.atomic():
        BankRecord.objects.create(**{name: value}, first_seen=now, last_seen=now)
    # Other values, and records without this hash at all, are not held back by it.
    BankRecord.objects.create(**{name: "cd" * (len(value) // 2)}, first_seen=now, last_seen=now)
    BankRecord.objects.create(pdq="ef" * 32, first_seen=now, last_seen=now)
    BankRecord.objects.create(pdq="ef" * 32, first_seen=now, last_seen=now)
    assert BankRecord.objects.filter(**{name: value}).count() == 1


@pytest.mark.django_db(transaction=True)
def test_chunks_that_create_the_same_records_at_once_give_one_bank(tmp_path: Path) -> None:
    """Two import jobs, each with its own connection, on chunks that create the same records: one of each
    pair is refused by the database and runs again, finding what the other made."""
    rows = []
    for block in range(6):
        for source in ("feed-a", "feed-b"):  # consecutive chunks of 50 name the same 50 records
            rows += [f"{block * 50 + i:032x},,{block * 50 + i:064x},,B,,{source}" for i in range(50)]
    path = tmp_path / "list.csv"
    path.write_text("md5,sha1,sha256,pdq,category,series,source\n" + "\n".join(rows) + "\n")
    out = io.StringIO()
    call_command("bank", "import", str(path), "--format", "csv", "--chunk", "50", "--jobs", "2", stdout=out)
    assert "300 created, 300 merged, 0 unchanged, 0 rejected" in out.getvalue()
    assert BankRecord.objects.count() == 300
    assert sorted(RecordSource.objects.values_list("source", flat=True).distinct()) == ["feed-a", "feed-b"]
    assert RecordSource.objects.count() == 600
    assert not BankRecord.objects.annotate(n=Count("sources")).exclude(n=2).exists()


@pytest.mark.django_db(transaction=True)
def test_a_record_joining_a_list_in_a_chunk_is_stamped_as_a_change() -> None:
    """A chunk that creates records and adds existing ones to another list: the new records' sources do
    not stamp them again (they carry this transaction's stamp), and the existing ones are stamped, so that
    the other list's subscribers hear of them."""
    national, other = get_or_create_list("national"), get_or_create_list("partner:platform")
    add_chunk([RecordInput(sha256=f"{i:064x}", category="B") for i in range(3)], national, "tester")
    before = dict(BankRecord.objects.values_list("sha256", "change"))
    items = [RecordInput(sha256=f"{i:064x}", category="B", source="platform") for i in range(6)]
    with transaction.atomic():
        summary = add_chunk(items, other, "tester")
    assert (summary.created, summary.merged) == (3, 3)
    after = dict(BankRecord.objects.values_list("sha256", "change"))
    assert all(after[sha256] > change for sha256, change in before.items())
    if connection.vendor == "postgresql":  # the stamp is the transaction's id; SQLite counts each write
        assert len(set(after.values())) == 1
