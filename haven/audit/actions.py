"""The one path that writes the audit trail."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from haven.audit.chain import GENESIS, entry_hash
from haven.audit.models import AppendOnlyError, AuditEntry, AuditHead
from haven.core.requests import client_ip, user_agent


@dataclass(frozen=True)
class Identity:
    id: int | None
    name: str
    organisation: str


class AuditActor(Protocol):
    """Anything that can act: a signed-in user, or a partner's API key."""

    def audit_identity(self) -> Identity: ...


ANONYMOUS = Identity(None, "", "")


def actor_of(request: HttpRequest) -> AuditActor | None:
    auth = getattr(request, "auth", None)
    if auth is not None and hasattr(auth, "audit_identity"):
        return auth  # type: ignore[no-any-return]  # django-ninja sets request.auth to our ApiKey
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and hasattr(user, "audit_identity"):
        return user  # type: ignore[no-any-return]  # request.user is typed as the abstract base user
    return None


def _locked_head() -> AuditHead:
    head = AuditHead.objects.select_for_update().filter(id=1).first()
    if head is not None:
        return head
    # A fresh (or flushed) database starts the chain here. A missing head beside existing entries means the
    # table was tampered with: refuse to write rather than start a second chain.
    if AuditEntry.objects.exists():
        raise AppendOnlyError("the audit chain head is missing; run `haven audit verify`")
    head, _ = AuditHead.objects.select_for_update().get_or_create(id=1, defaults={"seq": 0, "hash": GENESIS})
    return head


def record(
    action: str,
    *,
    request: HttpRequest | None = None,
    actor: AuditActor | None = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    details: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditEntry:
    """Append one entry to the chain, inside the caller's transaction if there is one.

    The chain head row is locked for update, so concurrent writers on PostgreSQL queue here rather than
    forking the chain; on SQLite every transaction already takes the write lock at BEGIN (settings).
    """
    if actor is None and request is not None:
        actor = actor_of(request)
    who = actor.audit_identity() if actor is not None else ANONYMOUS
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    if request is not None:
        ip = ip or client_ip(request) or ""
    ip = ipaddress.ip_address(ip).compressed if ip else ""
    with transaction.atomic():
        head = _locked_head()
        fields: dict[str, Any] = {
            "seq": head.seq + 1,
            "at": timezone.now(),
            "actor_id": who.id,
            "actor": who.name,
            "organisation": who.organisation,
            "action": action,
            "object_type": object_type,
            "object_id": str(object_id),
            "ip": ip,
            "user_agent": user_agent(request) if request is not None else "",
            "details": details or {},
        }
        digest = entry_hash(head.hash, fields)
        entry = AuditEntry(prev_hash=head.hash, hash=digest, **fields)
        entry.save(force_insert=True)
        AuditHead.objects.filter(id=1).update(seq=entry.seq, hash=digest)
    return entry
