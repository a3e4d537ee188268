"""Partner API for the bank: match hashes or a file, and download hash lists incrementally."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated, Literal

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import File, Query, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile
from pydantic import Field, StringConstraints, model_validator

from haven.accounts.actions import Scope
from haven.accounts.api import ApiKeyAuth, api_key_of
from haven.audit.actions import record
from haven.hashbank.actions import record_hits
from haven.hashbank.hashing import FileHashes, hash_bytes
from haven.hashbank.matcher import Match, matcher
from haven.hashbank.models import BankList, BankRecord, Category, Status
from haven.hashbank.results import status_of

router = Router(tags=["hash bank"])

Hex32 = Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F]{32}$")]
Hex40 = Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F]{40}$")]
Hex64 = Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F]{64}$")]


class HashQuery(Schema):
    md5: Hex32 | None = None
    sha1: Hex40 | None = None
    sha256: Hex64 | None = None
    pdq: Hex64 | None = None
    quality: int | None = Field(None, ge=0, le=100, description="PDQ quality; below 50 is never matched")

    @model_validator(mode="after")
    def _needs_a_hash(self) -> HashQuery:
        if not (self.md5 or self.sha1 or self.sha256 or self.pdq):
            raise ValueError("give at least one of md5, sha1, sha256, pdq")
        return self


class MatchRequest(Schema):
    hashes: list[HashQuery] = Field(..., min_length=1, max_length=1000)


class MatchOut(Schema):
    record: int
    category: str
    series: str
    distance: int
    variant: str
    list: str


class MatchResult(Schema):
    index: int
    status: str
    matches: list[MatchOut]


class FileMatchResult(Schema):
    md5: str | None
    sha1: str | None
    sha256: str | None
    pdq: str | None
    quality: int | None
    status: str
    matches: list[MatchOut]
    error: str | None


def _out(matches: list[Match]) -> list[MatchOut]:
    return [MatchOut(**m.as_json()) for m in matches]


@router.post(
    "/match", response=list[MatchResult], auth=ApiKeyAuth(Scope.HASHES_MATCH), summary="Match hashes"
)
def match_hashes(request: HttpRequest, body: MatchRequest) -> list[MatchResult]:
    """Match up to 1,000 sets of hashes. A PDQ hash is matched as given: send the file itself
    (``/match/file``) to have its rotations and flips matched too."""
    results = []
    seen: list[int] = []
    for i, q in enumerate(body.hashes):
        hashes = FileHashes.given(md5=q.md5, sha1=q.sha1, sha256=q.sha256, pdq=q.pdq, quality=q.quality)
        matches = matcher().match(hashes)
        seen.extend({m.record for m in matches})
        results.append(MatchResult(index=i, status=status_of(hashes, matches), matches=_out(matches)))
    record_hits(seen)
    known = sum(1 for r in results if r.status == "known")
    record("hashbank.match", request=request, details={"queries": len(results), "known": known})
    return results


@router.post(
    "/match/file",
    response=FileMatchResult,
    auth=ApiKeyAuth(Scope.HASHES_MATCH),
    summary="Match an uploaded file",
)
def match_file(request: HttpRequest, file: File[UploadedFile]) -> FileMatchResult:
    """Hash an uploaded file in memory, match it in all 8 orientations, and keep nothing."""
    limit = settings.MATCH_MAX_UPLOAD_BYTES
    if file.size is None or file.size > limit:
        raise HttpError(413, f"file: larger than the {limit:,}-byte limit")
    hashes = hash_bytes(file.read(), file.name or "upload", dihedral=True)
    matches = matcher().match(hashes)
    record_hits({m.record for m in matches})
    status = status_of(hashes, matches)
    record("hashbank.match_file", request=request, details={"status": status, "known": len(matches)})
    return FileMatchResult(
        md5=hashes.md5, sha1=hashes.sha1, sha256=hashes.sha256, pdq=hashes.pdq, quality=hashes.quality,
        status=status, matches=_out(matches), error=hashes.error,
    )  # fmt: skip


class HashListEntry(Schema):
    id: int
    md5: str | None
    sha1: str | None
    sha256: str | None
    pdq: str | None
    category: str
    action: Literal["add", "remove"]
    updated_at: datetime


class HashListPage(Schema):
    items: list[HashListEntry]
    list: str
    next: str = Field(description="pass as `since` to get what changed after this page")
    more: bool


class HashListQuery(Schema):
    since: str | None = Field(None, description="the `next` cursor from an earlier page; omit for everything")
    limit: int = Field(1000, ge=1, le=10000)


SHAREABLE = (Category.A, Category.B, Category.C)


def _shared(r: BankRecord) -> bool:
    return r.status == Status.ACTIVE and r.category in SHAREABLE and r.verified


def _cursor(at: datetime, record_id: int) -> str:
    return base64.urlsafe_b64encode(f"{at.isoformat()}|{record_id}".encode()).decode()


def _parse_cursor(raw: str) -> tuple[datetime, int]:
    try:
        at, record_id = base64.urlsafe_b64decode(raw.encode()).decode().split("|")
        return datetime.fromisoformat(at), int(record_id)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise HttpError(422, "since: not a cursor this API gave out") from None


@router.get(
    "/hashlists/{name}", response=HashListPage, auth=ApiKeyAuth(Scope.HASHES_READ), summary="Hash list"
)
def hash_list(request: HttpRequest, name: str, params: Query[HashListQuery]) -> HashListPage:
    """Verified category A, B and C records in a list, oldest change first. Without ``since`` only the
    records to hold are returned; with it, every change since then, with ``remove`` for records that were
    disabled, disputed or regraded out of the list."""
    key = api_key_of(request)
    if name.startswith("partner:") and name != f"partner:{key.organisation.slug}":
        raise HttpError(404, "no such list")
    bank_list = get_object_or_404(BankList, name=name, enabled=True)
    records = BankRecord.objects.filter(sources__bank_list=bank_list).distinct().order_by("updated_at", "id")
    qualifies = Q(status=Status.ACTIVE, category__in=SHAREABLE, graders__gte=2, graders_agree=True)
    if params.since:
        at, last_id = _parse_cursor(params.since)
        records = records.filter(Q(updated_at__gt=at) | Q(updated_at=at, id__gt=last_id))
    else:
        records = records.filter(qualifies)
    page = list(records[: params.limit + 1])
    more = len(page) > params.limit
    page = page[: params.limit]
    items = [
        HashListEntry(
            id=r.pk,
            md5=r.md5,
            sha1=r.sha1,
            sha256=r.sha256,
            pdq=r.pdq,
            category=r.category,
            updated_at=r.updated_at,
            action="add" if _shared(r) else "remove",
        )
        for r in page
    ]
    last = page[-1] if page else None
    next_cursor = (
        _cursor(last.updated_at, last.pk)
        if last
        else (params.since or _cursor(datetime.fromtimestamp(0).astimezone(), 0))
    )
    record("hashbank.hashlist", request=request, object_type="hashbank.banklist", object_id=bank_list.pk,
           details={"since": bool(params.since), "items": len(items)})  # fmt: skip
    return HashListPage(list=bank_list.name, items=items, next=next_cursor, more=more)
