"""Canonical JSON and hashing for the audit chain, and verification of the whole chain."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64
CHAIN_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor",
    "organisation",
    "action",
    "object_type",
    "object_id",
    "ip",
    "user_agent",
    "details",
)


def canonical_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_json(fields: dict[str, Any]) -> str:
    body = {name: fields[name] for name in CHAIN_FIELDS}
    body["at"] = canonical_time(body["at"])
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical_json(fields)).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainProblem:
    seq: int | None
    reason: str

    def __str__(self) -> str:
        where = f"entry #{self.seq}" if self.seq is not None else "chain head"
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class ChainReport:
    checked: int
    problem: ChainProblem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify_rows(rows: Iterator[dict[str, Any]], head: tuple[int, str] | None) -> ChainReport:
    """Walk rows in sequence order and stop at the first entry that breaks the chain."""
    prev_hash = GENESIS
    prev_seq = 0
    checked = 0
    for row in rows:
        seq = int(row["seq"])
        if row["prev_hash"] != prev_hash:
            reason = (
                f"does not follow entry #{prev_seq} (an entry before it was deleted or inserted)"
                if prev_seq
                else "does not start the chain (an entry before it was deleted or inserted)"
            )
            return ChainReport(checked, ChainProblem(seq, reason))
        if entry_hash(prev_hash, row) != row["hash"]:
            return ChainReport(checked, ChainProblem(seq, "its contents do not match its hash (edited)"))
        prev_hash = row["hash"]
        prev_seq = seq
        checked += 1
    if head is None:
        if checked:
            return ChainReport(
                checked, ChainProblem(None, f"is missing, but the chain holds {checked} entries (deleted)")
            )
        return ChainReport(0, None)
    head_seq, head_hash = head
    if head_seq != prev_seq or head_hash != prev_hash:
        if head_seq > prev_seq:
            reason = f"records entry #{head_seq} as the newest, but the chain ends at #{prev_seq} (deleted)"
        else:
            reason = f"records entry #{head_seq} as the newest, but the chain ends at #{prev_seq} (inserted)"
        return ChainReport(checked, ChainProblem(prev_seq if head_seq < prev_seq else None, reason))
    return ChainReport(checked, None)
