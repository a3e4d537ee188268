"""The one path that writes the audit trail."""

from __future__ import annotations

import getpass
import ipaddress
import os
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import connection, models, transaction
from django.db.backends.utils import CursorWrapper
from django.http import HttpRequest
from django.utils import timezone

from haven.audit.chain import CHAIN_FIELDS, GENESIS, entry_hash
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


class CommandLine:
    """Whoever runs a ``haven`` command on the server, named by their operating-system account: the
    actor of exports and other commands that act for no signed-in user."""

    def audit_identity(self) -> Identity:
        try:
            account = getpass.getuser()
        except (OSError, KeyError):  # no login name and no passwd entry, as in some containers
            account = f"uid {os.getuid()}"
        return Identity(None, f"command line ({account})", "")


def name_of(actor: AuditActor | None) -> str:
    """How records other than the audit trail itself (``created_by``, history rows) name who acted."""
    return actor.audit_identity().name if actor is not None else ""


def actor_of(request: HttpRequest) -> AuditActor | None:
    auth = getattr(request, "auth", None)
    if auth is not None and hasattr(auth, "audit_identity"):
        return auth  # type: ignore[no-any-return]  # django-ninja sets request.auth to our ApiKey
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and hasattr(user, "audit_identity"):
        return user  # type: ignore[no-any-return]  # request.user is typed as the abstract base user
    return None


ENTRY_COLUMNS = (*CHAIN_FIELDS, "prev_hash", "hash")


def _statements() -> tuple[str, str, str]:
    """Plain SQL for the three statements of an append; the ORM's per-call query building cost 5x more."""
    qn = connection.ops.quote_name
    head, entry = qn(AuditHead._meta.db_table), qn(AuditEntry._meta.db_table)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    columns = ", ".join(qn(c) for c in ENTRY_COLUMNS)
    return (
        f"SELECT seq, hash FROM {head} WHERE id = 1{lock}",  # noqa: S608  (table names from our own models)
        f"INSERT INTO {entry} ({columns}) VALUES ({', '.join(['%s'] * len(ENTRY_COLUMNS))})",  # noqa: S608
        f"UPDATE {head} SET seq = %s, hash = %s WHERE id = 1",  # noqa: S608
    )


def _locked_head(cursor: CursorWrapper, select_head: str) -> tuple[int, str]:
    cursor.execute(select_head)
    row = cursor.fetchone()
    if row is not None:
        return int(row[0]), str(row[1])
    # A fresh (or flushed) database starts the chain here. A missing head beside existing entries means the
    # table was tampered with: refuse to write rather than start a second chain.
    if AuditEntry.objects.exists():
        raise AppendOnlyError("the audit chain head is missing; run `haven audit verify`")
    AuditHead.objects.get_or_create(id=1, defaults={"seq": 0, "hash": GENESIS})
    cursor.execute(select_head)
    row = cursor.fetchone()
    return int(row[0]), str(row[1])


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
    select_head, insert_entry, update_head = _statements()
    columns = [AuditEntry._meta.get_field(name) for name in ENTRY_COLUMNS]
    # No savepoint: if this insert fails, the caller's whole transaction must fail with it.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        head_seq, head_hash = _locked_head(cursor, select_head)
        fields: dict[str, Any] = {
            "seq": head_seq + 1,
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
        digest = entry_hash(head_hash, fields)
        row = {**fields, "prev_hash": head_hash, "hash": digest}
        cursor.execute(
            insert_entry,
            [
                column.get_db_prep_save(row[name], connection)
                for name, column in zip(ENTRY_COLUMNS, columns, strict=True)
                if isinstance(column, models.Field)
            ],
        )
        cursor.execute(update_head, [fields["seq"], digest])
    entry = AuditEntry(**row)
    entry._state.adding = False
    entry._state.db = connection.alias
    return entry
