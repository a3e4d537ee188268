"""The audit trail is append-only and hash-chained; verifying finds any one edited, deleted or added row."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.utils import DatabaseError

from haven.audit.actions import record
from haven.audit.chain import GENESIS, entry_hash
from haven.audit.models import AppendOnlyError, AuditEntry, AuditHead
from haven.audit.verify import verify_chain

TABLE = AuditEntry._meta.db_table


@pytest.fixture
def chain(db: None) -> list[AuditEntry]:
    return [
        record(f"test.action{i}", object_type="test.thing", object_id=i, ip="192.0.2.10", details={"n": i})
        for i in range(1, 6)
    ]


@pytest.fixture
def hand_edits(db: None) -> None:
    """On PostgreSQL the trigger refuses edits; a person with the table owner's rights can disable it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER audit_auditentry_append_only")


def raw(sql: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def test_an_untouched_chain_verifies(chain: list[AuditEntry]) -> None:
    report = verify_chain()
    assert report.ok
    assert report.checked == 5
    assert chain[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in pairwise(chain))
    call_command("audit", "verify")


def test_each_hash_covers_the_previous_hash_and_the_entry(chain: list[AuditEntry]) -> None:
    third = dict(AuditEntry.objects.values().get(seq=chain[2].seq))
    assert third["hash"] == entry_hash(chain[1].hash, third)
    assert third["hash"] != entry_hash(GENESIS, third)


def test_the_app_cannot_update_or_delete(chain: list[AuditEntry]) -> None:
    entry = AuditEntry.objects.get(seq=chain[0].seq)
    entry.action = "rewritten"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(seq=chain[0].seq).update(action="rewritten")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgresql_refuses_update_and_delete(chain: list[AuditEntry]) -> None:
    for sql in (f"UPDATE {TABLE} SET action = 'x' WHERE seq = %s", f"DELETE FROM {TABLE} WHERE seq = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            raw(sql, [chain[1].seq])
    assert AuditEntry.objects.count() == 5


@pytest.mark.usefixtures("hand_edits")
def test_an_edited_entry_is_named(chain: list[AuditEntry]) -> None:
    raw(f"UPDATE {TABLE} SET actor = 'mallory' WHERE seq = %s", [chain[2].seq])
    report = verify_chain()
    assert report.problem is not None
    assert report.problem.seq == chain[2].seq
    assert "edited" in str(report.problem)
    with pytest.raises(CommandError, match=f"entry #{chain[2].seq}"):
        call_command("audit", "verify")


@pytest.mark.usefixtures("hand_edits")
def test_editing_details_json_is_caught(chain: list[AuditEntry]) -> None:
    raw(f"UPDATE {TABLE} SET details = %s WHERE seq = %s", ['{"n": 99}', chain[3].seq])
    report = verify_chain()
    assert report.problem is not None
    assert report.problem.seq == chain[3].seq


@pytest.mark.usefixtures("hand_edits")
def test_a_deleted_middle_entry_is_named(chain: list[AuditEntry]) -> None:
    raw(f"DELETE FROM {TABLE} WHERE seq = %s", [chain[1].seq])
    report = verify_chain()
    assert report.problem is not None
    assert report.problem.seq == chain[2].seq  # the entry that no longer follows its predecessor
    assert "deleted or inserted" in str(report.problem)


@pytest.mark.usefixtures("hand_edits")
def test_a_deleted_first_entry_is_caught(chain: list[AuditEntry]) -> None:
    raw(f"DELETE FROM {TABLE} WHERE seq = %s", [chain[0].seq])
    report = verify_chain()
    assert report.problem is not None
    assert report.problem.seq == chain[1].seq


@pytest.mark.usefixtures("hand_edits")
def test_a_deleted_newest_entry_is_caught_by_the_head(chain: list[AuditEntry]) -> None:
    raw(f"DELETE FROM {TABLE} WHERE seq = %s", [chain[-1].seq])
    report = verify_chain()
    assert report.problem is not None
    assert "deleted" in str(report.problem)
    assert f"#{chain[-1].seq}" in str(report.problem)


@pytest.mark.usefixtures("hand_edits")
def test_an_entry_inserted_by_hand_is_caught_even_with_a_valid_hash(chain: list[AuditEntry]) -> None:
    """A forger who knows the algorithm can hash a new row correctly, but does not move the chain head."""
    last = chain[-1]
    fields: dict[str, Any] = dict(AuditEntry.objects.values().get(seq=last.seq))
    fields.update(seq=last.seq + 1, action="forged")
    fields.pop("prev_hash"), fields.pop("hash")
    AuditEntry(prev_hash=last.hash, hash=entry_hash(last.hash, fields), **fields).save(force_insert=True)
    report = verify_chain()
    assert report.problem is not None
    assert report.problem.seq == last.seq + 1
    assert "inserted" in str(report.problem)


def test_appending_continues_the_chain(chain: list[AuditEntry]) -> None:
    more = record("test.more")
    assert more.prev_hash == chain[-1].hash
    assert AuditHead.objects.get().hash == more.hash
    assert verify_chain().checked == 6


def test_a_rolled_back_transaction_leaves_no_entry(chain: list[AuditEntry]) -> None:
    class RollbackError(Exception):
        pass

    def fail_after_recording() -> None:
        with transaction.atomic():
            record("test.rolled_back")
            raise RollbackError

    with pytest.raises(RollbackError):
        fail_after_recording()
    assert not AuditEntry.objects.filter(action="test.rolled_back").exists()
    assert verify_chain().ok


def test_ipv6_addresses_are_stored_canonically(db: None) -> None:
    entry = record("test.ip", ip="2001:DB8:0:0::1")
    assert AuditEntry.objects.get(seq=entry.seq).ip == "2001:db8::1"
    assert verify_chain().ok


@pytest.mark.usefixtures("hand_edits")
def test_a_deleted_head_is_caught_and_stops_writing(chain: list[AuditEntry]) -> None:
    raw(f"DELETE FROM {AuditHead._meta.db_table}")
    report = verify_chain()
    assert report.problem is not None
    assert "chain head" in str(report.problem)
    with pytest.raises(AppendOnlyError, match="head is missing"):
        record("test.after_tamper")
