"""Feeding a long list into the bank a chunk at a time, on one or more database connections at once.

Each chunk is one ``add_records`` call: its own transaction and audit entry. With ``jobs`` above one, the
chunks go to that many threads, each with its own connection, so that PostgreSQL works on several while
this process parses the next (the import is bound by the database's work a row, and a server has more than
one core). Two chunks that create the same record at once cannot both succeed: the second fails on the
unique index (or a deadlock) and is run again, and then finds the record. Order between chunks is then not
kept, which changes only which of two rows naming one record counts as the merge; ``jobs=1`` keeps it.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Sequence

from django.db import IntegrityError, OperationalError, connection

from haven.audit.actions import AuditActor
from haven.hashbank.actions import add_records
from haven.hashbank.importing import ImportSummary, RecordInput
from haven.hashbank.models import BankList

log = logging.getLogger(__name__)

ATTEMPTS = 5


class ChunkLoader:
    def __init__(self, bank_list: BankList, *, jobs: int, actor: AuditActor, origin: str) -> None:
        self.bank_list, self.actor, self.origin = bank_list, actor, origin
        self.total = ImportSummary()
        self.failure: BaseException | None = None
        self._lock = threading.Lock()
        self._closed = False
        if connection.in_atomic_block:
            # The caller's transaction (a test's, say) would not see what other connections commit, nor
            # could it roll them back: inside one, every chunk goes on the caller's connection.
            jobs = 1
        self._queue: queue.Queue[Sequence[RecordInput] | None] = queue.Queue(maxsize=jobs)
        # One job runs in the caller's thread, on its connection (and inside its transaction, in tests).
        self._threads = (
            [threading.Thread(target=self._work, name=f"bank-import-{n}") for n in range(jobs)]
            if jobs > 1
            else []
        )
        for thread in self._threads:
            thread.start()

    def _load(self, chunk: Sequence[RecordInput]) -> ImportSummary:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return add_records(chunk, self.bank_list, actor=self.actor, origin=self.origin)
            except (IntegrityError, OperationalError) as exc:
                # Another chunk created one of these records first, or the two deadlocked: this chunk's
                # transaction is rolled back whole, and running it again finds what the other made.
                if attempt == ATTEMPTS:
                    raise
                log.info("a chunk of %s rows meets another chunk (%s); running it again", len(chunk), exc)
        raise AssertionError("unreachable")  # pragma: no cover

    def _work(self) -> None:
        try:
            while (chunk := self._queue.get()) is not None:
                try:
                    if self.failure is None:
                        summary = self._load(chunk)
                        with self._lock:
                            self.total.add(summary)
                except BaseException as exc:  # raised again by close(), in the main thread
                    with self._lock:
                        self.failure = self.failure or exc
        finally:
            connection.close()

    def submit(self, chunk: Sequence[RecordInput]) -> None:
        """Queue a chunk; waits while every thread is busy and one chunk is already waiting."""
        if self.failure is not None:
            raise self.failure
        if not self._threads:
            self.total.add(self._load(chunk))
            return
        self._queue.put(list(chunk))

    def close(self) -> ImportSummary:
        """Wait for every chunk; raise the first failure, if any chunk failed. Closing again does nothing
        more."""
        if not self._closed:
            self._closed = True
            for _ in self._threads:
                self._queue.put(None)
            for thread in self._threads:
                thread.join()
        if self.failure is not None:
            raise self.failure
        return self.total
