"""A running matcher, and a hash list's cursor, see every change, however late its transaction commits."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from haven.accounts.actions import create_api_key
from haven.accounts.models import User
from haven.hashbank.actions import add_records, get_or_create_list, give_verdict
from haven.hashbank.hashing import FileHashes
from haven.hashbank.importing import RecordInput
from haven.hashbank.matcher import Matcher
from haven.hashbank.models import BankRecord, RecordSource
from tests.conftest import Orgs

PDQ = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
NEAR = PDQ[:-1] + "3"  # one bit away


class SlowImport:
    """An import on its own connection that writes its records, then waits to commit until told."""

    def __init__(self, items: list[RecordInput], then: object | None = None) -> None:
        self.items = items
        self.written = threading.Event()
        self.commit = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        try:
            with transaction.atomic():
                national = get_or_create_list("national")
                now = timezone.now()
                for item in self.items:
                    record, _ = BankRecord.objects.get_or_create(
                        sha256=item.sha256,
                        defaults={
                            "pdq": item.pdq,
                            "category": item.category,
                            "first_seen": now,
                            "last_seen": now,
                        },
                    )
                    RecordSource.objects.create(record=record, bank_list=national, source=item.source)
                self.written.set()
                assert self.commit.wait(30)
        except BaseException as exc:
            self.error = exc
            self.written.set()
        finally:
            connection.close()

    def __enter__(self) -> SlowImport:
        self.thread.start()
        assert self.written.wait(30)
        assert self.error is None, self.error
        return self

    def __exit__(self, *exc: object) -> None:
        self.commit.set()
        self.thread.join(30)
        assert self.error is None, self.error


@pytest.fixture
def fresh() -> Matcher:
    # A matcher of its own: the process-wide one also hears this process's commits through a signal,
    # and this test is about what another process learns from the database alone.
    return Matcher()


@pytest.mark.django_db(transaction=True)
def test_a_running_matcher_finds_records_from_an_import_that_commits_late(fresh: Matcher) -> None:
    add_records([RecordInput(sha256="e" * 64, category="C")], get_or_create_list("national"))
    fresh.index()
    with SlowImport([RecordInput(sha256="a" * 64, pdq=PDQ, category="B")]):
        # The matcher syncs while the import is still open: it cannot see the rows yet.
        fresh._last_sync = 0.0  # the next look syncs now, not after a second
        assert fresh.match(FileHashes.given(pdq=NEAR)) == []
    fresh._last_sync = 0.0
    found = fresh.match(FileHashes.given(pdq=NEAR))
    assert [(m.distance, m.list) for m in found] == [(1, "national")]


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="on SQLite the partner's request waits for the import's write lock (its audit entry is a write)",
)
@pytest.mark.django_db(transaction=True)
def test_a_hash_list_cursor_never_passes_a_change_still_in_flight(
    client: Client, orgs: Orgs, grader: User, supervisor: User
) -> None:
    key = create_api_key(orgs.platform, ["hashes:read"]).secret
    national = get_or_create_list("national")
    add_records([RecordInput(sha256="b" * 64, category="A")], national)
    for user in (grader, supervisor):
        give_verdict(BankRecord.objects.get(sha256="b" * 64), grader=user, category="A")
    first = client.get("/api/v1/hashlists/national", HTTP_AUTHORIZATION=f"Bearer {key}").json()
    assert [i["sha256"] for i in first["items"]] == ["b" * 64]

    slow = SlowImport([RecordInput(sha256="b" * 64, category="A", source="late feed")])
    with slow:
        # Meanwhile the partner polls; whatever it is told, its cursor must not pass the open import.
        during = client.get(
            f"/api/v1/hashlists/national?since={first['next']}", HTTP_AUTHORIZATION=f"Bearer {key}"
        ).json()
    after = client.get(
        f"/api/v1/hashlists/national?since={during['next']}", HTTP_AUTHORIZATION=f"Bearer {key}"
    ).json()
    seen = [i["sha256"] for i in during["items"] + after["items"]]
    assert seen == ["b" * 64]
