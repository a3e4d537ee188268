"""Check the stored audit chain end to end."""

from __future__ import annotations

from haven.audit.chain import CHAIN_FIELDS, ChainReport, verify_rows
from haven.audit.models import AuditEntry, AuditHead


def verify_chain() -> ChainReport:
    head = AuditHead.objects.filter(id=1).values_list("seq", "hash").first()
    rows = (
        AuditEntry.objects.order_by("seq")
        .values(*CHAIN_FIELDS, "prev_hash", "hash")
        .iterator(chunk_size=5000)
    )
    return verify_rows(rows, head)
